"""`sam build` of template.yaml, then the built artifact run end to end, as Lambda would run it.

The build (once per session, into a temporary folder; the repository is not written to) makes the
function and the layer exactly as `sam deploy` would upload them. Each invocation then runs in a
separate, isolated interpreter (`python -I -S`: no site-packages) whose sys.path is what Lambda's
is: the function's folder, the layer's `python/`, and the packages the Lambda Python runtime
itself provides (boto3 & co). So a template, a package-data file or a dependency missing from the
artifact fails here, not first in Lambda. S3 and Secrets Manager are moto's server on 127.0.0.1
(AWS_ENDPOINT_URL), Hugging Face and GitHub the usual fakes.

Skipped without `sam` on PATH, unless REQUIRE_SAM=1 (CI, where .ci/run installs it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    DEFAULT_DAYS,
    EVENTS,
    REGION,
    ROOT,
    TOKEN,
    expected_post,
    load_event,
    load_hf,
    make_item,
    server_archive,
)
from fakes.github import FakeGitHub
from fakes.hf import FakeHF

# One xdist worker runs the `sam build` tests (and the emulator tests): each builds once, not once a worker.
pytestmark = [pytest.mark.sam, pytest.mark.xdist_group("sam")]

FUNCTION = "DailyPapersFunction"
LAYER = "DependenciesLayer"
BUCKET = "hf-daily-papers-built-test"
# What the Lambda Python runtime provides besides the standard library (not in our layer).
RUNTIME_PACKAGES = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"]

CHILD = r"""
import json, os, resource, sys
sys.path[:0] = json.loads(os.environ.pop("LAMBDA_SYS_PATH"))
event_file, out_file = sys.argv[1], sys.argv[2]

class Context:
    function_name = "hf-daily-papers-built"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:hf-daily-papers-built"
    aws_request_id = "11111111-2222-3333-4444-555555555555"

from hf_daily_papers import handler
with open(event_file, encoding="utf-8") as f:
    event = json.load(f)
try:
    outcome = {"result": handler.lambda_handler(event, Context())}
except Exception as exc:
    outcome = {"error": f"{type(exc).__name__}: {exc}"}
names = ["hf_daily_papers", "jinja2", "markupsafe", "aws_lambda_powertools", "urllib3", "typing_extensions", "boto3"]
outcome["modules"] = {n: sys.modules[n].__file__ for n in names if n in sys.modules}
usage = resource.getrusage(resource.RUSAGE_SELF)
# Peak RSS of this process image: VmHWM (ru_maxrss would also count the parent's, forked at exec).
try:
    with open("/proc/self/status", encoding="ascii") as f:
        hwm_kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    hwm_kb = usage.ru_maxrss
outcome["max_rss_mb"] = hwm_kb / 1024
outcome["cpu_seconds"] = usage.ru_utime + usage.ru_stime
with open(out_file, "w", encoding="utf-8") as f:
    json.dump(outcome, f)
