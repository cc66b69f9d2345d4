"""The inline upsert function of the member template (src/stacks/upsert_function.py),
run against moto's in-process SSM. Lambda supplies `cfnresponse` to inline code;
a stand-in records what the function reports to CloudFormation."""
import json
import os
import sys
import types
import unittest

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

SENT = []
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, data, physical_id=None, reason=None: SENT.append(
    {"status": status, "data": data, "id": physical_id, "reason": reason})
sys.modules["cfnresponse"] = cfnresponse

SOURCE = os.path.join(os.path.dirname(__file__), "..", "..", "src", "stacks", "upsert_function.py")
NAME = "SSM-SessionManagerRunShell"


def content(idle):
    return json.dumps({
        "schemaVersion": "1.0", "description": "test", "sessionType": "Standard_Stream",
        "inputs": {"s3BucketName": "b", "s3EncryptionEnabled": True, "cloudWatchEncryptionEnabled": True,
                   "cloudWatchStreamingEnabled": True, "runAsEnabled": False,
                   "idleSessionTimeout": str(idle), "maxSessionDuration": "60"}})


def load_function():
    module = types.ModuleType("index")
    with open(SOURCE) as f:
        exec(compile(f.read(), SOURCE, "exec"), module.__dict__)
    return module


def event(kind, text=None):
    props = {"DocumentName": NAME, "ServiceToken": "arn"}
    if text is not None:
        props["Content"] = text
    return {"RequestType": kind, "ResourceProperties": props}


@mock_aws
class Upsert(unittest.TestCase):
    def setUp(self):
        SENT.clear()
        self.ssm = boto3.client("ssm")
        self.fn = load_function()

    def default_content(self):
        doc = self.ssm.get_document(Name=NAME)  # the default version
        return json.loads(doc["Content"]), doc["DocumentVersion"]

    def test_creates_the_document_when_absent(self):
        self.fn.handler(event("Create", content(20)), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        body, version = self.default_content()
        self.assertEqual(body["inputs"]["idleSessionTimeout"], "20")
        self.assertEqual(version, "1")

    def test_existing_document_gets_a_new_default_version(self):
        # What the console creates the first time anyone opens the preferences.
        self.ssm.create_document(Name=NAME, Content=content(5), DocumentType="Session", DocumentFormat="JSON")
        self.fn.handler(event("Create", content(20)), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        body, version = self.default_content()
        self.assertEqual(body["inputs"]["idleSessionTimeout"], "20")
        self.assertEqual(version, "2")
        self.assertIs(body["inputs"]["s3EncryptionEnabled"], True)

    def test_same_content_again_is_not_an_error(self):
        self.fn.handler(event("Create", content(20)), None)
        self.fn.handler(event("Update", content(20)), None)
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS", "SUCCESS"], SENT)
        self.assertEqual(self.default_content()[0]["inputs"]["idleSessionTimeout"], "20")

    def test_delete_restores_the_defaults_and_keeps_the_document(self):
        self.fn.handler(event("Create", content(20)), None)
        self.fn.handler(event("Delete"), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        body, _ = self.default_content()
        self.assertEqual(body["inputs"]["s3BucketName"], "")
        self.assertEqual(body["inputs"]["idleSessionTimeout"], "20")

    def test_invalid_content_fails_with_a_reason(self):
        self.fn.handler(event("Create", "{not json"), None)
        self.assertEqual(SENT[-1]["status"], "FAILED")
        self.assertTrue(SENT[-1]["reason"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
