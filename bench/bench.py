#!/usr/bin/env python3
"""The benchmark: cold import, daily runs, 365-day backfills, rendering and deployment size.

    python3 -m pip install -q -e '.[dev]' && python3 bench/bench.py

Everything runs against servers on 127.0.0.1 (no network), all in this (the parent) process:
the tests' fake Hugging Face (serving synthetic days, tests/fakes/synthetic.py) and GitHub, and
moto's S3 + Secrets Manager behind the tests' FakeServer; every request is counted from the
servers' request logs. The function runs in child processes, started the way Lambda starts an
execution environment (a fresh interpreter that imports `hf_daily_papers.handler` and calls
`lambda_handler`), so its timings, imports and peak RSS are its own. Each figure is the median
of several runs. `--quick` runs fewer of everything, `--only` picks parts, `--backfill-papers N`
backfills N papers on every day (instead of the two default compositions), `--paced` backfills
at the deployed Hugging Face pace (HF_MAX_RPS 1/s). Prints a Markdown table (and `--json FILE`
writes the raw figures).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "daily_papers"  # the function's CodeUri
TESTS = ROOT / "tests"
sys.path[:0] = [str(FUNCTION_DIR), str(TESTS)]  # this checkout's package (not an older install), `fakes`

from fakes.github import FakeGitHub  # noqa: E402
from fakes.hf import FakeHF  # noqa: E402
from fakes.server import FakeServer, Reply, Request  # noqa: E402
from fakes.synthetic import SyntheticDays, synthetic_day  # noqa: E402

REGION = "ap-northeast-2"
BUCKET = "hf-daily-papers-bench"
SECRET_NAME = "hf-daily-papers/github-token"
TOKEN = "ghp_benchTokenNotSecret0123456789abcdef"
DAILY_DATE = dt.date(2026, 2, 2)  # daily runs use this date and the days after it
BACKFILL = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))  # 365 days


def constant(papers: int) -> Callable[[dt.date], int]:
    return lambda date: papers


BACKFILL_SCENARIOS = {  # name: (papers on a date, label, description)
    "backfill": (constant(100), "100 papers/day", "100 papers on every day (worst case: 2 HF pages a day)"),
    "backfill_typical": (lambda date: 0 if date.weekday() >= 5 else 40, "typical year",
                         "typical year: 40 papers on each of the 261 weekdays, weekends empty"),
}


# ---------------------------------------------------------------------------------------------
# The servers: the tests' fakes, and moto (S3 + Secrets Manager) behind a FakeServer
# ---------------------------------------------------------------------------------------------
class MotoServer(FakeServer):
    """moto's S3 and Secrets Manager (its WSGI app) answering through FakeServer, so their
    requests are in the same kind of log as the fakes'. Secrets Manager requests are the ones
    with an X-Amz-Target header (its JSON protocol); S3's have none."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        super().__init__()
        self.app = DomainDispatcherApplication(create_backend_app)

    def handle(self, request: Request) -> Reply:
        query = urlencode(request.query, doseq=True)
        environ = {
            "REQUEST_METHOD": request.method, "SCRIPT_NAME": "", "PATH_INFO": unquote(request.path),
            "QUERY_STRING": query, "RAW_URI": f"{request.path}?{query}", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": self.url.rsplit(":", 1)[1], "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": request.headers.get("content-type", ""), "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.input": io.BytesIO(request.body), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
            **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()
               if k not in ("content-type", "content-length")},
        }
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer.update(status=int(status.split()[0]), headers=headers)

        body = b"".join(self.app(environ, start_response))
        request.body = b""  # moto holds the object; the log needs only the method, path and headers
        headers = {"Content-Type" if k.lower() == "content-type" else k: v
                   for k, v in answer["headers"] if k.lower() != "content-length"}
        return Reply(answer["status"], body, headers)

    def fresh(self) -> None:
        """No bucket, object or secret but the archive bucket (versioned) and the token secret,
        as the stack and the operator create them; an empty request log."""
        import boto3

        _post(f"{self.url}/moto-api/reset")
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name=REGION)
        s3 = session.client("s3", endpoint_url=self.url)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        session.client("secretsmanager", endpoint_url=self.url).create_secret(Name=SECRET_NAME, SecretString=TOKEN)
        self.reset_log()


def _post(url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30).read()


def create_trees(github: FakeGitHub) -> list[Request]:
    return [r for r in github.writes if r.path.endswith("/git/trees")]