"""


def sam_or_skip() -> str:
    sam = shutil.which("sam")
    if sam is None:
        if os.environ.get("REQUIRE_SAM") == "1":
            pytest.fail("REQUIRE_SAM=1 but `sam` (aws-sam-cli) is not on PATH")
        pytest.skip("sam (aws-sam-cli) not installed; .ci/run installs it")
    return sam


def sam_build(sam: str, build_dir: Path) -> None:
    """`sam build` of the repository's template into build_dir (cwd outside the repository)."""
    env = dict(os.environ, SAM_CLI_TELEMETRY="0")
    done = subprocess.run(
        [sam, "build", "--template-file", str(ROOT / "template.yaml"), "--build-dir", str(build_dir)],
        cwd=build_dir.parent, env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, f"sam build failed:\n{done.stdout}\n{done.stderr}"


def runtime_shim(where: Path) -> Path:
    """A folder with the packages the Lambda runtime brings (links to this interpreter's copies)."""
    where.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        source = Path(spec.submodule_search_locations[0]) if spec.submodule_search_locations else Path(spec.origin)
        (where / source.name).symlink_to(source)
    return where


@dataclass
class Invocation:
    result: dict[str, Any] | None
    error: str | None
    modules: dict[str, str]
    max_rss_mb: float
    cpu_seconds: float
    logs: list[dict[str, Any]]  # the JSON lines the function printed (Powertools logs, EMF metrics)


class BuiltFunction:
    """The built artifact, invoked in an isolated interpreter with Lambda's sys.path."""

    def __init__(self, build_dir: Path, shim: Path) -> None:
        self.build_dir = build_dir
        self.function_dir = build_dir / FUNCTION
        self.layer_dir = build_dir / LAYER / "python"
        self.shim = shim

    def invoke(self, event: Any, env: dict[str, str], tmp: Path) -> Invocation:
        event_file, out_file = tmp / "event.json", tmp / "outcome.json"
        event_file.write_text(json.dumps(event), "utf-8")
        child_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "HOME": str(tmp),
            "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
            "LAMBDA_SYS_PATH": json.dumps([str(self.function_dir), str(self.layer_dir), str(self.shim)]),
            **env,
        }
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", CHILD, str(event_file), str(out_file)],
            cwd=tmp, env=child_env, capture_output=True, text=True, timeout=900,
        )
        assert done.returncode == 0 and out_file.exists(), f"child failed:\n{done.stdout}\n{done.stderr}"
        outcome = json.loads(out_file.read_text("utf-8"))
        logs = []
        for line in done.stdout.splitlines():
            try:
                logs.append(json.loads(line))
            except ValueError:
                continue
        return Invocation(
            outcome.get("result"), outcome.get("error"), outcome["modules"],
            outcome["max_rss_mb"], outcome["cpu_seconds"], logs,
        )


@pytest.fixture(scope="module")
def built() -> Iterator[BuiltFunction]:
    sam = sam_or_skip()
    with tempfile.TemporaryDirectory(prefix="hf-daily-papers-sam-") as tmp:
        build_dir = Path(tmp) / "build"
        sam_build(sam, build_dir)
        yield BuiltFunction(build_dir, runtime_shim(Path(tmp) / "runtime"))


