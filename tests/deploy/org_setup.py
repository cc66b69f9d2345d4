#!/usr/bin/env python3
"""Create a moto organization for the deploy tests and print it as JSON.

    org_setup.py ENDPOINT MEMBERS
Creates: OU `Security` (holds the log-archive account), OU `Workloads` with a
nested OU `Prod`; MEMBERS member accounts spread over Workloads and Prod, and
one more in Workloads that the tests exclude.
"""
import json
import sys

import boto3

endpoint, members = sys.argv[1], int(sys.argv[2])
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")
org = boto3.client("organizations", **kw)
o = org.create_organization(FeatureSet="ALL")["Organization"]
root = org.list_roots()["Roots"][0]["Id"]


def ou(parent, name):
    return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]


def account(name, parent):
    a = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=a, SourceParentId=root, DestinationParentId=parent)
    return a


security = ou(root, "Security")
workloads = ou(root, "Workloads")
prod = ou(workloads, "Prod")
archive = account("log-archive", security)
member_ids = [account(f"member-{i}", prod if i % 2 else workloads) for i in range(members)]
excluded = account("sandbox", workloads)
print(json.dumps(dict(management=o["MasterAccountId"], org_id=o["Id"], root=root, security=security,
                      workloads=workloads, prod=prod, archive=archive,
                      members=member_ids, excluded=excluded)))
