"""Settings from the environment (issue 17): the blog's settings are BLOG_*, never the GITHUB_*
names GitHub Actions sets in every job; HF_MAX_RPS has a stated range; a missing value is said in
words, never as `None`."""

from __future__ import annotations

import pytest

from hf_daily_papers.errors import SettingsError
from hf_daily_papers.settings import Settings

# What every GitHub Actions job has in its environment: the workflow's own repository, job token and API.
ACTIONS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "octo/workflow-repo",
    "GITHUB_TOKEN": "ghs_jobTokenOfTheWorkflow0123456789",
    "GITHUB_API_URL": "https://api.github.com",
    "GITHUB_REF_NAME": "main",
    "GITHUB_BRANCH": "feature",
    "GITHUB_TOKEN_SECRET": "some/secret",
}


def test_the_names_github_actions_sets_are_not_read():
    settings = Settings.from_env(ACTIONS)

    assert settings.github_repository is None and settings.github_token is None
    assert settings.github_token_secret is None and settings.github_branch == "main"
    with pytest.raises(SettingsError) as caught:
        settings.require_github()
    assert str(caught.value) == "BLOG_REPOSITORY is not set: required to publish to GitHub (owner/name)"


def test_the_blog_names_are_read():
    settings = Settings.from_env({
        **ACTIONS, "BLOG_REPOSITORY": "me/me.github.io", "BLOG_BRANCH": "gh-pages", "BLOG_TOKEN": "ghp_mine",
        "BLOG_TOKEN_SECRET": "hf-daily-papers/github-token", "BLOG_API_URL": "https://ghe.example.com/api/v3/",
    })

    assert (settings.github_repository, settings.github_branch) == ("me/me.github.io", "gh-pages")
    assert settings.github_token is not None and settings.github_token.reveal() == "ghp_mine"
    assert settings.github_token_secret == "hf-daily-papers/github-token"
    assert settings.github_api_url == "https://ghe.example.com/api/v3"
    assert settings.require_github() == "me/me.github.io"




def test_a_repository_without_a_token_says_which_variable_is_missing_never_none():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"BLOG_REPOSITORY": "me/blog"}).require_github()
    assert str(caught.value) == "BLOG_TOKEN_SECRET is not set: required to publish to GitHub (or BLOG_TOKEN locally)"
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({}).require_s3()
    assert str(caught.value) == "BUCKET_NAME is not set: required to archive to S3"


RATE_RANGE = "expected 0 (no limit) or 0.1..100 requests per second"


@pytest.mark.parametrize(
    "raw", ["0.0001", "1e-300", "5e-324", "0.09", "-1", "-0.5", "100.5", "1e300", "inf", "-inf", "nan", "ten", "0x10", ""],
)
def test_hf_max_rps_outside_its_range_is_refused_naming_the_setting_the_value_and_the_range(raw):
    if raw == "":
        assert Settings.from_env({"HF_MAX_RPS": raw}).hf_max_rps == 1.0  # empty = unset: the default
        return
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"HF_MAX_RPS": raw})
    assert str(caught.value) == f"HF_MAX_RPS={raw!r}: {RATE_RANGE}"
    assert caught.value.field == "HF_MAX_RPS"


@pytest.mark.parametrize("raw, rate", [("0", 0.0), ("0.0", 0.0), ("0.1", 0.1), ("1", 1.0), ("1.67", 1.67), ("100", 100.0)])
def test_hf_max_rps_inside_its_range_is_taken(raw, rate):
    assert Settings.from_env({"HF_MAX_RPS": raw}).hf_max_rps == rate
