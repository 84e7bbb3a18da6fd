"""The local command as a new user meets it: by default a folder (no AWS, no GitHub); S3 and GitHub
when asked; every mistake one line on stderr naming the flag or the path, with exit 2 (bad input)
or 1 (failure), never a traceback.

Most tests run `cli.main([...])` in this process (capsys for its output); one runs
`python3 -m hf_daily_papers` end to end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hf_daily_papers import app, cli
from hf_daily_papers.inputs import RangeRequest

from conftest import BUCKET, FIXTURES, ROOT, TOKEN, expected_post, s3_objects
from fakes.server import Fault, Reply

SOURCE = ROOT / "functions" / "daily_papers"  # this checkout's package, whatever is installed
PREFIX = "hf-daily-papers: "
# Settings the user's shell might hold; every test starts without them.
SETTING_NAMES = ("GITHUB_", "BLOG_", "BUCKET_", "AWS_", "TOP_N", "POST_", "SUMMARY_MODEL", "HF_", "REFRESH_DAYS",
                 "FETCH_CONCURRENCY")


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Any = None) -> subprocess.CompletedProcess[str]:
    """`python3 -m hf_daily_papers ARGS` in a child process (other test modules use it too)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "BLOG_", "BUCKET_", "AWS_"))}
    base["PYTHONPATH"] = os.pathsep.join([str(SOURCE), base.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "hf_daily_papers", *args],
        capture_output=True, text=True, env={**base, **(env or {})}, cwd=cwd, timeout=120,
    )


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings from the shell; the working directory is an empty folder (returned)."""
    for name in list(os.environ):
        if name.startswith(SETTING_NAMES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_MAX_RPS", "0")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def main(clean_env: Path, capsys: pytest.CaptureFixture[str], fast_http: Any) -> Any:
    """cli.main in-process, with the tests' fast HTTP timing: returns (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args), wiring=app.Wiring(http=fast_http))
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "Traceback" not in out
        return code, out, err

    return call


