//! The configuration reference of `docs/configuration.md`, rendered from the
//! JSON Schema the tool checks configurations against ([`super::schema`]):
//! every key with its default, what it allows (types, enums, patterns,
//! ranges) and its description — the doc comments of the configuration's
//! types. `tests/docs.rs` fails when the committed section differs
//! (`UPDATE_DOCS=1 cargo test --test docs` rewrites it), so a key added to
//! the types appears in the docs with no hand edit.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::patterns;

/// The reference of the configuration's schema.
pub fn markdown() -> String {
    render(super::schema::schema())
}

/// The reference of `schema`: the required keys, then one section per
/// top-level key with a table of it and the keys below it.
pub fn render(schema: &Value) -> String {
    let walker = Walker { root: schema };
    let mut out = String::new();
    let required = walker.required_paths(schema, "");
    out.push_str(&format!(
        "Required keys: {}. Every other key has a default or may be left out.\n",
        required
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let top_required = required_of(schema);
    for (name, property) in properties(schema) {
        let target = walker.target(property);
        out.push_str(&format!("\n### `{name}`\n\n"));
        if has_properties(target) {
            let mut intro = walker.description(property);
            if top_required.contains(&name.as_str()) {
                intro = format!("Required. {intro}");
            }
            out.push_str(&cell_text(&intro, false));
            out.push_str("\n\n");
        }
        out.push_str("| Key | Default | Allowed | Meaning |\n|---|---|---|---|\n");
        let mut rows = Vec::new();
        if has_properties(target) {
            walker.children(target, name, &mut rows);
        } else {
            walker.rows(
                name,
                property,
                top_required.contains(&name.as_str()),
                &mut rows,
                false,
            );
        }
        for r in rows {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                r.key,
                cell(&r.default),
                cell(&r.allowed),
                cell(&r.meaning)
            ));
        }
    }
    out
}

struct Row {
    key: String,
    default: String,
    allowed: String,
    meaning: String,
}

struct Walker<'a> {
    root: &'a Value,
}

