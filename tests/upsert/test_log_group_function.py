"""The inline create-or-adopt function of the member log group
(src/stacks/log_group_function.py), run against moto's in-process CloudWatch
Logs with the same fidelity patches as the deploy tests' server
(scripts/moto-server.py: AssociateKmsKey). Lambda supplies `cfnresponse` to
inline code; a stand-in records what the function reports to CloudFormation."""
import importlib.util
import os
import sys
import time
import types
import unittest

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

HERE = os.path.dirname(__file__)
ROOT = os.path.join(HERE, "..", "..")
spec = importlib.util.spec_from_file_location("moto_server", os.path.join(ROOT, "scripts", "moto-server.py"))
spec.loader.exec_module(importlib.util.module_from_spec(spec))  # the fidelity patches

SENT = []
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, data, physical_id=None, reason=None: SENT.append(
    {"status": status, "data": data, "id": physical_id, "reason": reason})
sys.modules["cfnresponse"] = cfnresponse

SOURCE = os.path.join(ROOT, "src", "stacks", "log_group_function.py")
NAME = "/sessionlog/session-manager"
KEY = "arn:aws:kms:eu-west-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef"
TAGS = [{"Key": "sessionlog:component", "Value": "session-log-group"}, {"Key": "project", "Value": "x"}]


def load_function():
    module = types.ModuleType("index")
    with open(SOURCE) as f:
        exec(compile(f.read(), SOURCE, "exec"), module.__dict__)
    return module


def event(kind, retention="365", physical=None, name=NAME):
    # CloudFormation sends every custom resource property as a string.
    props = {"ServiceToken": "arn", "LogGroupName": name, "KmsKeyId": KEY, "RetentionInDays": retention,
             "Tags": TAGS}
    e = {"RequestType": kind, "ResourceProperties": props}
    if physical:
        e["PhysicalResourceId"] = physical
    return e


@mock_aws
class CreateOrAdopt(unittest.TestCase):
    def setUp(self):
        SENT.clear()
        self.logs = boto3.client("logs")
        self.fn = load_function()

    def group(self):
        groups = self.logs.describe_log_groups(logGroupNamePrefix=NAME)["logGroups"]
        return next(g for g in groups if g["logGroupName"] == NAME)

    def events(self):
        return [e["message"] for e in self.logs.get_log_events(logGroupName=NAME, logStreamName="i-1")["events"]]

    def tags(self):
        return self.logs.list_tags_for_resource(resourceArn=self.group()["arn"].removesuffix(":*"))["tags"]

    def test_absent_group_is_created_encrypted_with_retention_and_tags(self):
        self.fn.handler(event("Create"), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(SENT[-1]["id"], NAME)
        g = self.group()
        self.assertEqual((g["retentionInDays"], g["kmsKeyId"]), (365, KEY))
        self.assertEqual(SENT[-1]["data"]["Arn"], g["arn"])
        self.assertEqual(self.tags()["sessionlog:component"], "session-log-group")

    def test_retained_group_is_adopted_with_its_events(self):
        # What a deleted stack instance leaves behind (DeletionPolicy Retain).
        self.logs.create_log_group(logGroupName=NAME)
        self.logs.put_retention_policy(logGroupName=NAME, retentionInDays=7)
        self.logs.create_log_stream(logGroupName=NAME, logStreamName="i-1")
        self.logs.put_log_events(logGroupName=NAME, logStreamName="i-1",
                                 logEvents=[{"timestamp": int(time.time() * 1000), "message": "old session"}])
        before = self.group()
        self.fn.handler(event("Create"), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        g = self.group()
        self.assertEqual((g["arn"], g["creationTime"]), (before["arn"], before["creationTime"]), "the same group")
        self.assertEqual((g["retentionInDays"], g["kmsKeyId"]), (365, KEY))
        self.assertEqual(self.tags()["project"], "x")
        self.assertEqual(self.events(), ["old session"])

    def test_update_applies_the_new_retention(self):
        self.fn.handler(event("Create"), None)
        self.fn.handler(event("Update", retention="90", physical=NAME), None)
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS", "SUCCESS"], SENT)
        self.assertEqual(self.group()["retentionInDays"], 90)

    def test_delete_keeps_the_group_and_its_events(self):
        self.fn.handler(event("Create"), None)
        self.logs.create_log_stream(logGroupName=NAME, logStreamName="i-1")
        self.logs.put_log_events(logGroupName=NAME, logStreamName="i-1",
                                 logEvents=[{"timestamp": int(time.time() * 1000), "message": "kept"}])
        self.fn.handler(event("Delete", physical=NAME), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(SENT[-1]["id"], NAME)
        self.assertEqual(self.events(), ["kept"])

    def test_a_failure_is_reported_with_its_reason(self):
        bad = event("Create")
        del bad["ResourceProperties"]["RetentionInDays"]
        self.fn.handler(bad, None)
        self.assertEqual(SENT[-1]["status"], "FAILED")
        self.assertIn("RetentionInDays", SENT[-1]["reason"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
