"""The inline upsert function of the member template (src/stacks/upsert_function.py),
run against moto's in-process SSM and CloudFormation. Lambda supplies
`cfnresponse` to inline code; a stand-in (attack.py) records what the function
reports to CloudFormation and where.

First what CloudFormation does (the stack's own Create, Update and Delete),
then what anyone allowed lambda:InvokeFunction can do: hand-written events
with content of their choosing, a Delete while the stack is not being
deleted, a ResponseURL of their choosing. The managed document stays as the
template says. Each protection is shown to be what its test relies on: the
same attack against the function with that protection taken out does the
damage (class Mutations)."""
import json
import os
import unittest

from attack import CFN_URLS, OUTSIDE_URLS, SENT, load, own_stack, request, set_status

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

SOURCE = "src/stacks/upsert_function.py"
NAME = "SSM-SessionManagerRunShell"


def content(idle=20, bucket="b", run_as=""):
    return json.dumps({
        "schemaVersion": "1.0", "description": "test", "sessionType": "Standard_Stream",
        "inputs": {"s3BucketName": bucket, "s3EncryptionEnabled": True, "cloudWatchEncryptionEnabled": True,
                   "cloudWatchStreamingEnabled": True, "runAsEnabled": bool(run_as), "runAsDefaultUser": run_as,
                   "idleSessionTimeout": str(idle), "maxSessionDuration": "60"}})


MANAGED = content()
# What an attacker would like the preferences to be: no bucket, root shells.
CHOSEN = content(bucket="", run_as="root")

# The function with a protection taken out (see Mutations).
NO_STATUS_CHECK = ('in ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS")', '!= ""')
CONTENT_FROM_EVENT = [('    kind, d = event.get("RequestType"), event.get("detail")',
                       '    kind, d = event.get("RequestType"), event.get("detail")\n'
                       '    E["MANAGED_CONTENT"] = event.get("ResourceProperties", {}).get("Content", MANAGED)'),
                      ('E = os.environ\n', 'E = os.environ\nMANAGED = E["MANAGED_CONTENT"]\n')]
NO_URL_CHECK = ('if re.match(CFN, str(event.get("ResponseURL"))):', 'if True:')


@mock_aws
class Base(unittest.TestCase):
    def setUp(self):
        SENT.clear()
        self.ssm = boto3.client("ssm")
        self.stack = own_stack()
        os.environ.update({"DOCUMENT_NAME": NAME, "STACK_ID": self.stack, "MANAGED_CONTENT": MANAGED})
        self.fn = load(SOURCE)

    def tearDown(self):
        os.environ["MANAGED_CONTENT"] = MANAGED

    def default(self):
        doc = self.ssm.get_document(Name=NAME)  # the default version
        return json.loads(doc["Content"]), doc["DocumentVersion"]

    def state(self):
        """The default version's content and number, and how many versions there are."""
        body, version = self.default()
        return body, version, self.ssm.describe_document(Name=NAME)["Document"]["LatestVersion"]

    def deployed(self):
        """The stack's own Create made the managed content the default."""
        self.fn.handler(request("Create", self.stack, {"DocumentName": NAME, "Content": MANAGED}), None)
        self.assertEqual(self.default()[0], json.loads(MANAGED))
        SENT.clear()
        return self.state()


