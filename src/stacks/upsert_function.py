import json
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


def handler(event, context):
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
