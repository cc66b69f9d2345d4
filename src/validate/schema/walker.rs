//! An intrinsic-aware JSON Schema checker over [`Node`] trees.
//!
//! It understands the keywords CloudFormation provider schemas (and our
//! session document schema) use. A value that is an intrinsic function is
//! checked as what it resolves to where that is known (`Fn::If` branches,
//! the Default and AllowedValues of a `Ref`'d parameter) and accepted
//! where it is not (a `Fn::GetAtt`, a `Fn::Sub` string).

use serde_json::Value as Json;

use super::regex_cache;
use crate::syntax::tree::{Node, Ptr, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// CloudFormation resource properties: CloudFormation converts `"true"`
    /// to a boolean and `"5"` to a number, so those are accepted.
    Lenient,
    /// Literal JSON documents: a boolean must be a boolean.
    Strict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    UnknownProperty,
    Type,
    Enum,
    Pattern,
    Range,
    Required,
    Unique,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub kind: Kind,
    pub pos: crate::syntax::tree::Pos,
    pub ptr: Ptr,
    pub message: String,
}

/// What the template knows about the values intrinsics resolve to.
pub trait Resolver {
    /// `(source, value)` pairs: the parameter's Default and AllowedValues;
    /// `None` when `name` is not a parameter.
    fn values(&self, name: &str) -> Option<Vec<(&'static str, &Node)>>;

    /// The values an `Fn::FindInMap` argument may select, each with a
    /// description (`Map/Key/Key`); every key is tried where a key is not
    /// a literal.
    fn mapping_values(&self, argument: &Node) -> Vec<(String, &Node)>;

    /// Whether parameter `name` is a list (`CommaDelimitedList`,
    /// `List<…>`): `Ref` gives a list, its Default is comma-separated and
    /// each AllowedValue is one item.
    fn is_list(&self, _name: &str) -> bool {
        false
    }
}

/// Checks documents outside a template: nothing resolves.
pub struct NoTemplate;

impl Resolver for NoTemplate {
    fn values(&self, _: &str) -> Option<Vec<(&'static str, &Node)>> {
        None
    }

    fn mapping_values(&self, _: &Node) -> Vec<(String, &Node)> {
        Vec::new()
    }
}

pub struct Walker<'a> {
    root: &'a Json,
    mode: Mode,
    params: &'a dyn Resolver,
}

impl<'a> Walker<'a> {
    pub fn new(root: &'a Json, mode: Mode, params: &'a dyn Resolver) -> Self {
        Walker { root, mode, params }
    }

    pub fn check(&self, schema: &Json, node: &Node, ptr: &Ptr) -> Vec<Violation> {
        let mut out = Vec::new();
        self.validate(schema, node, ptr, &mut out, 0);
        out
    }

    fn resolve<'s>(&'s self, schema: &'s Json) -> &'s Json {
        let mut current = schema;
        for _ in 0..16 {
            match current.get("$ref").and_then(Json::as_str) {
                Some(reference) => match reference
                    .strip_prefix('#')
                    .and_then(|p| self.root.pointer(p))
                {
                    Some(target) => current = target,
                    None => return &Json::Null,
                },
                None => return current,
            }
        }
        &Json::Null
    }

