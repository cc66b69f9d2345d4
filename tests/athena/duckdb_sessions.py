#!/usr/bin/env python3
"""Runs the sessions report's Athena SQL with DuckDB over a local archive.

Reads one JSON object on stdin:
  root      directory standing for s3://<bucket>/ (created and filled here)
  bucket    the archive bucket's name
  database  the Glue database name (a DuckDB schema here)
  tables    {table name: storage.location.template of the Glue table}
  files     [{"key": object key, "gzip": bool, "text": content, "mtime": epoch seconds}]
  queries   [SQL text, ...]
Writes {"results": [[row, ...], ...]} on stdout: each row a list of strings
or nulls, in the SQL's column order.

What stands in for Athena (the differences between the engines):
- The tables. Athena reads through the Glue tables' SerDes and computes
  partitions from `storage.location.template` (partition projection). Here
  each table is a view over the files the same template matches: the
  partition columns (account, region, dt) are cut out of the object key with
  a regular expression made from that template, `"$path"` is the s3:// URI
  and `"$file_modified_time"` the file's modification time, as Athena's
  pseudo-columns. The CloudTrail view does what CloudTrailSerde does: one row
  per element of `Records`, lower-case column names, `requestParameters`,
  `responseElements` and other objects as JSON text.
- Two Trino functions DuckDB does not have, defined as macros:
  json_extract_scalar (DuckDB: json_extract_string) and
  from_iso8601_timestamp (DuckDB: a cast to TIMESTAMPTZ).
- regexp_extract returns NULL on no match in Trino and '' in DuckDB: the SQL
  wraps it in NULLIF(..., ''), the same in both.
"""
import gzip
import json
import os
import re
import sys

import duckdb

CLOUDTRAIL_FIELDS = [
    "eventVersion", "eventTime", "eventSource", "eventName", "awsRegion",
    "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestID",
    "eventID", "readOnly", "eventType", "apiVersion", "recipientAccountId",
    "sharedEventID", "vpcEndpointId", "eventCategory",
]
JSON_TEXT_FIELDS = ["requestParameters", "responseElements", "additionalEventData", "serviceEventDetails"]


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def layout(template, bucket, root):
    """(glob, regex, partition names) of a storage.location.template."""
    prefix = f"s3://{bucket}/"
    assert template.startswith(prefix), template
    rest = template[len(prefix):]
    names = re.findall(r"\$\{(\w+)\}", rest)
    glob_part = re.sub(r"\$\{dt\}", "*/*/*", rest)
    glob_part = re.sub(r"\$\{\w+\}", "*", glob_part)
    regex = ""
    for piece in re.split(r"(\$\{\w+\})", rest):
        m = re.fullmatch(r"\$\{(\w+)\}", piece)
        if m is None:
            regex += re.escape(piece)
        elif m.group(1) == "dt":
            regex += r"([0-9]{4}/[0-9]{2}/[0-9]{2})"
        else:
            regex += r"([^/]+)"
    root = root.rstrip("/") + "/"
    return root + glob_part + "*", "^" + re.escape(root) + regex + r"[^/]+$", names


def partition_columns(regex, names):
    return ", ".join(
        f"regexp_extract(filename, {sql_text(regex)}, {i + 1}) AS {n}" for i, n in enumerate(names)
    )


def path_column(root, bucket):
    return f"replace(filename, {sql_text(root.rstrip('/') + '/')}, {sql_text(f's3://{bucket}/')}) AS \"$path\""


def main():
    spec = json.load(sys.stdin)
    root, bucket, db = spec["root"], spec["bucket"], spec["database"]
    for f in spec["files"]:
        path = os.path.join(root, f["key"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = f["text"].encode()
        with open(path, "wb") as out:
            out.write(gzip.compress(data, mtime=0) if f["gzip"] else data)
        os.utime(path, (f["mtime"], f["mtime"]))

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)")
    con.execute("CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)")
    con.execute(f"CREATE SCHEMA {db}")
    for table, template in spec["tables"].items():
        glob, regex, names = layout(template, bucket, root)
        parts = partition_columns(regex, names)
        where = f"WHERE regexp_matches(filename, {sql_text(regex)})"
        if table == "cloudtrail":
            plain = ", ".join(f"json_extract_string(r, '$.{k}') AS {k.lower()}" for k in CLOUDTRAIL_FIELDS)
            text = ", ".join(
                f"NULLIF(CAST(json_extract(r, '$.{k}') AS VARCHAR), 'null') AS {k.lower()}"
                for k in JSON_TEXT_FIELDS
            )
            identity = (
                "struct_pack(type := json_extract_string(r, '$.userIdentity.type'), "
                "principalid := json_extract_string(r, '$.userIdentity.principalId'), "
                "arn := json_extract_string(r, '$.userIdentity.arn'), "
                "accountid := json_extract_string(r, '$.userIdentity.accountId'), "
                "username := json_extract_string(r, '$.userIdentity.userName')) AS useridentity"
            )
            body = (
                f"SELECT {plain}, {text}, {identity}, {parts}, {path_column(root, bucket)} FROM ("
                f"SELECT unnest(Records) AS r, filename FROM read_json({sql_text(glob)}, "
                f"columns = {{Records: 'JSON[]'}}, filename = true, compression = 'gzip') {where})"
            )
        elif table == "transcripts":
            body = (
                f"SELECT unnest(string_split(content, chr(10))) AS line, {parts}, {path_column(root, bucket)}, "
                f"CAST(last_modified AS TIMESTAMPTZ) AS \"$file_modified_time\" "
                f"FROM read_text({sql_text(glob)}) {where}"
            )
        elif table == "log_copy":
            body = (
                f"SELECT messageType AS messagetype, owner, logGroup AS loggroup, logStream AS logstream, "
                f"subscriptionFilters AS subscriptionfilters, logEvents AS logevents, {parts}, "
                f"{path_column(root, bucket)} FROM read_json({sql_text(glob)}, format = 'newline_delimited', "
                f"compression = 'gzip', filename = true, columns = {{messageType: 'VARCHAR', owner: 'VARCHAR', "
                f"logGroup: 'VARCHAR', logStream: 'VARCHAR', subscriptionFilters: 'VARCHAR[]', "
                f"logEvents: 'STRUCT(id VARCHAR, \"timestamp\" BIGINT, message VARCHAR)[]'}}) {where}"
            )
        else:
            raise SystemExit(f"unknown table {table}")
        con.execute(f"CREATE VIEW {db}.{table} AS {body}")

    results = []
    for sql in spec["queries"]:
        rows = con.execute(sql).fetchall()
        results.append([[None if v is None else str(v) for v in row] for row in rows])
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
