"""The preferences watch: the upsert function (src/stacks/upsert_function.py)
invoked by EventBridge with CloudTrail events, against moto's in-process SSM.
A console edit or a deletion is undone (the managed content is the default
version again, with a log line saying what was restored), whoever made it —
the function's own role included: a change made by invoking the function is
undone too. The event restoring causes finds nothing to change (no loop).
What it restores comes from its environment, never the event. RDP recording
preferences (no moto support) go through botocore's Stubber."""
import io
import json
import os
import types
import unittest
from contextlib import redirect_stdout

from attack import load, own_stack, request

import boto3  # noqa: E402
from botocore.stub import Stubber  # noqa: E402
from moto import mock_aws  # noqa: E402

SOURCE = "src/stacks/upsert_function.py"
NAME = "SSM-SessionManagerRunShell"
ROLE, FUNCTION = "StackSet-sessionlog-Role-ABC", "StackSet-sessionlog-Function-XYZ"
OWN = f"arn:aws:sts::111111111111:assumed-role/{ROLE}/{FUNCTION}"
ADMIN = "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin/alice@example.com"
RDP = {"KMSKeyArn": "arn:aws:kms:eu-west-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef",
       "RecordingDestinations": {"S3Buckets": [{"BucketName": "logs", "BucketOwner": "222222222222"}]}}


def content(bucket="logs", cloudwatch=True):
    return json.dumps({
        "schemaVersion": "1.0", "description": "test", "sessionType": "Standard_Stream",
        "inputs": {"s3BucketName": bucket, "s3EncryptionEnabled": True, "cloudWatchLogGroupName": "/sessionlog/sm",
                   "cloudWatchEncryptionEnabled": cloudwatch, "cloudWatchStreamingEnabled": cloudwatch,
                   "runAsEnabled": False, "idleSessionTimeout": "20", "maxSessionDuration": "60"}})


MANAGED = content()


def event(name, who, source="ssm.amazonaws.com", params=None):
    return {"version": "0", "source": "aws." + source.split(".")[0], "detail-type": "AWS API Call via CloudTrail",
            "detail": {"eventSource": source, "eventName": name, "userIdentity": {"arn": who},
                       "requestParameters": params if params is not None else {"name": NAME}}}


