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
        version = ssm.describe_document(Name=name)["Document"]["LatestVersion"]
    ssm.update_document_default_version(Name=name, DocumentVersion=version)
    return version


def watch(event):
    # EventBridge: someone changed the preferences; put the managed ones back.
    d = event["detail"]
    who = d.get("userIdentity", {}).get("arn", "")
    said = {"event": d.get("eventName"), "by": who}
    if who.endswith(":assumed-role/%s/%s" % (os.environ["WATCH_ROLE"], os.environ["AWS_LAMBDA_FUNCTION_NAME"])):
        return print(json.dumps({**said, "restored": None, "why": "own update"}))
    if d.get("eventSource", "").startswith("ssm-guiconnect"):
        gui = boto3.client("ssm-guiconnect")
        want = json.loads(os.environ["MANAGED_RDP_PREFERENCES"])
        try:
            have = gui.get_connection_recording_preferences()["ConnectionRecordingPreferences"]
        except gui.exceptions.ResourceNotFoundException:
            have = None
        if have != want:
            gui.update_connection_recording_preferences(ConnectionRecordingPreferences=want)
        return print(json.dumps({**said, "restored": "RDP recording preferences" if have != want else None}))
    name = d["requestParameters"]["name"]
    want = os.environ["MANAGED_CONTENT"]
    try:
        have = json.loads(ssm.get_document(Name=name)["Content"])
    except ssm.exceptions.InvalidDocument:
        have = None
    if have == json.loads(want):
        return print(json.dumps({**said, "restored": None, "why": "unchanged"}))
    version = upsert(name, want)
    changed = sorted(k for k, v in json.loads(want)["inputs"].items() if (have or {}).get("inputs", {}).get(k) != v)
    print(json.dumps({**said, "restored": name, "version": version, "inputs": changed}))


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
