"""IaC checks of template.yaml: `sam validate --lint`, `cfn-lint`, `checkov` (0 failed, skips justified).

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


@pytest.mark.sam
def test_sam_validate_lint_is_clean(tmp_path):
    done = run([tool("sam", "REQUIRE_SAM"), "validate", "--lint", "--template-file", str(TEMPLATE)], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is a valid SAM Template" in done.stdout + done.stderr


def test_cfn_lint_is_clean(tmp_path):
    done = run([tool("cfn-lint", "REQUIRE_IAC"), str(TEMPLATE)], tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


def test_checkov_has_no_failed_check_and_every_skip_has_a_reason(tmp_path):
    done = run(
        [tool("checkov", "REQUIRE_IAC"), "-f", str(TEMPLATE), "--framework", "cloudformation",
         "--skip-download", "--output", "json"],
        tmp_path,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1 = some check failed
    report = json.loads(done.stdout)
    results = report["results"]
    failed = [(c["check_id"], c["resource"]) for c in results.get("failed_checks", [])]
    assert failed == [], failed
    assert done.returncode == 0
    assert report["summary"]["passed"] >= 20  # checkov did read the template
    skipped = results.get("skipped_checks", [])
    for check in skipped:
        assert len(check.get("check_result", {}).get("suppress_comment", "")) > 20, check["check_id"]
    # Every skip is one written in the template's Metadata and still used (no stale skip).
    template = TEMPLATE.read_text("utf-8")
    written = set(re.findall(r"- id: (CKV2?_AWS_\d+)", template))
    assert written and {c["check_id"] for c in skipped} == written