impl<'a> Walker<'a> {
    /// The schema a property stands for: its `$ref` followed, or the
    /// non-null branch of an `anyOf [X, null]`.
    fn target(&self, node: &'a Value) -> &'a Value {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            return r
                .strip_prefix('#')
                .and_then(|p| self.root.pointer(p))
                .map(|t| self.target(t))
                .unwrap_or(node);
        }
        if let Some(branches) = node.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type") != Some(&Value::from("null")))
                .collect();
            if let [one] = non_null[..] {
                return self.target(one);
            }
        }
        node
    }

    /// A property's description, then its type's when that says more.
    fn description(&self, node: &'a Value) -> String {
        let own = text(node.get("description"));
        let target = self.target(node);
        let of_type = if std::ptr::eq(target, node) {
            String::new()
        } else {
            text(target.get("description"))
        };
        match (own.is_empty(), of_type.is_empty() || of_type == own) {
            (_, true) => own,
            (true, false) => of_type,
            (false, false) => format!("{own} {of_type}"),
        }
    }

    /// The rows of every property of an object schema, under `prefix`.
    fn children(&self, object: &'a Value, prefix: &str, rows: &mut Vec<Row>) {
        let required = required_of(object);
        for (name, property) in properties(object) {
            let key = format!("{prefix}.{name}");
            self.rows(
                &key,
                property,
                required.contains(&name.as_str()),
                rows,
                true,
            );
        }
    }

    /// The row of one property, then the rows of the keys below it.
    fn rows(
        &self,
        key: &str,
        property: &'a Value,
        required: bool,
        rows: &mut Vec<Row>,
        own_row: bool,
    ) {
        let target = self.target(property);
        let items = target.get("items").map(|i| self.target(i));
        let (allowed, values) = self.allowed(target);
        // A default computed from other keys is written in the description
        // as a sentence `Default: ….`; it goes to the Default column.
        let (computed, mut meaning) = computed_default(&self.description(property));
        if !values.is_empty() {
            if !meaning.is_empty() {
                meaning.push(' ');
            }
            meaning.push_str(&values.join(" "));
        }
        let nested = has_properties(target);
        let default = if required {
            "required".to_string()
        } else {
            match property.get("default") {
                None | Some(Value::Null) => computed.unwrap_or_else(|| "not set".into()),
                Some(Value::Object(_)) if nested => "see below".into(),
                Some(v) => format!("`{}`", flow(v)),
            }
        };
        if own_row || !nested {
            rows.push(Row {
                key: key.to_string(),
                default,
                allowed,
                meaning,
            });
        }
        if nested {
            self.children(target, key, rows);
        } else if let Some(items) = items.filter(|i| has_properties(i)) {
            self.children(items, &format!("{key}[]"), rows);
        }
    }

    /// What a schema allows, in words; and the described values of an
    /// enumeration (`` `split`: … ``) for the meaning.
    fn allowed(&self, s: &'a Value) -> (String, Vec<String>) {
        if has_properties(s) {
            return ("mapping".into(), Vec::new());
        }
        if let Some(branches) = s.get("oneOf").and_then(Value::as_array) {
            if branches.iter().all(|b| b.get("const").is_some()) {
                let values: Vec<String> = branches
                    .iter()
                    .map(|b| format!("`{}`", flow(&b["const"])))
                    .collect();
                let described = branches
                    .iter()
                    .filter(|b| b.get("description").is_some())
                    .map(|b| format!("`{}`: {}", flow(&b["const"]), text(b.get("description"))))
                    .collect();
                return (format!("one of {}", values.join(", ")), described);
            }
            // Tagged forms such as `{count: N}` / `{percentage: N}`.
            let forms: Vec<String> = branches
                .iter()
                .flat_map(|b| {
                    properties(b).into_iter().map(|(k, v)| {
                        format!("`{{{k}: N}}` with N a {}", self.allowed(self.target(v)).0)
                    })
                })
                .collect();
            return (forms.join(" or "), Vec::new());
        }
        let mut words = Vec::new();
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let v: Vec<String> = values.iter().map(|v| format!("`{}`", flow(v))).collect();
            return (format!("one of {}", v.join(", ")), Vec::new());
        }
        let types: Vec<&str> = match s.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ => Vec::new(),
        };
        match types.first().copied() {
            Some("boolean") => words.push("`true` or `false`".to_string()),
            Some("integer") => words.push(format!(
                "whole number{}",
                bounds(s, "minimum", "maximum", "")
            )),
            Some("number") => words.push(format!("number{}", bounds(s, "minimum", "maximum", ""))),
            Some("string") => {
                let mut w = "string".to_string();
                if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                    w = pattern_words(p);
                }
                w.push_str(&bounds(s, "minLength", "maxLength", " characters"));
                words.push(w);
            }
            Some("array") => {
                let items = s.get("items").map(|i| self.target(i));
                let inner = match items {
                    Some(i) if has_properties(i) => "mappings (keys below)".to_string(),
                    Some(i) => self.allowed(i).0,
                    None => "values".into(),
                };
                words.push(format!(
                    "list{} of {inner}",
                    bounds(s, "minItems", "maxItems", " items")
                ));
            }
            Some("object") => {
                let keys = s
                    .get("propertyNames")
                    .and_then(|p| p.get("pattern"))
                    .and_then(Value::as_str)
                    .map(pattern_words)
                    .unwrap_or_else(|| "any key".into());
                let values = s
                    .get("additionalProperties")
                    .map(|v| self.allowed(self.target(v)).0)
                    .unwrap_or_else(|| "any value".into());
                let min = s
                    .get("minProperties")
                    .and_then(Value::as_u64)
                    .map(|n| format!(" (at least {n})"))
                    .unwrap_or_default();
                words.push(format!(
                    "mapping{min}: each key {keys}, each value {values}"
                ));
            }
            _ => {}
        }
        (words.join("; "), Vec::new())
    }

    /// Dotted paths of the keys that are required, with every key above
    /// them required too.
    fn required_paths(&self, object: &'a Value, prefix: &str) -> Vec<String> {
        let mut out = Vec::new();
        let required = required_of(object);
        for (name, property) in properties(object) {
            if !required.contains(&name.as_str()) {
                continue;
            }
            let key = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            let target = self.target(property);
            let below = if has_properties(target) {
                self.required_paths(target, &key)
            } else {
                Vec::new()
            };
            if below.is_empty() {
                out.push(key);
            } else {
                out.extend(below);
            }
        }
        out
    }
}

fn properties(s: &Value) -> Vec<(&String, &Value)> {
    s.get("properties")
        .and_then(Value::as_object)
        .map(|m: &Map<String, Value>| m.iter().collect())
        .unwrap_or_default()
}

fn has_properties(s: &Value) -> bool {
    s.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
}

