"""Command line: run the pipeline locally.

By default the archive and the posts go into a folder (`--out`, default `./out`): no AWS, no
GitHub. `--bucket` (or BUCKET_NAME) archives to S3 instead, `--repo` (or BLOG_REPOSITORY)
publishes to GitHub, exactly as the Lambda function does. (Never GITHUB_REPOSITORY: GitHub
Actions sets it in every job, to the workflow's own repository.)

Ctrl-C stops a run: no day is started after it, the days in progress are finished (so that what
was written is known exactly), nothing is published, and the last line says what was written.

Whatever goes wrong ends in one line on stderr that names what to fix (the flag as typed, or
the path), and an exit status: 2 bad input (a usage mistake too, in one line), 1 failure,
130 interrupted, 0 done. Never a traceback for a user's mistake or an upstream fault.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import __version__, app
from .digest import TOP_PAPERS
from .errors import BadInput, DailyPapersError, SettingsError
from .inputs import DailyRequest, RangeRequest, Request, date_range, last_closed_day, monthly, parse_date, weekly
from .ports import Ports
from .redact import MaskLogRecords
from .results import RunRecord, RunResult, to_json
from .run import Cancelled, error_text
from .settings import Settings

PROG = "hf-daily-papers"
COMMANDS = ("run", "backfill", "digest")
#: Settings a flag can set, and that flag: errors about the value name the flag the user typed.
FLAG_SETTINGS = {
    "bucket": ("--bucket", "BUCKET_NAME"),
    "repo": ("--repo", "BLOG_REPOSITORY"),
    "branch": ("--branch", "BLOG_BRANCH"),
    "top_n": ("--top-n", "TOP_N"),
    "author": ("--author", "POST_AUTHOR"),
    "permalink": ("--no-permalink", "POST_PERMALINK"),
    "summary_model": ("--summary-model", "SUMMARY_MODEL"),
    "summary_language": ("--summary-language", "SUMMARY_LANGUAGE"),
}
#: Saved API answers are `<date>.json`; a folder without any is not a folder of saved answers.
SAVED_ANSWER_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].json"


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line, like every other error (not the whole usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Hugging Face Daily Papers → ranked Korean Jekyll post, archived and published. "
                    "Without a command: run.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{run,backfill,digest}")

    def common(p: argparse.ArgumentParser, dry_run: str) -> None:
        p.add_argument("--dry-run", action="store_true", help=dry_run)
        p.add_argument("--out", default="out",
                       help="local folder for archive/ and blog/ (default ./out); checked before anything runs")
        p.add_argument("--bucket", help="archive to this S3 bucket instead of the folder (env BUCKET_NAME)")
        p.add_argument("--repo", help="publish to this GitHub repo, owner/name, instead of the folder "
                                      "(env BLOG_REPOSITORY; token: BLOG_TOKEN or BLOG_TOKEN_SECRET)")
        p.add_argument("--branch", help="GitHub branch (env BLOG_BRANCH, default main)")
        p.add_argument("--hf-dir", help="read saved API answers <dir>/<date>.json instead of the HF API")
        p.add_argument("--top-n", metavar="N", help="papers per daily post, 0 = all (env TOP_N, default 10)")
        p.add_argument("--author", help="front matter author (env POST_AUTHOR)")
        p.add_argument("--no-permalink", dest="permalink", action="store_const", const="false",
                       help="no front matter permalink: line, the old generator's format (env POST_PERMALINK=false; "
                            "default: each post its own URL, /posts/daily-papers-YYYY-MM-DD/)")
        p.add_argument("--summary-model", metavar="ID",
                       help="Bedrock model or inference profile for the summaries, with your AWS "
                            "credentials (env SUMMARY_MODEL; default off)")
        p.add_argument("--summary-language", metavar="LANG",
                       help="language of the summaries: ko, en, ja or zh (env SUMMARY_LANGUAGE, default ko)")
        p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    what = "fetch one day's papers, archive them and write (or commit) its post; the default command"
    run = sub.add_parser("run", help=what, description=what[0].upper() + what[1:] + ".")
    run.add_argument("--date", help="YYYY-MM-DD (default: the last closed UTC day)")
    common(run, "print the post on stdout and the result (JSON) on stderr; write nothing")
    what = "run every day of a range, any length: archive each day, then all changed posts in one commit"
    backfill = sub.add_parser("backfill", help=what, description=what[0].upper() + what[1:] + ". "
                              "Ctrl-C stops it: days not started are skipped, nothing is published.")
    backfill.add_argument("--start", required=True, help="first day, YYYY-MM-DD (the API starts at 2023-05-04)")
    backfill.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
    backfill.add_argument("--summarize", action="store_true",
                          help="also summarize the range's listed papers (needs --summary-model or SUMMARY_MODEL)")
    backfill.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    common(backfill, "print one JSON document (every day's result, each with its post); write nothing")
    what = (f"write a monthly or weekly digest post (its top {TOP_PAPERS['monthly']} or {TOP_PAPERS['weekly']} "
            "papers, statistics, keywords) from the archived days, fetching and archiving any day missing")
    digest = sub.add_parser("digest", help="write a monthly or weekly digest post from the archived days",
                            description=what[0].upper() + what[1:] + ".")
    period = digest.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--week", help="ISO week, YYYY-Www")
    common(digest, "print the digest post on stdout and the result (JSON) on stderr; write nothing")
    return parser


def parse_request(args: argparse.Namespace, now: dt.datetime) -> Request:
    """The request the arguments ask for at `now`; errors name the flag (`--date='2026-02-30': …`)."""
    today = now.date()
    if args.command == "backfill":
        # No 366-day cap here: the CLI has no 15-minute limit (the whole history in one commit).
        return date_range(args.start, args.end, today, dry_run=args.dry_run, summarize=args.summarize,
                          max_days=None, fields=("--start", "--end"))
    if args.command == "digest":
        if args.month is not None:
            return monthly(args.month, today, dry_run=args.dry_run, field="--month")
        return weekly(args.week, today, dry_run=args.dry_run, field="--week")
    date = parse_date("--date", args.date, today) if args.date is not None else last_closed_day(now)
    return DailyRequest(date, dry_run=args.dry_run)


def settings_for(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """Settings from the environment, each flag given overriding its variable. A bad value that
    came from a flag is reported with the flag as typed (`--top-n='5000': expected 0..1000`)."""
    env = dict(env)
    flagged: dict[str, tuple[str, Any]] = {}  # variable -> (flag, value as typed)
    for attr, (flag, name) in FLAG_SETTINGS.items():
        value = getattr(args, attr, None)
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            # An empty value would silently mean "unset" (e.g. no publishing at all).
            raise BadInput(flag, value, "empty")
        env[name] = str(value)
        flagged[name] = (flag, value)
    try:
        return Settings.from_env(env)
    except SettingsError as exc:
        if exc.field not in flagged:
            raise
        flag, value = flagged[exc.field]
        raise BadInput(flag, value, _problem(exc)) from None


def _problem(exc: BadInput) -> str:
    """The `problem` part of `FIELD=value: problem`."""
    prefix = str(BadInput(exc.field, exc.value, ""))  # "FIELD=<value as shown>: "
    message = str(exc)
    return message[len(prefix):] if message.startswith(prefix) else message


def _path_flag(flag: str, raw: str, expected: str) -> Path:
    """A path flag's value, refused when empty or not a path at all."""
    if not raw.strip():
        raise BadInput(flag, raw, f"empty: expected {expected}")
    if "\0" in raw:  # pathlib's exists() says False for it; every open would fail
        raise BadInput(flag, raw, "not a valid path: it contains a NUL character")
    return Path(raw)


