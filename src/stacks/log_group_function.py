import json
import os
import re
import boto3
import cfnresponse

# What it sets comes from its environment (the template), never the event:
# an invocation, whoever makes it, (re)applies the managed settings.
E = os.environ
NAME, KEY, DAYS = E["LOG_GROUP_NAME"], E["KMS_KEY_ARN"], int(E["RETENTION_DAYS"])
logs = boto3.client("logs")
# Answers go only to CloudFormation's response bucket of this region.
CFN = r"https://cloudformation-custom-resource-response-%s\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?/" % (
    E["AWS_REGION"].replace("-", ""))


def find():
    groups = logs.describe_log_groups(logGroupNamePrefix=NAME)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == NAME), None)


def ensure():
    # Create the log group, or adopt the one an earlier stack left behind
    # (DeletionPolicy Retain): same group, its events untouched.
    tags = json.loads(E["TAGS"])
    group = find()
    if group is None:
        try:
            logs.create_log_group(logGroupName=NAME, kmsKeyId=KEY, tags=tags)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass  # created meanwhile: adopted below
        group = find()
    if group.get("kmsKeyId") != KEY:
        logs.associate_kms_key(logGroupName=NAME, kmsKeyId=KEY)
    logs.tag_resource(resourceArn=group["arn"].removesuffix(":*"), tags=tags)
    logs.put_retention_policy(logGroupName=NAME, retentionInDays=DAYS)
    return group["arn"]


def handler(event, context):
    kind, status, data, reason = event.get("RequestType"), cfnresponse.SUCCESS, {}, None
    log = {"request": kind, "stack": event.get("StackId")}
    try:
        # A Delete never deletes logs: the group outlives the stack.
        if kind != "Delete":
            data["Arn"] = log["applied"] = ensure()
    except Exception as error:  # report every failure to CloudFormation
        reason = log["error"] = repr(error)[:250]
        status = cfnresponse.FAILED
    if re.match(CFN, str(event.get("ResponseURL"))):
        physical = event.get("PhysicalResourceId", NAME) if kind == "Delete" else NAME
        cfnresponse.send(event, context, status, data, physical, reason=reason)
    else:
        log["unanswered"] = "ResponseURL is not CloudFormation's"
    print(json.dumps(log))
