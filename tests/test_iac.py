"""IaC checks of template.yaml: `cfn-lint` (which also runs the SAM transform: what `sam validate
--lint` runs, started once instead of twice) and `checkov` (0 failed, skips justified).

Each is skipped when its tool is not on PATH, unless REQUIRE_SAM=1 (sam) / REQUIRE_IAC=1
(cfn-lint, checkov): CI sets both, and .ci/run installs the tools in their own virtualenvs.
None of them needs AWS credentials or the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

TEMPLATE = ROOT / "template.yaml"


def tool(name: str, require: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get(require) == "1":
            pytest.fail(f"{require}=1 but `{name}` is not on PATH")
        pytest.skip(f"{name} not installed; .ci/run installs it")
    return path


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", HOME=os.environ.get("HOME", str(tmp_path)))
    env.setdefault("AWS_DEFAULT_REGION", "ap-northeast-2")
    return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


VARIANTS = {
    "profile-id": ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "hf-daily-papers/hf-token"),
    "profile-arn": (
        "arn:aws:bedrock:ap-northeast-2:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:hf-token-AbCdEf",
    ),
    "model-id": ("anthropic.claude-3-5-haiku-20241022-v1:0", ""),
}


def variant(tmp_path: Path, name: str) -> Path:
    model, hf_secret = VARIANTS[name]
    text = TEMPLATE.read_text("utf-8")
    for parameter, value in (("SummaryModel", model), ("HfTokenSecret", hf_secret)):
        text, count = re.subn(
            rf'(\n  {parameter}:\n(?:    .*\n)*?    Default: )""', lambda m, v=value: f'{m.group(1)}"{v}"', text, count=1
        )
        assert count == 1, parameter
    path = tmp_path / f"template-{name}.yaml"
    path.write_text(text, "utf-8")
    return path


def test_cfn_lint_is_clean_as_is_and_with_summaries_and_hf_token_on(tmp_path):
    paths = [str(TEMPLATE), *(str(variant(tmp_path, name)) for name in VARIANTS)]
    done = run([tool("cfn-lint", "REQUIRE_IAC"), *paths], tmp_path)  # one run: one startup
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_checkov_has_no_failed_check_and_every_skip_has_a_reason(tmp_path):
    """checkov reads resources, not the conditions on them: the template with every option on gave
    the same findings as the template as it is (21 passed, 7 skipped each, compared when this
    test was cut to one run), so one run over the template."""
    copy = tmp_path / "template.yaml"
    copy.write_text(TEMPLATE.read_text("utf-8"), "utf-8")
    args = [tool("checkov", "REQUIRE_IAC"), "--framework", "cloudformation", "--skip-download", "--output", "json",
            "-f", str(copy)]
    done = run(args, tmp_path)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1 = some check failed
    report = json.loads(done.stdout)
    results = report["results"]
    failed = [(c["check_id"], c["resource"]) for c in results.get("failed_checks", [])]
    assert failed == [] and done.returncode == 0, failed or done.stderr
    assert report["summary"]["passed"] >= 20  # checkov did read the template
    written = set(re.findall(r"- id: (CKV2?_AWS_\d+)", TEMPLATE.read_text("utf-8")))
    assert written
    skipped = results.get("skipped_checks", [])
    for check in skipped:
        assert len(check.get("check_result", {}).get("suppress_comment", "")) > 20, check["check_id"]
    assert {c["check_id"] for c in skipped} == written