    fn validate(
        &self,
        schema: &Json,
        node: &Node,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        let schema = self.resolve(schema);
        if !schema.is_object() {
            return;
        }
        if let Some((function, argument)) = node.intrinsic() {
            return self.intrinsic(schema, node, function, argument, ptr, out, depth);
        }
        if let Value::Preprocessed(_) = &node.value {
            return; // made by another tool: not known here
        }
        if let Value::Deferred(name) = &node.value {
            return self.deferred(schema, node, name, ptr, out, depth);
        }
        if let Some(types) = schema.get("type") {
            if !self.type_matches(types, node) {
                out.push(violation(
                    Kind::Type,
                    node,
                    ptr,
                    format!("expected {}, found {}", describe_types(types), node.kind()),
                ));
                return;
            }
        }
        self.combinators(schema, node, ptr, out, depth);
        self.value_keywords(schema, node, ptr, out);
        match &node.value {
            Value::Map(_) => self.object(schema, node, ptr, out, depth),
            Value::Seq(items) => {
                self.array_bounds(schema, node, items.len(), ptr, out);
                if schema.get("uniqueItems") == Some(&Json::Bool(true)) {
                    unique_items(items, ptr, out);
                }
                if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                    for (i, item) in items.iter().enumerate() {
                        if !item.is_no_value() {
                            self.validate(item_schema, item, &ptr.index(i), out, depth + 1);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn intrinsic(
        &self,
        schema: &Json,
        node: &Node,
        function: &str,
        argument: &Node,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        match function {
            "Fn::If" => {
                if let Some([_, when_true, when_false]) = argument.as_seq() {
                    for branch in [when_true, when_false] {
                        if !branch.is_no_value() {
                            self.validate(schema, branch, ptr, out, depth + 1);
                        }
                    }
                }
            }
            "Fn::Sub" if sole_variable(argument).is_some() => {
                let name = sole_variable(argument).unwrap_or_default();
                self.parameter_values(schema, node, name, ptr, out, depth);
            }
            "Ref" => {
                if let Some(name) = argument.as_str() {
                    self.parameter_values(schema, node, name, ptr, out, depth);
                }
            }
            "Fn::FindInMap" => {
                for (path, value) in self.params.mapping_values(argument) {
                    let at = Node::new(node.pos, value.value.clone());
                    let mut found = Vec::new();
                    self.validate(schema, &at, ptr, &mut found, depth + 1);
                    out.extend(found.into_iter().map(|mut v| {
                        v.message = format!("mapping value {path}: {}", v.message);
                        v
                    }));
                }
            }
            "Fn::Sub" | "Fn::Join" if self.mode == Mode::Strict => {
                if let Some(types) = schema.get("type") {
                    if !type_names(types).any(|t| t == "string") {
                        out.push(violation(
                            Kind::Type,
                            node,
                            ptr,
                            format!(
                                "expected {}, found a string ({function})",
                                describe_types(types)
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    /// A parameter's Default and AllowedValues, checked where it is used.
    fn parameter_values(
        &self,
        schema: &Json,
        node: &Node,
        name: &str,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        let Some(values) = self.params.values(name) else {
            return;
        };
        let is_list = self.params.is_list(name);
        for (source, value) in values {
            // A parameter reaches the template as a string, a list
            // parameter as a list of strings: its Default split at commas
            // (spaces around each item removed), each AllowedValue an item.
            let text = value.scalar_text();
            let as_string = match (text, is_list) {
                (Some(text), true) => {
                    let items = if source == "Default" { text.split(',').map(|i| i.trim().to_string()).collect() } else { vec![text] };
                    Node::new(node.pos, Value::Seq(items.into_iter().map(|i| Node::new(node.pos, Value::Str(i))).collect()))
                }
                (text, _) => Node::new(node.pos, text.map(Value::Str).unwrap_or(Value::Null)),
            };
            let mut found = Vec::new();
            self.validate(schema, &as_string, ptr, &mut found, depth + 1);
            out.extend(found.into_iter().map(|mut v| {
                v.message = format!(
                    "parameter `{name}` ({source} {}): {}",
                    value.scalar_text().unwrap_or_default(),
                    v.message
                );
                v
            }));
        }
    }

    /// `${Name}` inserted as raw JSON: checked as each value the parameter
    /// may take, read as a JSON literal.
    fn deferred(
        &self,
        schema: &Json,
        node: &Node,
        name: &str,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        for (source, value) in self.params.values(name).unwrap_or_default() {
            let text = value.scalar_text().unwrap_or_default();
            let literal = match serde_json::from_str::<Json>(&text) {
                Ok(Json::Bool(b)) => Value::Bool(b),
                Ok(Json::Number(_)) => crate::syntax::resolve_number(&text)
                    .map(Value::Number)
                    .unwrap_or(Value::Str(text.clone())),
                Ok(Json::String(s)) => Value::Str(s),
                _ => Value::Str(text.clone()),
            };
            let mut found = Vec::new();
            self.validate(
                schema,
                &Node::new(node.pos, literal),
                ptr,
                &mut found,
                depth + 1,
            );
            out.extend(found.into_iter().map(|mut v| {
                v.message = format!(
                    "parameter `{name}` ({source} {text}) inserted as JSON: {}",
                    v.message
                );
                v
            }));
        }
    }

    fn type_matches(&self, types: &Json, node: &Node) -> bool {
        type_names(types).any(|t| self.is_type(t, node))
    }

    fn is_type(&self, name: &str, node: &Node) -> bool {
        let lenient = self.mode == Mode::Lenient;
        match (name, &node.value) {
            ("string", Value::Str(_)) => true,
            ("string", Value::Number(_) | Value::Bool(_)) => lenient,
            ("integer", Value::Number(n)) => n.is_integer || n.value.fract() == 0.0,
            ("number", Value::Number(_)) => true,
            ("integer", Value::Str(s)) => lenient && s.trim().parse::<i64>().is_ok(),
            ("number", Value::Str(s)) => lenient && s.trim().parse::<f64>().is_ok(),
            ("boolean", Value::Bool(_)) => true,
            ("boolean", Value::Str(s)) => {
                lenient && matches!(s.to_ascii_lowercase().as_str(), "true" | "false")
            }
            ("object", Value::Map(_)) => true,
            ("array", Value::Seq(_)) => true,
            ("null", Value::Null) => true,
            _ => false,
        }
    }

    fn combinators(
        &self,
        schema: &Json,
        node: &Node,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        if let Some(all) = schema.get("allOf").and_then(Json::as_array) {
            for sub in all {
                self.validate(sub, node, ptr, out, depth + 1);
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            let Some(branches) = schema.get(keyword).and_then(Json::as_array) else {
                continue;
            };
            let mut best: Option<Vec<Violation>> = None;
            for branch in branches {
                let mut found = Vec::new();
                self.validate(branch, node, ptr, &mut found, depth + 1);
                if found.is_empty() {
                    best = None;
                    break;
                }
                if best.as_ref().map_or(true, |b| found.len() < b.len()) {
                    best = Some(found);
                }
            }
            out.extend(best.unwrap_or_default());
        }
    }

    /// enum, const, pattern, lengths, numeric bounds.
    fn value_keywords(&self, schema: &Json, node: &Node, ptr: &Ptr, out: &mut Vec<Violation>) {
        let text = match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Number(_) | Value::Bool(_) if self.mode == Mode::Lenient => node.scalar_text(),
            _ => None,
        };
        if let Some(allowed) = schema.get("enum").and_then(Json::as_array) {
            if !allowed.iter().any(|a| self.equals(a, node)) {
                let list: Vec<String> = allowed.iter().map(Json::to_string).collect();
                out.push(violation(
                    Kind::Enum,
                    node,
                    ptr,
                    format!("{} is not one of [{}]", shown(node), list.join(", ")),
                ));
            }
        }
        if let Some(expected) = schema.get("const") {
            if !self.equals(expected, node) {
                out.push(violation(
                    Kind::Enum,
                    node,
                    ptr,
                    format!("{} must be {expected}", shown(node)),
                ));
            }
        }
        if let Some(text) = text.filter(|_| {
            schema
                .get("type")
                .map_or(true, |t| type_names(t).any(|n| n == "string"))
                || matches!(node.value, Value::Str(_))
        }) {
            if let Some(pattern) = schema.get("pattern").and_then(Json::as_str) {
                if regex_cache::is_match(pattern, &text) == Some(false) {
                    let message = schema
                        .get("errorMessage")
                        .and_then(Json::as_str)
                        .map(|m| format!("{}: {m}", shown(node)))
                        .unwrap_or_else(|| format!("{} does not match `{pattern}`", shown(node)));
                    out.push(violation(Kind::Pattern, node, ptr, message));
                }
            }
            let length = text.chars().count() as u64;
            if let Some(min) = schema
                .get("minLength")
                .and_then(Json::as_u64)
                .filter(|m| length < *m)
            {
                out.push(violation(
                    Kind::Range,
                    node,
                    ptr,
                    format!("{} is shorter than {min} characters", shown(node)),
                ));
            }
            if let Some(max) = schema
                .get("maxLength")
                .and_then(Json::as_u64)
                .filter(|m| length > *m)
            {
                out.push(violation(
                    Kind::Range,
                    node,
                    ptr,
                    format!("{} is longer than {max} characters", shown(node)),
                ));
            }
        }
        let number = match &node.value {
            Value::Number(n) => Some(n.value),
            Value::Str(s) if self.mode == Mode::Lenient => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(value) = number.filter(|_| {
            schema
                .get("type")
                .is_some_and(|t| type_names(t).any(|n| n == "integer" || n == "number"))
        }) {
            if let Some(min) = schema
                .get("minimum")
                .and_then(Json::as_f64)
                .filter(|m| value < *m)
            {
                out.push(violation(
                    Kind::Range,
                    node,
                    ptr,
                    format!("{value} is less than the minimum {min}"),
                ));
            }
            if let Some(max) = schema
                .get("maximum")
                .and_then(Json::as_f64)
                .filter(|m| value > *m)
            {
                out.push(violation(
                    Kind::Range,
                    node,
                    ptr,
                    format!("{value} is greater than the maximum {max}"),
                ));
            }
        }
    }

    fn equals(&self, expected: &Json, node: &Node) -> bool {
        match (expected, &node.value) {
            (Json::String(e), Value::Str(s)) => e == s,
            (Json::String(e), Value::Number(_) | Value::Bool(_)) => {
                self.mode == Mode::Lenient && node.scalar_text().as_deref() == Some(e)
            }
            (Json::Number(e), Value::Number(n)) => e.as_f64() == Some(n.value),
            (Json::Number(e), Value::Str(s)) => {
                self.mode == Mode::Lenient && s.trim().parse::<f64>().ok() == e.as_f64()
            }
            (Json::Bool(e), Value::Bool(b)) => e == b,
            (Json::Bool(e), Value::Str(s)) => {
                self.mode == Mode::Lenient && s.eq_ignore_ascii_case(&e.to_string())
            }
            (Json::Null, Value::Null) => true,
            _ => false,
        }
    }

    fn array_bounds(
        &self,
        schema: &Json,
        node: &Node,
        len: usize,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
    ) {
        if let Some(min) = schema
            .get("minItems")
            .and_then(Json::as_u64)
            .filter(|m| (len as u64) < *m)
        {
            out.push(violation(
                Kind::Range,
                node,
                ptr,
                format!("{len} items, at least {min} required"),
            ));
        }
        if let Some(max) = schema
            .get("maxItems")
            .and_then(Json::as_u64)
            .filter(|m| (len as u64) > *m)
        {
            out.push(violation(
                Kind::Range,
                node,
                ptr,
                format!("{len} items, at most {max} allowed"),
            ));
        }
    }

    fn object(
        &self,
        schema: &Json,
        node: &Node,
        ptr: &Ptr,
        out: &mut Vec<Violation>,
        depth: usize,
    ) {
        let entries = node.as_map().unwrap_or_default();
        let present = |name: &str| {
            entries
                .iter()
                .any(|e| e.key == name && !e.value.is_no_value())
        };
        let properties = schema.get("properties").and_then(Json::as_object);
        let pattern_properties = schema.get("patternProperties").and_then(Json::as_object);
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        for entry in entries {
            let child = ptr.key(&entry.key);
            if entry.value.is_no_value() {
                continue;
            }
            if let Some(sub) = properties.and_then(|p| p.get(&entry.key)) {
                self.validate(sub, &entry.value, &child, out, depth + 1);
                continue;
            }
            let by_pattern: Vec<&Json> = pattern_properties
                .map(|pp| {
                    pp.iter()
                        .filter(|(p, _)| regex_cache::is_match(p, &entry.key) == Some(true))
                        .map(|(_, s)| s)
                        .collect()
                })
                .unwrap_or_default();
            if !by_pattern.is_empty() {
                for sub in by_pattern {
                    self.validate(sub, &entry.value, &child, out, depth + 1);
                }
            } else if closed {
                let known: Vec<&str> = properties
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let hint = closest(&entry.key, &known)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                out.push(Violation {
                    kind: Kind::UnknownProperty,
                    pos: entry.key_pos,
                    ptr: child,
                    message: format!("unknown property `{}`{hint}", entry.key),
                });
            } else if let Some(sub) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                self.validate(sub, &entry.value, &child, out, depth + 1);
            }
        }
        for name in schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
        {
            if !present(name) {
                out.push(violation(
                    Kind::Required,
                    node,
                    ptr,
                    format!("missing required property `{name}`"),
                ));
            }
        }
        if let Some(one) = schema.get("requiredXor").and_then(Json::as_array) {
            let names: Vec<&str> = one.iter().filter_map(Json::as_str).collect();
            let given: Vec<&str> = names.iter().copied().filter(|n| present(n)).collect();
            if !names.is_empty() && given.len() != 1 {
                let message = if given.is_empty() {
                    format!("one of {} is required", names.join(", "))
                } else {
                    format!(
                        "only one of {} may be set, found {}",
                        names.join(", "),
                        given.join(", ")
                    )
                };
                out.push(violation(Kind::Required, node, ptr, message));
            }
        }
        if let Some(any) = schema.get("requiredOr").and_then(Json::as_array) {
            let names: Vec<&str> = any.iter().filter_map(Json::as_str).collect();
            if !names.is_empty() && !names.iter().any(|n| present(n)) {
                out.push(violation(
                    Kind::Required,
                    node,
                    ptr,
                    format!("one of {} is required", names.join(", ")),
                ));
            }
        }
        for (keyword, excluded) in [("dependentRequired", false), ("dependentExcluded", true)] {
            let Some(map) = schema.get(keyword).and_then(Json::as_object) else {
                continue;
            };
            for (trigger, others) in map.iter().filter(|(t, _)| present(t)) {
                for other in others
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                {
                    if present(other) == excluded {
                        let message = if excluded {
                            format!("`{other}` cannot be used with `{trigger}`")
                        } else {
                            format!("`{other}` is required with `{trigger}`")
                        };
                        out.push(violation(Kind::Required, node, ptr, message));
                    }
                }
            }
        }
    }
}

/// Duplicate items of a list whose items must be unique. Two identical
/// intrinsics (`!Ref P` twice) give the same value.
fn unique_items(items: &[Node], ptr: &Ptr, out: &mut Vec<Violation>) {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.is_no_value() || matches!(item.intrinsic(), Some(("Fn::If", _))) {
            continue;
        }
        let key = item.to_json().to_string();
        if let Some(first) = seen.insert(key, item.pos.line) {
            out.push(Violation {
                kind: Kind::Unique,
                pos: item.pos,
                ptr: ptr.index(i),
                message: format!(
                    "{} is already in this list (line {first}); its items must be unique",
                    shown(item)
                ),
            });
        }
    }
}

/// `Name` when a Sub template is exactly `${Name}`.
fn sole_variable(argument: &Node) -> Option<&str> {
    let text = argument.as_str()?;
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    (!name.starts_with('!') && !name.contains(['$', '{', '}', '.'])).then_some(name)
}

fn violation(kind: Kind, node: &Node, ptr: &Ptr, message: String) -> Violation {
    Violation {
        kind,
        pos: node.pos,
        ptr: ptr.clone(),
        message,
    }
}

fn type_names(types: &Json) -> impl Iterator<Item = &str> {
    let list: Vec<&str> = match types {
        Json::String(s) => vec![s.as_str()],
        Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
}

fn describe_types(types: &Json) -> String {
    type_names(types).collect::<Vec<_>>().join(" or ")
}

fn shown(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => format!("{s:?}"),
        _ => node
            .scalar_text()
            .unwrap_or_else(|| node.kind().to_string()),
    }
}

/// The known name closest to a misspelt one, if close enough to be a typo.
pub fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&name.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_yaml;

    fn run(schema: serde_json::Value, yaml: &str, mode: Mode) -> Vec<(Kind, String)> {
        let node = parse_yaml(yaml).unwrap().root.unwrap();
        Walker::new(&schema, mode, &NoTemplate)
            .check(&schema, &node, &Ptr::root())
            .into_iter()
            .map(|v| (v.kind, v.ptr.to_string()))
            .collect()
    }

    #[test]
    fn intrinsics_are_not_type_errors_and_if_branches_are_checked() {
        let schema = serde_json::json!({"type": "object", "additionalProperties": false,
            "properties": {"A": {"type": "string", "enum": ["x", "y"]}, "B": {"type": "boolean"}}});
        assert!(run(
            schema.clone(),
            "A: !Sub '${X}'\nB: !GetAtt R.Flag\n",
            Mode::Lenient
        )
        .is_empty());
        assert_eq!(
            run(schema.clone(), "A: !If [C, x, z]\n", Mode::Lenient),
            [(Kind::Enum, "/A".into())]
        );
        assert_eq!(run(schema.clone(), "B: 'true'\n", Mode::Lenient), []);
        assert_eq!(
            run(schema.clone(), "B: 'true'\n", Mode::Strict),
            [(Kind::Type, "/B".into())]
        );
        assert_eq!(
            run(schema, "Bee: 1\n", Mode::Lenient),
            [(Kind::UnknownProperty, "/Bee".into())]
        );
    }

    #[test]
    fn refs_definitions_and_any_of() {
        let schema = serde_json::json!({"definitions": {"T": {"type": "object", "required": ["K"],
            "properties": {"K": {"type": "string", "maxLength": 2}}}},
            "type": "object", "properties": {"L": {"type": "array", "items": {"$ref": "#/definitions/T"}},
            "N": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^a+$"}]}}});
        assert_eq!(
            run(schema.clone(), "L: [{K: abc}, {}]\n", Mode::Lenient),
            [
                (Kind::Range, "/L/0/K".into()),
                (Kind::Required, "/L/1".into())
            ]
        );
        assert!(run(schema.clone(), "N: aaa\n", Mode::Strict).is_empty());
        assert_eq!(run(schema, "N: 0\n", Mode::Strict).len(), 1);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            closest("BucketEncyrption", &["BucketEncryption", "BucketName"]),
            Some("BucketEncryption")
        );
        assert_eq!(closest("Zzz", &["BucketName"]), None);
    }
}