@dataclasses.dataclass
class Servers:
    hf: FakeHF
    github: FakeGitHub
    aws: MotoServer

    def env(self, *, paced: bool = False) -> dict[str, str]:
        """The function's environment as deployed (template.yaml defaults), pointed at the servers.
        The token is read through Powertools Parameters (BLOG_TOKEN_SECRET), as deployed."""
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        env.update(
            PYTHONPATH=str(FUNCTION_DIR), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION, AWS_ENDPOINT_URL=self.aws.url,
            HF_ENDPOINT=self.hf.url, BLOG_API_URL=self.github.url, BLOG_REPOSITORY=self.github.repository,
            BLOG_TOKEN_SECRET=SECRET_NAME, BUCKET_NAME=BUCKET, FETCH_CONCURRENCY="4",
            POWERTOOLS_SERVICE_NAME="hf-daily-papers", POWERTOOLS_METRICS_NAMESPACE="HfDailyPapersBench",
        )
        if not paced:
            env["HF_MAX_RPS"] = "0"  # no client-side pacing against local fakes (deployed default: 1/s)
        return env

    def counted(self, child: Child, event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
        """The child's answer to `event` and the requests it made, from the servers' logs."""
        for server in (self.hf, self.github, self.aws):
            server.reset_log()
        cpu = time.process_time()  # this process's: the servers' work (and the harness's, ~nothing)
        answer = child.invoke(event)
        answer["servers_cpu_s"] = time.process_time() - cpu
        s3 = [r for r in self.aws.requests if "x-amz-target" not in r.headers]
        return answer, {
            "hf": len(self.hf.requests),
            "s3_reads": sum(not r.is_write for r in s3), "s3_writes": sum(r.is_write for r in s3),
            "github_reads": len(self.github.reads), "github_writes": len(self.github.writes),
            "github_trees": len(create_trees(self.github)),
            "secrets_reads": len(self.aws.requests) - len(s3),
        }


# ---------------------------------------------------------------------------------------------
# The function in a child process
# ---------------------------------------------------------------------------------------------
class Child:
    """A fresh interpreter (CHILD_CODE) that imports the handler and runs the events it is
    sent on stdin, one JSON line each, answering each on the result pipe with its wall time.
    The function's own stdout (Powertools logs and EMF metrics) goes to /dev/null."""

    def __init__(self, env: dict[str, str]) -> None:
        read_fd, write_fd = os.pipe()
        started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD_CODE, str(write_fd)], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     pass_fds=(write_fd,))
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        self.hello = self._read()  # {"import_s": ...} once the handler module is imported
        self.hello["spawn_to_ready_s"] = time.perf_counter() - started

    def _read(self) -> dict[str, Any]:
        line = self._results.readline()
        if not line:
            self.proc.wait(timeout=30)
            assert self.proc.stderr is not None
            raise RuntimeError(f"the function process died:\n{self.proc.stderr.read()[-4000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(event) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"the handler failed on {event}: {answer['error']}")
        return answer

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self._results.close()


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
    started, cpu = time.perf_counter(), time.process_time()
    try:
        result = handler.lambda_handler(event, Context())
    except Exception as exc:
        out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}) + "\n")
        continue
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    summary = {k: result.get(k) for k in ("status", "papers", "listed", "archived", "counts", "commit_sha")}
    new = sorted({m.split(".")[0] for m in sys.modules} - before)
    out.write(json.dumps({"wall_s": wall, "cpu_s": cpu, "result": summary, "new_top_level_modules": new, "vmhwm_kb": vmhwm()}) + "\n")
