import json
import os
import boto3
import cfnresponse

ssm = boto3.client("ssm")
DEFAULTS = {
    "schemaVersion": "1.0",
    "description": "Document to hold regional settings for Session Manager",
    "sessionType": "Standard_Stream",
    "inputs": {
        "s3BucketName": "", "s3KeyPrefix": "", "s3EncryptionEnabled": True,
        "cloudWatchLogGroupName": "", "cloudWatchEncryptionEnabled": True,
        "cloudWatchStreamingEnabled": True, "kmsKeyId": "", "runAsEnabled": False,
        "runAsDefaultUser": "", "idleSessionTimeout": "20", "maxSessionDuration": "",
        "shellProfile": {"windows": "", "linux": ""},
    },
}


def upsert(name, content):
    # Create the document, or add a version and make it the default.
    try:
        ssm.create_document(Name=name, Content=content, DocumentType="Session", DocumentFormat="JSON")
        return "1"
    except ssm.exceptions.DocumentAlreadyExists:
        pass
    try:
        doc = ssm.update_document(Name=name, Content=content, DocumentVersion="$LATEST", DocumentFormat="JSON")
        version = doc["DocumentDescription"]["DocumentVersion"]
    except ssm.exceptions.DuplicateDocumentContent:
        # An earlier version has this content: find it (not always the latest).
        want, v = json.loads(content), int(ssm.describe_document(Name=name)["Document"]["LatestVersion"])
        while v > 1 and json.loads(ssm.get_document(Name=name, DocumentVersion=str(v))["Content"]) != want:
            v -= 1
        version = str(v)
    ssm.update_document_default_version(Name=name, DocumentVersion=version)
    return version


def watch(event):
    # EventBridge: the preferences were changed; put the managed ones back.
    d, env = event["detail"], os.environ
    who = d.get("userIdentity", {}).get("arn", "")
    log = {"event": d.get("eventName"), "by": who, "restored": None}
    if who.endswith(":assumed-role/%s/%s" % (env["WATCH_ROLE"], env["AWS_LAMBDA_FUNCTION_NAME"])):
        log["why"] = "own update"
    elif d["eventSource"].startswith("ssm-guiconnect"):
        gui = boto3.client("ssm-guiconnect")
        want = json.loads(env["MANAGED_RDP_PREFERENCES"])
        try:
            have = gui.get_connection_recording_preferences()["ConnectionRecordingPreferences"]
        except gui.exceptions.ResourceNotFoundException:
            have = None
        if have != want:
            gui.update_connection_recording_preferences(ConnectionRecordingPreferences=want)
            log["restored"] = "RDP recording preferences"
    else:
        name, want = d["requestParameters"]["name"], json.loads(env["MANAGED_CONTENT"])
        try:
            have = json.loads(ssm.get_document(Name=name)["Content"])
        except ssm.exceptions.InvalidDocument:
            have = {}
        if have != want:
            log.update(restored=name, version=upsert(name, env["MANAGED_CONTENT"]),
                       inputs=sorted(k for k, v in want["inputs"].items() if have.get("inputs", {}).get(k) != v))
    print(json.dumps(log))


def handler(event, context):
    if "detail" in event:
        return watch(event)
    props = event["ResourceProperties"]
    name = props["DocumentName"]
    try:
        if event["RequestType"] == "Delete":
            # Restore the default preferences; never delete the document.
            upsert(name, json.dumps(DEFAULTS))
            version = ""
        else:
            json.loads(props["Content"])
            version = upsert(name, props["Content"])
        cfnresponse.send(event, context, cfnresponse.SUCCESS, {"DocumentVersion": version}, name)
    except Exception as error:  # report every failure to CloudFormation
        print(repr(error))
        status = cfnresponse.SUCCESS if event["RequestType"] == "Delete" else cfnresponse.FAILED
        cfnresponse.send(event, context, status, {}, name, reason=str(error)[:250])
