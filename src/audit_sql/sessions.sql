-- sessionlog: the sessions report over the archive, for Amazon Athena
-- (Trino SQL). `sessionlog sessions --engine athena` renders it with the
-- window and the filters; docs/athena.md explains it for people who run it
-- themselves. Placeholders are names in double braces; an `if` block keeps
-- a part only for configurations with that table. Every filter on `account`,
-- `region` and `dt` is a partition predicate: Athena reads only those
-- prefixes (the account projection may be `injected`: then the account
-- predicate must list the accounts).
--
-- Written in the subset of SQL that Trino and DuckDB share, but for two
-- Trino functions that the DuckDB test defines as macros
-- (json_extract_scalar, from_iso8601_timestamp; see docs/athena.md).
--
-- One row per session started in [since, until) and per transcript or copy
-- without a session in CloudTrail. Columns: session_id, account, region,
-- principal, person, source_ip, target, document, start_time, end_time,
-- transcript, copy, integrity (complete | missing | unlogged | forged;
-- `overwritten` needs the objects' versions, which Athena cannot see).
WITH
started AS (
  SELECT
    json_extract_scalar(responseelements, '$.sessionId') AS session_id,
    account,
    region,
    useridentity.arn AS principal,
    NULLIF(regexp_extract(useridentity.arn, 'assumed-role/[^/]+/(.+)$', 1), '') AS person,
    sourceipaddress AS source_ip,
    json_extract_scalar(requestparameters, '$.target') AS target,
    COALESCE(json_extract_scalar(requestparameters, '$.documentName'), 'SSM-SessionManagerRunShell') AS document,
    eventtime AS start_time
  FROM {{database}}.cloudtrail
  WHERE {{account_filter}}
    AND {{region_filter}}
    AND dt BETWEEN '{{lookback_day}}' AND '{{end_day}}'
    AND eventsource = 'ssm.amazonaws.com'
    AND eventname = 'StartSession'
    AND errorcode IS NULL
),
ended AS (
  SELECT
    json_extract_scalar(requestparameters, '$.sessionId') AS session_id,
    min(eventtime) AS end_time
  FROM {{database}}.cloudtrail
  WHERE {{account_filter}}
    AND {{region_filter}}
    AND dt BETWEEN '{{first_day}}' AND '{{end_day}}'
    AND eventsource = 'ssm.amazonaws.com'
    AND eventname = 'TerminateSession'
    AND errorcode IS NULL
  GROUP BY json_extract_scalar(requestparameters, '$.sessionId')
),
transcript_files AS (
{{#if transcripts}}
  SELECT
    regexp_extract("$path", '([^/]+)\.log$', 1) AS session_id,
    account,
    region,
    min("$path") AS uri
  FROM {{database}}.transcripts
  WHERE {{account_filter}}
    AND {{region_filter}}
    AND "$path" LIKE '%.log'
    AND "$file_modified_time" >= from_iso8601_timestamp('{{since}}')
    AND "$file_modified_time" < from_iso8601_timestamp('{{upload_until}}')
  GROUP BY regexp_extract("$path", '([^/]+)\.log$', 1), account, region
{{else}}
  SELECT session_id, account, region, uri
  FROM (VALUES ('', '', '', '')) AS nothing (session_id, account, region, uri)
  WHERE 1 = 0
{{/if}}
),
copy_streams AS (
{{#if copy}}
  SELECT
    logstream AS session_id,
    account,
    region,
    min("$path") AS uri
  FROM {{database}}.log_copy
  WHERE {{account_filter}}
    AND {{region_filter}}
    AND dt BETWEEN '{{first_day}}' AND '{{end_day}}'
    AND messagetype = 'DATA_MESSAGE'
  GROUP BY logstream, account, region
{{else}}
  SELECT session_id, account, region, uri
  FROM (VALUES ('', '', '', '')) AS nothing (session_id, account, region, uri)
  WHERE 1 = 0
{{/if}}
),
sessions AS (
  SELECT
    s.session_id, s.account, s.region, s.principal, s.person, s.source_ip,
    s.target, s.document, s.start_time, e.end_time,
    t.uri AS transcript, c.uri AS copy,
    CASE
      WHEN s.document NOT IN ({{logged_documents}}) THEN 'unlogged'
      WHEN {{expect_transcript}} AND t.uri IS NULL THEN 'missing'
      WHEN {{expect_copy}} AND c.uri IS NULL THEN 'missing'
      ELSE 'complete'
    END AS integrity
  FROM started s
  LEFT JOIN ended e ON e.session_id = s.session_id
  LEFT JOIN transcript_files t
    ON t.session_id = s.session_id AND t.account = s.account AND t.region = s.region
  LEFT JOIN copy_streams c
    ON c.session_id = s.session_id AND c.account = s.account AND c.region = s.region
  WHERE s.start_time >= '{{since}}'
    AND s.start_time < '{{until}}'
    {{user_filter}}
    {{target_filter}}
),
logged AS (
  SELECT session_id, account, region, uri AS transcript, CAST(NULL AS varchar) AS copy
  FROM transcript_files
  UNION ALL
  SELECT session_id, account, region, CAST(NULL AS varchar) AS transcript, uri AS copy
  FROM copy_streams
),
forged AS (
  SELECT
    l.session_id, l.account, l.region,
    CAST(NULL AS varchar) AS principal, CAST(NULL AS varchar) AS person,
    CAST(NULL AS varchar) AS source_ip, CAST(NULL AS varchar) AS target,
    CAST(NULL AS varchar) AS document, CAST(NULL AS varchar) AS start_time,
    CAST(NULL AS varchar) AS end_time,
    max(l.transcript) AS transcript, max(l.copy) AS copy,
    'forged' AS integrity
  FROM logged l
  LEFT JOIN started s
    ON s.session_id = l.session_id AND s.account = l.account AND s.region = l.region
  WHERE s.session_id IS NULL
    AND {{include_forged}}
  GROUP BY l.session_id, l.account, l.region
)
SELECT * FROM sessions
UNION ALL
SELECT * FROM forged
ORDER BY start_time NULLS LAST, account, region, session_id
