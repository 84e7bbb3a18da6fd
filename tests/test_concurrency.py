"""Two runs for the same date at the same time end with exactly one post, and no error.

The scheduler delivers at least once and a person may re-run a date by hand, so two invocations
can overlap. Each invocation runs the handler in its own thread, like two Lambda execution
environments (a fresh environment per round), against the same fake HF, GitHub and S3 (moto).
The race is made real: a gate in the fake GitHub holds both runs' first read of the branch until
both have arrived, so both build a commit on the same head; one moves the branch, the other gets
GitHub's 422 "not a fast forward", re-reads, finds its post already there and stops. As the gate
makes the race happen in every round, a few rounds show it: the first on the seed day (its post
byte for byte), the next ones on a branch that already holds the earlier rounds' posts.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from conftest import LambdaContext, expected_post, make_item, s3_objects

ROUNDS = 3
REF_READ = r"/git/ref/heads/main$"


class Gate:
    """Holds the first `parties` reads of the branch until all of them have arrived."""

    def __init__(self, parties: int = 2, timeout: float = 20.0) -> None:
        self.barrier = threading.Barrier(parties, timeout=timeout)
        self.parties = parties
        self.arrived = 0
        self.broken = False
        self._lock = threading.Lock()

    def __call__(self, request: Any) -> None:
        if request.method != "GET" or not request.path.endswith("/git/ref/heads/main"):
            return
        with self._lock:
            self.arrived += 1
            held = self.arrived <= self.parties
        if held:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self.broken = True


def run_at_once(events: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[BaseException]]:
    """Invoke the handler once per event, all at the same moment, each in its own thread."""
    from hf_daily_papers import handler

    handler.reset_environment()  # a fresh execution environment (cold start) for this round
    start = threading.Barrier(len(events))
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def invoke(event: dict[str, Any]) -> None:
        start.wait()
        try:
            result = handler.lambda_handler(dict(event), LambdaContext())
            with lock:
                results.append(result)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=invoke, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a run hung"
    return results, errors


@pytest.fixture
def concurrent_env(lambda_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    from hf_daily_papers import handler

    monkeypatch.setenv("HF_MAX_RPS", "0")  # no client-side pacing: both runs reach GitHub together
    handler.reset_environment()
    return lambda_env


def test_two_runs_of_the_same_date_at_once_make_exactly_one_post_every_round(concurrent_env, hf, github, aws, caplog):
    dates = ["2026-02-25"] + [f"2026-04-{day:02d}" for day in range(1, ROUNDS)]
    for i, date in enumerate(dates[1:], 1):
        hf.days[date] = [make_item(f"2604.{i:03d}{n:02d}", 50 - 3 * n + i, date, org="Org") for n in range(12)]

    for date in dates:
        post_path = f"_posts/{date}-daily-papers.md"
        (dry,), no_errors = run_at_once([{"date": date, "dry_run": True}])
        assert no_errors == []
        expected = dry["post"]  # what one run alone renders
        commits_before = len(github.history())
        patches_before = len(github.answered(422, "PATCH"))
        gate = Gate()
        github.observers.append(gate)
        caplog.clear()

        results, errors = run_at_once([{"date": date}, {"date": date}])

        github.observers.remove(gate)
        assert errors == [], f"{date}: {errors!r}"
        assert not gate.broken and gate.arrived >= 2
        assert sorted(r["status"] for r in results) == ["created", "unchanged"], date
        winner = next(r for r in results if r["status"] == "created")
        assert len(github.history()) == commits_before + 1, date  # exactly one commit for the date
        assert github.history()[0]["sha"] == winner["commit_sha"]
        assert github.files()[post_path] == expected
        assert len(github.answered(422, "PATCH")) == patches_before + 1  # the race really happened
        assert "moved under us (another writer); re-reading, attempt 2 of 5" in caplog.text
        document = json.loads(s3_objects(aws)[f"daily/{date[:4]}/{date[5:7]}/{date}.json"])
        assert document["papers"] == hf.days[date]

    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    posts = [p for p in github.files() if p.startswith("_posts/")]
    assert len(posts) == ROUNDS and len(github.history()) == ROUNDS + 1


def test_a_person_pushing_while_we_publish_keeps_both_changes(invoke, github):
    pushed: list[str] = []

    def push_once(request: Any) -> None:  # between our commit and our ref update
        if request.method == "POST" and request.path.endswith("/git/commits") and not pushed:
            pushed.append(github.commit_file("about.md", "hello\n", "edit about"))

    github.observers.append(push_once)

    result = invoke({"date": "2026-02-25"})

    assert result["status"] == "created"
    files = github.files()
    assert files["about.md"] == "hello\n" and files["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    assert [c["message"] for c in github.history()] == ["Daily Papers 2026-02-25", "edit about", "Initial commit"]
    assert github.history()[1]["sha"] == pushed[0]
    assert len(github.answered(422, "PATCH")) == 1