def saved_answers(folder: Path, *dates: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for date in dates:
        (folder / f"{date}.json").write_bytes((FIXTURES / "hf" / f"seed-{date}.json").read_bytes())
    return folder


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# -- what it writes ------------------------------------------------------------------------------

def test_python_m_writes_post_and_archive_into_a_folder(tmp_path, hf):
    """End to end in a child process, as a user runs it."""
    proc = run_cli("--date", "2026-02-25", "--author", "lim4349", "--out", str(tmp_path / "out"),
                   env={"HF_ENDPOINT": hf.url})

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "created"
    post = tmp_path / "out" / "blog" / "_posts" / "2026-02-25-daily-papers.md"
    assert post.read_text("utf-8") == expected_post("2026-02-25", permalink=True)
    archive = json.loads((tmp_path / "out" / "archive" / "daily" / "2026" / "02" / "2026-02-25.json").read_text("utf-8"))
    assert archive["count"] == 10

    again = run_cli("--date", "2026-02-25", "--author", "lim4349", "--out", str(tmp_path / "out"),
                    env={"HF_ENDPOINT": hf.url})
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "unchanged"


def test_dry_run_prints_the_post_and_writes_nothing(main, clean_env, hf, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    code, out, err = main("run", "--date", "2026-08-21", "--dry-run")

    assert code == 0, err
    assert out.startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert "author:" not in out
    assert json.loads(err)["status"] == "dry_run"
    assert list(clean_env.iterdir()) == []


def test_saved_answers_folder_needs_no_network(main, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19")

    code, _out, err = main("--date", "2026-02-19", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"),
                          "--author", "lim4349", "--no-permalink")

    assert code == 0, err
    assert (tmp_path / "o/blog/_posts/2026-02-19-daily-papers.md").read_text() == expected_post("2026-02-19")


def test_bucket_and_repo_use_s3_and_github_like_the_lambda(main, clean_env, hf, github, aws, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    monkeypatch.setenv("BLOG_API_URL", github.url)
    monkeypatch.setenv("BLOG_TOKEN", TOKEN)

    code, _out, err = main("--date", "2026-02-25", "--bucket", BUCKET, "--repo", github.repository, "--author", "lim4349",
                           "--no-permalink")

    assert code == 0, err
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    assert list(s3_objects(aws)) == ["daily/2026/02/2026-02-25.json"]
    assert list(clean_env.iterdir()) == []


def test_backfill_takes_a_range_longer_than_the_lambdas_366_days(main, tmp_path):
    """The CLI has no 15-minute limit: any range, one run (here 421 days of saved answers)."""
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19", "2026-02-25")
    for n in range(421):  # every other day of the range saved as an empty answer (a missing file is an error)
        path = hf_dir / f"{dt.date(2025, 1, 1) + dt.timedelta(days=n)}.json"
        if not path.exists():
            path.write_text("[]", "utf-8")

    code, out, err = main("backfill", "--start", "2025-01-01", "--end", "2026-02-25", "--hf-dir", str(hf_dir),
                          "--out", str(tmp_path / "o"), "--no-progress", "--author", "lim4349", "--no-permalink")

    assert code == 0, err
    result = json.loads(out)
    assert len(result["days"]) == 421 and result["counts"]["created"] == 2
    assert (tmp_path / "o/blog/_posts/2026-02-25-daily-papers.md").read_text() == expected_post("2026-02-25")


@pytest.mark.parametrize("command", [["run", "--date", "2026-02-19"], ["backfill", "--start", "2026-02-19", "--end", "2026-02-19"]])
def test_no_permalink_flag_or_env_false_writes_the_seed_bytes(main, tmp_path, monkeypatch, command):
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19")
    post = tmp_path / "o/blog/_posts/2026-02-19-daily-papers.md"
    common = ["--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"), "--author", "lim4349"]

    assert main(*command, *common)[0] == 0
    assert post.read_text("utf-8") == expected_post("2026-02-19", permalink=True)
    code, _out, err = main(*command, *common, "--no-permalink")
    assert code == 0, err
    assert post.read_text("utf-8") == expected_post("2026-02-19")
    monkeypatch.setenv("POST_PERMALINK", "true")
    assert main(*command, *common)[0] == 0 and post.read_text("utf-8") == expected_post("2026-02-19", permalink=True)
    monkeypatch.setenv("POST_PERMALINK", "FALSE")
    assert main(*command, *common)[0] == 0 and post.read_text("utf-8") == expected_post("2026-02-19")


def test_a_bad_post_permalink_value_names_the_variable_and_writes_nothing(main, tmp_path, monkeypatch):
    monkeypatch.setenv("POST_PERMALINK", "maybe")
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19")

    code, out, err = main("--date", "2026-02-19", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"))

    assert code == 2 and out == ""
    assert err == f"{PREFIX}error: POST_PERMALINK='maybe': expected true or false\n"
    assert not (tmp_path / "o").exists()


def test_summarize_is_a_backfill_flag_that_asks_for_summaries():
    parser = cli.build_parser()
    args = parser.parse_args(["backfill", "--start", "2026-02-16", "--end", "2026-02-25", "--summarize"])
    assert cli.parse_request(args, dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)) == RangeRequest(
        dt.date(2026, 2, 16), dt.date(2026, 2, 25), summarize=True
    )
    args = parser.parse_args(["backfill", "--start", "2026-02-16", "--end", "2026-02-25"])
    assert cli.parse_request(args, dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)).summarize is False  # type: ignore[union-attr]
    with pytest.raises(SystemExit):  # only backfill has it: daily runs summarize whenever a model is set
        parser.parse_args(["run", "--summarize"])


def test_summary_model_flag_turns_summaries_on_with_the_users_aws_credentials(main, tmp_path, monkeypatch):
    from fakes.bedrock import FakeBedrock

    hf_dir = saved_answers(tmp_path / "hf", "2026-02-25")
    said = "이 논문은 새로운 방법을 제안하고, 여러 실험을 통해 기존 방법보다 나은 결과를 보여 준다."  # passes the check
    with FakeBedrock(default=said) as bedrock:
        for name, value in {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url, "AWS_ACCESS_KEY_ID": "testing",
                            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
            monkeypatch.setenv(name, value)
        code, out, err = main("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--dry-run",
                              "--summary-model", "us.anthropic.claude-3-5-haiku-20241022-v1:0")

    assert code == 0, err
    assert out.count(f"   - 요약: {said}\n") == 10
    assert {call.model_id for call in bedrock.calls} == {"us.anthropic.claude-3-5-haiku-20241022-v1:0"}


# -- bad input: exit 2, one line naming the flag as typed, nothing done --------------------------

@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2026-02-30"], "--date='2026-02-30': no such date"),
        (["--date", "26-02-25"], "--date='26-02-25': expected a date as YYYY-MM-DD"),
        (["--top-n", "5000"], "--top-n='5000': expected 0..1000"),
        (["--top-n", "-3"], "--top-n='-3': expected 0..1000"),
        (["--repo", "nope"], "--repo='nope': expected owner/name"),
        (["--repo", "owner/.."], "--repo='owner/..': name '..' is not a GitHub repository name "
                                 "(1-100 letters, digits, '.', '_', '-'; not '.' or '..')"),
        (["--repo", "../x"], "--repo='../x': owner '..' is not a GitHub account name "
                             "(1-39 letters, digits, hyphens; no hyphen first or last)"),
        (["--repo", ""], "--repo='': empty"),
        (["--branch", "x.lock"], "--branch='x.lock': not a valid branch name: component 'x.lock' ends with '.lock'"),
        (["--branch", "HEAD"], "--branch='HEAD': not a valid branch name: 'HEAD' is reserved"),
        (["--branch=-f"], "--branch='-f': not a valid branch name: starts with '-'"),
        (["--bucket", "Bad_Bucket"], "--bucket='Bad_Bucket': not a valid S3 bucket name"),
        (["--bucket", " "], "--bucket=' ': empty"),
        (["--author", "lim 4349"], "--author='lim 4349': expected an author id (letters, digits, _ . -)"),
        (["--summary-model", "claude please"],
         "--summary-model='claude please': expected a Bedrock model id, inference profile id or ARN"),
        (["--summary-language", "fr"], "--summary-language='fr': expected one of ko, en, ja, zh"),
        (["backfill", "--start", "2026-02-10", "--end", "2026-02-01"], "--end='2026-02-01': is before --start 2026-02-10"),
        (["backfill", "--start", "2026-02-30", "--end", "2026-03-01"], "--start='2026-02-30': no such date"),
        (["backfill", "--start", "2026-02-01", "--end", "2026-02-02", "--summarize"],
         "--summary-model is not set: required by --summarize (or set SUMMARY_MODEL)"),
        (["--top-n", "abc"], "--top-n='abc': expected a whole number"),
        (["digest", "--month", "2026-13"], "--month='2026-13': month 13 is out of range (01..12)"),
        (["digest", "--month", "2026-01", "--top-n", "5"],
         "--top-n='5': not used by digest: a monthly digest lists its top 20 papers, a weekly one its top 10"),
        (["digest", "--month", "0000-01"], "--month='0000-01': no such month (years start at 0001)"),
        (["digest", "--month", "2026-1"], "--month='2026-1': expected a month as YYYY-MM"),
        (["digest", "--week", "2026-W54"], "--week='2026-W54': no such ISO week (e.g. 2026-W08)"),
        (["digest", "--week", "9999-W52"], "--week='9999-W52': no such ISO week (e.g. 2026-W08)"),
    ],
)
def test_bad_flag_exits_2_with_one_line_naming_the_flag_and_does_nothing(main, clean_env, hf, monkeypatch, args, message):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    code, out, err = main(*args)

    assert (code, out, err) == (2, "", f"{PREFIX}error: {message}\n")
    assert list(clean_env.iterdir()) == [] and hf.requests == []


def test_a_date_in_the_future_names_the_flag(main, clean_env, hf, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    code, _out, err = main("--date", "2999-01-01")
    assert (code, err) == (2, f"{PREFIX}error: --date='2999-01-01': is in the future (today is {today()} UTC)\n")
    code, _out, err = main("backfill", "--start", "2026-01-01", "--end", "9999-12-31")
    assert (code, err) == (2, f"{PREFIX}error: --end='9999-12-31': is in the future (today is {today()} UTC)\n")
    assert hf.requests == []


def test_a_bad_setting_from_the_environment_names_the_variable(main, clean_env, hf, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    monkeypatch.setenv("TOP_N", "ten")
    monkeypatch.setenv("BLOG_BRANCH", "a..b")
    assert main("--date", "2026-02-25") == (2, "", f"{PREFIX}error: TOP_N='ten': expected a whole number\n")
    # A flag overrides its variable; the error then names what is still wrong.
    assert main("--date", "2026-02-25", "--top-n", "5") == (
        2, "", f"{PREFIX}error: BLOG_BRANCH='a..b': not a valid branch name: contains '..'\n"
    )
    assert hf.requests == []


def test_extreme_values_of_every_date_flag_are_bad_input_never_a_crash(main, clean_env):
    """The class: any value of --date/--start/--end/--month/--week either runs or is exit 2 with
    a message naming the flag (OverflowError / ValueError never escape)."""
    values = ["0001-01-01", "0000-01-01", "9999-12-31", "10000-01-01", "0000-01", "0001-01", "9999-12", "0001-W01",
              "0000-W01", "9999-W52", "9999-W53", "2026-02-25\n", "٢٠٢٦-٠٢-٢٥", "", "-1", "x" * 300]
    for value in values:
        for args in (["run", "--date", value], ["backfill", "--start", value, "--end", "0001-01-01"],
                     ["backfill", "--start", "9999-12-31", "--end", value], ["digest", "--month", value],
                     ["digest", "--week", value]):
            code, _out, err = main(*args, "--dry-run", "--hf-dir", "/nonexistent-hf-dir")
            flag = args[-2]
            assert code == 2, (args, err)
            assert err.startswith((f"{PREFIX}error: {flag}=", f"{PREFIX}error: --hf-dir=", f"{PREFIX}error: --start=")), (args, err)
            assert err.count("\n") == 1


# -- paths: exit 2 naming the path, checked before anything runs ---------------------------------

def _paths(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other-files"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    blocked = tmp_path / "blocked-out"
    blocked.mkdir()
    (blocked / "archive").write_text("a file where the archive folder belongs")
    posts_file = tmp_path / "posts-file"
    (posts_file / "blog").mkdir(parents=True)
    (posts_file / "blog" / "_posts").write_text("a file where the posts folder belongs")
    return {"file": a_file, "empty": empty, "other": other, "blocked": blocked, "posts-file": posts_file}


@pytest.mark.parametrize(
    "flag, which, problem",
    [
        ("--hf-dir", "missing", "no such folder"),
        ("--hf-dir", "file", "is a file, not a folder"),
        ("--hf-dir", "empty", "no saved answers in it (expected files named YYYY-MM-DD.json)"),
        ("--hf-dir", "other", "no saved answers in it (expected files named YYYY-MM-DD.json)"),
        ("--hf-dir", "blank", "empty: expected a folder of saved API answers"),
        ("--out", "file", "is a file, not a folder"),
        ("--out", "under-file", "cannot be created: {file} is a file"),
        ("--out", "blocked", "{blocked}/archive is a file where a folder belongs"),
        ("--out", "posts-file", "cannot write in {posts-file}/blog/_posts: Not a directory"),
        ("--out", "blank", "empty: expected a folder"),
        ("--out", "nul", "not a valid path: it contains a NUL character"),
        ("--hf-dir", "nul", "not a valid path: it contains a NUL character"),
    ],
)
def test_a_path_that_cannot_work_is_exit_2_naming_it(main, tmp_path, flag, which, problem):
    paths = _paths(tmp_path)
    special = {"missing": str(tmp_path / "no-such-dir"), "under-file": str(paths["file"] / "out"), "blank": "",
               "nul": str(tmp_path / "a\0b")}
    raw = special[which] if which in special else str(paths[which])
    saved = saved_answers(tmp_path / "hf", "2026-02-25")
    args = ["--date", "2026-02-25", "--hf-dir", str(saved), "--out", str(tmp_path / "fresh-out")]
    args[args.index(flag) + 1] = raw

    code, out, err = main(*args)

    expected = f"{PREFIX}error: {flag}={raw!r}: {problem.format(**{k: str(v) for k, v in paths.items()})}\n"
    assert (code, out, err) == (2, "", expected)
    assert not (tmp_path / "fresh-out").exists()


def test_out_is_created_when_missing_and_its_parent_is_a_folder(main, tmp_path):
    saved = saved_answers(tmp_path / "hf", "2026-02-25")
    code, _out, err = main("--date", "2026-02-25", "--hf-dir", str(saved), "--out", str(tmp_path / "new" / "deeper"))
    assert code == 0, err
    assert (tmp_path / "new/deeper/blog/_posts/2026-02-25-daily-papers.md").is_file()


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"<html>not json</html>", "not JSON"),
        (b"\xff\xfe[]", "not UTF-8"),
        (b'{"not": "a list"}', "a JSON array"),
    ],
)
def test_a_saved_answer_that_cannot_be_read_is_one_line_naming_the_file(main, tmp_path, content, problem):
    hf_dir = tmp_path / "hf"
    hf_dir.mkdir()
    answer = hf_dir / "2026-02-25.json"
    answer.write_bytes(content)

    code, _out, err = main("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"))

    assert code in (1, 2), err
    first = err.splitlines()[0]
    assert first.startswith(f"{PREFIX}failed: ") or first.startswith(f"{PREFIX}error: "), err
    assert str(answer) in first, err
    assert "saved answer" in first and "Hugging Face" not in first, err
    nothing = (f"{PREFIX}archive daily/2026/02/2026-02-25.json not written by this run; post "
               "_posts/2026-02-25-daily-papers.md not published; re-running the same request completes it "
               "once the cause is fixed")
    assert err.splitlines()[1:] in ([], [nothing]), err
    assert not (tmp_path / "o").exists()


