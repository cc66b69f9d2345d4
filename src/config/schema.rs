//! The configuration's JSON Schema: generated from the types, committed as
//! `schemas/sessionlog.schema.json`, and used to check every file — so the
//! schema editors see and the checks the tool runs cannot drift apart.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::diagnostic::Diagnostic;
use super::model::Config;
use super::patterns;

pub const SCHEMA_ID: &str =
    "https://github.com/sessionlog/sessionlog/schemas/sessionlog.schema.json";

/// The schema as JSON.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut v = serde_json::to_value(schemars::schema_for!(Config)).expect("schema serializes");
        if let Value::Object(m) = &mut v {
            m.insert("$id".into(), Value::String(SCHEMA_ID.into()));
        }
        v
    })
}

/// The schema as committed: pretty JSON with a trailing newline.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(schema()).expect("schema serializes");
    s.push('\n');
    s
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(schema()).expect("the generated schema is valid"))
}

/// Check `instance` against the schema; one diagnostic per problem.
pub fn check(instance: &Value) -> Vec<Diagnostic> {
    validator()
        .iter_errors(instance)
        .flat_map(|e| explain(&e))
        .collect()
}

fn explain(e: &jsonschema::ValidationError<'_>) -> Vec<Diagnostic> {
    let pointer = e.instance_path().as_str().to_string();
    let at_schema = resolve(schema(), e.evaluation_path().as_str());
    let here = e.instance();
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed: Vec<String> = at_schema
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.as_object())
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let mut help = String::new();
                    if let Some(best) = did_you_mean(key, &allowed) {
                        help.push_str(&format!("did you mean `{best}`? "));
                    }
                    help.push_str(&format!("allowed keys here: {}", list(&allowed)));
                    Diagnostic::new(
                        format!("{pointer}/{}", super::locate::escape(key)),
                        format!("unknown key `{key}`"),
                    )
                    .help(help)
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![Diagnostic::new(pointer, format!("missing required key `{name}`"))
                .help(describe_property(at_schema, name))]
        }
        ValidationErrorKind::Type { .. } => {
            let expected = at_schema.and_then(|s| s.get("type")).map(type_words).unwrap_or_default();
            let mut d = Diagnostic::new(
                pointer.clone(),
                format!("expected {expected}, found {}", value_words(here)),
            );
            if here.is_number() && expected.contains("string") {
                d = d.help("put the value in quotes: account ids and similar numbers are strings");
            } else if let Some(h) = schema_hint(at_schema) {
                d = d.help(h);
            }
            vec![d]
        }
        ValidationErrorKind::Pattern { pattern } => {
            let help = patterns::describe(pattern)
                .map(|d| d.replace("\n", " "))
                .unwrap_or_else(|| format!("must match the pattern `{pattern}`"));
            vec![Diagnostic::new(pointer, format!("{} is not valid", short(here))).help(help)]
        }
        ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. } => {
            vec![Diagnostic::new(pointer, format!("{} is out of range", short(here)))
                .help(range_words(at_schema))]
        }
        ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MaxLength { .. } => {
            vec![Diagnostic::new(pointer, format!("{} has the wrong length", short(here)))
                .help(length_words(at_schema))]
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = error.instance().as_str().unwrap_or_default().to_string();
            let help = match error.kind() {
                ValidationErrorKind::Pattern { pattern } => patterns::describe(pattern)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("must match the pattern `{pattern}`")),
                _ => error.to_string(),
            };
            vec![Diagnostic::new(format!("{pointer}/{}", super::locate::escape(&key)), format!("key `{key}` is not valid")).help(help)]
        }
        ValidationErrorKind::MinProperties { limit } => vec![Diagnostic::new(
            pointer,
            format!("must have at least {limit} key{}", if *limit == 1 { "" } else { "s" }),
        )],
        ValidationErrorKind::MinItems { limit } => vec![Diagnostic::new(
            pointer,
            format!("must list at least {limit} item{}", if *limit == 1 { "" } else { "s" }),
        )],
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(short).collect())
                .unwrap_or_default();
            vec![Diagnostic::new(pointer, format!("{} is not an allowed value", short(here)))
                .help(format!("one of {}", opts.join(", ")))]
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let consts = alternatives(at_schema);
            if !consts.is_empty() {
                return vec![Diagnostic::new(pointer, format!("{} is not an allowed value", short(here)))
                    .help(format!("one of {}", consts.join(", ")))];
            }
            // A tagged form such as `{percentage: 25}`: explain the branch
            // whose tag the value uses, else list the forms.
            let tag = here.as_object().and_then(|o| o.keys().next().cloned());
            let branch = context.iter().find(|errors| {
                errors.iter().all(|er| !matches!(er.kind(), ValidationErrorKind::Required { .. }))
            });
            if let (Some(_), Some(errors)) = (tag, branch) {
                return errors.iter().flat_map(explain).collect();
            }
            vec![Diagnostic::new(pointer, format!("{} is not one of the allowed forms", short(here)))
                .help(forms(at_schema))]
        }
        _ => vec![Diagnostic::new(pointer, e.to_string())],
    }
}

