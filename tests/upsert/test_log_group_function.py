"""The inline create-or-adopt function of the member log group
(src/stacks/log_group_function.py), run against moto's in-process CloudWatch
Logs with the same fidelity patches as the deploy tests' server
(scripts/moto-server.py: AssociateKmsKey). Lambda supplies `cfnresponse` to
inline code; a stand-in (attack.py) records what the function reports to
CloudFormation and where.

The group's name, key, retention and tags come from the function's
environment (the template): a hand-written event with other values, whoever
sends it, (re)applies the managed ones, and a Delete never deletes. Class
Mutations shows the tests rely on that."""
import importlib.util
import json
import os
import time
import unittest

from attack import OUTSIDE_URLS, ROOT, SENT, load, own_stack, request

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

spec = importlib.util.spec_from_file_location("moto_server", os.path.join(ROOT, "scripts", "moto-server.py"))
spec.loader.exec_module(importlib.util.module_from_spec(spec))  # the fidelity patches

SOURCE = "src/stacks/log_group_function.py"
NAME = "/sessionlog/session-manager"
KEY = "arn:aws:kms:eu-west-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef"
TAGS = {"sessionlog:component": "session-log-group", "project": "x"}
# What a caller would like instead: logs gone after a day, under their key.
THEIR_KEY = "arn:aws:kms:eu-west-1:999999999999:key/mrk-ffffffffffffffffffffffffffffffff"


def props(retention="365", key=KEY, name=NAME, tags=None):
    # CloudFormation sends every custom resource property as a string.
    return {"LogGroupName": name, "KmsKeyId": key, "RetentionInDays": retention,
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or TAGS).items()]}


ENVIRONMENT = {"LOG_GROUP_NAME": NAME, "KMS_KEY_ARN": KEY, "RETENTION_DAYS": "365", "TAGS": json.dumps(TAGS)}
RETENTION_FROM_EVENT = [('    kind, status, data, reason = event.get("RequestType"), cfnresponse.SUCCESS, {}, None',
                         '    kind, status, data, reason = event.get("RequestType"), cfnresponse.SUCCESS, {}, None\n'
                         '    global DAYS, KEY\n'
                         '    DAYS = int(event["ResourceProperties"].get("RetentionInDays", DAYS))\n'
                         '    KEY = event["ResourceProperties"].get("KmsKeyId", KEY)')]


@mock_aws
class Base(unittest.TestCase):
    def setUp(self):
        SENT.clear()
        os.environ.update(ENVIRONMENT)
        self.logs = boto3.client("logs")
        self.stack = own_stack()
        self.fn = load(SOURCE)

    def tearDown(self):
        os.environ.update(ENVIRONMENT)

    def group(self, name=NAME):
        groups = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        return next((g for g in groups if g["logGroupName"] == name), None)

    def events(self):
        return [e["message"] for e in self.logs.get_log_events(logGroupName=NAME, logStreamName="i-1")["events"]]

    def tags(self):
        return self.logs.list_tags_for_resource(resourceArn=self.group()["arn"].removesuffix(":*"))["tags"]

    def managed(self):
        g = self.group()
        return g["retentionInDays"], g["kmsKeyId"], self.tags()


