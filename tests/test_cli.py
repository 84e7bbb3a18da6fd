"""The local command: by default a folder (no AWS, no GitHub); S3 and GitHub when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import BUCKET, ROOT, TOKEN, expected_post, s3_objects

SOURCE = ROOT / "functions" / "daily_papers"  # this checkout's package, whatever is installed


def run_cli(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "BUCKET_", "AWS_"))}
    base["PYTHONPATH"] = os.pathsep.join([str(SOURCE), base.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "hf_daily_papers", *args],
        capture_output=True, text=True, env={**base, **(env or {})}, cwd=cwd, timeout=120,
    )


def test_default_writes_post_and_archive_into_a_folder(tmp_path, hf):
    proc = run_cli("--date", "2026-02-25", "--author", "lim4349", "--out", str(tmp_path / "out"),
                   env={"HF_ENDPOINT": hf.url})

    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "created"
    post = tmp_path / "out" / "blog" / "_posts" / "2026-02-25-daily-papers.md"
    assert post.read_text("utf-8") == expected_post("2026-02-25")
    archive = json.loads((tmp_path / "out" / "archive" / "daily" / "2026" / "02" / "2026-02-25.json").read_text("utf-8"))
    assert archive["count"] == 10

    again = run_cli("--date", "2026-02-25", "--author", "lim4349", "--out", str(tmp_path / "out"),
                    env={"HF_ENDPOINT": hf.url})
    assert json.loads(again.stdout)["status"] == "unchanged"


def test_dry_run_prints_the_post_and_writes_nothing(tmp_path, hf):
    proc = run_cli("run", "--date", "2026-08-21", "--dry-run", env={"HF_ENDPOINT": hf.url}, cwd=tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert "author:" not in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_saved_answers_folder_needs_no_network(tmp_path):
    hf_dir = tmp_path / "hf"
    hf_dir.mkdir()
    from conftest import FIXTURES

    (hf_dir / "2026-02-19.json").write_bytes((FIXTURES / "hf" / "seed-2026-02-19.json").read_bytes())
    proc = run_cli("--date", "2026-02-19", "--hf-dir", str(hf_dir), "--out", str(tmp_path / "o"), "--author", "lim4349",
                   env={"HF_ENDPOINT": "http://127.0.0.1:9"})

    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "o/blog/_posts/2026-02-19-daily-papers.md").read_text() == expected_post("2026-02-19")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "2026-02-30"], "--date='2026-02-30': no such date"),
        (["--date", "2999-01-01"], "--date='2999-01-01': is in the future"),
        (["--top-n", "-3"], "TOP_N='-3': expected 0..1000"),
        (["--repo", "nope"], "GITHUB_REPOSITORY='nope': expected owner/name"),
        (["backfill", "--start", "2026-02-10", "--end", "2026-02-01"], "end='2026-02-01': is before start 2026-02-10"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message_and_write_nothing(tmp_path, hf, args, message):
    proc = run_cli(*args, env={"HF_ENDPOINT": hf.url}, cwd=tmp_path)

    assert proc.returncode == 2
    assert message in proc.stderr
    assert list(tmp_path.iterdir()) == [] and hf.requests == []


def test_bucket_and_repo_use_s3_and_github_like_the_lambda(tmp_path, hf, github, aws, monkeypatch):
    """In-process (moto patches this process only): --bucket and --repo switch the services."""
    from hf_daily_papers import cli

    monkeypatch.setenv("HF_ENDPOINT", hf.url)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)

    code = cli.main(["--date", "2026-02-25", "--bucket", BUCKET, "--repo", github.repository, "--author", "lim4349"])

    assert code == 0
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    assert list(s3_objects(aws)) == ["daily/2026/02/2026-02-25.json"]
    assert list(tmp_path.iterdir()) == []
