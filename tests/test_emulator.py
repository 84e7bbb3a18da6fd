"""Every file in events/ through scripts/local-invoke: the `sam build` artifact on Python 3.13,
behind the Lambda Runtime Interface Emulator (RIE) and awslambdaric, as Lambda runs it.

The build, the layer's wheels for this CPU, the runtime's wheels and (as root) the Debian 13
rootfs with Python 3.13 are made once per session; then one RIE per invocation. Hugging Face and
GitHub are the usual fakes, S3 and Secrets Manager moto's server on 127.0.0.1 (the function
reaches it through AWS_ENDPOINT_URL). Outcomes are the in-process tests' (tests/test_daily_pipeline.py,
test_backfill.py, test_digest.py): status, the archive objects, the commit and the post.

Needs `sam` (aws-sam-cli ships the RIE) and a Python 3.13: scripts/python3.13-rootfs as root
(debootstrap installed, or the rootfs already cached), else a `python3.13` that runs, or
$EMULATOR_PYTHON. Skipped without them, unless REQUIRE_EMULATOR=1 (CI: .ci/run sets it).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import (
    DEFAULT_DAYS,
    EVENTS,
    REGION,
    ROOT,
    SECRET_NAME,
    TOKEN,
    expected_post,
    load_event,
    load_hf,
    made_once,
    make_item,
    server_archive,
)
from fakes.bedrock import FakeBedrock
from fakes.github import FakeGitHub
from fakes.hf import FakeHF

LOCAL_INVOKE = ROOT / "scripts" / "local-invoke"
ROOTFS_PYTHON = ROOT / "scripts" / "python3.13-rootfs"
# The build, the layer and runtime wheels and the rootfs are made once per run and shared by the
# xdist workers (`made_once`), so these tests spread over the workers.

FUNCTION = "DailyPapersFunction"
SUMMARY_MODEL = "apac.amazon.nova-lite-v1:0"
MONTHLY_POST = "_posts/2026-01-01-monthly-papers-summary.md"
WEEKLY_POST = "_posts/2026-01-05-weekly-papers-summary.md"
# January 2026 on the fake Hugging Face, for the digest events (every other day is empty).
JANUARY = {
    "2026-01-05": [
        make_item("2601.00001", 120, "2026-01-05", keywords=["diffusion models"], org="NVIDIA"),
        make_item("2601.00002", 45, "2026-01-05", keywords=["benchmark"]),
    ],
    "2026-01-20": [make_item("2601.00003", 61, "2026-01-20", keywords=["diffusion models"])],
}
AWS_TEST_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def load_local_invoke() -> ModuleType:
    """scripts/local-invoke as a module (it has no .py suffix), for its pure functions."""
    if "local_invoke" in sys.modules:
        return sys.modules["local_invoke"]
    loader = importlib.machinery.SourceFileLoader("local_invoke", str(LOCAL_INVOKE))
    spec = importlib.util.spec_from_loader("local_invoke", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["local_invoke"] = module  # dataclasses look their module up while it executes
    loader.exec_module(module)
    return module


# -- what local-invoke reads: no emulator needed ------------------------------------------------
def test_function_environment_is_the_templates_with_ref_parameters_resolved_to_their_defaults():
    local_invoke = load_local_invoke()

    function, _ = local_invoke.read_function(ROOT / "template.yaml", None, {"GitHubRepository": "me/blog"})

    assert function.logical_id == FUNCTION and function.handler == "hf_daily_papers.handler.lambda_handler"
    assert function.runtime == "python3.13" and function.layers == ["DependenciesLayer"]
    env = function.variables
    assert env["BLOG_REPOSITORY"] == "me/blog"  # --parameter-overrides
    assert env["BLOG_BRANCH"] == "main" and env["TOP_N"] == "10" and env["POST_AUTHOR"] == ""  # defaults
    assert env["POST_PERMALINK"] == "true"
    assert env["HF_ENDPOINT"] == "https://huggingface.co"
    assert env["BUCKET_NAME"] == "" and "BUCKET_NAME" in function.unresolved  # !Ref to a resource


def test_env_vars_file_function_section_wins_over_parameters(tmp_path):
    local_invoke = load_local_invoke()
    path = tmp_path / "env.json"
    path.write_text(
        json.dumps(
            {
                "Parameters": {"TOP_N": "3", "POST_AUTHOR": "all"},
                FUNCTION: {"TOP_N": 5, "REFRESH_DAYS": None, "X": True},
                "OtherFunction": {"POST_AUTHOR": "other"},
            }
        )
    )

    assert local_invoke.read_env_vars(path, FUNCTION) == {
        "TOP_N": "5",
        "POST_AUTHOR": "all",
        "REFRESH_DAYS": "",
        "X": "true",
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ("[]", "expected a JSON object"),
        ('{"DailyPapersFunction": {"TOP_N": {"a": 1}}}', "DailyPapersFunction.TOP_N={'a': 1}: expected a string"),
        ("{", "--env-vars"),
    ],
)
def test_bad_env_vars_file_is_a_setup_error_naming_it(tmp_path, content, message):
    local_invoke = load_local_invoke()
    path = tmp_path / "env.json"
    path.write_text(content)

    with pytest.raises(local_invoke.SetupError, match="--env-vars") as caught:
        local_invoke.read_env_vars(path, FUNCTION)
    assert message in str(caught.value)


# -- the emulator -------------------------------------------------------------------------------
def python313() -> str | None:
    if os.environ.get("EMULATOR_PYTHON"):
        return os.environ["EMULATOR_PYTHON"]
    cache = Path(os.environ.get("HF_DAILY_PAPERS_CACHE", "/var/cache/hf-daily-papers"))
    if os.geteuid() == 0 and (
        shutil.which("debootstrap")
        or Path("/usr/sbin/debootstrap").exists()
        or any(cache.glob("py313-rootfs/*/.complete"))
    ):
        return str(ROOTFS_PYTHON)
    if shutil.which("python3.13"):
        done = subprocess.run(["python3.13", "-c", "pass"], capture_output=True)
        if done.returncode == 0:
            return "python3.13"
    return None


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def response(self) -> Any:
        return json.loads(self.stdout)

    @property
    def function_lines(self) -> list[str]:
        """What the function printed: the lines between the RIE's START and END."""
        lines, inside = [], False
        for line in self.stderr.splitlines():
            if line.startswith("START RequestId:"):
                inside = True
            elif line.startswith("END RequestId:"):
                inside = False
            elif inside and line.strip():
                lines.append(line)
        return lines

    @property
    def logs(self) -> list[dict[str, Any]]:
        records = []
        for line in self.function_lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records


