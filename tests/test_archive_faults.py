"""An archive object that is not a day document is treated as missing, in every run kind that
reads the archive: the day is fetched again and the object replaced (the versioned bucket keeps
the bad version), with a WARNING naming the key. Through the handler, S3 played by moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import BUCKET, expected_post, load_event, s3_versions

KEY = "daily/2026/02/2026-02-25.json"
BAD_OBJECTS = {
    "not JSON": b"<html>AccessDenied</html>",
    "not UTF-8": b"\xff\xfe\x00{",
    "not an object": b"[1, 2, 3]",
    "another schema": json.dumps({"schema": 99, "date": "2026-02-25"}).encode(),
    "another date": json.dumps({"schema": 1, "date": "2026-02-24", "fetched_at": "2026-02-25T00:15:00Z",
                                "papers": []}).encode(),
}
RUNS = {  # run kind -> (event, environment)
    "daily": ({"date": "2026-02-25"}, {}),
    "backfill": ({"start": "2026-02-24", "end": "2026-02-25"}, {}),
    "refresh": (load_event("eventbridge-rule.json"), {"REFRESH_DAYS": "1"}),  # 2026-02-25 and the day before
}


@pytest.mark.parametrize("bad", list(BAD_OBJECTS))
@pytest.mark.parametrize("run", list(RUNS))
def test_an_unreadable_archive_object_is_fetched_again_and_replaced(
    invoke: Any, github: Any, aws: Any, run_log: Any, monkeypatch: pytest.MonkeyPatch, run: str, bad: str
) -> None:
    aws.put_object(Bucket=BUCKET, Key=KEY, Body=BAD_OBJECTS[bad])
    event, env = RUNS[run]
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    invoke(event)

    document = json.loads(aws.get_object(Bucket=BUCKET, Key=KEY)["Body"].read())
    assert document["date"] == "2026-02-25" and document["count"] == 10
    assert s3_versions(aws, KEY) == 2  # the bad version is kept, the good one is current
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    warning = run_log.find(f"archive object {KEY} unreadable")
    assert warning["level"] == "WARNING" and warning["key"] == KEY


def test_a_digest_fetches_a_day_whose_archive_object_is_unreadable(invoke: Any, hf: Any, aws: Any, run_log: Any) -> None:
    invoke({"start": "2026-01-05", "end": "2026-01-11"})  # every day of ISO week 2026-W02 archived
    aws.put_object(Bucket=BUCKET, Key="daily/2026/01/2026-01-07.json", Body=b"{truncated")
    hf.reset_log()

    result = invoke(load_event("weekly.json"))

    assert hf.dates_requested == ["2026-01-07"] and result["fetched"] == ["2026-01-07"]
    assert json.loads(aws.get_object(Bucket=BUCKET, Key="daily/2026/01/2026-01-07.json")["Body"].read())["schema"] == 1
    assert run_log.find("archive object daily/2026/01/2026-01-07.json unreadable")["level"] == "WARNING"
