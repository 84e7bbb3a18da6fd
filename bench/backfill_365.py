#!/usr/bin/env python3
"""A 365-day backfill against local fakes: wall time, requests, commits and peak memory.

    python3 bench/backfill_365.py [--papers 20] [--paced] [--json FILE]

The parent process serves everything on 127.0.0.1 (no network): the fake Hugging Face and
GitHub servers of tests/fakes, and moto's S3 + Secrets Manager as a WSGI server. The function
runs in a child process started like a Lambda execution environment (a fresh interpreter that
imports `hf_daily_papers.handler` and calls `lambda_handler` with the range event), so the
peak RSS it reports (VmHWM) is the function's own. It then runs the same event again (the
re-run: nothing changed).

Every day of 2025 has `--papers` synthetic papers built from the 17 real items of
tests/fixtures/hf/2026-08-21.json (real authors, keywords, ~1,500-character abstracts; about
6 KB of JSON per item). HF_MAX_RPS=0 (no client-side pacing: the fakes have no quota) unless
`--paced`, which keeps the deployed default of 1 request/s and so shows the wall time against
the real API's pace. Self-contained on purpose (bench/bench.py may fold it in).
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
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "daily_papers"
TESTS = ROOT / "tests"
sys.path[:0] = [str(FUNCTION_DIR), str(TESTS)]

REGION = "ap-northeast-2"
BUCKET = "hf-daily-papers-backfill-bench"
SECRET_NAME = "hf-daily-papers/github-token"
TOKEN = "ghp_benchTokenNotSecret0123456789abcdef"
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
EVENT = {"start": START.isoformat(), "end": END.isoformat()}


def synthetic_day(real: list[dict[str, Any]], date: dt.date, count: int) -> list[dict[str, Any]]:
    items = []
    for i in range(count):
        item = copy.deepcopy(real[i % len(real)])
        paper = item["paper"]
        paper["id"] = f"{date:%y%m}.{date:%d}{i:03d}"
        paper["title"] = item["title"] = f"{paper['title']} ({date} #{i})"
        paper["upvotes"] = (i * 37 + date.toordinal()) % 211
        paper["publishedAt"] = item["publishedAt"] = f"{date}T00:00:00.000Z"
        paper["submittedOnDailyAt"] = f"{date}T08:00:00.000Z"
        items.append(item)
    return items


class Moto:
    """moto's S3 + Secrets Manager on 127.0.0.1:<free port>, counting S3 requests by method."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = DomainDispatcherApplication(create_backend_app)
        self.s3: dict[str, int] = {}
        lock = threading.Lock()
        credential = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/s3/")

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            if credential.search(environ.get("HTTP_AUTHORIZATION", "")):
                with lock:
                    method = environ["REQUEST_METHOD"]
                    self.s3[method] = self.s3.get(method, 0) + 1
            return app(environ, start_response)

        self._server = make_server("127.0.0.1", 0, counting, threaded=True)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


CHILD = r"""
import json, os, sys, time, resource
out = os.fdopen(int(sys.argv[1]), "w", buffering=1)
from hf_daily_papers import handler

class Context:
    function_name = "hf-daily-papers"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:ap-northeast-2:123456789012:function:hf-daily-papers"
    aws_request_id = "00000000-0000-0000-0000-000000000000"

for line in sys.stdin:
    started = time.perf_counter()
    result = handler.lambda_handler(json.loads(line), Context())
    wall = time.perf_counter() - started
    with open("/proc/self/status") as status:
        vmhwm = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    out.write(json.dumps({"wall_s": wall, "vmhwm_kb": vmhwm, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                          "counts": result.get("counts"), "commit_sha": result.get("commit_sha"),
                          "result_bytes": len(json.dumps(result))}) + "\n")
"""


def run(papers: int, paced: bool) -> dict[str, Any]:
    import boto3

    from fakes.github import FakeGitHub
    from fakes.hf import FakeHF

    real = json.loads((TESTS / "fixtures" / "hf" / "2026-08-21.json").read_text("utf-8"))
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    moto = Moto()
    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
           "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": moto.url}
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    s3 = session.client("s3", endpoint_url=moto.url)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    session.client("secretsmanager", endpoint_url=moto.url).create_secret(Name=SECRET_NAME, SecretString=TOKEN)
    moto.s3.clear()

    with FakeHF({d.isoformat(): synthetic_day(real, d, papers) for d in days}) as hf, FakeGitHub(token=TOKEN) as github:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITHUB_", "HF_", "POWERTOOLS_"))}
        env.update(aws)
        env.update({
            "PYTHONPATH": str(FUNCTION_DIR), "HF_ENDPOINT": hf.url, "GITHUB_API_URL": github.url,
            "GITHUB_REPOSITORY": github.repository, "GITHUB_TOKEN_SECRET": SECRET_NAME, "BUCKET_NAME": BUCKET,
            "POST_AUTHOR": "lim4349", "TOP_N": "10", "FETCH_CONCURRENCY": "4",
            "POWERTOOLS_SERVICE_NAME": "hf-daily-papers", "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        })
        if not paced:
            env["HF_MAX_RPS"] = "0"
        read_fd, write_fd = os.pipe()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(write_fd)], env=env, stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(write_fd,), text=True)
        os.close(write_fd)
        answers = os.fdopen(read_fd)

        def invoke() -> dict[str, Any]:
            assert child.stdin is not None
            child.stdin.write(json.dumps(EVENT) + "\n")
            child.stdin.flush()
            line = answers.readline()
            if not line:
                child.wait(timeout=30)
                raise RuntimeError(f"the function failed:\n{child.stderr.read()[-4000:]}")
            return json.loads(line)

        def snapshot() -> dict[str, Any]:
            return {"hf": len(hf.requests), "github": len(github.requests), "github_writes": len(github.writes),
                    "commits": len(github.history()), "s3": dict(moto.s3)}

        figures: dict[str, Any] = {"days": len(days), "papers_per_day": papers, "paced": paced}
        for name in ("first", "rerun"):
            before = snapshot()
            answer = invoke()
            after = snapshot()
            figures[name] = {
                "wall_s": round(answer["wall_s"], 2),
                "statuses": answer["counts"],
                "hf_requests": after["hf"] - before["hf"],
                "github_requests": after["github"] - before["github"],
                "github_writes": after["github_writes"] - before["github_writes"],
                "commits": after["commits"] - before["commits"],
                "s3_requests": {m: n - before["s3"].get(m, 0) for m, n in after["s3"].items()},
                "peak_rss_mb_so_far": round(answer["vmhwm_kb"] / 1024, 1),
                "result_json_bytes": answer["result_bytes"],
            }
        tree = next(r for r in github.requests if r.method == "POST" and r.path.endswith("/git/trees"))
        figures["create_tree_body_mb"] = round(len(tree.body) / 2**20, 2)
        figures["posts_in_repo"] = sum(p.startswith("_posts/") for p in github.files())
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=60)
    moto.stop()
    figures["machine"] = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20, help="papers on each day (default 20)")
    parser.add_argument("--paced", action="store_true", help="keep HF_MAX_RPS at its default (1 request/s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures = run(args.papers, args.paced)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