# -- failures after work began: say what was written ---------------------------------------------

def test_publish_failure_after_archiving_says_the_archive_was_written_and_the_post_was_not(
        main, tmp_path, hf, github, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    monkeypatch.setenv("BLOG_API_URL", github.url)
    monkeypatch.setenv("BLOG_TOKEN", TOKEN)
    github.inject(Fault(None, r"/git/", Reply(503, {"message": "Service Unavailable"}), times=1000))

    code, out, err = main("--date", "2026-02-25", "--repo", github.repository, "--out", str(tmp_path / "o"))

    lines = err.splitlines()
    assert code == 1 and out == ""
    assert len(lines) == 2, err
    assert lines[0].startswith(f"{PREFIX}failed: GitHub unavailable"), err
    assert lines[1].startswith(PREFIX)
    assert "daily/2026/02/2026-02-25.json" in lines[1] and "_posts/2026-02-25-daily-papers.md" in lines[1], err
    assert "not published" in lines[1], err
    assert (tmp_path / "o/archive/daily/2026/02/2026-02-25.json").is_file()
    assert github.files().get("_posts/2026-02-25-daily-papers.md") is None


def test_a_folder_that_breaks_while_writing_is_one_line_and_says_what_was_written(main, tmp_path):
    """Passes the up-front checks, fails while publishing: a folder stands where the post goes."""
    saved = saved_answers(tmp_path / "hf", "2026-02-25")
    out = tmp_path / "o"
    (out / "blog" / "_posts" / "2026-02-25-daily-papers.md").mkdir(parents=True)

    code, stdout, err = main("--date", "2026-02-25", "--hf-dir", str(saved), "--out", str(out))

    lines = err.splitlines()
    assert code == 1 and stdout == "" and len(lines) == 2, err
    assert lines[0] == f"{PREFIX}failed: {out / 'blog' / '_posts' / '2026-02-25-daily-papers.md'}: Is a directory", err
    assert "daily/2026/02/2026-02-25.json" in lines[1] and "not published" in lines[1], err
    assert (out / "archive/daily/2026/02/2026-02-25.json").is_file()


# -- log lines a person reads -------------------------------------------------------------------

def test_verbose_backfill_names_the_failed_day_and_logs_each_retry_once(main, tmp_path, hf, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    hf.inject(Fault("GET", "/api/daily_papers", Reply(503, "busy"), times=1,
                    when=lambda r: r.query.get("date") == ["2026-02-25"]))
    hf.inject(Fault("GET", "/api/daily_papers", Reply(200, "<html>busy</html>"), times=1,
                    when=lambda r: r.query.get("date") == ["2026-02-19"]))

    code, _out, err = main("backfill", "--start", "2026-02-18", "--end", "2026-02-25", "--no-progress", "-v",
                          "--out", str(tmp_path / "o"))

    assert code == 1
    lines = err.splitlines()
    failed = [line for line in lines if "day failed" in line]
    assert len(failed) == 1 and "2026-02-19" in failed[0] and "Hugging Face answered nonsense" in failed[0], err
    retries = [line for line in lines if "retry" in line.lower()]
    assert len(retries) == 1 and "503" in retries[0], err
    assert f"{PREFIX}failed: 1 day(s) failed: 2026-02-19" in err
    # Called again in the same process: still once (no handler left behind). (2026-02-18 was
    # recorded empty after it closed: not asked again; 2026-02-19 failed: asked again.)
    hf.inject(Fault("GET", "/api/daily_papers", Reply(503, "busy"), times=1,
                    when=lambda r: r.query.get("date") == ["2026-02-19"]))
    code, _out, err = main("backfill", "--start", "2026-02-18", "--end", "2026-02-19", "--no-progress", "-v",
                          "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert len([line for line in err.splitlines() if "retry" in line.lower()]) == 1, err


def test_log_lines_show_the_fields_the_message_does_not_say():
    import logging

    record = logging.LogRecord("hf_daily_papers", logging.WARNING, __file__, 1, "left out 2 item(s)", None, None)
    record.date = "2026-02-25"
    record.skipped = ["item 3: no id", "x/y: not a paper id"]
    line = cli.LineFormatter().format(record)
    assert line == 'WARNING left out 2 item(s) date=2026-02-25 skipped=["item 3: no id", "x/y: not a paper id"]'

    record = logging.LogRecord("hf_daily_papers", logging.WARNING, __file__, 1, "day failed: %s: %s",
                               ("2026-02-25", "boom"), None)
    record.date, record.error = "2026-02-25", "boom"
    assert cli.LineFormatter().format(record) == "WARNING day failed: 2026-02-25: boom"


@pytest.mark.parametrize("author", ["lim_4349", "1234", "no", "on", "null", "1e3", "0x1F", "2026-02-25", "-x", ".5"])
def test_the_author_is_written_as_yaml_that_reads_back_as_the_same_string(main, tmp_path, author):
    import yaml

    hf_dir = saved_answers(tmp_path / "hf", "2026-02-25")
    code, _out, err = main("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"),
                           f"--author={author}")

    assert code == 0, err
    post = (tmp_path / "o" / "blog" / "_posts" / "2026-02-25-daily-papers.md").read_text("utf-8")
    front = yaml.safe_load(post.split("---\n")[1])
    assert front["author"] == author and isinstance(front["author"], str)
    assert front["title"] == "Hugging Face Daily Papers - 2026-02-25"


# -- as a newcomer meets it: --version, --help, usage mistakes, the names GitHub Actions sets ----

def test_version_prints_the_packages_version(main):
    from hf_daily_papers import __version__

    assert main("--version") == (0, f"hf-daily-papers {__version__}\n", "")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bogus"], "unrecognized arguments: --bogus (see hf-daily-papers --help)"),
        (["run", "--date"], "argument --date: expected one argument (see hf-daily-papers run --help)"),
        (["backfill", "--start", "2026-01-01"],
         "the following arguments are required: --end (see hf-daily-papers backfill --help)"),
        (["digest"], "one of the arguments --month --week is required (see hf-daily-papers digest --help)"),
        (["digest", "--month", "2026-01", "--week", "2026-W01"],
         "argument --week: not allowed with argument --month (see hf-daily-papers digest --help)"),
    ],
)
def test_a_usage_mistake_is_one_line_not_the_usage_block(main, clean_env, args, message):
    code, out, err = main(*args)

    assert (code, out, err) == (2, "", f"{PREFIX}error: {message}\n")
    assert list(clean_env.iterdir()) == []


