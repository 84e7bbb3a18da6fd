#!/usr/bin/env python3
"""The benchmark: cold import, daily runs, a 365-day backfill, rendering and deployment size.

    python3 -m pip install -q -e '.[dev]' && python3 bench/bench.py

Everything runs against local servers on 127.0.0.1 (no network): the fake Hugging Face and
GitHub servers of tests/fakes, and moto's S3 + Secrets Manager behind a request-counting WSGI
wrapper. They all live in this (the parent) process. The function runs in child processes,
started the way Lambda starts an execution environment (a fresh interpreter that imports
`hf_daily_papers.handler` and calls `lambda_handler`), so its timings, imports and peak RSS are
its own. Each figure is the median of several runs. `--quick` runs fewer of everything,
`--only` picks parts, `--backfill-papers N` backfills N papers on every day (instead of the two
default compositions), `--paced` backfills at the deployed Hugging Face pace (HF_MAX_RPS 1/s).
Prints a Markdown table (and `--json FILE` writes the raw figures).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "daily_papers"  # the function's CodeUri
TESTS = ROOT / "tests"
sys.path[:0] = [str(FUNCTION_DIR), str(TESTS)]  # this checkout's package (not an older install), `fakes`

REGION = "ap-northeast-2"
BUCKET = "hf-daily-papers-bench"
SECRET_NAME = "hf-daily-papers/github-token"
TOKEN = "ghp_benchTokenNotSecret0123456789abcdef"
DAILY_DATE = dt.date(2026, 2, 2)  # daily runs use this date and the days after it
BACKFILL = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # 365 days
BACKFILL_SCENARIOS = {  # name: (papers on a date, label, description)
    "backfill": (lambda date: 100, "100 papers/day", "100 papers on every day (worst case: 2 HF pages a day)"),
    "backfill_typical": (lambda date: 0 if date.weekday() >= 5 else 40, "typical year",
                         "typical year: 40 papers on each of the 261 weekdays, weekends empty"),
}
TEMPLATE_DAY = TESTS / "fixtures" / "hf" / "2026-08-21.json"  # 17 real API items


# ---------------------------------------------------------------------------------------------
# Synthetic Hugging Face days: real items (shape, sizes, ~1,500-char abstracts) with new ids
# ---------------------------------------------------------------------------------------------
def synthetic_items(count: int) -> list[dict[str, Any]]:
    """`count` API items made from the 17 real items of 2026-08-21, with placeholder dates/ids.

    Paper ids are `@@YYMM@@.@@DD@@NNN` (e.g. `2502.02042`), unique per date; each item keeps the
    real item's authors, abstract, keywords, organization etc. (~5.9 KB of JSON per item).
    """
    real = json.loads(TEMPLATE_DAY.read_text("utf-8"))
    items = []
    for i in range(count):
        item = copy.deepcopy(real[i % len(real)])
        paper = item["paper"]
        pid = f"@@YYMM@@.@@DD@@{i:03d}"
        paper["id"] = pid
        paper["title"] = f"{paper['title']} ({i})"
        item["title"] = paper["title"]
        paper["upvotes"] = (i * 37) % 211
        paper["publishedAt"] = item["publishedAt"] = "@@DATE@@T00:00:00.000Z"
        paper["submittedOnDailyAt"] = "@@DATE@@T08:00:00.000Z"
        item["thumbnail"] = f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png"
        items.append(item)
    return items


def _fill(template: bytes, date: dt.date) -> bytes:
    return (
        template.replace(b"@@DATE@@", date.isoformat().encode())
        .replace(b"@@YYMM@@", f"{date:%y%m}".encode())
        .replace(b"@@DD@@", f"{date:%d}".encode())
    )


def make_synthetic_hf(papers_per_day: Callable[[dt.date], int]) -> Any:
    """A started-later FakeHF; `.papers_per_day` may be replaced between scenarios."""
    from fakes.hf import FakeHF
    from fakes.server import Reply

    class SyntheticHF(FakeHF):
        """FakeHF serving `papers_per_day(date)` synthetic items for any date (pages pre-encoded)."""

        def __init__(self) -> None:
            super().__init__({})
            self.papers_per_day = papers_per_day
            self._pages: dict[tuple[int, int, int], bytes] = {}
            self._items: dict[int, list[dict[str, Any]]] = {}

        def items_for(self, date: dt.date) -> list[dict[str, Any]]:
            return json.loads(_fill(json.dumps(self._template(self.papers_per_day(date))).encode(), date))

        def _template(self, count: int) -> list[dict[str, Any]]:
            if count not in self._items:
                self._items[count] = synthetic_items(count)
            return self._items[count]

        def handle(self, request: Any) -> Any:
            if request.path != "/api/daily_papers":
                return super().handle(request)
            try:
                date = dt.date.fromisoformat(request.query.get("date", [""])[0])
                limit = int(request.query.get("limit", ["50"])[0])
                page = int(request.query.get("p", ["0"])[0])
            except ValueError:
                return Reply(400, {"error": "bad date, limit or p"})
            if not 1 <= limit <= 100 or page < 0:
                return Reply(400, {"error": "limit must be 1..100"})
            count = self.papers_per_day(date)
            key = (count, limit, page)
            with self._lock:
                if key not in self._pages:
                    items = self._template(count)[page * limit : (page + 1) * limit]
                    self._pages[key] = json.dumps(items).encode()
                template = self._pages[key]
            return Reply(200, _fill(template, date), {"Content-Type": "application/json; charset=utf-8"})

    return SyntheticHF()


# ---------------------------------------------------------------------------------------------
# moto (S3 + Secrets Manager) as a server on 127.0.0.1, counting requests per service
# ---------------------------------------------------------------------------------------------
_CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class CountingMoto:
    """moto's WSGI app on 127.0.0.1:<free port>, in a thread, with a log of (service, op, path)."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        app = DomainDispatcherApplication(create_backend_app)

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
            service = match.group(1) if match else "-"
            op = environ.get("HTTP_X_AMZ_TARGET") or environ["REQUEST_METHOD"]
            with self._lock:
                self.log.append((service, op, environ.get("PATH_INFO", "")))
            return app(environ, start_response)

        self._server = make_server("127.0.0.1", 0, counting, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        """Forget every bucket, object and secret (moto's reset endpoint), and the log."""
        urllib.request.urlopen(urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"), timeout=30).read()
        with self._lock:
            self.log.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def counts(self) -> dict[str, int]:
        with self._lock:
            log = list(self.log)
        s3 = [op for service, op, _ in log if service == "s3"]
        return {
            "s3_reads": sum(op in ("GET", "HEAD") for op in s3),
            "s3_writes": sum(op not in ("GET", "HEAD") for op in s3),
            "secrets_reads": sum(service == "secretsmanager" for service, _, _ in log),
        }


def aws_env(moto_url: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_url,
    }


def setup_aws(moto: CountingMoto) -> None:
    """The archive bucket and the token secret, as the stack and the operator create them."""
    import boto3

    env = aws_env(moto.url)
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=REGION
    )
    s3 = session.client("s3", endpoint_url=moto.url)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    session.client("secretsmanager", endpoint_url=moto.url).create_secret(Name=SECRET_NAME, SecretString=TOKEN)
    with moto._lock:
        moto.log.clear()


# ---------------------------------------------------------------------------------------------
# The function in a child process
# ---------------------------------------------------------------------------------------------
def function_env(hf: Any, github: Any, moto: CountingMoto, *, pythonpath: str = str(FUNCTION_DIR)) -> dict[str, str]:
    """The function's environment as deployed (template.yaml), pointed at the local servers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "HF_", "POWERTOOLS_"))}
    for name in ("BUCKET_NAME", "POST_AUTHOR", "TOP_N", "REFRESH_DAYS", "FETCH_CONCURRENCY", "PYTHONPATH"):
        env.pop(name, None)
    env.update(aws_env(moto.url))
    env.update(
        {
            "PYTHONPATH": pythonpath,
            "HF_ENDPOINT": hf.url,
            "HF_MAX_RPS": "0",  # no client-side pacing against local fakes (deployed default: 1/s)
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": github.repository,
            "GITHUB_TOKEN_SECRET": SECRET_NAME,  # read through Powertools Parameters, as deployed
            "BUCKET_NAME": BUCKET,
            "POWERTOOLS_SERVICE_NAME": "hf-daily-papers",
            "POWERTOOLS_METRICS_NAMESPACE": "HfDailyPapersBench",
        }
    )
    return env


class Child:
    """A fresh interpreter (CHILD_CODE) that imports the handler and runs the events it is
    sent on stdin, one JSON line each, answering each on the result pipe with its wall time.
    The function's own stdout (Powertools logs and EMF metrics) goes to /dev/null."""

    def __init__(self, env: dict[str, str]) -> None:
        read_fd, write_fd = os.pipe()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD_CODE, str(write_fd)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        self.hello = self._read()  # {"import_s": ...} once the handler module is imported
        self.hello["spawn_to_ready_s"] = time.perf_counter() - self.started

    def _read(self) -> dict[str, Any]:
        line = self._results.readline()
        if not line:
            self.proc.wait(timeout=30)
            raise RuntimeError(f"the function process died:\n{self.proc.stderr.read()[-4000:]}")
        return json.loads(line)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(event) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"the handler failed on {event}: {answer['error']}")
        return answer

    def close(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        final = self._read()  # {"vmhwm_kb": ...}
        self.proc.wait(timeout=60)
        self._results.close()
        return final


# The child's program: nothing but `sys`, `os`, `time` and `json` is imported before the handler,
# so the import it times is the handler's own (as at a Lambda cold start).
CHILD_CODE = r"""
import json, os, sys, time
out = os.fdopen(int(sys.argv[1]), "w", buffering=1)
started = time.perf_counter()
from hf_daily_papers import handler
out.write(json.dumps({"import_s": time.perf_counter() - started, "modules": len(sys.modules)}) + "\n")

def vmhwm():
    # Peak RSS of this process since exec (ru_maxrss would include the forking parent's RSS).
    with open("/proc/self/status") as status:
        return next((int(l.split()[1]) for l in status if l.startswith("VmHWM:")), None)

class Context:
    function_name = "hf-daily-papers"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:hf-daily-papers"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

for line in sys.stdin:
    event = json.loads(line)
    before = {m.split(".")[0] for m in sys.modules}
    started = time.perf_counter()
    try:
        result = handler.lambda_handler(event, Context())
    except Exception as exc:
        out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}) + "\n")
        continue
    wall = time.perf_counter() - started
    summary = {k: result.get(k) for k in ("status", "papers", "listed", "archived", "counts", "commit_sha")}
    new = sorted({m.split(".")[0] for m in sys.modules} - before)
    out.write(json.dumps({"wall_s": wall, "result": summary, "new_top_level_modules": new, "vmhwm_kb": vmhwm()}) + "\n")

out.write(json.dumps({"vmhwm_kb": vmhwm()}) + "\n")
"""


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


class Counters:
    """Request counters of all the servers, as deltas between snapshots."""

    def __init__(self, hf: Any, github: Any, moto: CountingMoto) -> None:
        self.hf, self.github, self.moto = hf, github, moto

    def snapshot(self) -> dict[str, int]:
        with self.hf._lock, self.github._lock:
            hf_requests = len(self.hf.requests)
            gh_reads, gh_writes = len(self.github.reads), len(self.github.writes)
        return {"hf": hf_requests, "github_reads": gh_reads, "github_writes": gh_writes, **self.moto.counts()}

    @staticmethod
    def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
        return {k: after[k] - before.get(k, 0) for k in after}


def cold_import(runs: int) -> dict[str, Any]:
    """Fresh interpreters, interleaved: bare startup, `import boto3`, `import <handler>`.

    Three layouts of the function code: (a) this checkout with bytecode caches (a private
    PYTHONPYCACHEPREFIX, warmed first, for every variant, so boto3 and the handler are on equal
    terms); (b) "as deployed": the function package and the layer's packages copied without
    __pycache__ and run with PYTHONDONTWRITEBYTECODE=1 — Lambda's /var/task and /opt are
    read-only and `sam build` ships no .pyc, so every cold start compiles them.
    """
    tmp = Path(tempfile.mkdtemp(prefix="hfdp-bench-import-"))
    try:
        pycache = tmp / "pycache"
        deployed_fn, deployed_layer = tmp / "function", tmp / "layer"
        shutil.copytree(FUNCTION_DIR / "hf_daily_papers", deployed_fn / "hf_daily_papers",
                        ignore=shutil.ignore_patterns("__pycache__"))
        deployed_layer.mkdir()
        for name in layer_packages():
            src = Path(__import__(name).__file__)
            if src.name == "__init__.py":
                shutil.copytree(src.parent, deployed_layer / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(src, deployed_layer / src.name)
        base = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE") and not k.startswith("AWS_")}
        base.update(AWS_DEFAULT_REGION=REGION, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        cached = dict(base, PYTHONPATH=str(FUNCTION_DIR), PYTHONPYCACHEPREFIX=str(pycache))
        deployed = dict(base, PYTHONPATH=f"{deployed_fn}{os.pathsep}{deployed_layer}", PYTHONDONTWRITEBYTECODE="1")
        variants = {
            "bare": (cached, "pass"),
            "boto3": (cached, "import boto3"),
            "handler": (cached, "import hf_daily_papers.handler"),
            "handler+boto3": (cached, "import hf_daily_papers.handler, boto3"),
            "boto3+s3client": (cached, "import boto3; boto3.client('s3')"),
            "deployed_handler": (deployed, "import hf_daily_papers.handler"),
            "deployed_handler+boto3": (deployed, "import hf_daily_papers.handler, boto3"),
        }

        def once(env: dict[str, str], code: str) -> float:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            return time.perf_counter() - started

        for env, code in variants.values():  # warm the bytecode cache and the page cache
            once(env, code)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(runs):
            for name, (env, code) in variants.items():
                times[name].append(once(env, code))
        check = "import sys, hf_daily_papers.handler; print(sorted(m for m in ('boto3','botocore','jinja2','urllib3','aws_lambda_powertools') if m in sys.modules))"
        loaded = subprocess.run([sys.executable, "-c", check], env=cached, check=True, capture_output=True, text=True).stdout.strip()
        return {"median_s": {k: median(v) for k, v in times.items()}, "runs": runs, "handler_loads": loaded}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def layer_packages() -> list[str]:
    """Top-level import names of the layer's pinned requirements (what /opt/python holds)."""
    names = {"aws-lambda-powertools": "aws_lambda_powertools", "jinja2": "jinja2", "markupsafe": "markupsafe",
             "typing-extensions": "typing_extensions"}
    requirements = (ROOT / "layers" / "dependencies" / "requirements.txt").read_text().splitlines()
    out = []
    for line in requirements:
        line = line.split("#", 1)[0].strip()
        if line:
            dist = re.split(r"[=<>~!\[; ]", line, maxsplit=1)[0].lower()
            out.append(names.get(dist, dist.replace("-", "_")))
    return out


# The one-time work of a cold start, step by step, in a fresh interpreter with the function's
# environment: each step is what the first invocation does (through the package's own functions).
BREAKDOWN_CODE = r"""
import datetime as dt, json, os, sys, time
T = time.perf_counter
r = {}
t = T(); from hf_daily_papers import handler, app; r["import the handler"] = T() - t
from hf_daily_papers.settings import Settings
settings = Settings.from_env(os.environ)
t = T(); import boto3; r["import boto3"] = T() - t
t = T(); app.lambda_services(settings); r["build the clients (HF, S3, GitHub)"] = T() - t
t = T(); app.token_provider(settings)(); r["read the token (Powertools Parameters: client + GetSecretValue)"] = T() - t
from hf_daily_papers.models import Paper
from hf_daily_papers.render import render_daily
t = T(); render_daily(dt.date(2026, 2, 2), [Paper("2602.00001", "Title", "Abstract.", 1)], None)
r["first render (import jinja2, compile the templates)"] = T() - t
print(json.dumps(r))
"""


def cold_start_breakdown(hf: Any, github: Any, moto: CountingMoto, runs: int) -> dict[str, float]:
    env = function_env(hf, github, moto)
    samples = [json.loads(subprocess.run([sys.executable, "-c", BREAKDOWN_CODE], env=env, check=True,
                                         capture_output=True, text=True).stdout) for _ in range(runs)]
    return {step: median([s[step] for s in samples]) for step in samples[0]}


def daily_runs(hf: Any, github: Any, moto: CountingMoto, runs: int) -> dict[str, Any]:
    """`runs` execution environments; each: a cold first invocation, then warm runs of new days
    (created) and the same days again (unchanged). Counts are per invocation."""
    counters = Counters(hf, github, moto)
    env = function_env(hf, github, moto)
    cold, created, unchanged, imports, rss = [], [], [], [], []
    first_invocation_imports: list[str] = []
    counts: dict[str, list[dict[str, int]]] = {"cold": [], "created": [], "unchanged": []}
    day = DAILY_DATE
    for _ in range(runs):
        child = Child(env)
        imports.append(child.hello["import_s"])

        def run(kind: str, date: dt.date) -> dict[str, Any]:
            before = counters.snapshot()
            answer = child.invoke({"date": date.isoformat()})
            counts[kind].append(Counters.delta(counters.snapshot(), before))
            return answer

        first = run("cold", day)
        cold.append(first["wall_s"])
        first_invocation_imports = first["new_top_level_modules"]
        day += dt.timedelta(days=1)
        for _ in range(2):
            answer = run("created", day)
            assert answer["result"]["status"] == "created", answer
            created.append(answer["wall_s"])
            answer = run("unchanged", day)
            assert answer["result"]["status"] == "unchanged", answer
            unchanged.append(answer["wall_s"])
            day += dt.timedelta(days=1)
        rss.append(child.close()["vmhwm_kb"])
    return {
        "peak_rss_kb": median(rss),
        "import_s": median(imports),
        "cold_invocation_s": median(cold),
        "created_s": median(created),
        "unchanged_s": median(unchanged),
        "counts": {k: _same(v) for k, v in counts.items()},
        "first_invocation_imports": first_invocation_imports,
        "samples": {"cold": len(cold), "created": len(created), "unchanged": len(unchanged)},
    }


def _same(samples: list[dict[str, int]]) -> dict[str, Any]:
    """The counts of identical runs (they must agree; if not, each key's distinct values)."""
    out: dict[str, Any] = {}
    for key in samples[0]:
        values = sorted({s[key] for s in samples})
        out[key] = values[0] if len(values) == 1 else values
    return out


def backfill(hf: Any, moto: CountingMoto, runs: int, fake_github: Callable[[], Any], *, paced: bool = False) -> dict[str, Any]:
    """The 365-day backfill event in a fresh execution environment (fresh S3 and GitHub) per run,
    then the same event again in the same environment (the re-run: nothing changed). `paced`
    keeps the deployed HF pacing (HF_MAX_RPS unset: 1 request/s) instead of HF_MAX_RPS=0."""
    start, end = BACKFILL
    event = {"start": start.isoformat(), "end": end.isoformat()}
    days = (end - start).days + 1
    first: dict[str, list[Any]] = {"wall": [], "rss": [], "counts": [], "commits": [], "statuses": []}
    rerun: dict[str, list[Any]] = {"wall": [], "rss": [], "counts": [], "commits": [], "statuses": []}
    tree_bytes = 0
    for _ in range(runs):
        moto.reset()
        setup_aws(moto)
        hf.reset_log()
        with fake_github() as github:
            counters = Counters(hf, github, moto)
            env = function_env(hf, github, moto)
            if paced:
                del env["HF_MAX_RPS"]
            child = Child(env)
            for figures in (first, rerun):
                commits_before = len(github.history())
                before = counters.snapshot()
                answer = child.invoke(event)
                figures["counts"].append(Counters.delta(counters.snapshot(), before))
                figures["commits"].append(len(github.history()) - commits_before)
                figures["wall"].append(answer["wall_s"])
                figures["rss"].append(answer["vmhwm_kb"])  # peak so far
                figures["statuses"].append(answer["result"]["counts"])
            child.close()
            trees = [r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees")]
            tree_bytes = max(len(r.body) for r in trees) if trees else 0
    moto.reset()
    setup_aws(moto)

    def summary(f: dict[str, list[Any]]) -> dict[str, Any]:
        wall = median(f["wall"])
        return {
            "wall_s": wall,
            "days_per_s": days / wall,
            "peak_rss_kb": median(f["rss"]),
            "peak_rss_max_kb": max(f["rss"]),
            "commits": _same([{"commits": c} for c in f["commits"]])["commits"],
            "counts": _same(f["counts"]),
            "statuses": f["statuses"][-1],
        }

    return {"days": days, "runs": runs, "paced": paced, "create_tree_bytes": tree_bytes, **summary(first),
            "rerun": summary(rerun)}


def render_only(runs: int) -> dict[str, Any]:
    """Rendering a post of 100 papers (and of the default 10), after a first render (warm)."""
    from hf_daily_papers.hf import parse_day
    from hf_daily_papers.models import rank
    from hf_daily_papers.render import render_daily

    date = DAILY_DATE
    items = json.loads(_fill(json.dumps(synthetic_items(100)).encode(), date))
    day = parse_day(date, [items], dt.datetime.now(dt.timezone.utc))
    papers = rank(day.papers, 0)
    started = time.perf_counter()
    post = render_daily(date, papers, None)
    first = time.perf_counter() - started
    out: dict[str, Any] = {"first_s": first, "bytes_100": len(post.encode())}
    for n in (100, 10):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render_daily(date, papers[:n], "lim4349")
            times.append(time.perf_counter() - started)
        out[f"render_{n}_s"] = median(times)
    return out


def deployment_size() -> dict[str, Any]:
    """`sam build` into a temporary folder; bytes (and zipped bytes) of the function and each layer."""
    iac_sam = Path(os.environ.get("IAC_HOME", "/opt/iac")) / "bin" / "sam"  # where .ci/run installs it
    sam = shutil.which("sam") or (str(iac_sam) if os.access(iac_sam, os.X_OK) else None)
    if not sam:
        return {"skipped": "sam not installed"}
    tmp = Path(tempfile.mkdtemp(prefix="hfdp-bench-sam-"))
    try:
        env = dict(os.environ, SAM_CLI_TELEMETRY="0")
        proc = subprocess.run(
            [sam, "build", "--template-file", str(ROOT / "template.yaml"), "--build-dir", str(tmp / "build"),
             "--cache-dir", str(tmp / "cache")],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=900,
        )
        if proc.returncode != 0:
            return {"skipped": f"sam build failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"}
        out: dict[str, Any] = {"sam": subprocess.run([sam, "--version"], capture_output=True, text=True).stdout.strip()}
        for artifact in sorted(p for p in (tmp / "build").iterdir() if p.is_dir()):
            files = [p for p in artifact.rglob("*") if p.is_file()]
            archive = tmp / f"{artifact.name}.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
                for path in files:
                    z.write(path, path.relative_to(artifact))
            out[artifact.name] = {"bytes": sum(p.stat().st_size for p in files), "zip_bytes": archive.stat().st_size,
                                  "files": len(files)}
        return out
    except subprocess.TimeoutExpired:
        return {"skipped": "sam build took over 15 minutes"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    import boto3

    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "boto3": boto3.__version__,
        "loadavg_at_start": os.getloadavg(),
        "commit": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip() or "?",
    }


def _count_text(c: dict[str, Any]) -> str:
    return (f"HF {c['hf']} · S3 {c['s3_reads']} read + {c['s3_writes']} write · GitHub {c['github_reads']} read + "
            f"{c['github_writes']} write · Secrets Manager {c['secrets_reads']}")


def _first_imports(modules: list[str]) -> str:
    known = [m for m in ("boto3", "s3transfer", "dateutil", "multiprocessing", "jinja2", "markupsafe") if m in modules]
    return f"{', '.join(known)} … ({len(modules)} new top-level modules)" if modules else "nothing new"


def table(figures: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str]] = []
    ci = figures.get("cold_import")
    if ci:
        m = ci["median_s"]
        bare = m["bare"]
        ratio = m["handler"] / m["boto3"]
        net = (m["handler"] - bare) / (m["boto3"] - bare)
        rows += [
            ("1. Cold import: bare interpreter (`pass`)", ms(bare), f"median of {ci['runs']} fresh interpreters"),
            ("1. Cold import: `import boto3`", f"{ms(m['boto3'])} (net {ms(m['boto3'] - bare)})", "net = minus bare startup"),
            ("1. Cold import: `import hf_daily_papers.handler`", f"{ms(m['handler'])} (net {ms(m['handler'] - bare)})",
             f"loads {ci['handler_loads']}"),
            ("1. Cold import: ratio handler / boto3", f"**{ratio:.2f}×** (net {net:.2f}×)", "target ≤ 1.3×"),
            ("1. Cold import: handler + boto3 together", f"{ms(m['handler+boto3'])} (net {ms(m['handler+boto3'] - bare)})",
             f"{m['handler+boto3'] / m['boto3']:.2f}× boto3: what the first invocation ends up holding"),
            ("1. Reference: `import boto3; boto3.client('s3')`", f"{ms(m['boto3+s3client'])} (net {ms(m['boto3+s3client'] - bare)})",
             "the floor of any function that writes to S3 with boto3"),
            ("1. Cold import as deployed (no .pyc): handler", f"{ms(m['deployed_handler'])} "
             f"({m['deployed_handler'] / m['boto3']:.2f}× boto3)", "function + layer packages compiled at import"),
            ("1. Cold import as deployed (no .pyc): handler + boto3", f"{ms(m['deployed_handler+boto3'])} "
             f"({m['deployed_handler+boto3'] / m['boto3']:.2f}× boto3)", ""),
        ]
    d = figures.get("daily")
    if d:
        rows += [
            ("2. Cold start: handler import + first invocation", f"{ms(d['import_s'])} + {ms(d['cold_invocation_s'])}",
             f"100-paper day, post created; one-time setup in the first call (cold − warm) ≈ "
             f"{ms(d['cold_invocation_s'] - d['created_s'])}; it imports {_first_imports(d['first_invocation_imports'])}"),
        ]
    if "breakdown" in figures:
        steps = figures["breakdown"]
        rows.append(("2. Cold start, step by step (fresh interpreter)",
                     " · ".join(f"{name} {ms(value)}" for name, value in steps.items()),
                     f"total {ms(sum(steps.values()))}; median of {figures['runs']['daily'] + 2}"))
    if d:
        rows += [
            ("2. Cold first invocation: requests", _count_text(d["counts"]["cold"]), "the token is read once per environment"),
            ("2. Daily run, 100-paper day (warm): wall time", f"**{ms(d['created_s'])}**",
             f"median of {d['samples']['created']} warm invocations, post created"),
            ("2. Daily run, 100-paper day (warm): requests", _count_text(d["counts"]["created"]),
             "100 papers fill the page (limit=100), so page 1 is asked for too"),
        ]
    if "daily99" in figures:
        rows.append(("2. Daily run, 99-paper day (warm): requests", _count_text(figures["daily99"]["counts"]["created"]),
                     "a page that is not full ends the paging"))
    if d:
        rows += [
            ("3. Unchanged re-run (warm): wall time", f"**{ms(d['unchanged_s'])}**", f"median of {d['samples']['unchanged']}"),
            ("3. Unchanged re-run: requests", _count_text(d["counts"]["unchanged"]), "writes must be 0"),
            ("2–3. Peak RSS of a daily execution environment", f"{d['peak_rss_kb'] / 1024:.0f} MB",
             "VmHWM after 1 cold + 2 created + 2 unchanged invocations"),
        ]
    for name in figures.get("backfill_scenarios", []):
        b = figures[name]
        what = f"4. {b['days']}-day backfill, {b['label']}"
        again = b["rerun"]
        pacing = ("paced at the deployed HF_MAX_RPS=1" if b["paced"] else
                  f"HF_MAX_RPS=0 (paced at the deployed 1/s, the {b['counts']['hf']} HF requests alone would take "
                  f"≥ {b['counts']['hf'] / 60:.0f} min)")
        rows += [
            (f"{what}: wall time", f"**{b['wall_s']:.1f} s** ({b['days_per_s']:.{0 if b['days_per_s'] >= 10 else 1}f} days/s)",
             f"median of {b['runs']}; {b['papers_note']}; {pacing}"),
            (f"{what}: requests", _count_text(b["counts"]), f"statuses {b['statuses']}"),
            (f"{what}: commits, peak RSS", f"**{b['commits']}** commit, **{b['peak_rss_kb'] / 1024:.0f} MB**"
             f" (max {b['peak_rss_max_kb'] / 1024:.0f} MB)",
             f"VmHWM of the function's process; the create-tree request carried {b['create_tree_bytes'] / 2**20:.1f} MB"),
            (f"{what}, re-run (unchanged)", f"{again['wall_s']:.1f} s, {again['commits']} commits, "
             f"peak {again['peak_rss_kb'] / 1024:.0f} MB", _count_text(again["counts"]) + f"; statuses {again['statuses']}"),
        ]
    r = figures.get("render")
    if r:
        rows += [
            ("5. Render a 100-paper post (warm)", f"**{ms(r['render_100_s'])}**",
             f"{r['bytes_100']:,} bytes; first render (jinja2 import + template compile) {ms(r['first_s'])}"),
            ("5. Render a 10-paper post (warm, TOP_N default)", ms(r["render_10_s"]), ""),
        ]
    s = figures.get("size")
    if s:
        if "skipped" in s:
            rows.append(("6. Deployment size", f"skipped ({s['skipped']})", ""))
        else:
            for name, v in s.items():
                if isinstance(v, dict):
                    rows.append((f"6. Deployment size: {name}", f"**{v['bytes']:,} B** ({v['zip_bytes']:,} B zipped)",
                                 f"{v['files']} files; built by {s['sam']}"))
    lines = ["| Figure | Value | Notes |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs of everything (a smoke test)")
    parser.add_argument("--only", default="import,daily,backfill,render,size",
                        help="comma-separated subset of: import,daily,backfill,render,size")
    parser.add_argument("--backfill-papers", type=int, metavar="N",
                        help="one backfill with N papers on every day, instead of the two default compositions")
    parser.add_argument("--paced", action="store_true",
                        help="backfill at the deployed HF pace (1 request/s: minutes per run; one run)")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    runs = {"import": 5 if args.quick else 15, "daily": 2 if args.quick else 5,
            "backfill": 1 if args.quick or args.paced else 3, "render": 10 if args.quick else 50}
    scenarios = dict(BACKFILL_SCENARIOS)
    if args.backfill_papers is not None:
        n = args.backfill_papers
        scenarios = {f"backfill_{n}": (lambda date: n, f"{n} papers/day", f"{n} papers on every day")}

    from fakes.github import FakeGitHub

    figures: dict[str, Any] = {"machine": machine(), "runs": runs}
    print(f"# hf-daily-papers benchmark — {figures['machine']['date']}", flush=True)
    print(f"{figures['machine']['cores']} cores ({figures['machine']['cpu']}), Python {figures['machine']['python']}, "
          f"boto3 {figures['machine']['boto3']}, commit {figures['machine']['commit']}, "
          f"load average at start {', '.join(f'{x:.2f}' for x in figures['machine']['loadavg_at_start'])}\n", flush=True)

    def step(name: str, fn: Callable[[], Any]) -> None:
        started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        figures[name] = fn()
        print(f"  {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    if "import" in only:
        step("cold_import", lambda: cold_import(runs["import"]))
    needs_servers = only & {"daily", "backfill"}
    if needs_servers:
        moto = CountingMoto()
        setup_aws(moto)
        hf = make_synthetic_hf(lambda date: 100).start()
        try:
            if "daily" in only:
                with FakeGitHub(token=TOKEN) as github:
                    step("daily", lambda: daily_runs(hf, github, moto, runs["daily"]))
                    step("breakdown", lambda: cold_start_breakdown(hf, github, moto, runs["daily"] + 2))
                hf.papers_per_day = lambda date: 99
                with FakeGitHub(token=TOKEN) as github:
                    step("daily99", lambda: daily_runs(hf, github, moto, 1))
            if "backfill" in only:
                for name, (plan, label, note) in scenarios.items():
                    hf.papers_per_day = plan
                    step(name, lambda: backfill(hf, moto, runs["backfill"], lambda: FakeGitHub(token=TOKEN),
                                                paced=args.paced))
                    figures[name].update(label=label, papers_note=note)
                figures["backfill_scenarios"] = list(scenarios)
        finally:
            hf.stop()
            moto.stop()
    if "render" in only:
        step("render", lambda: render_only(runs["render"]))
    if "size" in only:
        step("size", deployment_size)
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
