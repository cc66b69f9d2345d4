#!/usr/bin/env python3
"""Drive the log copy end to end in moto and print what happened, as JSON.

    log_copy_probe.py ENDPOINT ORG_JSON BUCKET REGION...
1. In every member account and region: a session's output into the session
   log group (a new log stream, one event naming the account and region).
2. The central bucket, read back: every object, decompressed, its records.
3. Who may subscribe: an account outside the organization, and a member
   pointing at another region's destination (both must be refused).
4. The subscription filters of the members' log groups, and each region's
   destination and Firehose stream in the log-archive account.
"""
import gzip
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

endpoint, org, bucket = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
regions = sys.argv[4:]
LOG_GROUP = "/sessionlog/session-manager"
NAME = "sessionlog-session-logs"
OUTSIDER = "999999999999"
base = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")


def session(account):
    c = boto3.client("sts", region_name="us-east-1", **base).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="probe")["Credentials"]
    return dict(endpoint_url=endpoint, aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def destination_arn(region):
    return f"arn:aws:logs:{region}:{org['archive']}:destination:{NAME}"


out = {"filters": {}, "objects": {}, "refusals": {}, "archive": {}}
for m in org["members"]:
    kw = session(m)
    out["filters"][m] = {}
    for r in regions:
        logs = boto3.client("logs", region_name=r, **kw)
        out["filters"][m][r] = [f["destinationArn"] for f in
                                logs.describe_subscription_filters(logGroupName=LOG_GROUP)["subscriptionFilters"]]
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName="probe-session-0123")
        logs.put_log_events(logGroupName=LOG_GROUP, logStreamName="probe-session-0123",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": f"whoami: {m} in {r}"}])

akw = session(org["archive"])
s3 = boto3.client("s3", region_name="us-east-1", **akw)
for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
    body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    text = gzip.decompress(body).decode() if o["Key"].endswith(".gz") else body.decode()
    out["objects"][o["Key"]] = [json.loads(line) for line in text.splitlines() if line.strip()]

for r in regions:
    logs = boto3.client("logs", region_name=r, **akw)
    firehose = boto3.client("firehose", region_name=r, **akw)
    d = [x for x in logs.describe_destinations()["destinations"] if x["destinationName"] == NAME]
    s = firehose.describe_delivery_stream(DeliveryStreamName=NAME)["DeliveryStreamDescription"]
    out["archive"][r] = {"destination": d[0] if d else None,
                         "stream": s["Destinations"][0].get("ExtendedS3DestinationDescription")}


def refusal(account, region, target_region):
    logs = boto3.client("logs", region_name=region, **session(account))
    try:
        logs.create_log_group(logGroupName="/probe/refused")
    except ClientError:
        pass
    try:
        logs.put_subscription_filter(logGroupName="/probe/refused", filterName="probe", filterPattern="",
                                     destinationArn=destination_arn(target_region))
        return "allowed"
    except ClientError as e:
        return e.response["Error"]["Code"]


home = regions[0]
out["refusals"]["outside_the_organization"] = refusal(OUTSIDER, home, home)
out["refusals"]["another_regions_destination"] = refusal(org["members"][0], regions[1], home)
out["refusals"]["member_same_region"] = refusal(org["members"][0], home, home)
print(json.dumps(out))
