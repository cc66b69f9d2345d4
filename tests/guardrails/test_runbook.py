"""The Config guard's runbook, as sessionlog renders it, run against moto's
CloudTrail: a trail that was stopped and weakened is logging again with the
required settings. The cases (runbook content and the remediation's static
parameters) come from tests/guardrails_runbook.rs in $RUNBOOK_CASES."""
import copy
import json
import os
import sys
import unittest

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
sys.path.insert(0, os.path.dirname(__file__))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

import runbook  # noqa: E402

CASES = json.load(open(os.environ["RUNBOOK_CASES"]))


def weakened_trail(session, p):
    """A trail in the state an attacker leaves it: stopped, one region, no
    validation, no global events, no KMS, another prefix, write-only."""
    s3 = session.client("s3")
    for bucket in (p["S3BucketName"], "somewhere-else"):
        if session.region_name == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": session.region_name})
    ct = session.client("cloudtrail")
    ct.create_trail(Name=p["TrailName"], S3BucketName="somewhere-else", S3KeyPrefix="x",
                    IsMultiRegionTrail=False, EnableLogFileValidation=False,
                    IncludeGlobalServiceEvents=False)
    ct.put_event_selectors(TrailName=p["TrailName"], EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False}])
    ct.stop_logging(Name=p["TrailName"])
    return ct


class Runbook(unittest.TestCase):
    def restore(self, case, document=None):
        session = boto3.Session(region_name=case["region"])
        params = case["parameters"]
        ct = weakened_trail(session, params)
        self.assertFalse(ct.get_trail_status(Name=params["TrailName"])["IsLogging"])
        runbook.run(document or case["runbook"], params, session)
        trail = ct.describe_trails(trailNameList=[params["TrailName"]])["trailList"][0]
        return ct, trail, params

    def check_restored(self, case, ct, trail, p):
        self.assertTrue(ct.get_trail_status(Name=p["TrailName"])["IsLogging"], "logging again")
        self.assertTrue(trail["IsMultiRegionTrail"])
        self.assertTrue(trail["LogFileValidationEnabled"])
        self.assertTrue(trail["IncludeGlobalServiceEvents"])
        self.assertEqual(trail["IsOrganizationTrail"], case["organization_trail"])
        self.assertEqual(trail["S3BucketName"], p["S3BucketName"])
        self.assertEqual(trail["KmsKeyId"], p["KmsKeyId"])
        if "S3KeyPrefix" in p:
            self.assertEqual(trail["S3KeyPrefix"], p["S3KeyPrefix"])
        if case["event_selectors"]:
            selectors = ct.get_event_selectors(TrailName=p["TrailName"])["EventSelectors"]
            self.assertEqual(selectors[0]["ReadWriteType"], "All")
            self.assertTrue(selectors[0]["IncludeManagementEvents"])

    def test_every_rendered_runbook_turns_a_stopped_weakened_trail_back_on(self):
        self.assertGreaterEqual(len(CASES), 2)
        for case in CASES:
            with self.subTest(case["name"]), mock_aws():
                self.check_restored(case, *self.restore(case))

    def test_without_its_start_logging_step_the_trail_stays_stopped(self):
        # The check above can fail: the same runbook minus StartLogging.
        case = CASES[0]
        doc = copy.deepcopy(case["runbook"])
        doc["mainSteps"] = [s for s in doc["mainSteps"] if s["inputs"]["Api"] != "StartLogging"]
        with mock_aws():
            ct, trail, p = self.restore(case, doc)
            self.assertFalse(ct.get_trail_status(Name=p["TrailName"])["IsLogging"])
            with self.assertRaises(AssertionError):
                self.check_restored(case, ct, trail, p)

    def test_without_log_file_validation_the_check_fails(self):
        case = CASES[0]
        doc = copy.deepcopy(case["runbook"])
        del doc["mainSteps"][0]["inputs"]["EnableLogFileValidation"]
        with mock_aws():
            with self.assertRaises(AssertionError):
                self.check_restored(case, *self.restore(case, doc))

    def test_the_interpreter_refuses_what_it_cannot_run(self):
        case = CASES[0]
        doc = copy.deepcopy(case["runbook"])
        doc["mainSteps"][0]["action"] = "aws:runCommand"
        with mock_aws(), self.assertRaises(runbook.RunbookError):
            runbook.run(doc, case["parameters"], boto3.Session(region_name=case["region"]))
        with self.assertRaises(runbook.RunbookError):
            runbook.bind(case["runbook"], {k: v for k, v in case["parameters"].items() if k != "TrailName"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
