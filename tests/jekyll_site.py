"""Build posts with the real `jekyll` into a minimal site and read the pages back as text.

The site uses kramdown with GFM input (Jekyll's and Chirpy's default) and strict Liquid, so an
unknown variable or a broken tag fails the build. `jekyll` missing → the test is skipped, unless
REQUIRE_JEKYLL=1 (CI), where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CONFIG = """\
title: Test blog
markdown: kramdown
kramdown:
  input: GFM
liquid:
  error_mode: strict
  strict_filters: true
  strict_variables: true
strict_front_matter: true
permalink: /posts/:year-:month-:day-:title/
defaults:
  - scope: {path: ""}
    values: {layout: post}
"""
LAYOUT = "<!DOCTYPE html>\n<html><body><article>\n{{ content }}\n</article></body></html>\n"

# What kramdown's typography does to plain text; a reader sees the same words.
TYPOGRAPHY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
              "\u2013": "--", "\u2014": "---", "\u00ab": "<<", "\u00bb": ">>"}


def require_jekyll() -> str:
    path = shutil.which("jekyll")
    if path is None:
        if os.environ.get("REQUIRE_JEKYLL") == "1":
            pytest.fail("REQUIRE_JEKYLL=1 but jekyll is not installed")
        pytest.skip("jekyll not installed (apt-get install -y jekyll)")
    return path


def build(site: Path, posts: dict[str, str]) -> dict[str, str]:
    """Write the posts (paths like `_posts/x.md`) into a site, build it, return {post path: html}."""
    jekyll = require_jekyll()
    (site / "_layouts").mkdir(parents=True, exist_ok=True)
    (site / "_config.yml").write_text(CONFIG)
    (site / "_layouts" / "post.html").write_text(LAYOUT)
    for path, text in posts.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [jekyll, "build", "--strict_front_matter", "--source", str(site), "--destination", str(site / "_site")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"jekyll build failed:\n{output}"
    assert "Liquid" not in output and "Error" not in output and "Warning" not in output, output
    pages = {}
    for path in posts:
        stem = Path(path).stem  # 2026-02-25-daily-papers
        html = site / "_site" / "posts" / stem / "index.html"
        assert html.exists(), f"no page for {path}: {sorted(p.name for p in (site / '_site' / 'posts').iterdir())}"
        pages[path] = html.read_text("utf-8")
    return pages


class Page(HTMLParser):
    """The article's tags, visible text, per-<li> text and links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text_parts: list[str] = []
        self.items: list[str] = []
        self._li_depth = 0
        self._li_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag == "li":
            if self._li_depth == 0:
                self._li_text = []
            self._li_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._li_depth -= 1
            if self._li_depth == 0:
                self.items.append(normalize("".join(self._li_text)))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._li_depth:
            self._li_text.append(data)

    @property
    def text(self) -> str:
        return normalize("".join(self.text_parts))


def normalize(text: str) -> str:
    for typographic, plain in TYPOGRAPHY.items():
        text = text.replace(typographic, plain)
    return " ".join(text.split())