@mock_aws
class WhatCloudFormationDoes(Base):
    def test_creates_the_document_when_absent(self):
        self.fn.handler(request("Create", self.stack, {"Content": MANAGED}), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(SENT[-1]["id"], NAME)
        self.assertEqual(self.default(), (json.loads(MANAGED), "1"))

    def test_existing_document_gets_a_new_default_version(self):
        # What the console creates the first time anyone opens the preferences.
        self.ssm.create_document(Name=NAME, Content=content(5), DocumentType="Session", DocumentFormat="JSON")
        self.fn.handler(request("Create", self.stack, {"Content": MANAGED}), None)
        self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
        self.assertEqual(self.default(), (json.loads(MANAGED), "2"))

    def test_an_update_applies_the_new_managed_content_and_the_same_again_is_no_error(self):
        self.deployed()
        # The template changed: CloudFormation updates the function's environment, then the resource.
        os.environ["MANAGED_CONTENT"] = content(idle=30)
        self.fn.handler(request("Update", self.stack, {"Content": content(idle=30)}, physical=NAME,
                                old={"Content": MANAGED}), None)
        self.fn.handler(request("Update", self.stack, {"Content": content(idle=30)}, physical=NAME), None)
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS", "SUCCESS"], SENT)
        self.assertEqual(self.default(), (json.loads(content(idle=30)), "2"))

    def test_the_stacks_deletion_restores_the_defaults_and_keeps_the_document(self):
        for status in ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"):
            self.deployed()
            set_status(self.stack, status)
            self.fn.handler(request("Delete", self.stack, {"Content": MANAGED}, physical=NAME), None)
            self.assertEqual(SENT[-1]["status"], "SUCCESS", SENT)
            body, _ = self.default()
            self.assertEqual(body["inputs"]["s3BucketName"], "", status)
            self.assertEqual(body["description"], "Document to hold regional settings for Session Manager")
            self.assertEqual(body["inputs"]["idleSessionTimeout"], "20")
            set_status(self.stack, "CREATE_COMPLETE")

    def test_managed_content_that_is_not_json_fails_with_a_reason(self):
        os.environ["MANAGED_CONTENT"] = "{not json"
        self.fn.handler(request("Create", self.stack, {"Content": MANAGED}), None)
        self.assertEqual(SENT[-1]["status"], "FAILED")
        self.assertTrue(SENT[-1]["reason"])

    def test_answers_go_to_cloudformations_response_urls(self):
        for url in CFN_URLS:
            self.fn.handler(request("Create", self.stack, url=url), None)
            self.assertEqual(SENT[-1]["url"], url)
        self.assertEqual(len(SENT), len(CFN_URLS))


@mock_aws
class WhatACallerCanDo(Base):
    """Hand-written events: afterwards the managed content is still the
    default version, and no version was added."""

    def attack_create_or_update_with_chosen_content(self, fn):
        before = self.deployed()
        for kind in ("Create", "Update"):
            fn.handler(request(kind, self.stack, {"DocumentName": NAME, "Content": CHOSEN}, physical=NAME,
                               old={"Content": MANAGED}), None)
        self.assertEqual(self.state(), before)

    def test_create_or_update_with_chosen_content(self):
        self.attack_create_or_update_with_chosen_content(self.fn)
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS", "SUCCESS"], SENT)

    def test_an_event_shaped_like_its_own_update_reapplies_the_managed_content(self):
        self.deployed()
        # Someone changed the preferences; any Create or Update puts them back.
        self.ssm.update_document(Name=NAME, Content=CHOSEN, DocumentVersion="$LATEST", DocumentFormat="JSON")
        self.ssm.update_document_default_version(Name=NAME, DocumentVersion="2")
        self.fn.handler(request("Update", self.stack, {"Content": CHOSEN}, physical=NAME, old={"Content": MANAGED}), None)
        self.assertEqual(self.default(), (json.loads(MANAGED), "1"))

    def attack_delete_while_the_stack_is_not_being_deleted(self, fn):
        before = self.deployed()
        for status in ("CREATE_COMPLETE", "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"):
            set_status(self.stack, status)
            fn.handler(request("Delete", self.stack, {"Content": MANAGED}, physical=NAME), None)
            self.assertEqual(self.state(), before, status)

    def test_delete_while_the_stack_is_not_being_deleted(self):
        self.attack_delete_while_the_stack_is_not_being_deleted(self.fn)
        # CloudFormation is answered (a removal from the template must not hang), nothing was restored.
        self.assertEqual([s["status"] for s in SENT], ["SUCCESS"] * 3, SENT)

    def test_delete_naming_another_stack_that_is_being_deleted(self):
        before = self.deployed()
        theirs = own_stack("attackers-stack")
        set_status(theirs, "DELETE_IN_PROGRESS")
        for stack in (theirs, None, self.stack.replace("eu-west-1", "us-east-1")):
            self.fn.handler(request("Delete", stack, physical=NAME), None)
            self.assertEqual(self.state(), before, stack)

    def test_the_response_url_is_never_one_the_caller_chose(self):
        self.deployed()
        for url in OUTSIDE_URLS:
            self.fn.handler(request("Create", self.stack, url=url), None)
        self.assertEqual(SENT, [])

    def test_a_refused_or_unanswered_request_is_logged(self):
        import io
        from contextlib import redirect_stdout
        self.deployed()
        out = io.StringIO()
        with redirect_stdout(out):
            self.fn.handler(request("Delete", self.stack, url="https://attacker.example/"), None)
        log = json.loads(out.getvalue().splitlines()[-1])
        self.assertEqual(log["refused"], "not this stack's deletion")
        self.assertEqual(log["unanswered"], "ResponseURL is not CloudFormation's")


@mock_aws
class Mutations(Base):
    """The attacks above, against the function with one protection taken
    out: each then does the damage, so each test relies on its protection."""

    def damaged(self, attack, *mutations):
        with self.assertRaises(AssertionError):
            attack(load(SOURCE, *mutations))

    def test_without_the_stack_status_check_a_delete_restores_the_defaults(self):
        self.damaged(WhatACallerCanDo.attack_delete_while_the_stack_is_not_being_deleted.__get__(self), NO_STATUS_CHECK)

    def test_with_content_from_the_event_a_caller_writes_their_own(self):
        self.damaged(WhatACallerCanDo.attack_create_or_update_with_chosen_content.__get__(self), *CONTENT_FROM_EVENT)

    def test_without_the_url_check_answers_go_where_the_caller_says(self):
        fn = load(SOURCE, NO_URL_CHECK)
        fn.handler(request("Create", self.stack, url=OUTSIDE_URLS[0]), None)
        self.assertEqual(SENT[-1]["url"], OUTSIDE_URLS[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