@mock_aws
class Watch(unittest.TestCase):
    def setUp(self):
        self.stack = own_stack()
        os.environ.update({"MANAGED_CONTENT": MANAGED, "DOCUMENT_NAME": NAME, "STACK_ID": self.stack,
                           "MANAGED_RDP_PREFERENCES": json.dumps(RDP)})
        self.ssm = boto3.client("ssm")
        self.fn = load(SOURCE)
        # Deployed: the custom resource made the managed content the default.
        with redirect_stdout(io.StringIO()):
            self.fn.handler(request("Create", self.stack, {"DocumentName": NAME, "Content": MANAGED}), None)

    def run_watch(self, e):
        out = io.StringIO()
        with redirect_stdout(out):
            self.fn.handler(e, None)
        lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
        self.assertEqual(len(lines), 1, out.getvalue())
        return lines[0]

    def default(self):
        doc = self.ssm.get_document(Name=NAME)
        return json.loads(doc["Content"]), doc["DocumentVersion"]

    def versions(self):
        return self.ssm.describe_document(Name=NAME)["Document"]["LatestVersion"]

    def console_edit(self):
        # What the console's "Edit preferences" does: a new version, made the default.
        v = self.ssm.update_document(Name=NAME, Content=content(bucket="", cloudwatch=False),
                                     DocumentVersion="$LATEST", DocumentFormat="JSON")
        version = v["DocumentDescription"]["DocumentVersion"]
        self.ssm.update_document_default_version(Name=NAME, DocumentVersion=version)
        return version

    def test_a_console_edit_is_undone_and_says_what_it_restored(self):
        edited = self.console_edit()
        self.assertEqual(self.default()[0]["inputs"]["s3BucketName"], "")
        log = self.run_watch(event("UpdateDocumentDefaultVersion", ADMIN, params={"name": NAME, "documentVersion": edited}))
        body, version = self.default()
        self.assertEqual(body, json.loads(MANAGED))
        self.assertNotEqual(version, edited)
        self.assertEqual(log["restored"], NAME)
        self.assertEqual(log["by"], ADMIN)
        self.assertEqual(log["event"], "UpdateDocumentDefaultVersion")
        self.assertEqual(log["version"], version)

    def test_its_own_restore_causes_no_loop(self):
        before = (self.default(), self.versions())
        log = self.run_watch(event("UpdateDocument", OWN))
        self.assertIsNone(log["restored"])
        self.assertEqual((self.default(), self.versions()), before)
        # Its own events after a restore: nothing left to change, the loop ends.
        self.console_edit()
        self.assertEqual(self.run_watch(event("UpdateDocumentDefaultVersion", ADMIN))["restored"], NAME)
        after = (self.default(), self.versions())
        for name in ("UpdateDocument", "UpdateDocumentDefaultVersion"):
            self.assertIsNone(self.run_watch(event(name, OWN))["restored"])
        self.assertEqual((self.default(), self.versions()), after)

    def change_made_through_its_own_role(self, fn):
        self.console_edit()
        fn.handler(event("UpdateDocumentDefaultVersion", OWN), None)
        self.assertEqual(self.default()[0], json.loads(MANAGED))

    def test_a_change_made_through_its_own_role_is_restored(self):
        # Whatever made the function's role write other preferences (an
        # invocation with a forged event, in an earlier version): its own
        # identity in the CloudTrail event does not exempt the change.
        with redirect_stdout(io.StringIO()):
            self.change_made_through_its_own_role(self.fn)

    def test_mutation_skipping_its_own_updates_leaves_that_change(self):
        # What the watch did before (issue 17): skip events of its own role.
        skip = ('    if d:  # the watch (EventBridge)\n',
                '    if d and ":assumed-role/%s/" % ROLE in str(d.get("userIdentity")):\n        return\n'
                '    if d:  # the watch (EventBridge)\n')
        role = ("E = os.environ\n", "E = os.environ\nROLE = %r\n" % ROLE)
        with redirect_stdout(io.StringIO()), self.assertRaises(AssertionError):
            self.change_made_through_its_own_role(load(SOURCE, skip, role))

    def test_a_forged_event_restores_only_the_managed_document(self):
        # A hand-written event naming another document, with content of the
        # caller's choosing in its parameters: only the managed document is
        # read or written, with the managed content.
        self.console_edit()
        chosen = content(bucket="", cloudwatch=False)
        log = self.run_watch(event("UpdateDocument", ADMIN, params={"name": "Their-Document", "content": chosen}))
        self.assertEqual(log["restored"], NAME)
        self.assertEqual(self.default()[0], json.loads(MANAGED))
        with self.assertRaises(self.ssm.exceptions.InvalidDocument):
            self.ssm.get_document(Name="Their-Document")

    def test_an_edit_that_is_not_the_default_yet_changes_nothing(self):
        before = self.default()
        self.ssm.update_document(Name=NAME, Content=content(bucket=""), DocumentVersion="$LATEST", DocumentFormat="JSON")
        log = self.run_watch(event("UpdateDocument", ADMIN))
        self.assertIsNone(log["restored"])
        self.assertNotIn("version", log)
        self.assertEqual(self.default(), before)

    def test_a_deleted_document_is_created_again(self):
        self.ssm.delete_document(Name=NAME)
        log = self.run_watch(event("DeleteDocument", ADMIN))
        self.assertEqual(log["restored"], NAME)
        self.assertEqual(self.default()[0], json.loads(MANAGED))

    def gui(self, have):
        client = boto3.client("ssm-guiconnect", region_name="eu-west-1")
        stub = Stubber(client)
        if have is None:
            stub.add_client_error("get_connection_recording_preferences", "ResourceNotFoundException")
        else:
            stub.add_response("get_connection_recording_preferences", {"ClientToken": "t", "ConnectionRecordingPreferences": have})
        if have != RDP:
            stub.add_response("update_connection_recording_preferences", {"ClientToken": "t", "ConnectionRecordingPreferences": RDP},
                              {"ConnectionRecordingPreferences": RDP})
        stub.activate()
        real = self.fn.boto3.client
        self.fn.boto3 = types.SimpleNamespace(client=lambda name, **k: client if name == "ssm-guiconnect" else real(name, **k))
        return stub

    def test_rdp_recording_preferences_are_restored(self):
        changed = json.loads(json.dumps(RDP))
        changed["RecordingDestinations"]["S3Buckets"][0]["BucketName"] = "elsewhere"
        for have in (changed, None):
            stub = self.gui(have)
            log = self.run_watch(event("UpdateConnectionRecordingPreferences", ADMIN, source="ssm-guiconnect.amazonaws.com", params={}))
            self.assertEqual(log["restored"], "RDP recording preferences")
            stub.assert_no_pending_responses()

    def test_unchanged_rdp_recording_preferences_are_left_alone(self):
        stub = self.gui(RDP)  # no update call is stubbed: one would fail
        log = self.run_watch(event("UpdateConnectionRecordingPreferences", ADMIN, source="ssm-guiconnect.amazonaws.com", params={}))
        self.assertIsNone(log["restored"])
        stub.assert_no_pending_responses()


if __name__ == "__main__":
    unittest.main(verbosity=2)
