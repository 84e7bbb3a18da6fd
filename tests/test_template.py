"""template.yaml: the properties that must never regress, read from the template itself.

(`sam validate --lint`, cfn-lint and checkov run in test_iac.py; `sam build` in test_sam_build.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from typing import Any

import pytest
import yaml

from conftest import EVENTS, ROOT
from hf_daily_papers.inputs import DailyRequest, DigestRequest, parse_event

FUNCTION = "DailyPapersFunction"
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
EXECUTION_ID = "<aws.scheduler.execution-id>"


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref X -> {"Ref": "X"}, ...)."""


def _intrinsic(loader: CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load((ROOT / "template.yaml").read_text("utf-8"), Loader=CfnLoader)


@pytest.fixture(scope="module")
def resources(template) -> dict[str, Any]:
    return template["Resources"]


@pytest.fixture(scope="module")
def function(resources) -> dict[str, Any]:
    return resources[FUNCTION]["Properties"]


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def default(template: dict[str, Any], value: Any) -> Any:
    """A property's value, with a Ref to a Parameter resolved to the Parameter's default."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in template["Parameters"]:
        return template["Parameters"][value["Ref"]].get("Default")
    return value


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---- the function ------------------------------------------------------------------------------


def test_function_runtime_code_and_layer(template, resources, function):
    assert function["Runtime"] == "python3.13"
    assert function["Architectures"] == ["arm64"]
    assert function["Handler"] == "hf_daily_papers.handler.lambda_handler"
    assert function["CodeUri"] == "functions/daily_papers/"
    assert function["Layers"] == [{"Ref": "DependenciesLayer"}]
    assert resources[FUNCTION]["Metadata"]["BuildMethod"] == "makefile"
    layer = resources["DependenciesLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "layers/dependencies/"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == function["Architectures"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    # The layer Makefile's default wheel platform is the function's architecture.
    makefile = (ROOT / "layers" / "dependencies" / "Makefile").read_text("utf-8")
    assert re.search(r"^PLATFORM \?= manylinux2014_aarch64$", makefile, re.M)
    assert "--python-version $(PYTHON_VERSION)" in makefile and re.search(r"^PYTHON_VERSION \?= 3\.13$", makefile, re.M)


def test_one_run_at_a_time_and_room_for_a_year_backfill(function):
    assert function["ReservedConcurrentExecutions"] == 1  # two runs must never race on the blog branch
    assert function["Timeout"] == 900
    assert 256 <= function["MemorySize"] <= 1024  # measured peak ~102 MB (see the template's comment)


def test_logs_go_to_an_explicit_log_group_with_retention(template, resources, function):
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogGroup"}
    group = resources["FunctionLogGroup"]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert default(template, group["Properties"]["RetentionInDays"]) in (365, 400, 545, 731)


def test_async_failures_are_retried_then_go_to_the_dead_letter_queue(resources, function):
    config = function["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS", "Destination": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
    }
    queue = resources["DeadLetterQueue"]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"].get("SqsManagedSseEnabled") is True or queue["Properties"].get("KmsMasterKeyId")


def test_environment_sets_every_setting_and_the_parameters_feed_them(template, function):
    env = function["Environment"]["Variables"]
    assert {
        "GITHUB_REPOSITORY": {"Ref": "GitHubRepository"},
        "GITHUB_BRANCH": {"Ref": "GitHubBranch"},
        "GITHUB_TOKEN_SECRET": {"Ref": "GitHubTokenSecret"},
        "BUCKET_NAME": {"Ref": "ArchiveBucket"},
        "POST_AUTHOR": {"Ref": "PostAuthor"},
        "TOP_N": {"Ref": "TopN"},
        "REFRESH_DAYS": {"Ref": "RefreshDays"},
        "POWERTOOLS_LOG_LEVEL": {"Ref": "LogLevel"},
    }.items() <= env.items()
    assert env["POWERTOOLS_SERVICE_NAME"] == "hf-daily-papers"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "HfDailyPapers"
    assert default(template, env["POST_AUTHOR"]) == ""  # empty = no author line

    settings = (ROOT / "functions" / "daily_papers" / "hf_daily_papers" / "settings.py").read_text("utf-8")
    read = set(re.findall(r'get\("([A-Z0-9_]+)"\)', settings))
    assert {"GITHUB_REPOSITORY", "BUCKET_NAME", "TOP_N"} <= read  # the regex still finds them
    # Every variable in the template is one the code reads (no typo silently ignored) ...
    assert set(env) <= read | {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
    # ... and every setting is in the template, but for these, whose code default is meant:
    code_default = {"GITHUB_TOKEN": "local use only; Lambda reads the secret", "HF_MAX_RPS": "HF pacing"}
    assert read - set(env) <= set(code_default)


def test_env_json_for_sam_local_invoke_names_only_template_variables(function):
    env_json = json.loads((EVENTS / "env.json").read_text("utf-8"))
    assert list(env_json) == [FUNCTION]
    # sam local invoke --env-vars only overrides variables the template declares.
    assert set(env_json[FUNCTION]) <= set(function["Environment"]["Variables"])
    assert all(isinstance(v, str) for v in env_json[FUNCTION].values())


# ---- the schedules -----------------------------------------------------------------------------


def scheduled(input_json: str, when: str) -> Any:
    event = json.loads(input_json.replace(SCHEDULED_TIME, when).replace(EXECUTION_ID, "0f9e8d7c-1111-2222-3333-444455556666"))
    return parse_event(event, dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc))


def test_daily_schedule_is_0915_seoul_with_scheduled_time_and_execution_id(template, function):
    daily = function["Events"]["Daily"]
    assert daily["Type"] == "ScheduleV2"
    p = daily["Properties"]
    assert default(template, p["ScheduleExpression"]) == "cron(15 9 * * ? *)"
    assert default(template, p["ScheduleExpressionTimezone"]) == "Asia/Seoul"
    assert json.loads(p["Input"]) == {
        "source": "scheduler", "scheduled_time": SCHEDULED_TIME, "execution_id": EXECUTION_ID,
    }
    # 09:15 in Seoul on 2026-02-20 is 00:15 UTC: the run publishes 2026-02-19.
    assert scheduled(p["Input"], "2026-02-20T00:15:00Z") == DailyRequest(dt.date(2026, 2, 19), scheduled=True)


def test_digest_schedules_monthly_on_the_1st_and_weekly_on_monday_disabled_by_default(template, function):
    monthly = function["Events"]["MonthlyDigest"]["Properties"]
    weekly = function["Events"]["WeeklyDigest"]["Properties"]
    assert default(template, monthly["ScheduleExpression"]) == "cron(0 9 1 * ? *)"
    assert default(template, weekly["ScheduleExpression"]) == "cron(0 9 ? * MON *)"
    assert default(template, weekly["State"]) == "DISABLED"
    assert template["Parameters"]["WeeklyDigest"]["AllowedValues"] == ["ENABLED", "DISABLED"]
    assert "State" not in monthly or default(template, monthly["State"]) == "ENABLED"
    for props, kind in ((monthly, "monthly"), (weekly, "weekly")):
        assert default(template, props["ScheduleExpressionTimezone"]) == "Asia/Seoul"
        assert json.loads(props["Input"]) == {
            "source": "scheduler", "digest": kind, "scheduled_time": SCHEDULED_TIME, "execution_id": EXECUTION_ID,
        }
    # 09:00 Seoul on 2026-03-01 = 2026-02-28T00:00Z: February's digest; Monday 2026-03-02: week 9.
    assert scheduled(monthly["Input"], "2026-03-01T00:00:00Z") == DigestRequest(
        "monthly", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert scheduled(weekly["Input"], "2026-03-02T00:00:00Z") == DigestRequest(
        "weekly", dt.date(2026, 2, 23), dt.date(2026, 3, 1))


def test_every_schedule_retries_has_the_dead_letter_queue_and_a_generated_name(function):
    schedules = {name: e["Properties"] for name, e in function["Events"].items() if e["Type"] == "ScheduleV2"}
    assert set(schedules) == {"Daily", "MonthlyDigest", "WeeklyDigest"}
    assert set(function["Events"]) == set(schedules)  # nothing else invokes the function
    for name, p in schedules.items():
        assert p["OmitName"] is True, name  # two stacks can coexist
        assert "Name" not in p, name
        assert p["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name
        assert p["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}, name
        assert p["FlexibleTimeWindow"] == {"Mode": "OFF"}, name


# ---- the archive bucket ------------------------------------------------------------------------


def test_archive_bucket_is_private_encrypted_versioned_and_retained(resources):
    bucket = resources["ArchiveBucket"]
    p = bucket["Properties"]
    assert p["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
    }
    assert p["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = p["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and "NoncurrentVersionExpiration" in r for r in rules)
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    assert "BucketName" not in p  # generated: two stacks can coexist


def test_bucket_policy_denies_every_request_without_tls(resources):
    policies = [r["Properties"] for r in of_type(resources, "AWS::S3::BucketPolicy").values()]
    assert [p["Bucket"] for p in policies] == [{"Ref": "ArchiveBucket"}]
    denies = [s for s in policies[0]["PolicyDocument"]["Statement"] if s["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false"]
    assert len(denies) == 1
    deny = denies[0]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Resource"] == [{"Fn::GetAtt": ["ArchiveBucket", "Arn"]}, {"Fn::Sub": "${ArchiveBucket.Arn}/*"}]


# ---- IAM ---------------------------------------------------------------------------------------


def allow_statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    statements = []
    for role in of_type(resources, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            statements += [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
        assert "ManagedPolicyArns" not in role["Properties"]
    for policy in of_type(resources, "AWS::IAM::Policy").values():
        statements += [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    return statements


def test_function_role_allows_exactly_the_calls_the_code_makes(resources, function):
    assert function["Role"] == {"Fn::GetAtt": ["FunctionRole", "Arn"]}
    assert "Policies" not in function  # SAM would add its managed basic execution role (Resource "*")
    grants = {}
    for statement in allow_statements(resources):
        for action in listed(statement["Action"]):
            grants.setdefault(action, []).append(statement["Resource"])
    assert grants == {
        "logs:CreateLogStream": [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}],
        "logs:PutLogEvents": [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}],
        "s3:GetObject": [{"Fn::Sub": "${ArchiveBucket.Arn}/daily/*"}],
        "s3:PutObject": [{"Fn::Sub": "${ArchiveBucket.Arn}/daily/*"}],
        "s3:ListBucket": [{"Fn::GetAtt": ["ArchiveBucket", "Arn"]}],  # NoSuchKey, not AccessDenied
        "secretsmanager:GetSecretValue": [{"Fn::If": [
            "SecretIsArn",
            {"Ref": "GitHubTokenSecret"},
            {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${GitHubTokenSecret}-??????"},
        ]}],
        "sqs:SendMessage": [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}],
    }


def test_no_wildcard_action_or_resource_in_any_allow(resources):
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    for statement in allow_statements(resources):
        for action in listed(statement["Action"]):
            assert "*" not in action, statement
        for resource in strings(statement["Resource"]):
            assert resource != "*" and not resource.startswith("*"), statement
            # Wildcards only where AWS makes them necessary: object keys under daily/ (the archive).
            if "*" in resource:
                assert resource.endswith("/daily/*"), statement
        assert "NotAction" not in statement and "NotResource" not in statement


# ---- alarms, parameters, outputs, samconfig, README ----------------------------------------------


def test_alarms_on_errors_silence_and_dead_letters(template, resources):
    alarms = {r["Properties"]["MetricName"]: r["Properties"] for r in of_type(resources, "AWS::CloudWatch::Alarm").values()}
    errors = alarms["Errors"]
    assert errors["Namespace"] == "AWS/Lambda" and errors["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": FUNCTION}}]
    assert (errors["Statistic"], errors["Period"], errors["EvaluationPeriods"]) == ("Sum", 86400, 1)
    assert (errors["ComparisonOperator"], errors["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    silent = alarms["Invocations"]
    assert silent["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": FUNCTION}}]
    assert (silent["Statistic"], silent["Period"] * silent["EvaluationPeriods"]) == ("Sum", 86400)
    assert (silent["ComparisonOperator"], silent["Threshold"]) == ("LessThanThreshold", 1)
    assert silent["TreatMissingData"] == "breaching"
    dlq = alarms["ApproximateNumberOfMessagesVisible"]
    assert dlq["Namespace"] == "AWS/SQS"
    assert dlq["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}}]
    assert (dlq["ComparisonOperator"], dlq["Threshold"]) == ("GreaterThanThreshold", 0)
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and subscription["Properties"]["Protocol"] == "email"
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""


def test_outputs(template):
    assert {"FunctionName", "FunctionArn", "ArchiveBucketName", "DeadLetterQueueUrl"} <= set(template["Outputs"])


def test_checkov_skips_are_in_metadata_with_a_one_line_reason(resources):
    skips = 0
    for name, resource in resources.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
            assert len(skip["comment"]) > 20 and "\n" not in skip["comment"], (name, skip)
            skips += 1
    assert skips


def test_samconfig_default_profile(template):
    config = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))
    assert config["version"] == 0.1
    shared = config["default"]["global"]["parameters"]
    deploy = shared | config["default"]["deploy"]["parameters"]
    assert deploy["region"] == "ap-northeast-2"
    assert deploy["resolve_s3"] is True
    assert deploy["stack_name"] == "hf-daily-papers"
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    text = (ROOT / "samconfig.toml").read_text("utf-8")
    assert not re.search(r"ghp_|github_pat_|aws_secret|AKIA", text, re.I)  # no secrets in it
    # Parameter overrides, if any, name real parameters.
    overrides = deploy.get("parameter_overrides", "")
    for name in re.findall(r"(\w+)=", overrides if isinstance(overrides, str) else " ".join(overrides)):
        assert name in template["Parameters"]


def test_readme_deploy_section_documents_every_parameter(template):
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Deploy", 1)[1].split("\n## ", 1)[0]
    for name, parameter in template["Parameters"].items():
        assert f"`{name}`" in section, name
        if parameter.get("Default") not in (None, ""):
            assert f"`{parameter['Default']}`" in section, (name, parameter["Default"])
    assert "aws secretsmanager create-secret" in section
    assert "sam build" in section and "sam deploy --guided" in section
    assert "sam remote invoke" in section and "aws lambda invoke" in section
