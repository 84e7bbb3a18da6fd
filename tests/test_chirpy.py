"""The posts in the real theme and a real browser: what a reader of the blog sees.

The blog this tool writes to is a Jekyll site on the Chirpy theme, whose `permalink: /posts/:title/`
gives every post the slug of its file name: without the posts' own `permalink:` line every daily
post lands on /posts/daily-papers/ ("Conflict: destination shared by multiple files"). So this
module builds a real Chirpy site once, from posts the CLI writes, and reads it back as a reader
would: the built HTML, then the DOM of a headless Chromium that ran the theme's JavaScript.

- The theme: `jekyll-theme-chirpy@5.3.21` from the npm registry (its `_layouts`, `_includes`,
  `_sass`, `assets`, `_data`, `_tabs`, `index.html`, copied into the site as a gem theme would
  provide them), with the theme's `permalink: /posts/:title/` and `--strict_front_matter`, built
  by Debian's `jekyll` with the theme's plugins (ruby-jekyll-archives, -include-cache, -seo-tag,
  -sitemap, -paginate). jQuery and lozad (the image lazy-loader the theme's posts need) come from
  the npm registry too, served from the site as Chirpy's `assets.self_host` expects them. The
  tarballs are cached in CACHE (checked against their pinned sha512).
- The posts: three daily posts with every option on (summaries from the fake Bedrock, image,
  links, author), one in the seed format (`--no-permalink`, no options: it lands on
  /posts/daily-papers/, the only one there), a monthly and a weekly digest, all written by
  `hf-daily-papers` from the saved answers in tests/fixtures/hf.
- Chromium loads one post and the home page from a server on 127.0.0.1; every other host name
  resolves to nothing (no request leaves the machine).

The image is checked where this theme shows it: the post's preview `<img>` (lazy: its URL in
`data-src` until the theme's lozad sets `src`), its caption and `og:image` (the card other sites
show for a link). Chirpy 5's home cards have no image (they got one in Chirpy 6).

Missing tools (npm or a cached tarball, jekyll, a plugin, chromium) skip the module unless
REQUIRE_CHIRPY=1 (CI), where they fail it.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from hf_daily_papers import cli
from hf_daily_papers.digest import build_digest
from hf_daily_papers.escape import fold_whitespace, https_url
from hf_daily_papers.hf import parse_day
from hf_daily_papers.inputs import monthly, weekly
from hf_daily_papers.models import Paper, rank

from conftest import FIXTURES, expected_post
from fakes.bedrock import FakeBedrock
from jekyll_site import normalize

pytestmark = [pytest.mark.chirpy, pytest.mark.xdist_group("chirpy")]


def cache_dir() -> Path:
    """Where the npm tarballs are kept between runs (as scripts/local-invoke keeps its wheels):
    $HF_DAILY_PAPERS_CACHE, else /var/cache/hf-daily-papers as root, else ~/.cache/hf-daily-papers."""
    if os.environ.get("HF_DAILY_PAPERS_CACHE"):
        return Path(os.environ["HF_DAILY_PAPERS_CACHE"]) / "npm"
    if os.geteuid() == 0:
        return Path("/var/cache/hf-daily-papers/npm")
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hf-daily-papers" / "npm"


CACHE = cache_dir()
#: npm packages: (name, version) → the tarball's sha512 (npm's `integrity`).
THEME = ("jekyll-theme-chirpy", "5.3.21")
PACKAGES = {
    THEME: "sha512-69UC1k3DZFF/ji5TPaWHaV8M9nSxPE3EBGrKaQj+QULcfGACZfAz3TBhENdHWR9yEvJ8d7HTErjDauETsTmllA==",
    ("jquery", "3.6.0"): "sha512-JVzAR/AjBvVt2BmYhxRCSYysDsPcssdmTFnzyLEts9qNwmjmu4JTAMYubEfwVOSwpQ1I1sKKFcxhZCI2buerfw==",
    ("lozad", "1.16.0"): "sha512-JBr9WjvEFeKoyim3svo/gsQPTkgG/mOHJmDctZ/+U9H3ymUuvEkqpn8bdQMFsvTMcyRJrdJkLv0bXqGm0sP72w==",
}
#: Files of those packages → where the theme's `_data/assets/self_host.yml` looks for them.
SELF_HOSTED = {
    ("jquery", "3.6.0"): ("dist/jquery.min.js", "assets/lib/jquery-3.6.0/jquery.min.js"),
    ("lozad", "1.16.0"): ("dist/lozad.min.js", "assets/lib/lozad-1.16.0/lozad.min.js"),
}
PLUGINS = ("jekyll-archives", "jekyll-include-cache", "jekyll-seo-tag", "jekyll-sitemap", "jekyll-paginate")

# The site's `_config.yml`: the theme's own settings where they matter here (the posts' default
# layout and `permalink: /posts/:title/`, pagination, the archives' pages, compressed HTML).
CONFIG = {
    "title": "Papers blog",
    "tagline": "Hugging Face Daily Papers",
    "description": "A test blog on the Chirpy theme",
    "url": "http://127.0.0.1",
    "baseurl": "",
    "lang": "ko-KR",
    "timezone": "Asia/Seoul",
    "theme_mode": "light",
    "social": {"name": "Blog Owner", "links": ["https://example.invalid/owner"]},
    "toc": True,
    "paginate": 10,
    "markdown": "kramdown",
    "kramdown": {"input": "GFM", "syntax_highlighter": "rouge"},
    "plugins": list(PLUGINS),
    "assets": {"self_host": {"enabled": True}},
    "collections": {"tabs": {"output": True, "sort_by": "order"}},
    "defaults": [
        {"scope": {"path": "", "type": "posts"},
         "values": {"layout": "post", "comments": False, "toc": True, "permalink": "/posts/:title/"}},
        {"scope": {"path": "", "type": "tabs"}, "values": {"layout": "page", "permalink": "/:title/"}},
    ],
    "jekyll-archives": {
        "enabled": ["categories", "tags"], "layouts": {"category": "category", "tag": "tag"},
        "permalinks": {"tag": "/tags/:name/", "category": "/categories/:name/"},
    },
    "compress_html": {"clippings": "all", "comments": "all", "endings": "all", "profile": False,
                      "blanklines": False, "ignore": {"envs": ["development"]}},
}
AUTHOR = "papers_bot"
AUTHORS = {  # the blog's _data/authors.yml: the byline shows `name`, linked to `url`
    AUTHOR: {"name": "논문 봇 Papers Bot", "url": "https://example.invalid/papers-bot"},
    "lim4349": {"name": "Lim 4349", "url": "https://example.invalid/lim4349"},
}

# What the CLI writes: daily posts with every option on, one in the seed format, two digests.
DAYS = {"2026-02-25": "2026-02-25", "2026-03-03": "adversarial-2026-03-03", "2026-08-21": "2026-08-21"}
SEED_DAY = "2026-02-19"  # seed-2026-02-19: the seed post's own papers
MONTH, WEEK = "2026-02", "2026-W10"  # February (02-19, 02-25); 03-02..03-08 (the adversarial day)
OPTIONS_ENV = {"POST_IMAGE": "true", "POST_LINKS": "code,project", "SUMMARY_MODEL": "apac.amazon.nova-lite-v1:0"}
# The adversarial day's top paper gets a thumbnail (its image is the post's) and a title with
# what HTML escapes: its alt text must read as the title, escaped once.
HOSTILE_TOP_TITLE_TAIL = ' & "Quotes" &amp; AT&T'
TODAY = dt.date(2026, 12, 1)  # after every date here (only for building the expected digests)
URLS = ["/posts/daily-papers/", *(f"/posts/daily-papers-{date}/" for date in DAYS),
        f"/posts/monthly-papers-summary-{MONTH}/", f"/posts/weekly-papers-summary-{WEEK}/"]


def korean_number(n: int) -> str:
    digits = "영일이삼사오육칠팔구"
    if n == 0:
        return digits[0]
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "십" if tens else "") + (digits[ones] if ones else "")


def summary_text(n: int) -> str:
    """A Korean summary, its own for each paper, with what kramdown's typography changes
    (' → ‘’, " → “”, -- → –, ... → …) and nothing a summary check could reject (no figures,
    no Latin names)."""
    return f"{korean_number(n)}번째 요약입니다. 저자들은 '새로운' 방법을 제안한다 -- 결과는 \"좋다\"... 끝."


# -- tools --------------------------------------------------------------------------------------
def unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_CHIRPY") == "1":
        pytest.fail(f"REQUIRE_CHIRPY=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def executable(name: str, install: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed ({install})")
    assert path is not None
    return path


def sha512_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_tarball(name: str, version: str) -> Path:
    """The package's tarball from the npm registry (`npm pack`), cached in CACHE by version and
    checked against its pinned sha512."""
    tarball = CACHE / f"{name}-{version}.tgz"
    if not tarball.exists():
        npm = executable("npm", "apt-get install -y npm")
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:  # another worker may pack it too
            proc = subprocess.run([npm, "pack", f"{name}@{version}", "--pack-destination", tmp, "--silent"],
                                  capture_output=True, text=True, timeout=300)
            packed = Path(tmp) / f"{name}-{version}.tgz"
            if proc.returncode != 0 or not packed.exists():
                unavailable(f"npm pack {name}@{version} failed: {(proc.stderr or proc.stdout).strip()[:500]}")
            os.replace(packed, tarball)
    integrity = sha512_integrity(tarball.read_bytes())
    assert integrity == PACKAGES[name, version], f"{tarball}: not the pinned {name}@{version} ({integrity})"
    return tarball


def unpack(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


# -- the posts ----------------------------------------------------------------------------------
@dataclass
class Post:
    path: str  # _posts/...
    url: str  # where the reader finds it
    title: str
    heading: str  # the body's first line (# ...)
    papers: list[Paper]  # in the post's order
    summaries: dict[str, str] = field(default_factory=dict)
    author: str = AUTHOR
    options: bool = True  # image, links, summaries (else the seed format)

    @property
    def date(self) -> str:
        return Path(self.path).name[:10]


def saved_answers(folder: Path) -> dict[str, list[Any]]:
    """The CLI's `--hf-dir`: the days of DAYS and SEED_DAY, and an empty list for every other day
    of MONTH and WEEK (days without papers)."""
    folder.mkdir()
    days: dict[str, list[Any]] = {}
    for day in [*monthly(MONTH, TODAY).dates, *weekly(WEEK, TODAY).dates]:
        days[day.isoformat()] = []
    for date, fixture in {**DAYS, SEED_DAY: f"seed-{SEED_DAY}"}.items():
        days[date] = json.loads((FIXTURES / "hf" / f"{fixture}.json").read_text("utf-8"))
    top = max(days["2026-03-03"], key=lambda item: item["paper"]["upvotes"])
    top["thumbnail"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{top['paper']['id']}.png"
    top["paper"]["title"] += HOSTILE_TOP_TITLE_TAIL
    for date, items in days.items():
        (folder / f"{date}.json").write_text(json.dumps(items), "utf-8")
    return days


def papers_of(days: dict[str, list[Any]], date: str) -> list[Paper]:
    return parse_day(dt.date.fromisoformat(date), [days[date]], dt.datetime.now(dt.UTC)).papers


def run_cli(*args: str, env: dict[str, str]) -> dict[str, Any]:
    """`hf-daily-papers ARGS` in this process with exactly these settings; its JSON result."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("GITHUB_", "BLOG_", "BUCKET_", "POST_", "SUMMARY_", "TOP_N", "REFRESH_", "HF_")):
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(args))
    assert code == 0, f"hf-daily-papers {' '.join(args)}: exit {code}\n{err.getvalue()}"
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def write_posts(work: Path, bedrock: FakeBedrock) -> tuple[dict[str, str], list[Post]]:
    """Run the CLI as a user would; the posts it wrote ({path: text}) and what each must show."""
    days = saved_answers(work / "hf")
    every_paper = [p for date in days for p in papers_of(days, date)]
    summaries = {p.id: summary_text(n) for n, p in enumerate(every_paper)}
    keys = {" ".join(p.title.split())[:40]: p.id for p in every_paper}
    assert len(keys) == len(every_paper)  # each prompt finds its own answer
    bedrock.answers = {key: summaries[pid] for key, pid in keys.items()}
    bedrock.default = "이 답은 쓰이면 안 됩니다."
    common = ["--hf-dir", str(work / "hf"), "--out", str(work / "out")]
    env = {"HF_MAX_RPS": "0", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "ap-northeast-2", "AWS_DEFAULT_REGION": "ap-northeast-2"}

    posts: list[Post] = []
    run_cli("run", "--date", SEED_DAY, "--author", "lim4349", "--no-permalink", *common, env=env)
    seed = rank(papers_of(days, SEED_DAY), 10)
    posts.append(Post(f"_posts/{SEED_DAY}-daily-papers.md", "/posts/daily-papers/",
                      f"Hugging Face Daily Papers - {SEED_DAY}", f"Hugging Face Daily Papers - {SEED_DAY}",
                      seed, author="lim4349", options=False))
    for date in DAYS:
        run_cli("run", "--date", date, "--author", AUTHOR, *common, env={**env, **OPTIONS_ENV})
        listed = rank(papers_of(days, date), 10)
        posts.append(Post(f"_posts/{date}-daily-papers.md", f"/posts/daily-papers-{date}/",
                          f"Hugging Face Daily Papers - {date}", f"Hugging Face Daily Papers - {date}",
                          listed, {p.id: summaries[p.id] for p in listed}))
    for request, flag, kind, name in ((monthly(MONTH, TODAY), "--month", "Monthly", "월간"),
                                      (weekly(WEEK, TODAY), "--week", "Weekly", "주간")):
        result = run_cli("digest", flag, request.label, "--author", AUTHOR, *common, env={**env, **OPTIONS_ENV})
        assert result["status"] == "created", result
        digest = build_digest(request, [(d, "t", papers_of(days, d.isoformat())) for d in request.dates])
        listed = list(digest.papers[: digest.top])
        text = (work / "out" / "blog" / result["post_path"]).read_text("utf-8")
        title = yaml.safe_load(text.split("---\n")[1])["title"]
        posts.append(Post(result["post_path"], f"/posts/{request.kind}-papers-summary-{request.label}/",
                          title, title.replace(f"{kind} Summary", f"{name} 요약"),
                          listed, {p.id: summaries[p.id] for p in listed}))
    written = {str(p.relative_to(work / "out" / "blog")): p.read_text("utf-8")
               for p in sorted((work / "out" / "blog" / "_posts").iterdir())}
    assert sorted(written) == sorted(p.path for p in posts)
    return written, posts


