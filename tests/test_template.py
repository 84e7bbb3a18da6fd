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

from hf_daily_papers.errors import SettingsError
from hf_daily_papers.inputs import DailyRequest, DigestRequest, parse_event
from hf_daily_papers.settings import Settings

from conftest import EVENTS, ROOT

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


PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "ap-northeast-2", "AWS::AccountId": "123456789012"}
ACCOUNT = PSEUDO["AWS::AccountId"]
NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]+)\}")


class Stack:
    """The template as CloudFormation would deploy it with these parameter values: conditions
    evaluated, Fn::If / AWS::NoValue resolved, Ref / Fn::Sub / Fn::Join / Fn::Split / Fn::Select
    computed from parameters and pseudo parameters. What depends on a resource (Ref to it,
    Fn::GetAtt, a Sub naming it) is left as written. Every condition is evaluated up front, as
    CloudFormation does: an expression out of range for some input fails here too."""

    def __init__(self, template: dict[str, Any], **parameters: Any) -> None:
        self.template = template
        declared = template["Parameters"]
        assert set(parameters) <= set(declared), set(parameters) - set(declared)
        self.parameters = {name: p.get("Default") for name, p in declared.items()}
        self.parameters["GitHubRepository"] = "owner/owner.github.io"
        self.parameters.update(parameters)
        self.conditions = {name: bool(self.value(c)) for name, c in template["Conditions"].items()}

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template["Conditions"][name]))

    def resource(self, name: str) -> Any:
        return self.value(self.template["Resources"][name])

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in map(self.value, node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            function = getattr(self, "_" + key.replace("Fn::", "fn_"), None)
            if function is not None:
                return function(arg, node)
        out = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not NO_VALUE}

    def _Ref(self, name: str, node: Any) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        return PSEUDO.get(name, node)

    def _Condition(self, name: str, node: Any) -> bool:
        return self.condition(name)

    def _fn_If(self, arg: list[Any], node: Any) -> Any:
        name, yes, no = arg
        return self.value(yes if self.condition(name) else no)

    def _fn_Equals(self, arg: list[Any], node: Any) -> bool:
        a, b = (str(v) for v in self.value(arg))
        return a == b

    def _fn_Not(self, arg: list[Any], node: Any) -> bool:
        return not self.value(arg[0])

    def _fn_Or(self, arg: list[Any], node: Any) -> bool:
        return any(self.value(a) for a in arg)

    def _fn_And(self, arg: list[Any], node: Any) -> bool:
        return all(self.value(a) for a in arg)

    def _fn_Split(self, arg: list[Any], node: Any) -> Any:
        delimiter, text = arg[0], self.value(arg[1])
        return text.split(delimiter) if isinstance(text, str) else node

    def _fn_Join(self, arg: list[Any], node: Any) -> Any:
        delimiter, items = arg[0], self.value(arg[1])
        return delimiter.join(items) if all(isinstance(i, str) for i in items) else node

    def _fn_Select(self, arg: list[Any], node: Any) -> Any:
        index, items = self.value(arg)
        if not isinstance(items, list):
            return node
        assert 0 <= int(index) < len(items), f"Fn::Select index {index} out of range in {node}"
        return items[int(index)]

    def _fn_Sub(self, arg: Any, node: Any) -> Any:
        text, names = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))
        values = {**PSEUDO, **{k: v for k, v in self.parameters.items()}, **names}
        if not all(isinstance(values.get(v), (str, int)) for v in _SUB_VAR.findall(text)):
            return node  # names a resource
        return _SUB_VAR.sub(lambda m: str(values[m.group(1)]), text)


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
        "BLOG_REPOSITORY": {"Ref": "GitHubRepository"},
        "BLOG_BRANCH": {"Ref": "GitHubBranch"},
        "BLOG_TOKEN_SECRET": {"Ref": "GitHubTokenSecret"},
        "BUCKET_NAME": {"Ref": "ArchiveBucket"},
        "POST_AUTHOR": {"Ref": "PostAuthor"},
        "TOP_N": {"Ref": "TopN"},
        "REFRESH_DAYS": {"Ref": "RefreshDays"},
        "POWERTOOLS_LOG_LEVEL": {"Ref": "LogLevel"},
        "HF_TOKEN_SECRET": {"Ref": "HfTokenSecret"},
        "SUMMARY_MODEL": {"Ref": "SummaryModel"},
        "POST_IMAGE": {"Ref": "PostImage"},
        "POST_LINKS": {"Ref": "PostLinks"},
        "POST_PERMALINK": {"Ref": "PostPermalink"},
    }.items() <= env.items()
    assert env["POWERTOOLS_SERVICE_NAME"] == "hf-daily-papers"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "HfDailyPapers"
    assert default(template, env["POST_AUTHOR"]) == ""  # empty = no author line

    settings = (ROOT / "functions" / "daily_papers" / "hf_daily_papers" / "settings.py").read_text("utf-8")
    read = set(re.findall(r'get\("([A-Z0-9_]+)"\)', settings))
    assert {"BLOG_REPOSITORY", "BUCKET_NAME", "TOP_N"} <= read  # the regex still finds them
    # Every variable in the template is one the code reads (no typo silently ignored) ...
    assert set(env) <= read | {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
    # ... and every setting is in the template, but for these, whose code default is meant:
    code_default = {
        "BLOG_TOKEN": "local use only; Lambda reads the secret",
        "HF_TOKEN": "local use only; Lambda reads HF_TOKEN_SECRET",
        "HF_MAX_RPS": "HF pacing",
        "GITHUB_TREE_MAX_ENTRIES": "GitHub's create-tree limits, not a deployment choice",
        "GITHUB_TREE_MAX_BYTES": "GitHub's create-tree limits, not a deployment choice",
    }
    assert read - set(env) <= set(code_default)


def test_post_options_are_off_by_default_and_every_allowed_value_is_one_the_code_accepts(template):
    parameters = template["Parameters"]
    defaults = Settings.from_env({
        "POST_IMAGE": parameters["PostImage"]["Default"], "POST_LINKS": parameters["PostLinks"]["Default"],
        "SUMMARY_MODEL": parameters["SummaryModel"]["Default"], "HF_TOKEN_SECRET": parameters["HfTokenSecret"]["Default"],
    })
    assert (defaults.post_image, defaults.post_links, defaults.summary_model, defaults.hf_token_secret) == (
        False, (), None, None)
    assert {v: Settings.from_env({"POST_IMAGE": v}).post_image for v in parameters["PostImage"]["AllowedValues"]} == {
        "false": False, "true": True}
    links = {v: Settings.from_env({"POST_LINKS": v}).post_links for v in parameters["PostLinks"]["AllowedValues"]}
    assert links == {"": (), "code": ("code",), "project": ("project",), "code,project": ("code", "project")}


def test_permalink_is_on_by_default_and_false_is_the_seed_format(template):
    """One URL per post unless the stack says otherwise (POST_PERMALINK=false: the seed bytes)."""
    parameter = template["Parameters"]["PostPermalink"]
    assert Settings.from_env({"POST_PERMALINK": parameter["Default"]}).post_permalink is True
    assert {v: Settings.from_env({"POST_PERMALINK": v}).post_permalink for v in parameter["AllowedValues"]} == {
        "true": True, "false": False}


def test_repository_parameter_accepts_exactly_what_the_function_accepts(template):
    """GitHub's rules, checked at deploy time by the parameter and at run time by the code."""
    pattern = template["Parameters"]["GitHubRepository"]["AllowedPattern"]
    samples = [
        "lim4349/lim4349.github.io", "a/b", "a-b/c_d", "A1/.github", "o/..x", "o/x..", "o/-x", "o/_",
        "x" * 39 + "/r", "o/" + "r" * 100,
        "../x", "owner/..", "owner/.", "-a/b", "a-/b", "a_b/c", "a.b/c", "x" * 40 + "/r", "o/" + "r" * 101,
        "a/b/c", "a", "/b", "a/", "a/b c", "a/b~", "a//b",
    ]
    for value in samples:
        try:
            Settings.from_env({"BLOG_REPOSITORY": value})
            accepted = True
        except SettingsError:
            accepted = False
        assert bool(re.fullmatch(pattern, value)) == accepted, (value, accepted)
    assert re.fullmatch(pattern, "lim4349/lim4349.github.io") and not re.fullmatch(pattern, "../x")


def test_env_json_for_sam_local_invoke_names_only_template_variables(function):
    env_json = json.loads((EVENTS / "env.json").read_text("utf-8"))
    assert list(env_json) == [FUNCTION]
    # sam local invoke --env-vars only overrides variables the template declares.
    assert set(env_json[FUNCTION]) <= set(function["Environment"]["Variables"])
    assert all(isinstance(v, str) for v in env_json[FUNCTION].values())


# ---- the schedules -----------------------------------------------------------------------------


def scheduled(input_json: str, when: str) -> Any:
    event = json.loads(input_json.replace(SCHEDULED_TIME, when).replace(EXECUTION_ID, "0f9e8d7c-1111-2222-3333-444455556666"))
    return parse_event(event, dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC))


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
# Read from the roles as deployed (Stack: the conditions evaluated for the parameters given).


