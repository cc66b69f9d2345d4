"""What the function tests share: a stand-in for Lambda's `cfnresponse` that
records what a function answers (and where), the function's source loaded
as Lambda runs it (optionally mutated, to show a protection is what a test
relies on), a stack in moto's CloudFormation that is the function's own, and
the events anyone allowed lambda:InvokeFunction can hand it."""
import json
import os
import sys
import types
import uuid

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ["AWS_REGION"] = "eu-west-1"  # Lambda sets it: the function's region
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SENT = []
cfnresponse = types.ModuleType("cfnresponse")
cfnresponse.SUCCESS, cfnresponse.FAILED = "SUCCESS", "FAILED"
cfnresponse.send = lambda event, context, status, data, physical_id=None, reason=None: SENT.append(
    {"status": status, "data": data, "id": physical_id, "reason": reason, "url": event.get("ResponseURL")})
sys.modules["cfnresponse"] = cfnresponse

# ResponseURLs shaped like CloudFormation's (a presigned URL of its response
# bucket of the function's region, in the host forms seen in AWS's requests;
# AWS documents only "a presigned S3 URL"), and what a caller could name
# instead: the function must not send to those.
RESPONSE = "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3A?X-Amz-Signature=0"
CFN_URLS = [
    RESPONSE,
    "https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/arn?X-Amz-Signature=0",
    "https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn",
]
OUTSIDE_URLS = [
    "https://attacker.example/collect",
    "https://cloudformation-custom-resource-response-uswest2.s3.amazonaws.com/arn",
    "https://cloudformation-custom-resource-response-attacker.s3.amazonaws.com/arn",
    "https://cloudformation-custom-resource-response-euwest1x.s3.amazonaws.com/arn",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/arn",
    "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com.attacker.example/arn",
    "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com@attacker.example/arn",
    "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com:8443/arn",
    "https://attacker.example/https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/",
    None,
]


def load(path, *mutations):
    """The function as Lambda loads it (module `index`). Each mutation is an
    (old, new) pair replacing text that must occur exactly once."""
    with open(os.path.join(ROOT, path)) as f:
        source = f.read()
    for old, new in mutations:
        assert source.count(old) == 1, f"mutation target not found once: {old!r}"
        source = source.replace(old, new)
    module = types.ModuleType("index")
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def own_stack(name="StackSet-sessionlog-members-0a1b2c3d"):
    """A stack in moto's CloudFormation (inside mock_aws): the function's own
    (its STACK_ID) or any other. Returns its ARN."""
    template = {"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
    return boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))["StackId"]


def set_status(stack_id, status):
    """What DescribeStacks answers for the stack while CloudFormation works on
    it (DELETE_IN_PROGRESS while it deletes it): moto's stack operations are
    synchronous, so the test puts the stack in that state."""
    from moto.cloudformation.models import cloudformation_backends
    account, region = stack_id.split(":")[4], stack_id.split(":")[3]
    cloudformation_backends[account][region].stacks[stack_id].status = status


def request(kind, stack_id, props=None, url=RESPONSE, physical=None, old=None):
    """A custom resource request as CloudFormation sends it, or as a caller
    writes it by hand."""
    e = {"RequestType": kind, "RequestId": str(uuid.uuid4()), "StackId": stack_id, "ResponseURL": url,
         "LogicalResourceId": "Resource", "ResourceType": "Custom::Test",
         "ResourceProperties": dict({"ServiceToken": "arn:aws:lambda:eu-west-1:111111111111:function:f"}, **(props or {}))}
    if physical is not None:
        e["PhysicalResourceId"] = physical
    if old is not None:
        e["OldResourceProperties"] = old
    if url is None:
        del e["ResponseURL"]
    return e