def check_hf_dir(raw: str) -> Path:
    """`--hf-dir` must be a readable folder holding saved answers (`<date>.json`): a mistyped
    path must not pass for a day without papers."""
    path = _path_flag("--hf-dir", raw, "a folder of saved API answers")
    try:
        if not path.exists():
            raise BadInput("--hf-dir", raw, "no such folder")
        if not path.is_dir():
            raise BadInput("--hf-dir", raw, "is a file, not a folder")
        if next(path.glob(SAVED_ANSWER_GLOB), None) is None:
            raise BadInput("--hf-dir", raw, "no saved answers in it (expected files named YYYY-MM-DD.json)")
    except OSError as exc:
        raise BadInput("--hf-dir", raw, f"cannot read it: {exc.strerror or exc}") from None
    return path


def check_out(raw: str, *, writes: bool) -> Path:
    """`--out` must be a folder, or a path where one can be created, and (unless nothing is to be
    written) one where folders can be made: checked before any work, leaving nothing behind (a
    run that fails on bad input writes nothing)."""
    path = _path_flag("--out", raw, "a folder")
    try:
        if path.exists() and not path.is_dir():
            raise BadInput("--out", raw, "is a file, not a folder")
        for sub in ("archive", "blog"):
            if (path / sub).exists() and not (path / sub).is_dir():
                raise BadInput("--out", raw, f"{path / sub} is a file where a folder belongs")
        existing = _existing_parent(path)
        if not existing.is_dir():
            raise BadInput("--out", raw, f"cannot be created: {existing} is a file")
        if writes:
            # Where the run will create folders and files: the nearest existing folder of each.
            for folder in sorted({_existing_parent(path / "archive"), _existing_parent(path / "blog" / "_posts")}):
                problem = _cannot_write_in(folder)
                if problem:
                    raise BadInput("--out", raw, f"cannot write in {folder}: {problem}")
    except OSError as exc:
        raise BadInput("--out", raw, f"cannot use it: {exc.strerror or exc}") from None
    return path