def allow_statements(stack: Stack) -> list[dict[str, Any]]:
    statements = []
    resources = stack.template["Resources"]
    for name in of_type(resources, "AWS::IAM::Role"):
        role = stack.resource(name)
        for policy in role["Properties"].get("Policies", []):
            statements += [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
        assert "ManagedPolicyArns" not in role["Properties"]
    for name in of_type(resources, "AWS::IAM::Policy"):
        policy = stack.resource(name)
        statements += [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    return statements


def grants(stack: Stack) -> dict[str, list[Any]]:
    """action -> the Resource of each Allow statement granting it (with its Condition, if any)."""
    out: dict[str, list[Any]] = {}
    for statement in allow_statements(stack):
        for action in listed(statement["Action"]):
            granted = statement["Resource"]
            if "Condition" in statement:
                granted = {"Resource": granted, "Condition": statement["Condition"]}
            out.setdefault(action, []).append(granted)
    return out


SECRET_ARN = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:"
BASE_GRANTS = {
    "logs:CreateLogStream": [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}],
    "logs:PutLogEvents": [{"Fn::GetAtt": ["FunctionLogGroup", "Arn"]}],
    "s3:GetObject": [{"Fn::Sub": "${ArchiveBucket.Arn}/daily/*"}],
    "s3:PutObject": [{"Fn::Sub": "${ArchiveBucket.Arn}/daily/*"}],
    "s3:ListBucket": [{"Fn::GetAtt": ["ArchiveBucket", "Arn"]}],  # NoSuchKey, not AccessDenied
    # Secrets Manager appends "-" and 6 random characters to a secret's name in its ARN.
    "secretsmanager:GetSecretValue": [SECRET_ARN + "hf-daily-papers/github-token-??????"],
    "sqs:SendMessage": [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}],
}

HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0"
SONNET_45 = "anthropic.claude-sonnet-4-5-20250929-v1:0"
# SummaryModel as given -> what the role may invoke: the model or profile itself, and for a
# cross-region profile, its foundation model in any region, only through that profile.
PROFILE_US = f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/us.{HAIKU}"
PROFILE_APAC_VIRGINIA = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/apac.{HAIKU}"
PROFILE_GLOBAL = f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/global.{SONNET_45}"
PROFILE_US_GOV = f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/us-gov.{HAIKU}"
PROFILE_AU = f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/au.{SONNET_45}"


def via(profile: str, model: str) -> dict[str, Any]:
    return {
        "Resource": f"arn:aws:bedrock:*::foundation-model/{model}",
        "Condition": {"StringEquals": {"bedrock:InferenceProfileArn": profile}},
    }


BEDROCK_CASES = {
    # a foundation model id: that model in the stack's region
    HAIKU: [f"arn:aws:bedrock:ap-northeast-2::foundation-model/{HAIKU}"],
    "amazon.nova-micro-v1:0": ["arn:aws:bedrock:ap-northeast-2::foundation-model/amazon.nova-micro-v1:0"],
    # a foundation-model ARN: itself
    f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}": [f"arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}"],
    # system-defined cross-region profile ids, every geography
    f"us.{HAIKU}": [PROFILE_US, via(PROFILE_US, HAIKU)],
    f"global.{SONNET_45}": [PROFILE_GLOBAL, via(PROFILE_GLOBAL, SONNET_45)],
    f"us-gov.{HAIKU}": [PROFILE_US_GOV, via(PROFILE_US_GOV, HAIKU)],
    f"au.{SONNET_45}": [PROFILE_AU, via(PROFILE_AU, SONNET_45)],
    **{
        f"{geo}.{HAIKU}": [
            f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/{geo}.{HAIKU}",
            via(f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:inference-profile/{geo}.{HAIKU}", HAIKU),
        ]
        for geo in ("eu", "apac", "jp")
    },
    # an inference-profile ARN: itself, and its model (another region's profile works alike)
    PROFILE_APAC_VIRGINIA: [PROFILE_APAC_VIRGINIA, via(PROFILE_APAC_VIRGINIA, HAIKU)],
    PROFILE_GLOBAL: [PROFILE_GLOBAL, via(PROFILE_GLOBAL, SONNET_45)],
}