"""


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def same(samples: list[dict[str, int]]) -> dict[str, Any]:
    """The counts of identical runs (they must agree; if not, each key's distinct values)."""
    out: dict[str, Any] = {}
    for key in samples[0]:
        values = sorted({s[key] for s in samples})
        out[key] = values[0] if len(values) == 1 else values
    return out


def cold_import(runs: int) -> dict[str, Any]:
    """Fresh interpreters, interleaved: bare startup, `import boto3`, `import <handler>`.

    Two layouts of the function code: (a) this checkout with bytecode caches (a private
    PYTHONPYCACHEPREFIX, warmed first, for every variant, so boto3 and the handler are on equal
    terms); (b) "as deployed": the function package and the layer's packages copied without
    __pycache__ and run with PYTHONDONTWRITEBYTECODE=1 — Lambda's /var/task and /opt are
    read-only and `sam build` ships no .pyc, so every cold start compiles them.
    """
    tmp = Path(tempfile.mkdtemp(prefix="hfdp-bench-import-"))
    try:
        deployed_fn, deployed_layer = tmp / "function", tmp / "layer"
        no_pycache = shutil.ignore_patterns("__pycache__")
        shutil.copytree(FUNCTION_DIR / "hf_daily_papers", deployed_fn / "hf_daily_papers", ignore=no_pycache)
        deployed_layer.mkdir()
        for name in layer_packages():
            src = Path(__import__(name).__file__ or "")
            if src.name == "__init__.py":
                shutil.copytree(src.parent, deployed_layer / name, ignore=no_pycache)
            else:
                shutil.copy2(src, deployed_layer / src.name)
        base = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE") and not k.startswith("AWS_")}
        base.update(AWS_DEFAULT_REGION=REGION, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        cached = dict(base, PYTHONPATH=str(FUNCTION_DIR), PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
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
        check = ("import sys, hf_daily_papers.handler; print(sorted(m for m in "
                 "('boto3','botocore','jinja2','urllib3','aws_lambda_powertools') if m in sys.modules))")
        loaded = subprocess.run([sys.executable, "-c", check], env=cached, check=True, capture_output=True,
                                text=True).stdout.strip()
        return {"median_s": {k: median(v) for k, v in times.items()}, "runs": runs, "handler_loads": loaded}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def layer_packages() -> list[str]:
    """Top-level import names of the layer's pinned requirements (what /opt/python holds)."""
    names = {"aws-lambda-powertools": "aws_lambda_powertools", "typing-extensions": "typing_extensions"}
    out = []
    for line in (ROOT / "layers" / "dependencies" / "requirements.txt").read_text().splitlines():
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
t = T(); app.lambda_ports(settings); r["build the clients (HF, S3, GitHub)"] = T() - t
t = T(); app.github_token(settings)(); r["read the token (Powertools Parameters: client + GetSecretValue)"] = T() - t
from hf_daily_papers.models import Paper
from hf_daily_papers.render import render_daily
t = T(); render_daily(dt.date(2026, 2, 2), [Paper("2602.00001", "Title", "Abstract.", 1)])
r["first render (import jinja2, compile the templates)"] = T() - t
print(json.dumps(r))
"""


def cold_start_breakdown(servers: Servers, runs: int) -> dict[str, float]:
    samples = [json.loads(subprocess.run([sys.executable, "-c", BREAKDOWN_CODE], env=servers.env(), check=True,
                                         capture_output=True, text=True).stdout) for _ in range(runs)]
    return {step: median([s[step] for s in samples]) for step in samples[0]}


def daily_runs(servers: Servers, runs: int) -> dict[str, Any]:
    """`runs` execution environments; each: a cold first invocation (a 100-paper day), then warm
    runs of new 100-paper days (created) and the same days again (unchanged), then a 99-paper
    day (created). Counts are per invocation."""
    days = servers.hf.days
    assert isinstance(days, SyntheticDays)
    # (kind, which day of this environment, papers on it); each environment has 4 days of its own
    plan = [("cold", 0, 100), ("created", 1, 100), ("unchanged", 1, 100), ("created", 2, 100), ("unchanged", 2, 100),
            ("created_99", 3, 99)]
    walls: dict[str, list[float]] = {"cold": [], "created": [], "unchanged": []}
    counts: dict[str, list[dict[str, int]]] = {kind: [] for kind, _, _ in plan}
    imports, rss, first_imports = [], [], []
    for env_number in range(runs):
        child = Child(servers.env())
        imports.append(child.hello["import_s"])
        for kind, offset, papers in plan:
            date = DAILY_DATE + dt.timedelta(days=4 * env_number + offset)
            days.papers_per_day = constant(papers)
            answer, count = servers.counted(child, {"date": date.isoformat()})
            assert answer["result"]["status"] == ("unchanged" if kind == "unchanged" else "created"), answer
            counts[kind].append(count)
            if kind in walls:
                walls[kind].append(answer["wall_s"])
            if kind == "cold":
                first_imports = answer["new_top_level_modules"]
            if kind == "unchanged":
                peak = answer["vmhwm_kb"]  # the last: after 1 cold + 2 created + 2 unchanged
        rss.append(peak)
        child.close()
    days.papers_per_day = constant(100)
    return {
        "peak_rss_kb": median(rss),
        "import_s": median(imports),
        "cold_invocation_s": median(walls["cold"]),
        "created_s": median(walls["created"]),
        "unchanged_s": median(walls["unchanged"]),
        "counts": {k: same(v) for k, v in counts.items()},
        "first_invocation_imports": first_imports,
        "samples": {k: len(v) for k, v in walls.items()},
    }


def backfill(servers: Servers, runs: int, *, paced: bool = False) -> dict[str, Any]:
    """The 365-day backfill event in a fresh execution environment (fresh S3 and GitHub) per run,
    then the same event again in the same environment (the re-run: nothing changed). `paced`
    keeps the deployed HF pacing (HF_MAX_RPS unset: 1 request/s) instead of HF_MAX_RPS=0."""
    start, end = BACKFILL
    event = {"start": start.isoformat(), "end": end.isoformat()}
    days = (end - start).days + 1
    first: dict[str, list[Any]] = {"wall": [], "cpu": [], "servers_cpu": [], "rss": [], "counts": [], "commits": [],
                                   "statuses": []}
    rerun: dict[str, list[Any]] = {k: [] for k in first}
    trees: list[int] = []  # bytes of each create-tree request of a first run
    for _ in range(runs):
        servers.aws.fresh()
        with FakeGitHub(token=TOKEN) as github:
            run = dataclasses.replace(servers, github=github)
            child = Child(run.env(paced=paced))
            for figures in (first, rerun):
                commits_before = len(github.history())
                answer, count = run.counted(child, event)
                figures["counts"].append(count)
                figures["commits"].append(len(github.history()) - commits_before)
                figures["wall"].append(answer["wall_s"])
                figures["cpu"].append(answer["cpu_s"])
                figures["servers_cpu"].append(answer["servers_cpu_s"])
                figures["rss"].append(answer["vmhwm_kb"])  # peak so far
                figures["statuses"].append(answer["result"]["counts"])
                if figures is first:
                    trees = [len(r.body) for r in create_trees(github)]
            child.close()
    servers.aws.fresh()

    def summary(f: dict[str, list[Any]]) -> dict[str, Any]:
        wall = median(f["wall"])
        return {"wall_s": wall, "days_per_s": days / wall, "cpu_s": median(f["cpu"]),
                "servers_cpu_s": median(f["servers_cpu"]), "peak_rss_kb": median(f["rss"]),
                "peak_rss_max_kb": max(f["rss"]), "commits": same([{"c": c} for c in f["commits"]])["c"],
                "counts": same(f["counts"]), "statuses": f["statuses"][-1]}

    return {"days": days, "runs": runs, "paced": paced, "create_tree_bytes": trees, **summary(first),
            "rerun": summary(rerun)}


def render_only(runs: int) -> dict[str, Any]:
    """Rendering a post of 100 papers (and of the default 10), after a first render (warm)."""
    from hf_daily_papers.hf import parse_day
    from hf_daily_papers.models import rank
    from hf_daily_papers.render import PostStyle, render_daily

    date = DAILY_DATE
    day = parse_day(date, [synthetic_day(date.isoformat(), 100)], dt.datetime.now(dt.UTC))
    papers = rank(day.papers, 0)
    started = time.perf_counter()
    post = render_daily(date, papers)
    out: dict[str, Any] = {"first_s": time.perf_counter() - started, "bytes_100": len(post.encode())}
    for n in (100, 10):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render_daily(date, papers[:n], PostStyle(author="lim4349"))
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
        proc = subprocess.run(
            [sam, "build", "--template-file", str(ROOT / "template.yaml"), "--build-dir", str(tmp / "build"),
             "--cache-dir", str(tmp / "cache")],
            cwd=tmp, env=dict(os.environ, SAM_CLI_TELEMETRY="0"), capture_output=True, text=True, timeout=900,
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
    import boto3

    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor(),
        "python": platform.python_version(),
        "boto3": boto3.__version__,
        "loadavg_at_start": os.getloadavg(),
        "commit": commit.stdout.strip() or "?",
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def count_text(c: dict[str, Any]) -> str:
    return (f"HF {c['hf']} · S3 {c['s3_reads']} read + {c['s3_writes']} write · GitHub {c['github_reads']} read + "
            f"{c['github_writes']} write ({c['github_trees']} create-tree) · Secrets Manager {c['secrets_reads']}")


def first_imports(modules: list[str]) -> str:
    known = [m for m in ("boto3", "s3transfer", "dateutil", "multiprocessing", "jinja2", "markupsafe") if m in modules]
    return f"{', '.join(known)} … ({len(modules)} new top-level modules)" if modules else "nothing new"


def import_rows(ci: dict[str, Any]) -> list[tuple[str, str, str]]:
    m, bare = ci["median_s"], ci["median_s"]["bare"]

    def net(name: str) -> str:
        return f"{ms(m[name])} (net {ms(m[name] - bare)})"

    return [
        ("1. Cold import: bare interpreter (`pass`)", ms(bare), f"median of {ci['runs']} fresh interpreters"),
        ("1. Cold import: `import boto3`", net("boto3"), "net = minus bare startup"),
        ("1. Cold import: `import hf_daily_papers.handler`", net("handler"), f"loads {ci['handler_loads']}"),
        ("1. Cold import: ratio handler / boto3",
         f"**{m['handler'] / m['boto3']:.2f}×** (net {(m['handler'] - bare) / (m['boto3'] - bare):.2f}×)", "target ≤ 1.3×"),
        ("1. Cold import: handler + boto3 together", net("handler+boto3"),
         f"{m['handler+boto3'] / m['boto3']:.2f}× boto3: what the first invocation ends up holding"),
        ("1. Reference: `import boto3; boto3.client('s3')`", net("boto3+s3client"),
         "the floor of any function that writes to S3 with boto3"),
        ("1. Cold import as deployed (no .pyc): handler",
         f"{ms(m['deployed_handler'])} ({m['deployed_handler'] / m['boto3']:.2f}× boto3)",
         "function + layer packages compiled at import"),
        ("1. Cold import as deployed (no .pyc): handler + boto3",
         f"{ms(m['deployed_handler+boto3'])} ({m['deployed_handler+boto3'] / m['boto3']:.2f}× boto3)", ""),
    ]


def daily_rows(d: dict[str, Any], steps: dict[str, float] | None, runs: int) -> list[tuple[str, str, str]]:
    c = d["counts"]
    rows = [("2. Cold start: handler import + first invocation", f"{ms(d['import_s'])} + {ms(d['cold_invocation_s'])}",
             f"100-paper day, post created; one-time setup in the first call (cold − warm) ≈ "
             f"{ms(d['cold_invocation_s'] - d['created_s'])}; it imports {first_imports(d['first_invocation_imports'])}")]
    if steps:
        rows.append(("2. Cold start, step by step (fresh interpreter)",
                     " · ".join(f"{name} {ms(value)}" for name, value in steps.items()),
                     f"total {ms(sum(steps.values()))}; median of {runs}"))
    rows += [
        ("2. Cold first invocation: requests", count_text(c["cold"]), "the token is read once per environment"),
        ("2. Daily run, 100-paper day (warm): wall time", f"**{ms(d['created_s'])}**",
         f"median of {d['samples']['created']} warm invocations, post created"),
        ("2. Daily run, 100-paper day (warm): requests", count_text(c["created"]),
         "100 papers fill the page (limit=100), so page 1 is asked for too"),
        ("2. Daily run, 99-paper day (warm): requests", count_text(c["created_99"]),
         "a page that is not full ends the paging"),
        ("3. Unchanged re-run (warm): wall time", f"**{ms(d['unchanged_s'])}**", f"median of {d['samples']['unchanged']}"),
        ("3. Unchanged re-run: requests", count_text(c["unchanged"]), "writes must be 0"),
        ("2–3. Peak RSS of a daily execution environment", mb(d["peak_rss_kb"]),
         "VmHWM after 1 cold + 2 created + 2 unchanged invocations"),
    ]
    return rows


def backfill_rows(b: dict[str, Any]) -> list[tuple[str, str, str]]:
    what, again, hf = f"4. {b['days']}-day backfill, {b['label']}", b["rerun"], b["counts"]["hf"]
    pacing = ("paced at the deployed HF_MAX_RPS=1" if b["paced"] else
              f"HF_MAX_RPS=0 (paced at the deployed 1/s, the {hf} HF requests alone would take ≥ {hf / 60:.0f} min)")
    trees = b["create_tree_bytes"]
    rate = f"{b['days_per_s']:.{0 if b['days_per_s'] >= 10 else 1}f}"
    return [
        (f"{what}: wall time", f"**{b['wall_s']:.1f} s** ({rate} days/s)",
         f"median of {b['runs']}; {b['papers_note']}; {pacing}; CPU: function {b['cpu_s']:.1f} s, "
         f"servers {b['servers_cpu_s']:.1f} s"),
        (f"{what}: requests", count_text(b["counts"]), f"statuses {b['statuses']}; one S3 write per day, empty days too"),
        (f"{what}: commits, peak RSS", f"**{b['commits']}** commit, **{mb(b['peak_rss_kb'])}** (max {mb(b['peak_rss_max_kb'])})",
         f"VmHWM of the function's process; {len(trees)} create-tree requests, {sum(trees) / 2**20:.1f} MB in all, "
         f"the largest {max(trees, default=0) / 2**20:.2f} MB"),
        (f"{what}, re-run (unchanged)", f"{again['wall_s']:.1f} s, {again['commits']} commits, peak {mb(again['peak_rss_kb'])}"
         f" (CPU: function {again['cpu_s']:.1f} s, servers {again['servers_cpu_s']:.1f} s)",
         f"{count_text(again['counts'])}; statuses {again['statuses']}"),
    ]


def table(figures: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str]] = []
    if "cold_import" in figures:
        rows += import_rows(figures["cold_import"])
    if "daily" in figures:
        rows += daily_rows(figures["daily"], figures.get("breakdown"), figures["runs"]["daily"] + 2)
    for name in figures.get("backfill_scenarios", []):
        rows += backfill_rows(figures[name])
    r = figures.get("render")
    if r:
        rows += [("5. Render a 100-paper post (warm)", f"**{ms(r['render_100_s'])}**",
                  f"{r['bytes_100']:,} bytes; first render (jinja2 import + template compile) {ms(r['first_s'])}"),
                 ("5. Render a 10-paper post (warm, TOP_N default)", ms(r["render_10_s"]), "")]
    s = figures.get("size", {})
    if "skipped" in s:
        rows.append(("6. Deployment size", f"skipped ({s['skipped']})", ""))
    for name, v in s.items():
        if isinstance(v, dict):
            rows.append((f"6. Deployment size: {name}", f"**{v['bytes']:,} B** ({v['zip_bytes']:,} B zipped)",
                         f"{v['files']} files; built by {s['sam']}"))
    return "\n".join(["| Figure | Value | Notes |", "|---|---|---|", *(f"| {a} | {b} | {c} |" for a, b, c in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
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
    runs = {"import": 5 if args.quick else 15, "daily": 1 if args.quick else 5,
            "backfill": 1 if args.quick or args.paced else 3, "render": 10 if args.quick else 50}
    scenarios = dict(BACKFILL_SCENARIOS)
    if args.backfill_papers is not None:
        n = args.backfill_papers
        scenarios = {f"backfill_{n}": (constant(n), f"{n} papers/day", f"{n} papers on every day")}

    figures: dict[str, Any] = {"machine": machine(), "runs": runs}
    m = figures["machine"]
    print(f"# hf-daily-papers benchmark — {m['date']}\n{m['cores']} cores ({m['cpu']}), Python {m['python']}, "
          f"boto3 {m['boto3']}, commit {m['commit']}, load average at start "
          f"{', '.join(f'{x:.2f}' for x in m['loadavg_at_start'])}\n", flush=True)

    def step(name: str, fn: Callable[[], Any]) -> None:
        started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        figures[name] = fn()
        print(f"  {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    if "import" in only:
        step("cold_import", lambda: cold_import(runs["import"]))
    if only & {"daily", "backfill"}:
        hf = FakeHF()
        hf.days = days = SyntheticDays(constant(100))
        with hf, MotoServer() as aws, FakeGitHub(token=TOKEN) as github:
            aws.fresh()
            servers = Servers(hf, github, aws)
            if "daily" in only:
                step("daily", lambda: daily_runs(servers, runs["daily"]))
                step("breakdown", lambda: cold_start_breakdown(servers, 1 if args.quick else runs["daily"] + 2))
            for name, (plan, label, note) in scenarios.items() if "backfill" in only else []:
                days.papers_per_day = plan
                step(name, lambda: backfill(servers, runs["backfill"], paced=args.paced))
                figures[name].update(label=label, papers_note=note)
                figures.setdefault("backfill_scenarios", []).append(name)
    if "render" in only:
        step("render", lambda: render_only(runs["render"]))
    if "size" in only:
        step("size", deployment_size)
    figures["machine"]["loadavg_at_end"] = os.getloadavg()
    print(table(figures))
    print(f"\nload average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