def _existing_parent(path: Path) -> Path:
    """`path` if it exists, else its nearest existing parent."""
    return next(p for p in (path.absolute(), *path.absolute().parents) if p.exists())


def _cannot_write_in(folder: Path) -> str | None:
    """Why no folder can be made in `folder` (None if one can). Tried, not guessed from the mode
    bits: root passes every permission check, and /proc, /sys or a read-only mount refuse anyway.
    The folder made to find out is removed at once."""
    try:
        probe = tempfile.mkdtemp(prefix=".hf-daily-papers-check-", dir=folder)
    except OSError as exc:
        if exc.errno == errno.ENOENT:  # /proc and the like: the folder exists, new entries do not
            return "it does not take new folders"
        return exc.strerror or type(exc).__name__
    os.rmdir(probe)
    return None


def ports_for(args: argparse.Namespace, settings: Settings, request: Request,
              wiring: app.Wiring = app.DEFAULT_WIRING) -> Ports:
    """A folder for the archive and the posts unless `--bucket` and `--repo` both replace it;
    saved answers (`--hf-dir`) instead of Hugging Face. Paths are checked before anything runs."""
    uses_folder = not (settings.bucket_name and settings.github_repository)
    out = check_out(args.out, writes=not request.dry_run) if uses_folder else Path(args.out)
    hf_dir = check_hf_dir(args.hf_dir) if args.hf_dir is not None else None
    return app.folder_ports(out, settings, hf_dir=hf_dir, wiring=wiring)


class ProgressBar:
    """`[#####-----]  12/365  2026-01-12` on stderr, redrawn in place on a terminal."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr  # looked up now: tests (and callers) may swap sys.stderr
        self.width = width
        self.tty = self.stream.isatty()

    def __call__(self, done: int, total: int, date: str) -> None:
        filled = self.width * done // total
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {done:>4}/{total} {date}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
        elif done == total or done % 10 == 0 or done == 1:
            self.stream.write(line + "\n")
        self.stream.flush()


# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class LineFormatter(logging.Formatter):
    """`LEVEL message key=value …`: the pipeline's `extra=` fields (for the Lambda's JSON logs)
    are shown in the line a person reads, unless the message already says them (`day failed:
    2026-02-25: …` need not repeat `date=2026-02-25`)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line = f"{record.levelname} {message}"
        for key, value in vars(record).items():
            if key in _RECORD_ATTRS or key.startswith("_") or value is None:
                continue
            shown = _compact(value)
            if shown not in message:
                line += f" {key}={shown}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" ({type(error).__name__}: {error})"  # one line: no traceback
        return line.replace("\n", " ")


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


