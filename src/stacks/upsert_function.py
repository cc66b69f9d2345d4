import json
import os
import re
import boto3
import cfnresponse

# What it writes comes from its environment (the template), never the event.
E = os.environ
NAME = E["DOCUMENT_NAME"]
ssm = boto3.client("ssm")
DEFAULTS = {"schemaVersion": "1.0", "description": "Document to hold regional settings for Session Manager",
            "sessionType": "Standard_Stream", "inputs": dict(dict.fromkeys(
                "s3BucketName s3KeyPrefix cloudWatchLogGroupName kmsKeyId runAsDefaultUser maxSessionDuration".split(), ""),
                s3EncryptionEnabled=True, cloudWatchEncryptionEnabled=True, cloudWatchStreamingEnabled=True,
                runAsEnabled=False, idleSessionTimeout="20", shellProfile={"windows": "", "linux": ""})}
# Answers go only to CloudFormation's response bucket of this region.
CFN = r"https://cloudformation-custom-resource-response-%s\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?/" % (
    E["AWS_REGION"].replace("-", ""))


def upsert(content):
    # Create the document, or add a version and make it the default.
    try:
        ssm.create_document(Name=NAME, Content=content, DocumentType="Session", DocumentFormat="JSON")
        return "1"
    except ssm.exceptions.DocumentAlreadyExists:
        pass
    try:
        v = ssm.update_document(Name=NAME, Content=content, DocumentVersion="$LATEST",
                                DocumentFormat="JSON")["DocumentDescription"]["DocumentVersion"]
    except ssm.exceptions.DuplicateDocumentContent:
        # An earlier version has this content: find it (not always the latest).
        v = int(ssm.describe_document(Name=NAME)["Document"]["LatestVersion"])
        while v > 1 and json.loads(ssm.get_document(Name=NAME, DocumentVersion=str(v))["Content"]) != json.loads(content):
            v -= 1
    ssm.update_document_default_version(Name=NAME, DocumentVersion=str(v))
    return str(v)


def restore(log, rdp=False):
    # The managed preferences again where they differ, whoever changed them.
    if rdp:
        gui, want = boto3.client("ssm-guiconnect"), json.loads(E["MANAGED_RDP_PREFERENCES"])
        try:
            have = gui.get_connection_recording_preferences()["ConnectionRecordingPreferences"]
        except gui.exceptions.ResourceNotFoundException:
            have = None
        if have != want:
            gui.update_connection_recording_preferences(ConnectionRecordingPreferences=want)
            log["restored"] = "RDP recording preferences"
        return
    want = json.loads(E["MANAGED_CONTENT"])
    try:
        have = json.loads(ssm.get_document(Name=NAME)["Content"])
    except ssm.exceptions.InvalidDocument:
        have = {}
    if have != want:
        log.update(restored=NAME, version=upsert(E["MANAGED_CONTENT"]))


def handler(event, context):
    kind, d = event.get("RequestType"), event.get("detail")
    log = {"request": kind, "restored": None}
    if d:  # the watch (EventBridge)
        log.update(event=d.get("eventName"), by=d.get("userIdentity", {}).get("arn"))
        restore(log, str(d.get("eventSource")).startswith("ssm-guiconnect"))
        return print(json.dumps(log))
    status, reason = cfnresponse.SUCCESS, None
    try:
        if kind != "Delete":
            restore(log)
        # A Delete counts only from this stack, while CloudFormation removes it.
        elif event.get("StackId") == E["STACK_ID"] and boto3.client("cloudformation").describe_stacks(
                StackName=E["STACK_ID"])["Stacks"][0]["StackStatus"] in ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"):
            log["restored"] = upsert(json.dumps(DEFAULTS))  # never delete the document
        else:
            log["refused"] = "not this stack's deletion"
    except Exception as error:
        reason = log["error"] = repr(error)[:250]
        status = cfnresponse.SUCCESS if kind == "Delete" else cfnresponse.FAILED
    if re.match(CFN, str(event.get("ResponseURL"))):
        cfnresponse.send(event, context, status, {}, NAME, reason=reason)
    else:
        log["unanswered"] = "ResponseURL is not CloudFormation's"
    print(json.dumps(log))
