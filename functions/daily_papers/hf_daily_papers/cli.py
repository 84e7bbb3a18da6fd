"""Command line: run the pipeline locally.

By default the archive and the posts go into a folder (`--out`, default `./out`): no AWS, no
GitHub. `--bucket` (or BUCKET_NAME) archives to S3 instead, `--repo` (or GITHUB_REPOSITORY)
publishes to GitHub, exactly as the Lambda function does.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from . import app
from .errors import BadInput, DailyPapersError
from .inputs import DailyRequest, Request, date_range, last_closed_day, monthly, parse_date, weekly
from .settings import Settings

COMMANDS = ("run", "backfill", "digest")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hf-daily-papers",
        description="Hugging Face Daily Papers → ranked Korean Jekyll post, archived and published.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{run,backfill,digest}")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dry-run", action="store_true", help="render and print the post; write nothing")
        p.add_argument("--out", type=Path, default=Path("out"), help="local folder for archive/ and blog/ (default ./out)")
        p.add_argument("--bucket", help="archive to this S3 bucket instead of the folder (env BUCKET_NAME)")
        p.add_argument("--repo", help="publish to this GitHub repo, owner/name (env GITHUB_REPOSITORY)")
        p.add_argument("--branch", help="GitHub branch (env GITHUB_BRANCH, default main)")
        p.add_argument("--hf-dir", type=Path, help="read saved API answers <dir>/<date>.json instead of the HF API")
        p.add_argument("--top-n", type=int, help="papers per post, 0 = all (env TOP_N, default 10)")
        p.add_argument("--author", help="front matter author (env POST_AUTHOR)")
        p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    run = sub.add_parser("run", help="one day (default command)")
    run.add_argument("--date", help="YYYY-MM-DD (default: the last closed UTC day)")
    common(run)
    backfill = sub.add_parser("backfill", help="every day of a range, in one commit")
    backfill.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    backfill.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    common(backfill)
    digest = sub.add_parser("digest", help="monthly or weekly digest")
    period = digest.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--week", help="ISO week, YYYY-Www")
    common(digest)
    return parser


def parse_request(args: argparse.Namespace, today: Any) -> Request:
    if args.command == "backfill":
        return date_range(args.start, args.end, today, dry_run=args.dry_run)
    if args.command == "digest":
        if args.month is not None:
            return monthly(args.month, today, dry_run=args.dry_run)
        return weekly(args.week, today, dry_run=args.dry_run)
    date = parse_date("--date", args.date, today) if args.date else last_closed_day(app.utc_now())
    return DailyRequest(date, dry_run=args.dry_run)


def settings_for(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    env = dict(env)
    for flag, name in (("bucket", "BUCKET_NAME"), ("repo", "GITHUB_REPOSITORY"), ("branch", "GITHUB_BRANCH"),
                       ("top_n", "TOP_N"), ("author", "POST_AUTHOR")):
        value = getattr(args, flag)
        if value is not None:
            env[name] = str(value)
    return Settings.from_env(env)


def services_for(args: argparse.Namespace, settings: Settings) -> app.Services:
    local = app.folder_services(args.out, settings, hf_dir=args.hf_dir)
    if settings.bucket_name:
        local.archive = app.s3_archive(settings)
    if settings.github_repository:
        local.publisher = app.github_publisher(settings)
    return local


class ProgressBar:
    """`[#####-----]  12/365  2026-01-12` on stderr, redrawn in place on a terminal."""

    def __init__(self, stream: Any = sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.tty = stream.isatty()

    def __call__(self, done: int, total: int, date: str) -> None:
        filled = self.width * done // total
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {done:>4}/{total} {date}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or done % 10 == 0 or done == 1:
            self.stream.write(line + "\n")
        self.stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(message)s")
    try:
        settings = settings_for(args, dict(os.environ))
        request = parse_request(args, app.utc_now().date())
        services = services_for(args, settings)
        progress = None
        if args.command == "backfill" and not args.no_progress:
            progress = ProgressBar()
        result = app.handle(request, services, settings, progress=progress)
    except BadInput as exc:
        print(f"hf-daily-papers: error: {exc}", file=sys.stderr)
        return 2
    except DailyPapersError as exc:
        print(f"hf-daily-papers: failed: {exc}", file=sys.stderr)
        return 1
    if getattr(request, "dry_run", False) and result.get("post"):
        sys.stdout.write(result["post"])
        result = {k: v for k, v in result.items() if k != "post"}
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