class _Logging:
    """The CLI's log lines on stderr for one `main()` call; undone afterwards (main may run
    many times in one process, and must never print a line twice)."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.handler = logging.StreamHandler(sys.stderr)
        self.handler.setFormatter(LineFormatter())
        self.handler.addFilter(MaskLogRecords())  # every line, whatever logger made it: secrets masked
        self.ours = logging.getLogger("hf_daily_papers")
        # Levels for this run: ours (INFO with -v); the HTTP client's retry lines only with -v (a
        # call that still fails says "after N tries" in its error); urllib3's own "Retrying (...)"
        # warnings never (our client logs each retry once).
        self.levels = {
            self.ours: logging.INFO if verbose else logging.WARNING,
            logging.getLogger("hf_daily_papers.httpclient"): logging.NOTSET if verbose else logging.ERROR,
            logging.getLogger("urllib3"): logging.ERROR,
        }

    def __enter__(self) -> _Logging:
        self.saved = {logger: logger.level for logger in self.levels}
        self.saved_propagate = self.ours.propagate
        for logger, level in self.levels.items():
            logger.setLevel(level)
        self.ours.propagate = False
        self.ours.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self.ours.removeHandler(self.handler)
        self.ours.propagate = self.saved_propagate
        for logger, level in self.saved.items():
            logger.setLevel(level)


def _os_error(exc: OSError) -> str:
    """`<path>: <reason>` for a file-system error (no errno numbers, no traceback)."""
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    return reason


def _say(line: str) -> None:
    print(f"{PROG}: {line}", file=sys.stderr)


def main(argv: Sequence[str] | None = None, *, wiring: app.Wiring = app.DEFAULT_WIRING) -> int:
    """The CLI. `wiring`: the clock and HTTP timing (tests pass a fixed clock and a fast one)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        argv.insert(0, "run")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage mistake (its one line is printed)
        return exc.code if isinstance(exc.code, int) else 2
    record = RunRecord()
    with _Logging(args.verbose), _Interruptible(graceful=args.command != "run") as cancel:
        try:
            result = _run(args, record, wiring, cancel)
        except (KeyboardInterrupt, Cancelled):
            _say("interrupted")
            _say(record.describe())
            return 130
        except BadInput as exc:
            _say(f"error: {exc}")
            if record.archived or record.commits:
                _say(record.describe())
            return 2
        except DailyPapersError as exc:
            _say(f"failed: {exc}")
            _say(record.describe())
            return 1
        except OSError as exc:  # a folder that became unwritable, a disk that filled up
            _say(f"failed: {_os_error(exc)}")
            _say(record.describe())
            return 1
        except Exception as exc:  # a bug: said in one masked line (a library's text may hold a secret)
            _say(f"failed unexpectedly: {error_text(exc)}")
            _say(record.describe())
            if args.verbose:
                logging.getLogger("hf_daily_papers").error("the failure's traceback", exc_info=True)
            return 1
    _print_result(args, to_json(result))
    return 0


class _Interruptible:
    """Ctrl-C. In a run of many days (`backfill`, `digest`), the first one cancels the run: no day
    is started any more, the ones under way finish, and what was written is said; a second one
    stops at once. A one-day `run` stops at the first (Python's KeyboardInterrupt)."""

    def __init__(self, *, graceful: bool) -> None:
        self.graceful = graceful

    def __enter__(self) -> threading.Event:
        self.cancel = threading.Event()
        self.previous: Any = None
        if self.graceful and threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._first)
        return self.cancel

    def _first(self, signum: int, frame: object) -> None:
        self.cancel.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _say("interrupting: finishing the days under way (Ctrl-C again to stop at once)")

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _run(args: argparse.Namespace, record: RunRecord, wiring: app.Wiring, cancel: threading.Event) -> RunResult:
    if args.command == "digest" and args.top_n is not None:  # refused, not silently ignored
        monthly_top, weekly_top = TOP_PAPERS["monthly"], TOP_PAPERS["weekly"]
        raise BadInput("--top-n", args.top_n, f"not used by digest: a monthly digest lists its top {monthly_top} "
                                               f"papers, a weekly one its top {weekly_top}")
    settings = settings_for(args, dict(os.environ))
    request = parse_request(args, wiring.clock())
    if isinstance(request, RangeRequest) and request.summarize and not settings.summary_model:
        raise BadInput("--summary-model", None, "required by --summarize (or set SUMMARY_MODEL)")
    ports = ports_for(args, settings, request, wiring)
    progress = None
    if args.command == "backfill" and not args.no_progress:
        progress = ProgressBar()
    return app.handle(request, ports, settings, record=record, progress=progress, clock=wiring.clock, cancel=cancel)


def _print_result(args: argparse.Namespace, result: dict[str, Any]) -> None:
    if args.dry_run and result.get("post"):
        sys.stdout.write(result["post"])
        result = {k: v for k, v in result.items() if k != "post"}
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
    else:
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
