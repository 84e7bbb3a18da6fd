"""The Hugging Face pacing (a rate limiter on an injected clock) and the request bodies' JSON."""

from __future__ import annotations

import json

from hf_daily_papers.pacing import RateLimiter


class FrozenClock:
    """A clock that only moves when told; sleeps are recorded, not slept."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_rate_limiter_spaces_requests_evenly():
    clock = FrozenClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)

    for _ in range(4):
        limiter.wait()

    assert clock.slept == [0.5, 1.0, 1.5]  # slots at 0, 0.5, 1.0, 1.5 s
    clock.now += 10  # after a pause the next request goes at once
    limiter.wait()
    assert clock.slept == [0.5, 1.0, 1.5]


def test_rate_limiter_gives_each_thread_its_own_slot():
    import threading

    clock = FrozenClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    threads = [threading.Thread(target=limiter.wait) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(clock.slept) == [0.25 * i for i in range(1, 8)]


def test_request_bodies_are_the_same_json_as_before_just_built_in_pieces():
    """http.json_bytes (a year's create-tree body is ~6 MB) sends exactly what json.dumps would."""
    from hf_daily_papers.httpclient import json_bytes

    body = {"base_tree": "a" * 40, "tree": [
        {"path": "_posts/2026-02-25-daily-papers.md", "mode": "100644", "type": "blob",
         "content": "총 **10개** - 👍 33\n\"quotes\" \\ \u2028 \x00 {{ x }}\n"},
    ]}
    assert json_bytes(body) == json.dumps(body, ensure_ascii=False).encode("utf-8")
    assert json.loads(json_bytes(body)) == body
