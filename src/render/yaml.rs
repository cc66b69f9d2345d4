//! Long-form JSON → YAML with short-form intrinsics (`!Ref`, `!Sub`,
//! `!GetAtt A.B`, …). A tag cannot apply directly to another tagged node
//! (`!Base64 !Sub` is invalid), so such an inner intrinsic keeps long form.
//! Scalars are quoted by serde_yaml's own serializer, so quoting is right.

use serde_json::{Map, Value};

/// Functions whose short form is `!Name`.
fn short_tag(key: &str) -> Option<&'static str> {
    Some(match key {
        "Ref" => "!Ref",
        "Condition" => "!Condition",
        "Fn::Sub" => "!Sub",
        "Fn::GetAtt" => "!GetAtt",
        "Fn::Join" => "!Join",
        "Fn::If" => "!If",
        "Fn::Select" => "!Select",
        "Fn::Split" => "!Split",
        "Fn::Equals" => "!Equals",
        "Fn::Not" => "!Not",
        "Fn::And" => "!And",
        "Fn::Or" => "!Or",
        "Fn::FindInMap" => "!FindInMap",
        "Fn::Base64" => "!Base64",
        "Fn::Cidr" => "!Cidr",
        "Fn::GetAZs" => "!GetAZs",
        "Fn::ImportValue" => "!ImportValue",
        _ => return None,
    })
}

/// `{"Fn::X": arg}` with a short form → (tag, arg).
fn as_intrinsic(v: &Value) -> Option<(&'static str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    // `Condition` is an intrinsic only as a condition reference (a string).
    if k == "Condition" && !arg.is_string() {
        return None;
    }
    // A tag cannot apply to another tag (`!Base64 !Sub`): such a function is
    // written as a mapping in long form, `Fn::Base64: !Sub …`.
    if arg.is_object() {
        return None;
    }
    Some((short_tag(k)?, arg))
}

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() && as_intrinsic(v).is_none() => write_map(&mut out, m, 0),
        _ => {
            write_inline_value(&mut out, v, 0);
            out.push('\n');
        }
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// A string as YAML: plain when that reads back as the same string, quoted
/// otherwise. Multi-line strings use a literal block.
fn quote(s: &str) -> String {
    let y = serde_yaml::to_string(s).expect("strings serialize");
    let y = y.strip_suffix('\n').unwrap_or(&y);
    if y == s && yaml11_ambiguous(s) {
        // Plain in YAML 1.2, but a date, boolean or number to YAML 1.1
        // parsers (PyYAML in cfn-lint and the AWS CLI): quote it.
        return format!("'{}'", s.replace('\'', "''"));
    }
    y.to_string()
}

/// Whether a plain scalar would be read as something else than a string by a
/// YAML 1.1 parser.
fn yaml11_ambiguous(s: &str) -> bool {
    const BOOLS: [&str; 22] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ];
    if BOOLS.contains(&s) || s == "~" || s.eq_ignore_ascii_case("null") {
        return true;
    }
    let b = s.as_bytes();
    let date = b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
    let numeric = !s.is_empty()
        && s.trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '_' | ':' | '.' | 'x' | 'o' | 'b' | 'e' | 'E' | '+' | '-'))
        && s.trim_start_matches(['-', '+']).starts_with(|c: char| c.is_ascii_digit() || c == '.');
    date || numeric
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, m: &Map<String, Value>, level: usize) {
    for (k, v) in m {
        indent(out, level);
        out.push_str(&quote(k));
        out.push(':');
        write_child(out, v, level);
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() && as_intrinsic(v).is_none() => {
                // First key on the dash line, the rest aligned under it.
                let mut first = true;
                for (k, val) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    write_child(out, val, level + 2);
                }
            }
            // Nested lists and inline values: as after a key.
            _ => write_child(out, v, level),
        }
    }
}

/// After `key:` — a nested block on the next lines or an inline value.
fn write_child(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() && as_intrinsic(v).is_none() => {
            out.push('\n');
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, level + 2);
        }
        _ => {
            out.push(' ');
            write_inline_value(out, v, level + 2);
            out.push('\n');
        }
    }
}

/// A value written where it starts on the current line: scalars, empty
/// collections, multi-line strings and intrinsics.
fn write_inline_value(out: &mut String, v: &Value, level: usize) {
    if let Some((tag, arg)) = as_intrinsic(v) {
        write_intrinsic(out, tag, arg, level);
        return;
    }
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::String(s) if s.contains('\n') => write_block(out, s, level),
        Value::Object(_) | Value::Array(_) => {
            // Only reached for a non-empty collection as a tag argument.
            out.push_str(&flow(v));
        }
        _ => out.push_str(&scalar(v)),
    }
}

