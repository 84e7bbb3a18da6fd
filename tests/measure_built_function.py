"""Measure the built function's peak memory and CPU (the figures behind template.yaml's sizing).

    python3 tests/measure_built_function.py        # needs sam; about a minute

`sam build`, then the same isolated invocation as tests/test_sam_build.py, against the fakes
serving a year of synthetic days (each weekday: 40 papers copied from a real day, ~237 KB of
JSON), moto's server for S3 and Secrets Manager. Prints peak RSS (VmHWM) and CPU seconds per run.
Not a test: nothing here is asserted.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3
import test_sam_build as harness
from moto.server import ThreadedMotoServer

from conftest import EVENTS, REGION, TOKEN, load_hf
from fakes.github import FakeGitHub
from fakes.hf import FakeHF

BUCKET = "hf-daily-papers-measure"
PAPERS_PER_DAY = 40
FIRST = dt.date(2025, 8, 22)
LAST = FIRST + dt.timedelta(days=364)


def year_of_days() -> dict[str, list]:
    real = load_hf("2026-08-21")
    days = {}
    for i in range(365):
        day = FIRST + dt.timedelta(days=i)
        if day.weekday() >= 5:
            continue
        items = []
        for k in range(PAPERS_PER_DAY):
            item = copy.deepcopy(real[k % len(real)])
            item["paper"]["id"] = f"25{i:03d}.{k:05d}"
            item["paper"]["submittedOnDailyAt"] = f"{day}T12:00:00.000Z"
            items.append(item)
        days[day.isoformat()] = items
    return days


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    sam = shutil.which("sam")
    if sam is None:
        sys.exit("sam (aws-sam-cli) is not on PATH")
    tmp = Path(tempfile.mkdtemp(prefix="hf-daily-papers-measure-"))
    try:
        harness.sam_build(sam, tmp / "build")
        function = harness.BuiltFunction(tmp / "build", harness.runtime_shim(tmp / "runtime"))
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = dict(region_name=REGION, endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x")
        s3 = boto3.client("s3", **client)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        boto3.client("secretsmanager", **client).create_secret(Name=harness.SECRET_NAME, SecretString=TOKEN)
        days = year_of_days()
        size = sum(len(json.dumps(items)) for items in days.values()) / 2**20
        print(f"{len(days)} weekdays of {PAPERS_PER_DAY} papers, {size:.0f} MB of JSON")
        env = dict(json.loads((EVENTS / "env.json").read_text("utf-8"))[harness.FUNCTION])
        with FakeHF(days | {"2026-02-25": load_hf("seed-2026-02-25")}) as hf, FakeGitHub(token=TOKEN) as github:
            env.update(
                HF_ENDPOINT=hf.url, BLOG_API_URL=github.url, BLOG_REPOSITORY=github.repository,
                BUCKET_NAME=BUCKET, HF_MAX_RPS="0", POWERTOOLS_LOG_LEVEL="INFO",
                AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_REGION=REGION,
                AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=endpoint,
            )
            year = {"start": FIRST.isoformat(), "end": LAST.isoformat()}
            runs = [
                ("import only (rejected event)", {"date": "2999-01-01"}),
                ("daily, 10 papers", {"date": "2026-02-25"}),
                (f"daily, {PAPERS_PER_DAY} papers", {"date": (LAST - dt.timedelta(days=1)).isoformat()}),
                ("backfill 365 days", year),
                ("backfill 365 days again (unchanged)", year),
                ("monthly digest", {"digest": "monthly", "month": f"{LAST:%Y-%m}"}),
            ]
            print(f"{'run':40} {'peak RSS':>9} {'CPU s':>6}  status")
            for name, event in runs:
                run = function.invoke(event, env, tmp)
                status = run.error or run.result.get("status") or run.result.get("counts")
                print(f"{name:40} {run.max_rss_mb:7.1f}MB {run.cpu_seconds:6.2f}  {str(status)[:60]}")
        server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
