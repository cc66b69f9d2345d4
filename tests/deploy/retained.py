#!/usr/bin/env python3
"""Write data into what sessionlog retains, and fingerprint it afterwards.

    retained.py ENDPOINT ORG_JSON seed BUCKET REGION...
    retained.py ENDPOINT ORG_JSON fingerprint BUCKET REGION...
`seed` puts an object into the log-archive bucket (twice: two versions) and a
log event into every member's session log group. `fingerprint` prints, as
JSON, what identifies those objects: the bucket's creation date and object
versions, every key's id and creation date per region, and per member and
region the log group's ARN, creation time, KMS key and stored events. Two
equal fingerprints mean the same objects, with nothing lost.
"""
import json
import sys
import time

import boto3

endpoint, org, command, bucket = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
regions = sys.argv[5:]
base = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
GROUP_PREFIX = "/sessionlog/"


def session(account):
    c = boto3.client("sts", region_name="us-east-1", **base).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="retained")["Credentials"]
    return dict(endpoint_url=endpoint, aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def groups(logs):
    return [g for g in logs.describe_log_groups(logGroupNamePrefix=GROUP_PREFIX)["logGroups"]]


archive = session(org["archive"])
if command == "seed":
    s3 = boto3.client("s3", region_name=regions[0], **archive)
    for body in (b"first session log", b"second session log"):
        s3.put_object(Bucket=bucket, Key=f"accounts/{org['members'][0]}/session.log", Body=body)
    for m in org["members"]:
        kw = session(m)
        for r in regions:
            logs = boto3.client("logs", region_name=r, **kw)
            for g in groups(logs):
                logs.create_log_stream(logGroupName=g["logGroupName"], logStreamName="i-0123456789")
                logs.put_log_events(logGroupName=g["logGroupName"], logStreamName="i-0123456789",
                                    logEvents=[{"timestamp": int(time.time() * 1000), "message": f"session of {m} in {r}"}])
elif command == "fingerprint":
    out = {"bucket": None, "keys": {}, "log_groups": {}}
    s3 = boto3.client("s3", region_name=regions[0], **archive)
    found = [b for b in s3.list_buckets()["Buckets"] if b["Name"] == bucket]
    if found:
        # The log copy's Firehose objects (…/cloudwatch/…) keep arriving as
        # members log; tests/deploy.rs's log copy test checks them. The
        # fingerprint covers every other object version.
        versions = [v for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])
                    if "/cloudwatch/" not in v["Key"]]
        out["bucket"] = {
            "created": found[0]["CreationDate"].isoformat(),
            "versions": sorted((v["Key"], v["VersionId"], v["ETag"]) for v in versions),
            "contents": sorted(s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read().decode("latin-1")
                               for v in versions),
        }
    for r in regions:
        kms = boto3.client("kms", region_name=r, **archive)
        keys = []
        for k in kms.list_keys()["Keys"]:
            meta = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
            keys.append([meta["KeyId"], meta["CreationDate"].isoformat(), meta["KeyState"]])
        out["keys"][r] = sorted(keys)
    for m in org["members"]:
        kw = session(m)
        for r in regions:
            logs = boto3.client("logs", region_name=r, **kw)
            for g in groups(logs):
                events = []
                for st in logs.describe_log_streams(logGroupName=g["logGroupName"])["logStreams"]:
                    events += [e["message"] for e in logs.get_log_events(
                        logGroupName=g["logGroupName"], logStreamName=st["logStreamName"])["events"]]
                out["log_groups"][f"{m}/{r}{g['logGroupName']}"] = {
                    "arn": g["arn"], "created": g["creationTime"], "kms": g.get("kmsKeyId"),
                    "retention": g.get("retentionInDays"), "events": sorted(events)}
    print(json.dumps(out, sort_keys=True))
else:
    sys.exit(f"unknown command {command}")