/// Follow an evaluation path (which includes `$ref` hops) through the schema.
fn resolve<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    let mut tokens: Vec<&str> = path.split('/').skip(1).collect();
    // The last token is the failing keyword; we want the schema holding it.
    tokens.pop();
    for t in tokens {
        let t = t.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(m) => m.get(&t)?,
            Value::Array(a) => a.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if t == "$ref" {
            node = root.pointer(node.as_str()?.strip_prefix('#')?)?;
        }
    }
    Some(node)
}

fn did_you_mean<'a>(key: &str, allowed: &'a [String]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(key, a), a))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a.as_str())
}

fn list(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({s:?})"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn type_words(t: &Value) -> String {
    let one = |t: &str| match t {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "nothing",
        _ => "a value",
    };
    match t {
        Value::String(s) => one(s).to_string(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str())
            .filter(|x| *x != "null")
            .map(one)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "a value".into(),
    }
}

fn range_words(s: Option<&Value>) -> String {
    bounds_words(s, ("minimum", "maximum"), "allowed: ", "")
}

fn length_words(s: Option<&Value>) -> String {
    bounds_words(s, ("minLength", "maxLength"), "allowed length: ", " characters")
}

/// `allowed: 1 to 60`, `allowed length: at most 63 characters`, …
fn bounds_words(s: Option<&Value>, (lo, hi): (&str, &str), lead: &str, unit: &str) -> String {
    let min = s.and_then(|s| s.get(lo)).map(|v| v.to_string());
    let max = s.and_then(|s| s.get(hi)).map(|v| v.to_string());
    match (min, max) {
        (Some(a), Some(b)) => format!("{lead}{a} to {b}{unit}"),
        (Some(a), None) => format!("{lead}at least {a}{unit}"),
        (None, Some(b)) => format!("{lead}at most {b}{unit}"),
        _ => "out of the allowed bounds".into(),
    }
}

fn schema_hint(s: Option<&Value>) -> Option<String> {
    s.and_then(|s| s.get("description")).and_then(|d| d.as_str()).map(|d| d.replace("\n", " "))
}

fn describe_property(s: Option<&Value>, name: &str) -> String {
    s.and_then(|s| s.get("properties"))
        .and_then(|p| p.get(name))
        .and_then(|p| p.get("description"))
        .and_then(|d| d.as_str())
        .map(|d| d.replace("\n", " "))
        .unwrap_or_else(|| format!("add `{name}`"))
}

/// The constant values of a `oneOf`/`anyOf` of constants.
fn alternatives(s: Option<&Value>) -> Vec<String> {
    let Some(branches) = s.and_then(|s| s.get("oneOf").or_else(|| s.get("anyOf"))).and_then(|b| b.as_array()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for b in branches {
        if let Some(c) = b.get("const") {
            out.push(short(c));
        } else if let Some(e) = b.get("enum").and_then(|e| e.as_array()) {
            out.extend(e.iter().map(short));
        } else {
            return Vec::new();
        }
    }
    out
}

fn forms(s: Option<&Value>) -> String {
    let Some(branches) = s.and_then(|s| s.get("oneOf").or_else(|| s.get("anyOf"))).and_then(|b| b.as_array()) else {
        return "see the schema".into();
    };
    let names: Vec<String> = branches
        .iter()
        .filter_map(|b| b.get("required").and_then(|r| r.as_array()).and_then(|r| r.first()))
        .filter_map(|r| r.as_str())
        .map(|r| format!("`{{{r}: …}}`"))
        .collect();
    if names.is_empty() {
        "see the schema".into()
    } else {
        format!("one of {}", names.join(", "))
    }
}