class Emulator:
    def __init__(self, python: str, build_dir: Path) -> None:
        self.python, self.build_dir = python, build_dir

    @property
    def task_root(self) -> str:
        """Where the function's code is, as the function sees it."""
        if self.python == str(ROOTFS_PYTHON) and os.geteuid() == 0:
            return "/var/task"  # mounted there, as in Lambda
        return str(self.build_dir / FUNCTION)

    def command(self, event_file: Path, env_vars: Path | None = None, *more: str) -> list[str]:
        command = [
            sys.executable,
            str(LOCAL_INVOKE),
            "-e",
            str(event_file),
            "--python",
            self.python,
            "--build-dir",
            str(self.build_dir),
            *more,
        ]
        return command + (["--env-vars", str(env_vars)] if env_vars else [])

    def run(self, event_file: Path, env_vars: Path | None = None, *more: str) -> Run:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_TEST_CREDENTIALS, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
        done = subprocess.run(
            self.command(event_file, env_vars, *more),
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Emulator:
    required = os.environ.get("REQUIRE_EMULATOR") == "1"
    python = python313()
    missing = [
        what
        for what, ok in [
            ("sam (aws-sam-cli, which ships the RIE)", shutil.which("sam")),
            ("a Python 3.13 (root + debootstrap, or python3.13)", python),
        ]
        if not ok
    ]
    if missing:
        if required:
            pytest.fail(f"REQUIRE_EMULATOR=1 but missing: {', '.join(missing)}")
        pytest.skip(f"emulator not available: {', '.join(missing)}; .ci/run installs it")
    assert python is not None
    # Once per run (whichever worker comes first; the others wait for it): sam build, the layer and
    # runtime wheels for this CPU and Python, the rootfs. The tests run it with --no-build.
    with made_once(tmp_path_factory, "local-invoke") as (folder, made):
        emulator = Emulator(python, folder / "build")
        if not made:
            done = subprocess.run(
                emulator.command(EVENTS / "manual-date.json", None, "--prepare-only"),
                capture_output=True,
                text=True,
                timeout=1200,
                stdin=subprocess.DEVNULL,
            )
            assert done.returncode == 0, f"local-invoke --prepare-only failed:\n{done.stdout}\n{done.stderr}"
    return emulator


@dataclass
class Stack:
    hf: FakeHF
    github: FakeGitHub
    s3: Any
    bucket: str
    env_vars: Path  # sam's --env-vars format, pointing the function at the fakes
    bedrock: FakeBedrock

    def with_summaries(self) -> Path:
        """The env-vars file with SUMMARY_MODEL on, Bedrock Runtime played by the fake."""
        env = json.loads(self.env_vars.read_text("utf-8"))
        env[FUNCTION].update(SUMMARY_MODEL=SUMMARY_MODEL, AWS_ENDPOINT_URL_BEDROCK_RUNTIME=self.bedrock.url)
        path = self.env_vars.with_name("env-summaries.json")
        path.write_text(json.dumps(env), "utf-8")
        return path

    def archived_counts(self) -> dict[str, int]:
        """date -> papers of every archived day (an empty day may be archived with 0 papers)."""
        return {json.loads(body)["date"]: json.loads(body)["count"] for body in self.objects().values()}

    def objects(self) -> dict[str, bytes]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {o["Key"]: self.s3.get_object(Bucket=self.bucket, Key=o["Key"])["Body"].read() for o in listing}


@pytest.fixture
def stack(moto_server: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    bucket = f"emulator-{abs(hash(request.node.nodeid)) % 10**12}-{os.getpid()}"
    s3 = server_archive(moto_server, bucket)
    days = {d: load_hf(n) for d, n in DEFAULT_DAYS.items()}
    days.update(json.loads(json.dumps(JANUARY)))
    with FakeHF(days) as hf, FakeGitHub(token=TOKEN) as github, FakeBedrock() as bedrock:
        env_vars = tmp_path / "env.json"
        env_vars.write_text(
            json.dumps(
                {
                    FUNCTION: {
                        "HF_ENDPOINT": hf.url,
                        "BLOG_API_URL": github.url,
                        "BLOG_REPOSITORY": github.repository,
                        "BLOG_TOKEN_SECRET": SECRET_NAME,
                        "BUCKET_NAME": bucket,
                        "POST_AUTHOR": "lim4349",
                        "POST_PERMALINK": "false",  # the seed posts' bytes (tests/fixtures/posts)
                        "AWS_ENDPOINT_URL": moto_server,
                        "HF_MAX_RPS": "0",
                    }
                }
            )
        )
        yield Stack(hf, github, s3, bucket, env_vars, bedrock)


# -- every events/*.json, with the in-process tests' outcome -------------------------------------
def daily(date: str, status: str = "created") -> Callable[[Stack, dict[str, Any], Run], None]:
    def check(stack: Stack, result: dict[str, Any], run: Run) -> None:
        assert (result["date"], result["status"]) == (date, status)
        key = f"daily/{date[:4]}/{date[5:7]}/{date}.json"
        assert result["archive_key"] == key and result["archived"] is True
        assert list(stack.objects()) == [key]
        document = json.loads(stack.objects()[key])
        assert document["date"] == date and document["papers"] == stack.hf.days[date]
        assert stack.github.files()[f"_posts/{date}-daily-papers.md"] == expected_post(date)
        history = stack.github.history()
        assert len(history) == 2 and result["commit_sha"] == history[0]["sha"]

    return check


def scheduled(
    check: Callable[[Stack, dict[str, Any], Run], None], event: str
) -> Callable[[Stack, dict[str, Any], Run], None]:
    """A scheduler input: its execution_id is the correlation id of the run's logs."""

    def both(stack: Stack, result: dict[str, Any], run: Run) -> None:
        check(stack, result, run)
        execution_id = load_event(event)["execution_id"]
        assert any(r.get("correlation_id") == execution_id for r in run.logs), run.logs

    return both


def dry_run(stack: Stack, result: dict[str, Any], run: Run) -> None:
    assert (result["date"], result["status"]) == ("2026-08-21", "dry_run")
    assert result["post"].startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert "총 **" in run.stdout  # as the python3.13 runtime serialises: not \\uXXXX escapes
    assert stack.github.writes == [] and stack.objects() == {}


def dry_run_summaries(stack: Stack, result: dict[str, Any], run: Run) -> None:
    assert (result["start"], result["end"], result["counts"]) == ("2026-08-21", "2026-08-21", {"dry_run": 1})
    day = result["days"][0]
    assert day["summaries_made"] == day["listed"] == 10 and result["summaries_missing"] == 0
    assert day["post"].count(f"\n   - 요약: {stack.bedrock.default}\n   - Abstract: ") == 10
    assert len(stack.bedrock.calls) == 10 and {c.model_id for c in stack.bedrock.calls} == {SUMMARY_MODEL}
    assert stack.github.writes == [] and stack.objects() == {}


def backfill(stack: Stack, result: dict[str, Any], run: Run) -> None:
    assert (result["start"], result["end"], result["counts"]) == (
        "2026-02-16",
        "2026-02-25",
        {"created": 2, "empty": 8},
    )
    archived = stack.archived_counts()  # the two days with papers, and maybe the empty ones (0 papers)
    assert {d: n for d, n in archived.items() if n} == {d: len(stack.hf.days[d]) for d in ("2026-02-19", "2026-02-25")}
    assert set(archived) <= {f"2026-02-{d}" for d in range(16, 26)}
    for date in ("2026-02-19", "2026-02-25"):
        assert stack.github.files()[f"_posts/{date}-daily-papers.md"] == expected_post(date)
    history = stack.github.history()
    assert len(history) == 2 and result["commit_sha"] == history[0]["sha"]  # one commit for the range


def digest(
    kind: str, period: str, post: str, papers: int, days: list[str], period_days: list[str]
) -> Callable[[Stack, dict[str, Any], Run], None]:
    """A digest of a period none of whose days was archived: every day is fetched, and archived
    if it has papers (`days`; empty days may be recorded too, with zero papers)."""

    def check(stack: Stack, result: dict[str, Any], run: Run) -> None:
        assert (result["digest"], result["period"], result["status"]) == (kind, period, "created")
        assert (result["papers"], result["days"]) == (papers, len(days))
        assert result["fetched"] == period_days
        assert result["post_path"] == post
        text = stack.github.files()[post]
        assert text.startswith("---\n") and "2601.00001" in text and "diffusion models" in text
        assert [p for p in stack.github.files() if p.startswith("_posts/")] == [post]  # the digest only
        history = stack.github.history()
        assert len(history) == 2 and result["commit_sha"] == history[0]["sha"]
        archived = stack.archived_counts()  # the days with papers, and maybe the empty ones (0 papers)
        assert sorted(archived) == result["archived"] and set(archived) <= set(period_days)
        assert sorted(d for d, n in archived.items() if n) == days

    return check


JANUARY_DAYS = [f"2026-01-{d:02d}" for d in range(1, 32)]
MONTHLY = digest("monthly", "2026-01", MONTHLY_POST, 3, ["2026-01-05", "2026-01-20"], JANUARY_DAYS)
EXPECTED: dict[str, Callable[[Stack, dict[str, Any], Run], None]] = {
    "manual-date.json": daily("2026-02-25"),
    "eventbridge-rule.json": daily("2026-02-25"),  # time 2026-02-26T00:15:00Z
    "scheduler.json": scheduled(daily("2026-02-19"), "scheduler.json"),  # scheduled_time 2026-02-20T00:15:00Z
    "dry-run.json": dry_run,
    "dry-run-summaries.json": dry_run_summaries,  # run with SUMMARY_MODEL on (NEEDS_MODEL)
    "range.json": backfill,
    "monthly.json": MONTHLY,
    "scheduler-monthly.json": scheduled(MONTHLY, "scheduler-monthly.json"),
    "weekly.json": digest("weekly", "2026-W02", WEEKLY_POST, 2, ["2026-01-05"], JANUARY_DAYS[4:11]),
}
NEEDS_MODEL = {"dry-run-summaries.json"}
EVENT_FILES = sorted(p.name for p in EVENTS.glob("*.json") if p.name != "env.json")  # env.json: --env-vars


@pytest.mark.emulator
@pytest.mark.parametrize("name", EVENT_FILES)
def test_event_file_runs_in_the_emulator_with_the_in_process_outcome(emulator, stack, name):
    assert name in EXPECTED, f"events/{name} has no expected outcome here: add it to EXPECTED"

    env_vars = stack.with_summaries() if name in NEEDS_MODEL else stack.env_vars
    run = emulator.run(EVENTS / name, env_vars, "--no-build")

    assert run.returncode == 0, run.stderr
    assert "the Lambda runtime is" not in run.stderr  # local-invoke's warning when not on 3.13
    # stdout is the response exactly as Lambda's Python 3.13 runtime serialises it (one line)
    assert run.stdout.endswith("\n") and run.stdout.count("\n") == 1
    result = run.response
    assert isinstance(result, dict) and "errorType" not in result
    assert run.stdout[:-1] == json.dumps(result, ensure_ascii=False)
    EXPECTED[name](stack, result, run)
    # the function's logs are JSON lines (Powertools records and EMF metrics), and hold no token
    assert run.function_lines and all(isinstance(json.loads(line), dict) for line in run.function_lines), (
        run.function_lines
    )
    assert any(r.get("message") == "run result" for r in run.logs)
    assert TOKEN not in run.stdout and TOKEN not in run.stderr


def test_every_event_file_has_an_expected_outcome():
    assert set(EVENT_FILES) == set(EXPECTED)


BAD_EVENTS = [
    ('{"date": "2026-02-30"}', "BadInput", "date='2026-02-30': no such date"),
    ('["2026-02-25"]', "BadInput", "event=['2026-02-25']: expected a JSON object"),
    ('{"source": "scheduler", "scheduled_time": "2999-01-01T00:15:00Z"}', "BadInput", "is in the future"),
    ('{"digest": "monthly", "month": "2026-01", "force": true}', "BadInput", "force=True: unexpected field"),
    ("not json", "Runtime.UnmarshalError", "Unable to unmarshal input"),  # refused by the runtime itself
]


@pytest.mark.emulator
@pytest.mark.parametrize("event, error_type, message", BAD_EVENTS, ids=[str(i) for i in range(len(BAD_EVENTS))])
def test_bad_event_comes_back_as_lambda_error_and_local_invoke_fails(
    emulator, stack, tmp_path, event, error_type, message
):
    event_file = tmp_path / "event.json"
    event_file.write_text(event)

    run = emulator.run(event_file, stack.env_vars, "--no-build")

    assert run.returncode == 1
    error = run.response
    assert error["errorType"] == error_type and message in error["errorMessage"], error
    assert stack.hf.requests == [] and stack.github.requests == [] and stack.objects() == {}
    if error_type == "BadInput":  # raised by the built artifact, logged as the handler's one ERROR record
        assert f"{emulator.task_root}/hf_daily_papers/handler.py" in "".join(error["stackTrace"]), error
        failed = [r for r in run.logs if r.get("level") == "ERROR"]
        assert failed and failed[-1]["error_type"] == "BadInput", run.function_lines


@pytest.mark.emulator
def test_a_run_longer_than_the_timeout_is_stopped_and_reported_as_lambda_does(emulator, stack, tmp_path):
    env_vars = json.loads(stack.env_vars.read_text())
    env_vars[FUNCTION]["HF_MAX_RPS"] = "1"  # ten days at one request a second: about 10 s
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps(env_vars))

    run = emulator.run(EVENTS / "range.json", slow, "--no-build", "--timeout", "2")

    assert run.returncode == 1
    assert run.response == {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 2.00 seconds"}
    assert stack.github.writes == []


# -- what a newcomer copies from the README: --offline, and no credentials ---------------------------
def no_aws_account(tmp_path: Path) -> dict[str, str]:
    """This environment without any AWS credentials, profile or instance role to be found."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BLOG_", "GITHUB_"))}
    nothing = str(tmp_path / "no-such-aws-file")
    env.update(AWS_EC2_METADATA_DISABLED="true", AWS_SHARED_CREDENTIALS_FILE=nothing, AWS_CONFIG_FILE=nothing)
    return env


@pytest.mark.emulator
def test_offline_runs_an_event_as_the_readme_shows_with_no_account_and_no_network(emulator, tmp_path):
    """`scripts/local-invoke --offline -e events/dry-run.json` from the checkout's root, as the README
    shows it: the fakes and moto are started for the call, the function runs against them, stderr
    says what they saw. (Every event's outcome in the emulator, writes included, is checked above
    against the project's own fakes.)"""
    name = "dry-run.json"
    done = subprocess.run(
        [sys.executable, "scripts/local-invoke", "--offline", "-e", f"events/{name}",
         "--python", emulator.python, "--build-dir", str(emulator.build_dir), "--no-build"],
        cwd=ROOT, env=no_aws_account(tmp_path), capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    said = [line for line in done.stderr.splitlines() if line.startswith("local-invoke: offline: Hugging Face answered")]
    assert len(said) == 1, done.stderr
    assert (result["date"], result["status"]) == ("2026-08-21", "dry_run")
    assert result["post"].startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert said[0] == ("local-invoke: offline: Hugging Face answered 1 request(s); s3://hf-daily-papers-offline "
                       "holds 0 object(s); GitHub you/you.github.io@main: 0 commit(s); Bedrock: 0 summary call(s)")


def test_without_offline_and_without_aws_credentials_local_invoke_says_so_before_anything_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, str(LOCAL_INVOKE), "-e", str(EVENTS / "dry-run.json"), "--build-dir", str(tmp_path / "build")],
        cwd=ROOT, env=no_aws_account(tmp_path), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("local-invoke: no AWS credentials: the function reads S3 and Secrets Manager"), done.stderr
    assert "--offline" in done.stderr and "refused" not in done.stderr
    assert "START RequestId" not in done.stderr and not (tmp_path / "build").exists()  # nothing built, nothing run


@pytest.mark.emulator
def test_missing_event_file_is_a_usage_error_and_starts_nothing(emulator, tmp_path):
    run = emulator.run(tmp_path / "nope.json", None, "--no-build")

    assert run.returncode == 2 and run.stdout == ""
    assert "nope.json" in run.stderr and "START RequestId" not in run.stderr