def test_function_role_allows_exactly_the_calls_the_code_makes(template, function):
    assert function["Role"] == {"Fn::GetAtt": ["FunctionRole", "Arn"]}
    assert "Policies" not in function  # SAM would add its managed basic execution role (Resource "*")
    stack = Stack(template)
    assert stack.parameters["SummaryModel"] == "" and stack.parameters["HfTokenSecret"] == ""
    assert grants(stack) == BASE_GRANTS  # no Bedrock, no second secret by default


def test_secrets_by_name_or_arn_and_the_hf_token_only_when_configured(template):
    github_arn = SECRET_ARN + "blog-token-AbCdEf"
    assert grants(Stack(template, GitHubTokenSecret=github_arn))["secretsmanager:GetSecretValue"] == [github_arn]
    by_name = grants(Stack(template, HfTokenSecret="hf-daily-papers/hf-token"))
    assert by_name == BASE_GRANTS | {"secretsmanager:GetSecretValue": [
        SECRET_ARN + "hf-daily-papers/github-token-??????", SECRET_ARN + "hf-daily-papers/hf-token-??????",
    ]}
    hf_arn = SECRET_ARN + "hf-token-123456"
    by_arn = grants(Stack(template, HfTokenSecret=hf_arn))
    assert by_arn["secretsmanager:GetSecretValue"] == [SECRET_ARN + "hf-daily-papers/github-token-??????", hf_arn]


@pytest.mark.parametrize("model", list(BEDROCK_CASES))
def test_bedrock_only_on_the_configured_model_or_profile_and_what_it_routes_to(template, model):
    pattern = template["Parameters"]["SummaryModel"]["AllowedPattern"]
    assert re.fullmatch(pattern, model)
    stack = Stack(template, SummaryModel=model)
    assert grants(stack) == BASE_GRANTS | {"bedrock:InvokeModel": BEDROCK_CASES[model]}
    # The setting the code reads is the parameter itself, and the code accepts it.
    env = stack.resource(FUNCTION)["Properties"]["Environment"]["Variables"]
    assert env["SUMMARY_MODEL"] == model
    assert Settings.from_env({"SUMMARY_MODEL": env["SUMMARY_MODEL"]}).summary_model == model


