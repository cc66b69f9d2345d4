//! The Session Manager preferences document (`SSM-SessionManagerRunShell`).
//! Booleans are booleans and timeouts are strings: the console's preferences
//! editor breaks otherwise.

use serde_json::{json, Map, Value};

use crate::config::model::Config;

use super::names::Names;

/// The document content as a JSON value in long form (`{"Fn::Sub": …}` where
/// a value depends on the account or region).
pub fn content(c: &Config) -> Value {
    let names = Names::new(c);
    let sm = &c.session_manager;
    let sub = |s: String| json!({ "Fn::Sub": s });
    let mut inputs = Map::new();
    let s3 = sm.s3.enabled;
    let cw = sm.cloudwatch.enabled;
    inputs.insert("s3BucketName".into(), if s3 { json!(names.bucket()) } else { json!("") });
    inputs.insert("s3KeyPrefix".into(), if s3 { sub(names.session_key_prefix_sub()) } else { json!("") });
    inputs.insert("s3EncryptionEnabled".into(), json!(s3));
    inputs.insert("cloudWatchLogGroupName".into(), if cw { json!(names.log_group()) } else { json!("") });
    inputs.insert("cloudWatchEncryptionEnabled".into(), json!(cw));
    inputs.insert("cloudWatchStreamingEnabled".into(), json!(cw && sm.cloudwatch.streaming));
    inputs.insert(
        "kmsKeyId".into(),
        if sm.encrypt_sessions { sub(names.key_arn_sub(names.session_key(), "${AWS::Region}")) } else { json!("") },
    );
    inputs.insert("runAsEnabled".into(), json!(sm.run_as.enabled));
    inputs.insert(
        "runAsDefaultUser".into(),
        json!(if sm.run_as.enabled { sm.run_as.default_user.clone().unwrap_or_default() } else { String::new() }),
    );
    inputs.insert("idleSessionTimeout".into(), json!(sm.idle_session_timeout.to_string()));
    inputs.insert("maxSessionDuration".into(), json!(sm.max_session_duration.to_string()));
    inputs.insert(
        "shellProfile".into(),
        json!({
            "linux": super::prompt::linux_profile(sm.shell_profile.prompt_tag.as_deref(), &sm.shell_profile.linux),
            "windows": sm.shell_profile.windows
        }),
    );
    json!({
        "schemaVersion": "1.0",
        "description": "Session Manager preferences of the organization, managed by sessionlog",
        "sessionType": "Standard_Stream",
        "inputs": Value::Object(inputs),
    })
}

/// The same content as one `!Sub` string of JSON, for a custom resource:
/// CloudFormation turns every scalar property of a custom resource into a
/// string, so booleans can only survive inside a JSON text.
pub fn content_as_sub(value: &Value) -> Value {
    fn walk(v: &Value) -> Value {
        match v {
            Value::Object(m) if m.len() == 1 && m.contains_key("Fn::Sub") => {
                // A placeholder the final `${...}` text replaces below.
                Value::String(format!("\u{0}SUB\u{0}{}", m["Fn::Sub"].as_str().unwrap_or_default()))
            }
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), walk(v))).collect()),
            Value::Array(a) => Value::Array(a.iter().map(walk).collect()),
            Value::String(s) => Value::String(s.replace("${", "${!")),
            other => other.clone(),
        }
    }
    let text = serde_json::to_string(&walk(value)).expect("json serializes");
    // serde_json escapes NUL as \u0000.
    json!({ "Fn::Sub": text.replace("\\u0000SUB\\u0000", "") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_string_keeps_types_and_escapes_literals() {
        let v = json!({"a": true, "b": "20", "c": {"Fn::Sub": "x/${AWS::Region}"}, "d": "lit ${x}"});
        let s = content_as_sub(&v);
        let text = s["Fn::Sub"].as_str().unwrap();
        assert_eq!(text, r#"{"a":true,"b":"20","c":"x/${AWS::Region}","d":"lit ${!x}"}"#);
    }
}