def test_help_says_what_each_command_does_and_what_dry_run_prints(main):
    code, out, _err = main("--help")
    assert code == 0
    out = " ".join(out.split())
    assert "fetch one day's papers, archive them and write (or commit) its post; the default command" in out
    assert "run every day of a range" in out
    assert "write a monthly or weekly digest post from the archived days" in out
    helps = {command: " ".join(main(command, "--help")[1].split()) for command in ("run", "backfill", "digest")}
    assert "--dry-run print the post on stdout and the result (JSON) on stderr; write nothing" in helps["run"]
    assert "--dry-run print one JSON document (every day's result, each with its post); write nothing" in helps["backfill"]
    assert "--dry-run print the digest post on stdout and the result (JSON) on stderr; write nothing" in helps["digest"]
    assert "Ctrl-C stops it" in helps["backfill"]


def test_backfill_dry_run_prints_one_json_document_as_its_help_says(main, clean_env, tmp_path):
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19", "2026-02-25")
    for day in range(20, 25):  # the days between: saved as answers without papers
        (hf_dir / f"2026-02-{day}.json").write_text("[]")
    code, out, err = main("backfill", "--start", "2026-02-19", "--end", "2026-02-25", "--hf-dir", str(hf_dir),
                          "--dry-run", "--no-progress")

    assert code == 0, err
    document = json.loads(out)  # the whole of stdout: one JSON document
    assert [d["status"] for d in document["days"]].count("dry_run") == 2
    assert all(d["post"].startswith("---\n") for d in document["days"] if d["status"] == "dry_run")
    assert list(clean_env.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_an_out_folder_that_cannot_be_written_is_exit_2_before_any_work(main, clean_env, hf, monkeypatch):
    """/proc exists and is a folder, and even root cannot create anything in it: found before
    Hugging Face is asked, in one line (not a failure after the work, in two)."""
    monkeypatch.setenv("HF_ENDPOINT", hf.url)

    code, out, err = main("--date", "2026-02-25", "--out", "/proc/hf-daily-papers-out")

    assert (code, out, err) == (
        2, "", f"{PREFIX}error: --out='/proc/hf-daily-papers-out': cannot write in /proc: it does not take new folders\n")
    assert hf.requests == []
    # A dry run writes nothing, so the same --out does not stop it.
    code, _out, err = main("--date", "2026-02-25", "--out", "/proc/hf-daily-papers-out", "--dry-run")
    assert code == 0, err


@pytest.mark.parametrize("kind, reason", [("folder", "Is a directory"), ("loop", "Too many levels of symbolic links")])
def test_a_saved_answer_the_system_cannot_read_says_what_the_system_said(main, tmp_path, kind, reason):
    """An OS error reading a saved answer is said as one (not "answered nonsense")."""
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19")
    answer = hf_dir / "2026-02-25.json"
    if kind == "folder":
        answer.mkdir()
    else:
        answer.symlink_to(answer)

    code, out, err = main("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"))

    assert code == 1 and out == ""
    assert err.splitlines()[0] == f"{PREFIX}failed: cannot read saved answer {answer}: {reason}", err
    assert "nonsense" not in err and "None" not in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--repo", "me/blog"], "BLOG_TOKEN_SECRET is not set: required to publish to GitHub (or BLOG_TOKEN locally)"),
        (["backfill", "--start", "2026-02-19", "--end", "2026-02-25", "--summarize"],
         "--summary-model is not set: required by --summarize (or set SUMMARY_MODEL)"),
    ],
)
def test_a_missing_setting_is_said_in_words_never_as_none(main, clean_env, tmp_path, args, message):
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-19", "2026-02-25")
    if args[0] != "backfill":
        args = ["--date", "2026-02-25", *args]
    code, out, err = main(*args, "--hf-dir", str(hf_dir))

    assert (code, out, err) == (2, "", f"{PREFIX}error: {message}\n")
    assert "None" not in err


