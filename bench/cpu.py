#!/usr/bin/env python3
"""The backfill's CPU per day, next to its floor, measured in the same process and run.

    python3 bench/cpu.py [--days 365] [--papers 100]

Both sides get the same input: each day's Hugging Face answer as bytes (synthetic 100-paper
days, tests/fakes/synthetic.py). No sockets, no files: the source hands the bytes to the real
parse stage, the archive and the blog are in memory, so what is measured is the code's own CPU.

- floor: what any tool must do per day: `json.loads` of the answer, an f-string render of the
  top 10, and a C-encoder `json.dumps` of the record;
- first run: the backfill use case (`daily.backfill`) over a fresh archive;
- re-run: the same backfill again, nothing changed (the archive holds every day).

Prints per-day CPU (time.process_time) and the ratios to the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions" / "daily_papers"), str(ROOT / "tests")]

from hf_daily_papers.daily import Options, backfill  # noqa: E402
from hf_daily_papers.inputs import RangeRequest  # noqa: E402
from hf_daily_papers.models import Day  # noqa: E402
from hf_daily_papers.parse import loads, parse_day  # noqa: E402
from hf_daily_papers.ports import Ports  # noqa: E402
from hf_daily_papers.publish import Publication  # noqa: E402
from hf_daily_papers.render import PostStyle  # noqa: E402
from hf_daily_papers.run import RunContext  # noqa: E402

from fakes.synthetic import synthetic_day  # noqa: E402

NOW = dt.datetime(2027, 1, 2, 0, 15, tzinfo=dt.UTC)


class BytesSource:
    def __init__(self, answers: Mapping[str, bytes]) -> None:
        self.answers = answers

    def url(self, date: dt.date) -> str:
        return f"https://huggingface.co/api/daily_papers?date={date}"

    def fetch_day(self, date: dt.date, known: str = "") -> Day | None:
        """As HfApiSource does once the bytes are in: the same answer as `known` is None."""
        data = self.answers[date.isoformat()]
        answer_hash = hashlib.sha256(data).hexdigest()
        if known and answer_hash == known:
            return None
        items = loads(data, "Hugging Face", f"daily papers of {date}")
        return replace(parse_day(date, [items], NOW), answer_hash=answer_hash)


class MemoryArchive:
    where = "memory"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def set_aside(self, key: str) -> str:
        return key


class MemoryBlog:
    where = "memory"

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def publish(self, files: Mapping[str, str], message: str) -> Publication:
        statuses = {p: "unchanged" if self.files.get(p) == t else "updated" if p in self.files else "created"
                    for p, t in files.items()}
        self.files.update(files)
        return Publication(statuses, "0" * 40 if any(s != "unchanged" for s in statuses.values()) else None)


def floor(answers: Mapping[str, bytes]) -> float:
    started = time.process_time()
    for date, data in answers.items():
        items = json.loads(data)
        top = sorted(items, key=lambda i: -i["paper"]["upvotes"])[:10]
        post = "".join(f"{n}. **{i['paper']['title']}** ({i['paper']['upvotes']})\n   - Abstract: "
                       f"{i['paper']['summary']}\n" for n, i in enumerate(top, 1))
        record = {"date": date, "fetched_at": "2027-01-02T00:15:00Z", "post": post, "papers": items}
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--papers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the least is reported")
    args = parser.parse_args()
    start = dt.date(2026, 1, 1)
    dates = [start + dt.timedelta(days=i) for i in range(args.days)]
    answers = {d.isoformat(): json.dumps(synthetic_day(d.isoformat(), args.papers)).encode() for d in dates}
    request = RangeRequest(dates[0], dates[-1])
    options = Options(top_n=10, style=PostStyle(), concurrency=1)  # CPU, not wall time: one day at a time
    floors, firsts, reruns = [], [], []
    for _ in range(args.repeat):  # interleaved, the least of each: what the code costs, not the machine's noise
        floors.append(floor(answers))
        archive, blog = MemoryArchive(), MemoryBlog()
        ports = Ports(BytesSource(answers), archive, blog)
        started = time.process_time()
        first = backfill(request, ports, options, RunContext())
        firsts.append(time.process_time() - started)
        started = time.process_time()
        again = backfill(request, ports, options, RunContext())
        reruns.append(time.process_time() - started)
        assert {d.status.value for d in first.days} == {"created"}, first.days[0]
        assert {d.status.value for d in again.days} == {"unchanged"}, again.days[0]
    floor_cpu, first_cpu, rerun_cpu = min(floors), min(firsts), min(reruns)
    per = 1000 / args.days
    print(f"backfill CPU per day, {args.days} days x {args.papers} papers, least of {args.repeat} runs "
          f"(Python {sys.version.split()[0]}):")
    print(f"  floor      {floor_cpu * per:6.1f} ms")
    print(f"  first run  {first_cpu * per:6.1f} ms  ({first_cpu / floor_cpu:.2f}x the floor)")
    print(f"  re-run     {rerun_cpu * per:6.1f} ms  ({rerun_cpu / floor_cpu:.2f}x the floor, "
          f"{rerun_cpu / first_cpu:.2f}x the first run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