@mock_aws
class WhatCloudFormationDoes(Base):
    def test_absent_group_is_created_encrypted_with_retention_and_tags(self):
        self.fn.handler(request("Create", self.stack, props()), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(SENT[-1]["id"], NAME)
        self.assertEqual(self.managed(), (365, KEY, TAGS))
        self.assertEqual(SENT[-1]["data"]["Arn"], self.group()["arn"])

    def test_retained_group_is_adopted_with_its_events(self):
        # What a deleted stack instance leaves behind (DeletionPolicy Retain).
        self.logs.create_log_group(logGroupName=NAME)
        self.logs.put_retention_policy(logGroupName=NAME, retentionInDays=7)
        self.logs.create_log_stream(logGroupName=NAME, logStreamName="i-1")
        self.logs.put_log_events(logGroupName=NAME, logStreamName="i-1",
                                 logEvents=[{"timestamp": int(time.time() * 1000), "message": "old session"}])
        before = self.group()
        self.fn.handler(request("Create", self.stack, props()), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        g = self.group()
        self.assertEqual((g["arn"], g["creationTime"]), (before["arn"], before["creationTime"]), "the same group")
        self.assertEqual(self.managed(), (365, KEY, TAGS))
        self.assertEqual(self.events(), ["old session"])

    def test_update_applies_the_new_retention(self):
        self.fn.handler(request("Create", self.stack, props()), None)
        # The template changed: CloudFormation updates the function's environment, then the resource.
        os.environ["RETENTION_DAYS"] = "90"
        self.fn = load(SOURCE)
        self.fn.handler(request("Update", self.stack, props("90"), physical=NAME, old=props()), None)
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS", "SUCCESS"], SENT)
        self.assertEqual(self.group()["retentionInDays"], 90)

    def test_delete_keeps_the_group_and_its_events(self):
        self.fn.handler(request("Create", self.stack, props()), None)
        self.logs.create_log_stream(logGroupName=NAME, logStreamName="i-1")
        self.logs.put_log_events(logGroupName=NAME, logStreamName="i-1",
                                 logEvents=[{"timestamp": int(time.time() * 1000), "message": "kept"}])
        self.fn.handler(request("Delete", self.stack, props(), physical=NAME), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(SENT[-1]["id"], NAME)
        self.assertEqual(self.events(), ["kept"])

    def test_a_failure_is_reported_with_its_reason(self):
        os.environ["TAGS"] = "{not json"
        self.fn.handler(request("Create", self.stack, props()), None)
        self.assertEqual(SENT[-1]["status"], "FAILED")
        self.assertIn("JSONDecodeError", SENT[-1]["reason"])


@mock_aws
class WhatACallerCanDo(Base):
    """Hand-written events with other values: afterwards the group has the
    managed retention, key and tags, and no other group exists."""

    def attack_chosen_retention_key_and_name(self, fn):
        fn.handler(request("Create", self.stack, props()), None)
        for kind in ("Create", "Update", "Delete"):
            fn.handler(request(kind, "arn:aws:cloudformation:eu-west-1:111111111111:stack/theirs/1",
                               props("1", THEIR_KEY, tags={"project": "theirs"}), physical=NAME, old=props()), None)
        self.assertEqual(self.managed(), (365, KEY, TAGS))

    def test_chosen_retention_key_and_tags(self):
        self.attack_chosen_retention_key_and_name(self.fn)

    def test_a_chosen_log_group_name(self):
        self.fn.handler(request("Create", self.stack, props(name="/their/group")), None)
        self.assertIsNone(self.group("/their/group"))
        self.assertEqual(self.managed(), (365, KEY, TAGS))

    def test_an_event_shaped_like_its_own_update_reapplies_the_managed_settings(self):
        self.fn.handler(request("Create", self.stack, props()), None)
        self.logs.put_retention_policy(logGroupName=NAME, retentionInDays=1)
        self.fn.handler(request("Update", self.stack, props("1"), physical=NAME, old=props()), None)
        self.assertEqual(self.managed(), (365, KEY, TAGS))

    def test_the_response_url_is_never_one_the_caller_chose(self):
        for url in OUTSIDE_URLS:
            self.fn.handler(request("Create", self.stack, props(), url=url), None)
        self.assertEqual(SENT, [])
        self.assertEqual(self.managed(), (365, KEY, TAGS))


@mock_aws
class Mutations(Base):
    def test_with_retention_and_key_from_the_event_a_caller_sets_their_own(self):
        with self.assertRaises(AssertionError):
            WhatACallerCanDo.attack_chosen_retention_key_and_name(self, load(SOURCE, *RETENTION_FROM_EVENT))

    def test_without_the_url_check_answers_go_where_the_caller_says(self):
        fn = load(SOURCE, ('if re.match(CFN, str(event.get("ResponseURL"))):', 'if True:'))
        fn.handler(request("Create", self.stack, props(), url=OUTSIDE_URLS[0]), None)
        self.assertEqual(SENT[-1]["url"], OUTSIDE_URLS[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