ACTIONS_ENV = {  # what GitHub Actions sets in every job (the workflow's own repository and token)
    "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REPOSITORY": "octo/workflow-repo",
    "GITHUB_REF_NAME": "main", "GITHUB_BRANCH": "main", "GITHUB_TOKEN_SECRET": "hf-daily-papers/github-token",
}


def test_in_a_github_actions_job_the_workflows_own_repository_is_never_published_to(tmp_path, github):
    """GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL are the job's own: not read. Without
    BLOG_*/--repo the run writes into the folder and sends GitHub nothing; with them it publishes
    where they say."""
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-25")
    actions = {**ACTIONS_ENV, "GITHUB_REPOSITORY": github.repository, "GITHUB_TOKEN": TOKEN,
               "GITHUB_API_URL": github.url}
    args = ("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--author", "lim4349")

    alone = run_cli(*args, "--out", str(tmp_path / "o"), env=actions)

    assert alone.returncode == 0, alone.stderr
    assert github.requests == []
    assert (tmp_path / "o/blog/_posts/2026-02-25-daily-papers.md").is_file()

    blog = run_cli(*args, "--out", str(tmp_path / "o2"),
                   env={**actions, "BLOG_REPOSITORY": github.repository, "BLOG_TOKEN": TOKEN, "BLOG_API_URL": github.url})

    assert blog.returncode == 0, blog.stderr
    assert json.loads(blog.stdout)["status"] == "created"
    assert github.files()["_posts/2026-02-25-daily-papers.md"].startswith("---\ntitle: Hugging Face Daily Papers")
    assert not (tmp_path / "o2" / "blog").exists()


def test_no_aws_credentials_at_all_is_said_as_such_not_as_a_refused_role(tmp_path):
    """--bucket with no AWS credentials anywhere: nobody refused anything, there were none."""
    hf_dir = saved_answers(tmp_path / "hf", "2026-02-25")
    nothing = str(tmp_path / "no-such-aws-file")
    env = {"AWS_DEFAULT_REGION": "ap-northeast-2", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_SHARED_CREDENTIALS_FILE": nothing, "AWS_CONFIG_FILE": nothing}

    done = run_cli("--date", "2026-02-25", "--hf-dir", str(hf_dir), "--bucket", "my-archive", "--dry-run", env=env)

    assert done.returncode == 1, done.stderr
    first = done.stderr.splitlines()[0]
    assert first == (f"{PREFIX}failed: S3: no AWS credentials for read daily/2026/02/2026-02-25.json in my-archive "
                     "(NoCredentialsError): in Lambda the function's role provides them; elsewhere set "
                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"), done.stderr
    assert "refused" not in done.stderr and "IAM role" not in done.stderr