@pytest.fixture
def stack(moto_server: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Fresh fakes, a fresh bucket and the token secret; the function's environment pointing at them."""
    aws = {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_ENDPOINT_URL": moto_server,
    }
    bucket = f"{BUCKET}-{len(os.listdir(tmp_path.parent))}-{os.getpid()}"
    s3 = server_archive(moto_server, bucket)
    with FakeHF({d: load_hf(n) for d, n in DEFAULT_DAYS.items()}) as hf, FakeGitHub(token=TOKEN) as github:
        # events/env.json (the sam local invoke example), pointed at the fakes.
        env = dict(json.loads((EVENTS / "env.json").read_text("utf-8"))[FUNCTION])
        env.update(
            HF_ENDPOINT=hf.url, BLOG_API_URL=github.url, BLOG_REPOSITORY=github.repository,
            BUCKET_NAME=bucket, POST_AUTHOR="lim4349", POST_PERMALINK="false", HF_MAX_RPS="0",  # seed bytes
            POWERTOOLS_SERVICE_NAME="hf-daily-papers", POWERTOOLS_METRICS_NAMESPACE="HfDailyPapersBuiltTest",
            **aws,
        )
        yield {"env": env, "hf": hf, "github": github, "s3": s3, "bucket": bucket, "tmp": tmp_path}


def test_build_has_the_package_with_its_templates_and_the_pinned_layer(built):
    source = ROOT / "functions" / "daily_papers" / "hf_daily_papers"
    wanted = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    wanted -= {"cli.py", "__main__.py"}  # the CLI front end stays out of the Lambda artifact
    package = built.function_dir / "hf_daily_papers"
    got = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert got == wanted
    assert any(name.startswith("templates/") and name.endswith(".j2") for name in got)
    assert sorted(p.name for p in built.function_dir.iterdir()) == ["hf_daily_papers"]  # nothing else

    pins = {}
    for line in (ROOT / "layers" / "dependencies" / "requirements.txt").read_text("utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "_", name.lower())] = version
    installed = {}
    for info in built.layer_dir.glob("*.dist-info"):
        name, version = info.name[: -len(".dist-info")].rsplit("-", 1)
        installed[re.sub(r"[-_.]+", "_", name.lower())] = version
    assert installed == pins  # every installed distribution pinned, every pin installed
    # Wheels for the function's architecture (arm64), whatever this machine is.
    compiled = [p.name for p in built.layer_dir.rglob("*.so")]
    assert compiled and all("aarch64" in name for name in compiled)


def test_built_function_publishes_a_manual_date_end_to_end(built, stack):
    github, s3 = stack["github"], stack["s3"]

    run = built.invoke(load_event("manual-date.json"), stack["env"], stack["tmp"])

    assert run.error is None
    for name, path in run.modules.items():  # imported from the artifact, not from this checkout
        if name in ("boto3",):
            assert path.startswith(str(built.shim)), (name, path)
        else:
            assert path.startswith(str(built.build_dir)), (name, path)
    assert run.modules["hf_daily_papers"].startswith(str(built.function_dir))
    assert run.result["status"] == "created" and run.result["date"] == "2026-02-25"
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    assert run.result["commit_sha"] == github.history()[0]["sha"]
    document = json.loads(s3.get_object(Bucket=stack["bucket"], Key="daily/2026/02/2026-02-25.json")["Body"].read())
    assert document["date"] == "2026-02-25" and document["count"] == 10


def test_built_function_runs_the_scheduler_input_with_its_execution_id_as_correlation_id(built, stack):
    event = load_event("scheduler.json")

    run = built.invoke(event, stack["env"], stack["tmp"])

    assert run.error is None
    assert run.result["date"] == "2026-02-19" and run.result["status"] == "created"
    assert "_posts/2026-02-19-daily-papers.md" in stack["github"].files()
    correlated = [line for line in run.logs if line.get("correlation_id") == event["execution_id"]]
    assert correlated, run.logs
    assert not any(TOKEN in json.dumps(line) for line in run.logs)


def test_built_function_dry_run_writes_nothing(built, stack):
    run = built.invoke(load_event("dry-run.json"), stack["env"], stack["tmp"])

    assert run.error is None and run.result["status"] == "dry_run"
    assert run.result["post"].startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert stack["github"].writes == []
    assert stack["s3"].list_objects_v2(Bucket=stack["bucket"]).get("KeyCount", 0) == 0


def test_built_function_backfills_the_range_event_in_one_commit(built, stack):
    github = stack["github"]

    run = built.invoke(load_event("range.json"), stack["env"], stack["tmp"])  # 2026-02-16..25

    assert run.error is None
    assert run.result["counts"] == {"created": 2, "empty": 8}
    assert github.files()["_posts/2026-02-19-daily-papers.md"] == expected_post("2026-02-19")
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    assert len(github.history()) == 2  # the initial commit + one for the whole range
    keys = [o["Key"] for o in stack["s3"].list_objects_v2(Bucket=stack["bucket"])["Contents"]]
    assert keys == [f"daily/2026/02/2026-02-{d}.json" for d in range(16, 26)]  # empty days as records


def test_built_function_builds_the_monthly_digest_from_the_scheduler_input(built, stack):
    """The digest's own template (package data) renders from the artifact."""
    stack["hf"].days.update({
        "2026-01-05": [make_item("2601.00001", 120, "2026-01-05", keywords=["diffusion models"], org="NVIDIA"),
                       make_item("2601.00002", 45, "2026-01-05", keywords=["benchmark"])],
        "2026-01-20": [make_item("2601.00003", 61, "2026-01-20", keywords=["diffusion models"])],
    })
    event = load_event("scheduler-monthly.json")  # 2026-02-01 00:00 UTC = 09:00 in Seoul

    run = built.invoke(event, stack["env"], stack["tmp"])

    assert run.error is None
    assert (run.result["digest"], run.result["period"], run.result["status"]) == ("monthly", "2026-01", "created")
    post = stack["github"].files()[run.result["post_path"]]
    assert post.startswith("---\n") and "2601.00001" in post and "diffusion models" in post
    assert any(line.get("correlation_id") == event["execution_id"] for line in run.logs)
