"""The daily run end to end through the Lambda handler: HF fake → S3 (moto) → GitHub fake."""

from __future__ import annotations

import json

import pytest

from conftest import BUCKET, expected_post, load_event, s3_objects, s3_versions


def test_manual_date_publishes_the_seed_post_byte_identical(invoke, github, aws):
    result = invoke(load_event("manual-date.json"))

    assert result["status"] == "created"
    assert result["date"] == "2026-02-25"
    assert result["papers"] == 10 and result["listed"] == 10
    assert result["post_path"] == "_posts/2026-02-25-daily-papers.md"
    assert result["archive_key"] == "daily/2026/02/2026-02-25.json"
    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25")
    newest = github.history()[0]
    assert result["commit_sha"] == newest["sha"]
    assert "2026-02-25" in newest["message"]
    assert len(github.history()) == 2  # the initial commit + ours


def test_archive_holds_every_paper_as_fetched_with_ranking(invoke, hf, aws):
    invoke({"date": "2026-08-21"})

    objects = s3_objects(aws)
    assert list(objects) == ["daily/2026/08/2026-08-21.json"]
    document = json.loads(objects["daily/2026/08/2026-08-21.json"].decode("utf-8"))
    served = hf.days["2026-08-21"]
    assert document["date"] == "2026-08-21"
    assert document["papers"] == served  # all API fields, as served
    assert document["count"] == len(served) == 17
    assert document["ranking"][0] == "2608.19880"
    assert document["fetched_at"].endswith("Z")
    head = aws.head_object(Bucket=BUCKET, Key="daily/2026/08/2026-08-21.json")
    assert head["ContentType"] == "application/json; charset=utf-8"


def test_scheduled_event_publishes_the_previous_utc_day(invoke, github, hf):
    result = invoke(load_event("scheduler.json"))  # scheduled_time 2026-02-20T00:15:00Z

    assert result["date"] == "2026-02-19"
    assert result["status"] == "created"
    assert hf.dates_requested == ["2026-02-19"]
    assert github.files()["_posts/2026-02-19-daily-papers.md"] == expected_post("2026-02-19")


def test_eventbridge_rule_event_is_treated_like_the_schedule(invoke, github):
    result = invoke(load_event("eventbridge-rule.json"))  # time 2026-02-26T00:15:00Z

    assert result["date"] == "2026-02-25" and result["status"] == "created"
    assert "_posts/2026-02-25-daily-papers.md" in github.files()


def test_rerun_with_no_change_makes_no_github_write_and_no_s3_write(invoke, github, aws):
    invoke({"date": "2026-02-25"})
    github.reset_log()

    result = invoke({"date": "2026-02-25"})

    assert result["status"] == "unchanged"
    assert "commit_sha" not in result
    assert github.writes == []
    assert len(github.history()) == 2
    assert s3_versions(aws, "daily/2026/02/2026-02-25.json") == 1


def test_changed_upvotes_update_the_post_in_one_new_commit(invoke, github, hf, aws):
    invoke({"date": "2026-02-25"})
    hf.days["2026-02-25"][9]["paper"]["upvotes"] = 100  # the last paper jumps to the top

    result = invoke({"date": "2026-02-25"})

    assert result["status"] == "updated"
    post = github.files()["_posts/2026-02-25-daily-papers.md"]
    assert post.split("## 📊 좋아요 순위\n\n1. ")[1].startswith(
        "**Learning from Trials and Errors: Reflective Test-Time Planning for Embodied LLMs** - 👍 100\n"
    )
    assert len(github.history()) == 3
    assert s3_versions(aws, "daily/2026/02/2026-02-25.json") == 2  # the earlier counts are kept


def test_empty_day_is_recorded_in_the_archive_and_not_published(invoke, github, aws, hf):
    result = invoke({"date": "2026-02-21"})  # a Saturday: the API answers []

    key = "daily/2026/02/2026-02-21.json"
    assert result == {"date": "2026-02-21", "status": "empty", "papers": 0, "listed": 0,
                      "archive_key": key, "archived": True}
    assert github.writes == [] and github.requests == []
    document = json.loads(s3_objects(aws)[key])
    assert (document["count"], document["papers"], document["ranking"]) == (0, [], [])
    assert document["fetched_at"].endswith("Z")
    # Seen empty again: the record stands as it is.
    assert invoke({"date": "2026-02-21"})["archived"] is False
    assert s3_versions(aws, key) == 1


def test_dry_run_returns_the_post_and_writes_nothing(invoke, github, aws):
    result = invoke(load_event("dry-run.json"))

    assert result["status"] == "dry_run"
    assert result["post"].startswith("---\ntitle: Hugging Face Daily Papers - 2026-08-21\n")
    assert "1. **EnvHarness: Awakening Static Worlds for Agent Learning** - 👍 163\n   - 기관: Google\n" in result["post"]
    assert github.requests == []
    assert s3_objects(aws) == {}


def test_request_budget_one_hf_one_s3_write_five_github(invoke, hf, github, aws):
    invoke({"date": "2026-02-25"})

    assert len(hf.requests) == 1
    assert [r.query["p"] for r in hf.requests] == [["0"]]
    assert len(github.requests) == 5
    assert len(github.writes) == 3
    assert s3_versions(aws, "daily/2026/02/2026-02-25.json") == 1
    for request in github.requests:
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == "2022-11-28"


def test_by_default_each_daily_post_has_its_own_url_after_the_title(invoke, github, monkeypatch):
    """POST_PERMALINK unset (the stack's default is true): `permalink: /posts/daily-papers-<date>/`."""
    monkeypatch.delenv("POST_PERMALINK")

    invoke({"date": "2026-02-25"})

    assert github.files()["_posts/2026-02-25-daily-papers.md"] == expected_post("2026-02-25", permalink=True)


def test_post_author_unset_omits_the_author_line(invoke, github, monkeypatch):
    monkeypatch.delenv("POST_AUTHOR")

    invoke({"date": "2026-02-25"})

    post = github.files()["_posts/2026-02-25-daily-papers.md"]
    assert post == expected_post("2026-02-25").replace("author: lim4349\n", "")


@pytest.mark.parametrize("top_n, listed", [("3", 3), ("0", 17)])
def test_top_n_limits_the_post(invoke, github, monkeypatch, top_n, listed):
    monkeypatch.setenv("TOP_N", top_n)

    result = invoke({"date": "2026-08-21"})

    post = github.files()["_posts/2026-08-21-daily-papers.md"]
    assert result["listed"] == listed
    assert f"총 **{listed}개**의 논문이 수집되었습니다." in post
    assert post.count("   - [HF 페이지](") == listed


def test_a_manual_edit_elsewhere_in_the_repo_is_kept(invoke, github):
    github.commit_file("about.md", "hello\n")

    invoke({"date": "2026-02-25"})

    files = github.files()
    assert files["about.md"] == "hello\n" and files["README.md"] == "# blog\n"
