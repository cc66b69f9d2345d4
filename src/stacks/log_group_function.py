import boto3
import cfnresponse

logs = boto3.client("logs")


def find(name):
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def ensure(props):
    # Create the log group, or adopt the one an earlier stack left behind
    # (DeletionPolicy Retain): same group, its events untouched.
    name = props["LogGroupName"]
    key = props.get("KmsKeyId") or ""
    tags = {t["Key"]: t["Value"] for t in props.get("Tags", [])}
    group = find(name)
    if group is None:
        args = {"logGroupName": name, "tags": tags}
        if key:
            args["kmsKeyId"] = key
        try:
            logs.create_log_group(**args)
        except logs.exceptions.ResourceAlreadyExistsException:
            pass  # created meanwhile: adopted below
        group = find(name)
    if key and group.get("kmsKeyId") != key:
        logs.associate_kms_key(logGroupName=name, kmsKeyId=key)
    if tags:
        logs.tag_resource(resourceArn=group["arn"].removesuffix(":*"), tags=tags)
    logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))
    return group["arn"]


def handler(event, context):
    props = event["ResourceProperties"]
    name = props["LogGroupName"]
    try:
        if event["RequestType"] == "Delete":
            # Never delete logs: the group outlives the stack.
            cfnresponse.send(event, context, cfnresponse.SUCCESS, {}, event.get("PhysicalResourceId", name))
            return
        arn = ensure(props)
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Arn": arn}, name)
    except Exception as error:  # report every failure to CloudFormation
        print(repr(error))
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, name, reason=str(error)[:250])