def test_summary_model_parameter_rejects_what_the_role_could_not_be_scoped_to(template):
    pattern = template["Parameters"]["SummaryModel"]["AllowedPattern"]
    assert re.fullmatch(pattern, "")  # the default: off
    for bad in (
        # an application inference profile or provisioned throughput: models unknown from the ARN
        f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6",
        f"arn:aws:bedrock:ap-northeast-2:{ACCOUNT}:provisioned-model/a1b2c3d4e5f6",
        "claude", "us.", " anthropic.claude-3-5-haiku-20241022-v1:0", "*", "anthropic.*",
        "arn:aws:bedrock:us-east-1::foundation-model/*",
        f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude/x",
    ):
        assert not re.fullmatch(pattern, bad), bad


def test_no_wildcard_action_or_resource_in_any_allow(template):
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        return []

    stacks = [Stack(template, HfTokenSecret="hf-token")] + [Stack(template, SummaryModel=m) for m in BEDROCK_CASES]
    for stack in stacks:
        for statement in allow_statements(stack):
            for action in listed(statement["Action"]):
                assert "*" not in action, statement
            for resource in strings(statement["Resource"]):
                assert resource != "*" and not resource.startswith("*"), statement
                # Wildcards only where AWS makes them necessary: object keys under daily/ (the
                # archive), and the region of a cross-region profile's foundation model (granted
                # only through that profile).
                if "*" in resource:
                    assert resource.endswith("/daily/*") or (
                        resource.startswith("arn:aws:bedrock:*::foundation-model/")
                        and "*" not in resource.removeprefix("arn:aws:bedrock:*")
                        and set(statement["Condition"]["StringEquals"]) == {"bedrock:InferenceProfileArn"}
                    ), statement
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
    assert {"Errors", "Invocations", "ApproximateNumberOfMessagesVisible", "DailyPostPublished"} == set(alarms)
    dlq = alarms["ApproximateNumberOfMessagesVisible"]
    assert dlq["Namespace"] == "AWS/SQS"
    assert dlq["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}}]
    assert (dlq["ComparisonOperator"], dlq["Threshold"]) == ("GreaterThanThreshold", 0)
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    subscription = resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail" and subscription["Properties"]["Protocol"] == "email"
    assert template["Parameters"]["AlarmEmail"]["Default"] == ""


def test_no_post_alarm_fires_after_no_daily_post_for_no_post_alarm_days(template, resources, function):
    alarm = resources["NoPostAlarm"]["Properties"]
    env = function["Environment"]["Variables"]
    # The metric the function publishes through Powertools: its namespace, and the `service`
    # dimension Powertools adds from POWERTOOLS_SERVICE_NAME.
    assert (alarm["Namespace"], alarm["MetricName"]) == (env["POWERTOOLS_METRICS_NAMESPACE"], "DailyPostPublished")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": env["POWERTOOLS_SERVICE_NAME"]}]
    # One data point a day (the sum of the day's runs: 1 once a post was created or updated);
    # every one of the last NoPostAlarmDays days without a post alarms ...
    assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 86400)
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == {"Ref": "NoPostAlarmDays"}
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    # ... and a schedule that stopped, which publishes nothing at all, too.
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": "AlarmTopic"}]
    days = template["Parameters"]["NoPostAlarmDays"]
    assert (days["Type"], days["Default"]) == ("Number", 4)
    assert days["MinValue"] >= 2  # a weekend has no papers: two empty days are normal
    # CloudWatch: Period x EvaluationPeriods at most 7 days for periods of an hour or more.
    assert alarm["Period"] >= 3600 and alarm["Period"] * days["MaxValue"] <= 7 * 86400
    assert Stack(template, NoPostAlarmDays=6).resource("NoPostAlarm")["Properties"]["EvaluationPeriods"] == 6


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
    # No saved parameter overrides: the stack keeps the parameters, `--parameter-overrides` changes the
    # ones it names. A saved list would be sent again by every later `sam deploy`, silently undoing a
    # change made since on the command line (what `sam deploy --guided` would save here).
    assert "parameter_overrides" not in deploy


