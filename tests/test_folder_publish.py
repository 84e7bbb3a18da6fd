"""A post whose write fails leaves nothing in `_posts/` that Jekyll would publish (issue 17 §2).

The disk "fills up" in a child process: RLIMIT_FSIZE caps the size of any file it writes (as on a
full disk, the write fails with an OSError; root is not exempt, unlike permissions). Then a real
`jekyll build` of the folder shows no post made from a fragment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, expected_post
from jekyll_site import build

SOURCE = ROOT / "functions" / "daily_papers"
POST = "_posts/2026-02-25-daily-papers.md"


def publish_with_a_full_disk(blog: Path, text: str, file_limit: int) -> subprocess.CompletedProcess[str]:
    """FolderPublisher(blog).publish({POST: text}) in a child whose files cannot grow past `file_limit` bytes."""
    code = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of killing the process
        resource.setrlimit(resource.RLIMIT_FSIZE, ({file_limit}, {file_limit}))
        from pathlib import Path
        from hf_daily_papers.publish import FolderPublisher
        try:
            FolderPublisher(Path({str(blog)!r})).publish({{{POST!r}: sys.stdin.read()}}, "message")
        except OSError as exc:
            print(type(exc).__name__, exc.strerror, file=sys.stderr)
            sys.exit(1)
    """)
    return subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(SOURCE), "PYTHONIOENCODING": "utf-8"})


def visible_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("existing", [False, True], ids=["new-post", "updated-post"])
def test_a_post_write_that_fails_leaves_no_fragment_and_jekyll_builds_no_post_from_it(tmp_path, existing):
    blog = tmp_path / "blog"
    text = expected_post("2026-02-25")
    assert len(text.encode("utf-8")) > 4096
    before = []
    if existing:  # an older version stays as it was
        (blog / "_posts").mkdir(parents=True)
        (blog / POST).write_text("---\ntitle: old\n---\nold\n", "utf-8")
        before = [POST]

    done = publish_with_a_full_disk(blog, text, file_limit=4096)

    assert done.returncode == 1 and done.stderr.startswith("OSError File too large"), done.stderr
    assert visible_files(blog) == before  # no `.tmp` fragment, no hidden temporary file either
    if existing:
        assert (blog / POST).read_text("utf-8") == "---\ntitle: old\n---\nold\n"
    else:
        pages = build(blog, {})
        assert pages == {}
        built = blog / "_site"
        assert not [p for p in built.rglob("*.html") if "daily-papers" in str(p) or "2026" in str(p)], (
            sorted(map(str, built.rglob("*"))))


def test_with_room_on_the_disk_the_post_is_written_whole_with_the_usual_mode(tmp_path):
    blog = tmp_path / "blog"
    text = expected_post("2026-02-25")

    done = publish_with_a_full_disk(blog, text, file_limit=10 * 1024 * 1024)

    assert done.returncode == 0, done.stderr
    assert visible_files(blog) == [POST]
    assert (blog / POST).read_text("utf-8") == text
    umask = os.umask(0)
    os.umask(umask)
    assert (blog / POST).stat().st_mode & 0o777 == 0o666 & ~umask