fn required_of(s: &Value) -> Vec<&str> {
    s.get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// ` (1 to 60)`, ` (at most 63 characters)`, or nothing.
fn bounds(s: &Value, lo: &str, hi: &str, unit: &str) -> String {
    let n = |k: &str| s.get(k).and_then(Value::as_u64);
    match (n(lo).filter(|&m| m > 0 || lo == "minimum"), n(hi)) {
        (Some(a), Some(b)) => format!(" ({a} to {b}{unit})"),
        (Some(a), None) if lo == "minimum" && a == 0 => String::new(),
        (Some(1), None) if unit == " items" => " (at least 1 item)".to_string(),
        (Some(a), None) => format!(" (at least {a}{unit})"),
        (None, Some(b)) => format!(" (at most {b}{unit})"),
        (None, None) => String::new(),
    }
}

/// A pattern in words (from [`patterns::describe`]) with the pattern itself.
fn pattern_words(p: &str) -> String {
    match patterns::describe(p) {
        Some(words) => format!("{words} (`{p}`)"),
        None => format!("string matching `{p}`"),
    }
}

/// `Default: the profile name.` taken out of a description: (the default,
/// the rest).
fn computed_default(description: &str) -> (Option<String>, String) {
    let Some(start) = description.find("Default: ") else {
        return (None, description.to_string());
    };
    let after = &description[start + "Default: ".len()..];
    let end = after.find(". ").map(|i| i + 1).unwrap_or(after.len());
    let default = after[..end].trim_end_matches('.').to_string();
    let rest = format!("{}{}", &description[..start], after[end..].trim_start());
    (Some(default), rest.trim_end().to_string())
}

/// A description on one line.
fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A JSON value the way it is written in the configuration (flow YAML).
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Text for a table cell: `|` escaped (GitHub splits cells on it even in
/// code spans), `docs/x.md#anchor` mentions turned into links.
fn cell(s: &str) -> String {
    cell_text(s, true)
}

fn cell_text(s: &str, in_table: bool) -> String {
    static DOC: OnceLock<Regex> = OnceLock::new();
    let doc = DOC
        .get_or_init(|| Regex::new(r"docs/([a-z0-9-]+\.md)(#[a-z0-9-]+)?").expect("valid regex"));
    let s = if in_table {
        s.replace('|', "\\|")
    } else {
        s.to_string()
    };
    let linked = doc.replace_all(&s, |c: &regex::Captures| {
        format!(
            "[{}]({}{})",
            &c[0],
            &c[1],
            c.get(2).map(|m| m.as_str()).unwrap_or("")
        )
    });
    if linked.is_empty() {
        "—".into()
    } else {
        linked.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_computed_default_moves_to_the_default_column() {
        assert_eq!(
            computed_default("Permission set name. Default: the profile name."),
            (
                Some("the profile name".to_string()),
                "Permission set name.".to_string()
            )
        );
        assert_eq!(
            computed_default("Where. Default: `a.b` of it. Then more."),
            (
                Some("`a.b` of it".to_string()),
                "Where. Then more.".to_string()
            )
        );
        assert_eq!(
            computed_default("No default here."),
            (None, "No default here.".to_string())
        );
    }

    #[test]
    fn every_key_of_the_schema_has_a_row() {
        let md = markdown();
        for key in [
            "`organization.id`",
            "`log_archive.bucket.object_lock.days`",
            "`operators.profiles[].window.start`",
            "`tags`",
            "`regions`",
        ] {
            assert!(md.contains(&format!("| {key} |")), "no row for {key}");
        }
    }

    #[test]
    fn a_key_added_to_the_schema_appears_with_its_default_and_range() {
        let schema = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"description": "The A.", "type": "object", "required": ["id"], "properties": {
                "id": {"description": "Its id.", "type": "string", "pattern": "^[0-9]{12}$"},
                "n": {"description": "A number\nwrapped.", "type": "integer", "minimum": 1, "maximum": 60, "default": 20}}},
            "mode": {"description": "See docs/x.md#y.", "$ref": "#/$defs/Mode", "default": "on"}},
            "$defs": {"Mode": {"oneOf": [{"const": "on", "description": "Is | on."}, {"const": "off"}]}}});
        let md = render(&schema);
        assert!(md.starts_with("Required keys: `a.id`."), "{md}");
        assert!(md.contains("| `a.id` | required | a 12-digit AWS account id in quotes, like \"123456789012\" (`^[0-9]{12}$`) | Its id. |"), "{md}");
        assert!(
            md.contains("| `a.n` | `20` | whole number (1 to 60) | A number wrapped. |"),
            "{md}"
        );
        assert!(md.contains("| `mode` | `on` | one of `on`, `off` | See [docs/x.md#y](x.md#y). `on`: Is \\| on. |"), "{md}");
    }
}