# -- the site -----------------------------------------------------------------------------------
def require_plugins() -> None:
    ruby = executable("ruby", "apt-get install -y ruby")
    proc = subprocess.run([ruby, "-e", "ARGV.each { |name| Gem::Specification.find_by_name(name) }", *PLUGINS],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        packages = " ".join(f"ruby-{name}" for name in PLUGINS)
        unavailable(f"a Jekyll plugin of the theme is missing (apt-get install -y {packages}): {proc.stderr.strip()[-300:]}")


def assemble(site: Path, theme: Path, libraries: dict[tuple[str, str], Path]) -> None:
    """The theme's files as a gem theme provides them (the package's sample posts and its
    `_plugins` are the package author's blog, not the theme: left out)."""
    for part in ("_layouts", "_includes", "_sass", "assets", "_data", "_tabs"):
        shutil.copytree(theme / part, site / part)
    shutil.copy(theme / "index.html", site / "index.html")
    # Locales: the site's own (and the fallback). Some others are not YAML that Ruby 3.1's
    # Psych 4 loads safely (tr-TR's `meta: :PLATFORM ...` is read as a Symbol), and Jekyll
    # reads every file in _data.
    for locale in (site / "_data" / "locales").iterdir():
        if locale.name not in ("ko-KR.yml", "en.yml"):
            locale.unlink()
    (site / "_data" / "authors.yml").write_text(yaml.safe_dump(AUTHORS, allow_unicode=True), "utf-8")
    # The stylesheet imports `{{ site.theme }}`, the gem's name: the same file, by name.
    style = site / "assets" / "css" / "style.scss"
    text = style.read_text("utf-8")
    assert '@import "{{ site.theme }}";' in text
    style.write_text(text.replace('@import "{{ site.theme }}";', '@import "jekyll-theme-chirpy";'), "utf-8")
    for package, (source, target) in SELF_HOSTED.items():
        (site / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(libraries[package] / source, site / target)
    (site / "_config.yml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True, sort_keys=False), "utf-8")


@dataclass
class Site:
    root: Path  # _site
    output: str  # what `jekyll build` printed
    written: dict[str, str]  # the posts' Markdown, by path
    posts: list[Post]
    base_url: str = ""  # the local server, once started

    def html(self, url: str) -> str:
        return (self.root / url.strip("/") / "index.html").read_text("utf-8")

    def post(self, url: str) -> Post:
        return next(p for p in self.posts if p.url == url)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    jekyll = executable("jekyll", "apt-get install -y jekyll")
    require_plugins()
    work = tmp_path_factory.mktemp("chirpy")
    theme = unpack(npm_tarball(*THEME), work / "theme")
    libraries = {package: unpack(npm_tarball(*package), work / package[0]) for package in SELF_HOSTED}
    with FakeBedrock() as bedrock:
        written, posts = write_posts(work, bedrock)
    source = work / "site"
    source.mkdir()
    assemble(source, theme, libraries)
    (source / "_posts").mkdir()
    for path, text in written.items():
        (source / path).write_text(text, "utf-8")
    proc = subprocess.run(
        [jekyll, "build", "--strict_front_matter", "--source", str(source), "--destination", str(source / "_site")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "JEKYLL_ENV": "production"},
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"jekyll build failed:\n{output}"
    yield Site(source / "_site", output, written, posts)


# -- reading HTML -------------------------------------------------------------------------------
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# End tags HTML lets a page leave out (the theme's compress layout does): a new `li` ends the open
# `li` of its list, a block ends an open `p` (HTML's "implied end tags", the cases met here).
IMPLIED_BY = {"li": ({"li"}, {"ul", "ol"}), "dt": ({"dt", "dd"}, {"dl"}), "dd": ({"dt", "dd"}, {"dl"}),
              "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead"}), "td": ({"td", "th"}, {"tr"}),
              "th": ({"td", "th"}, {"tr"}), "option": ({"option"}, {"select"})}
BLOCKS = {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "figcaption", "figure", "footer",
          "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
          "table", "ul"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The visible text, as a reader reads it: whitespace folded, kramdown's typography read back."""
        return normalize(self.raw_text)

    @property
    def raw_text(self) -> str:
        """The text, a space around each block and list item (the compressed page has no
        whitespace between tags; a reader sees them on lines of their own)."""
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag in BLOCKS or child.tag in ("li", "br", "dt", "dd", "tr", "td", "th"):
                parts.append(f" {child.raw_text} ")
            elif child.tag not in ("script", "style"):
                parts.append(child.raw_text)
        return "".join(parts)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()

    def all(self, match: Callable[[Node], bool]) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if match(child):
                    found.append(child)
                found.extend(child.all(match))
        return found

    def tags(self, tag: str) -> list[Node]:
        return self.all(lambda n: n.tag == tag)

    def one(self, match: Callable[[Node], bool], what: str) -> Node:
        found = self.all(match)
        assert len(found) == 1, f"expected one {what}, found {len(found)}"
        return found[0]

    def cls(self, name: str) -> list[Node]:
        return self.all(lambda n: n.has_class(name))


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        closes, scope = IMPLIED_BY.get(tag, (set(), set()))
        if tag in BLOCKS:
            closes, scope = {"p"}, {"div", "li", "td", "th", "body", "blockquote", "section", "article"}
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag in scope:
                break
            if self.stack[i].tag in closes:
                del self.stack[i:]
                break
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def seen(text: str) -> str:
    """Our text as the page shows it: whitespace folded, typography read back (`normalize`)."""
    return normalize(fold_whitespace(text))


def check_post(page: Node, post: Post, *, browser: bool) -> None:
    """A post page shows its own title, papers (title, upvotes, links, summary, abstract), image and
    byline. Built HTML: the theme's lazy image has its URL in `data-src`; in the browser the
    theme's JavaScript (lozad) has made it the `src`."""
    titles = [h.text for h in page.tags("h1")]
    assert titles[:2] == [post.title, post.heading], titles
    content = page.cls("post-content")[0]  # the article (the related posts' cards come later)
    items = [li for li in content.tags("ol")[0].children if isinstance(li, Node) and li.tag == "li"]
    assert len(items) == len(post.papers), (post.url, len(items), len(post.papers))
    for paper, item in zip(post.papers, items, strict=True):
        text = item.text
        assert text.startswith(f"{seen(paper.title)} - 👍 {paper.upvotes}"), (post.url, text[:200])
        if paper.summary and fold_whitespace(paper.summary):
            assert text.endswith(f"Abstract: {seen(paper.summary)}"), (post.url, paper.id, text[-300:])
        if post.summaries:
            assert f"요약: {seen(post.summaries[paper.id])} Abstract:" in text, (post.url, paper.id, text[:400])
        else:
            assert "요약:" not in text
        links = [a.attrs.get("href") for a in item.tags("a")]
        expected = [f"https://huggingface.co/papers/{paper.id}", f"https://arxiv.org/abs/{paper.id}"]
        if post.options:
            expected += [u for u in (https_url(paper.github_repo), https_url(paper.project_page)) if u]
        assert links == expected, (post.url, paper.id)
    meta = page.cls("post-meta")[0]  # under the title: date, image, byline
    images = meta.all(lambda n: n.tag == "img")
    if post.options:
        top = post.papers[0]
        attribute = "src" if browser else "data-src"
        assert [(img.attrs.get(attribute), img.attrs.get("alt")) for img in images] == [
            (top.thumbnail, fold_whitespace(top.title))], post.url
        caption = meta.one(lambda n: n.tag == "figcaption", "image caption")
        assert caption.raw_text.strip() == fold_whitespace(top.title)
        og = page.all(lambda n: n.tag == "meta" and n.attrs.get("property") == "og:image")
        assert [m.attrs.get("content") for m in og] == [top.thumbnail]
    else:
        assert images == []
    byline = meta.one(lambda n: n.tag == "em" and bool(n.tags("a")), "byline").tags("a")
    author = AUTHORS[post.author]
    assert [(a.text, a.attrs.get("href")) for a in byline] == [(author["name"], author["url"])], post.url


def check_home(page: Node, posts: list[Post]) -> None:
    """Every post once, newest first, its title linking to its own URL, its excerpt its own."""
    cards = page.one(lambda n: n.attrs.get("id") == "post-list", "post list").cls("post-preview")
    newest_first = sorted(posts, key=lambda p: p.date, reverse=True)
    shown = [(c.tags("h1")[0].text, c.tags("a")[0].attrs.get("href")) for c in cards]
    assert shown == [(p.title, p.url) for p in newest_first]
    for card, post in zip(cards, newest_first, strict=True):
        excerpt = card.one(lambda n: n.has_class("post-content"), "excerpt").text
        assert excerpt.startswith(post.heading), (post.url, excerpt[:100])


# -- the built site -----------------------------------------------------------------------------
def test_the_build_has_no_destination_conflict_and_every_post_its_own_page(site: Site) -> None:
    assert "Conflict" not in site.output and "destination shared" not in site.output, site.output
    assert "Error" not in site.output and "Liquid" not in site.output, site.output
    assert sorted(p.url for p in site.posts) == sorted(URLS)
    assert sorted(f"/posts/{p.name}/" for p in (site.root / "posts").iterdir()) == sorted(URLS)
    for post in site.posts:
        assert parse(site.html(post.url)).tags("h1")[0].text == post.title, post.url


def test_the_permalink_is_the_front_matter_line_after_the_title(site: Site) -> None:
    """What decides the URLs above: the posts' own line (the seed-format post has none)."""
    for post in site.posts:
        head = site.written[post.path].split("\n")[1:3]
        if post.options:
            assert head == [f"title: {post.title}", f"permalink: {post.url}"]
        else:
            assert site.written[post.path] == expected_post(SEED_DAY) and not head[1].startswith("permalink")


@pytest.mark.parametrize("url", URLS)
def test_each_post_page_shows_its_own_papers_image_and_byline(site: Site, url: str) -> None:
    check_post(parse(site.html(url)), site.post(url), browser=False)


def test_the_home_page_lists_every_post_with_its_own_url(site: Site) -> None:
    assert not (site.root / "page2").exists()  # one page holds them all (paginate: 10)
    check_home(parse((site.root / "index.html").read_text("utf-8")), site.posts)


def test_alt_text_is_escaped_once(site: Site) -> None:
    post = site.post("/posts/daily-papers-2026-03-03/")
    title = post.papers[0].title
    assert "<think>" in title and HOSTILE_TOP_TITLE_TAIL in title  # the case is really there
    html = site.html(post.url)
    tag = html[html.index("<img ", html.index('class="post-meta')):]
    tag = tag[: tag.index("<figcaption")]
    caption = html[html.index("<figcaption"):]
    caption = caption[: caption.index("</figcaption>")]
    for raw in (tag, caption):  # the title's literal "&amp;" and its <, >, " escaped once, not twice
        assert "&lt;think&gt; Tokens &lt;/think&gt;" in raw and "&quot;Quotes&quot; &amp;amp; AT&T" in raw, raw
        assert not any(twice in raw for twice in ("&amp;amp;amp;", "&amp;lt;", "&amp;gt;", "&amp;quot;")), raw


def test_kramdown_typography_changes_quotes_dashes_and_ellipses(site: Site) -> None:
    """What the README says a reader sees: the text's ' " -- ... as typographic characters."""
    post = site.post("/posts/daily-papers-2026-02-25/")
    page = parse(site.html(post.url))
    shown = " ".join(page.cls("post-content")[0].raw_text.split())
    summary = post.summaries[post.papers[0].id]
    typographic = (summary.replace("'새로운'", "\u2018새로운\u2019").replace(" -- ", " \u2013 ")
                   .replace('"좋다"', "\u201c좋다\u201d").replace("...", "\u2026"))
    assert typographic != summary and typographic in shown


# -- in a browser -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[str]:
    """The built site on http://127.0.0.1:<port>/ (a thread of this process)."""
    handler = functools.partial(Quiet, directory=str(site.root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def dump_dom(url: str, tmp_path: Path) -> str:
    """The DOM after the page loaded and its scripts ran (Chromium headless)."""
    chromium = executable("chromium", "apt-get install -y chromium")
    proc = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium'}",
         "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # nothing leaves the machine
         "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0 and "<html" in proc.stdout, f"chromium failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
    return proc.stdout


def test_in_the_browser_a_post_shows_its_papers_image_and_byline(site: Site, served: str, tmp_path: Path) -> None:
    post = site.post("/posts/daily-papers-2026-03-03/")
    dom = parse(dump_dom(served + post.url, tmp_path))
    check_post(dom, post, browser=True)
    image = dom.one(lambda n: n.tag == "img" and n.has_class("preview-img"), "preview image")
    assert image.attrs.get("data-loaded") == "true"  # lozad ran: the theme's JavaScript works here


def test_in_the_browser_the_home_page_lists_every_post(site: Site, served: str, tmp_path: Path) -> None:
    check_home(parse(dump_dom(served + "/", tmp_path)), site.posts)
