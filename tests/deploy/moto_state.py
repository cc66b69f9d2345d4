#!/usr/bin/env python3
"""Print what exists in moto for the given accounts and regions, as JSON.

    moto_state.py ENDPOINT ORG_JSON REGION...
For each account (through OrganizationAccountAccessRole) and region: log
groups (name, retention, kms), SSM documents owned by the account, IAM
policies; for the log-archive account also buckets, KMS keys (multi-region?)
and aliases; for the management account its StackSets' operations.
"""
import json
import sys

import boto3

endpoint, org = sys.argv[1], json.loads(sys.argv[2])
regions = sys.argv[3:]
base = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")


def session(account):
    if account == org["management"]:
        return dict(base)
    c = boto3.client("sts", region_name="us-east-1", **base).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="inspect")["Credentials"]
    return dict(endpoint_url=endpoint, aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


out = {}
for account in [org["management"], org["archive"], org["excluded"]] + org["members"]:
    kw = session(account)
    acc = {"regions": {}}
    for r in regions:
        logs = boto3.client("logs", region_name=r, **kw)
        ssm = boto3.client("ssm", region_name=r, **kw)
        kms = boto3.client("kms", region_name=r, **kw)
        acc["regions"][r] = {
            "log_groups": {g["logGroupName"]: {"retention": g.get("retentionInDays"), "kms": g.get("kmsKeyId")}
                           for g in logs.describe_log_groups()["logGroups"]},
            "documents": sorted(d["Name"] for d in ssm.list_documents(
                Filters=[{"Key": "Owner", "Values": ["Self"]}])["DocumentIdentifiers"]),
            "keys": sorted(
                (k["KeyId"], bool(kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"].get("MultiRegion")))
                for k in kms.list_keys()["Keys"]),
            "aliases": sorted(a["AliasName"] for a in kms.list_aliases()["Aliases"]
                              if not a["AliasName"].startswith("alias/aws/")),
        }
    acc["policies"] = sorted(p["PolicyName"] for p in boto3.client("iam", region_name="us-east-1", **kw)
                             .list_policies(Scope="Local")["Policies"])
    acc["buckets"] = sorted(b["Name"] for b in boto3.client("s3", region_name="us-east-1", **kw)
                            .list_buckets()["Buckets"])
    out[account] = acc
cfn = boto3.client("cloudformation", region_name="us-east-1", **base)
sets = {}
for s in cfn.list_stack_sets(Status="ACTIVE")["Summaries"]:
    if s.get("Status") != "ACTIVE":  # moto ignores the filter
        continue
    ops = cfn.list_stack_set_operations(StackSetName=s["StackSetName"])["Summaries"]
    sets[s["StackSetName"]] = {"operations": [o["Action"] for o in ops]}
out["stack_sets"] = sets
print(json.dumps(out))