fn write_intrinsic(out: &mut String, tag: &str, arg: &Value, level: usize) {
    match (tag, arg) {
        // `!GetAtt Resource.Attribute`
        ("!GetAtt", Value::Array(a)) if a.len() == 2 && a.iter().all(|x| x.is_string()) => {
            out.push_str(&format!("!GetAtt {}.{}", a[0].as_str().unwrap_or_default(), a[1].as_str().unwrap_or_default()));
        }
        (_, Value::String(s)) if s.contains('\n') => {
            out.push_str(tag);
            out.push(' ');
            write_block(out, s, level);
        }
        (_, Value::String(_)) | (_, Value::Number(_)) | (_, Value::Bool(_)) => {
            out.push_str(tag);
            out.push(' ');
            out.push_str(&scalar(arg));
        }
        (_, Value::Array(_)) => {
            out.push_str(tag);
            out.push(' ');
            out.push_str(&flow(arg));
        }
        // A tag whose argument is a mapping or another intrinsic: long form.
        _ => {
            let long = long_name(tag);
            out.push_str(&format!("{{{}: {}}}", quote(long), flow(arg)));
        }
    }
}

fn long_name(tag: &str) -> &'static str {
    match tag {
        "!Ref" => "Ref",
        "!Condition" => "Condition",
        "!Sub" => "Fn::Sub",
        "!GetAtt" => "Fn::GetAtt",
        "!Join" => "Fn::Join",
        "!If" => "Fn::If",
        "!Select" => "Fn::Select",
        "!Split" => "Fn::Split",
        "!Equals" => "Fn::Equals",
        "!Not" => "Fn::Not",
        "!And" => "Fn::And",
        "!Or" => "Fn::Or",
        "!FindInMap" => "Fn::FindInMap",
        "!Base64" => "Fn::Base64",
        "!Cidr" => "Fn::Cidr",
        "!GetAZs" => "Fn::GetAZs",
        _ => "Fn::ImportValue",
    }
}

/// Flow style (`[a, !Ref B]`, `{K: v}`) for arguments of tags. Inside flow,
/// intrinsics nested in a sequence keep their tag; one directly under a tag
/// keeps long form.
fn flow(v: &Value) -> String {
    match v {
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(flow_item).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) => {
            let items: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", quote(k), flow_item(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::String(s) => serde_json::to_string(s).expect("json string"),
        other => scalar(other),
    }
}

fn flow_item(v: &Value) -> String {
    if let Some((tag, arg)) = as_intrinsic(v) {
        let mut s = String::new();
        match arg {
            Value::String(x) if !x.contains('\n') => {
                write_intrinsic(&mut s, tag, arg, 0);
            }
            Value::Array(_) => write_intrinsic(&mut s, tag, arg, 0),
            _ => s = format!("{{{}: {}}}", quote(long_name(tag)), flow(arg)),
        }
        return s;
    }
    match v {
        Value::String(s) => serde_json::to_string(s).expect("json string"),
        _ => flow(v),
    }
}

/// A literal block scalar (`|`), keeping the text exactly.
fn write_block(out: &mut String, s: &str, level: usize) {
    let chomp = if s.ends_with("\n\n") {
        "+"
    } else if s.ends_with('\n') {
        ""
    } else {
        "-"
    };
    // A first line that starts with a space needs an explicit indent.
    let ind = if s.starts_with(' ') { "2" } else { "" };
    out.push('|');
    out.push_str(ind);
    out.push_str(chomp);
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_forms() {
        let v = json!({
            "A": {"Ref": "X"},
            "B": {"Fn::GetAtt": ["Bucket", "Arn"]},
            "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::b"},
            "D": {"Fn::Join": [",", ["a", {"Ref": "B"}]]},
            "E": {"Fn::Base64": {"Fn::Sub": "x"}},
            "F": ["a", {"Ref": "Y"}],
            "G": "123456789012",
            "H": true,
            "I": "line1\nline2\n",
        });
        let y = to_yaml(&v);
        assert!(y.contains("A: !Ref X\n"), "{y}");
        assert!(y.contains("B: !GetAtt Bucket.Arn\n"), "{y}");
        assert!(y.contains("C: !Sub arn:${AWS::Partition}:s3:::b\n") || y.contains("C: !Sub 'arn:${AWS::Partition}:s3:::b'\n"), "{y}");
        assert!(y.contains("D: !Join [\",\", [\"a\", !Ref B]]\n"), "{y}");
        assert!(y.contains("E:\n  Fn::Base64: !Sub x\n"), "{y}");
        assert!(y.contains("  - !Ref 'Y'\n"), "YAML 1.1 reads Y as a boolean: {y}");
        assert!(y.contains("G: '123456789012'\n"), "{y}");
        assert!(y.contains("I: |\n  line1\n  line2\n"), "{y}");
    }
}