def deploy_docs() -> str:
    """The README's Deploy section and docs/operations.md (invoking by hand, alarms, rotation, tear down)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Deploy", 1)[1].split("\n## ", 1)[0]
    return section + "\n" + (ROOT / "docs" / "operations.md").read_text("utf-8")


def test_readme_deploy_section_documents_every_parameter(template):
    section = deploy_docs()
    for name, parameter in template["Parameters"].items():
        assert f"`{name}`" in section, name
        if parameter.get("Default") not in (None, ""):
            assert f"`{parameter['Default']}`" in section, (name, parameter["Default"])
    assert "aws secretsmanager create-secret" in section
    assert "sam build" in section
    assert "sam remote invoke" in section and "aws lambda invoke" in section


def test_deploy_docs_have_one_way_to_set_a_parameter_and_it_sticks():
    """Every documented deploy sets parameters with --parameter-overrides only; none saves them to
    samconfig.toml (--guided, --save-params), which would make a later plain deploy undo a change."""
    deploys = [c for c in deploy_commands() if c.startswith("sam deploy")]
    assert len(deploys) >= 3
    for command in deploys:
        assert "--guided" not in command and "--save-params" not in command, command
    section = " ".join(deploy_docs().split())
    assert "UsePreviousValue" in section and "Do not use the `--guided` or `--save-params` option" in section


def test_documented_summary_models_are_ones_the_default_region_offers():
    """The stack's default region is ap-northeast-2: a us./eu. profile or a US-only model id would be
    refused there; the examples are Asia-Pacific cross-region inference profiles."""
    config = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))
    assert config["default"]["global"]["parameters"]["region"] == "ap-northeast-2"
    docs = deploy_docs() + (ROOT / "docs" / "summaries.md").read_text("utf-8")
    models = re.findall(r"SummaryModel=([A-Za-z0-9.:_-]+)", docs)
    assert models and all(model.startswith("apac.") for model in models), models
    for model in models:
        Settings.from_env({"SUMMARY_MODEL": model})  # and the function takes them


def deploy_commands() -> list[str]:
    """Every AWS CLI and SAM CLI command in the README's Deploy section and docs/operations.md (code
    blocks, with their continuation lines joined, and inline code), one string each."""
    section = deploy_docs()
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    inline = re.findall(r"(?<!`)`([^`]+)`(?!`)", re.sub(r"```sh\n.*?```", "", section, flags=re.S))
    lines = []
    for block in blocks:
        lines += re.sub(r"\\\n\s*", " ", block).splitlines()
    lines += [" ".join(code.split()) for code in inline]
    commands = []
    for line in lines:
        for part in re.split(r"&&|\||;", line.split(" #", 1)[0]):
            part = part.strip()
            # (a bare `sam deploy` in a sentence names the command, it is not one to run)
            if re.match(r"(aws|sam) [a-z]", part) and " --" in part and not part.startswith("sam build"):
                commands.append(part)
    return commands


def test_readme_deploy_commands_name_the_region_and_ask_nothing_when_they_say_so():
    commands = deploy_commands()
    assert len(commands) >= 15  # the parser found them
    for kind in ("aws logs tail", "aws secretsmanager put-secret-value", "aws sqs receive-message",
                 "aws secretsmanager delete-secret", "aws cloudformation describe-stacks", "sam deploy", "sam delete"):
        assert any(c.startswith(kind) for c in commands), kind
    for command in commands:
        assert "--region" in command, command
    config = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))
    section = deploy_docs()
    assert f"REGION={config['default']['global']['parameters']['region']}" in section
    # "without any question": samconfig.toml confirms change sets, so that command must not.
    assert config["default"]["deploy"]["parameters"]["confirm_changeset"] is True
    unattended = section.split("without any question", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert "sam deploy" in unattended and "--no-confirm-changeset" in unattended and "--guided" not in unattended

