"""Build posts with the real `jekyll` into a minimal site and read the pages back as text.

The site uses kramdown with GFM input (Jekyll's and Chirpy's default) and strict Liquid, so an
unknown variable or a broken tag fails the build. `jekyll` missing → the test is skipped, unless
REQUIRE_JEKYLL=1 (CI), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

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
    values: {layout: post, image: null, author: null}
"""
# The preview image as Chirpy's post layout prints it (`_layouts/post.html`: the path raw in
# `src`, the alt xml-escaped in `alt` and RAW in the caption). Then the article. After the page,
# in a comment the `Page` reader ignores: the front matter's values as Jekyll read them
# (`front_matter()` gives them back), XML-escaped so no `-->` in a value can end the comment.
# (Not `page | jsonify`: that renders the neighbouring posts, which render this layout...
# `image`/`author: null` in the defaults: strict Liquid fails on a key a post does not have.)
LAYOUT = (
    "<!DOCTYPE html>\n<html><body>\n"
    "{% if page.image %}<header><img src=\"{{ page.image.path | default: page.image }}\""
    " alt=\"{{ page.image.alt | xml_escape | default: 'Preview Image' }}\">"
    "<figcaption>{{ page.image.alt }}</figcaption></header>{% endif %}\n"
    "<article>\n{{ content }}\n</article></body></html>\n"
    "<!--FRONT-MATTER {\"title\": {{ page.title | jsonify | xml_escape }},"
    " \"date\": {{ page.date | jsonify | xml_escape }},"
    " \"categories\": {{ page.categories | jsonify | xml_escape }},"
    " \"tags\": {{ page.tags | jsonify | xml_escape }},"
    " \"author\": {{ page.author | jsonify | xml_escape }},"
    " \"image\": {{ page.image | jsonify | xml_escape }}} FRONT-MATTER-->\n"
)

# What kramdown's typography does to plain text (smart quotes, dashes, ellipsis); a reader sees
# the same words. `<<`/`>>` are not here: kramdown would set them as «/», a different text,
# so the escaper keeps them as written and a « in the page is a failure.
TYPOGRAPHY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
              "\u2013": "--", "\u2014": "---"}


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
    for path, text in posts.items():
        # The post's own `permalink:` (the default), else CONFIG's: /posts/2026-02-25-daily-papers/
        permalink = re.search(r"^permalink: (/posts/[^\n]+/)$", text.split("\n---\n", 1)[0], re.M)
        url = permalink.group(1) if permalink else f"/posts/{Path(path).stem}/"
        html = site / "_site" / url.strip("/") / "index.html"
        assert html.exists(), f"no page for {path}: {sorted(p.name for p in (site / '_site' / 'posts').iterdir())}"
        pages[path] = html.read_text("utf-8")
    return pages


def front_matter(html: str) -> dict[str, Any]:
    """The page's front matter as Jekyll (Psych, YAML 1.1) read it: title, author, tags, image..."""
    match = re.search(r"<!--FRONT-MATTER (.*) FRONT-MATTER-->", html, re.S)
    assert match, "no front matter comment in the page (is LAYOUT in use?)"
    data = json.loads(unescape(match.group(1)))
    assert isinstance(data, dict)
    return data


class Page(HTMLParser):
    """The page's tags, visible text, per-<li> text, links (`<a href>`) and images (`<img>`
    src and alt), and the text of the image caption (`<figcaption>`)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[str] = []
        self.images: list[tuple[str, str]] = []
        self.caption_parts: list[str] = []
        self._in_caption = False
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
        if tag == "img":
            self.images.append((dict(attrs).get("src") or "", dict(attrs).get("alt") or ""))
        if tag == "figcaption":
            self._in_caption = True
        if tag == "li":
            if self._li_depth == 0:
                self._li_text = []
            self._li_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False
        if tag == "li":
            self._li_depth -= 1
            if self._li_depth == 0:
                self.items.append(normalize("".join(self._li_text)))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)
        if self._in_caption:
            self.caption_parts.append(data)
        if self._li_depth:
            self._li_text.append(data)

    @property
    def caption(self) -> str:
        return normalize("".join(self.caption_parts))

    @property
    def text(self) -> str:
        return normalize("".join(self.text_parts))


def normalize(text: str) -> str:
    for typographic, plain in TYPOGRAPHY.items():
        text = text.replace(typographic, plain)
    return " ".join(text.split())
