//! The parsed template: a value tree in which every node keeps the line and
//! column it came from. Short-form YAML tags are already expanded into the
//! long form (`!Sub x` is the map `{"Fn::Sub": x}`), so checks see one shape.

use std::fmt;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// A number as written, with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub raw: String,
    pub value: f64,
    pub is_integer: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// `${Name}` written outside quotes in the JSON text of an `Fn::Sub`:
    /// the variable's value is inserted as JSON text at deploy time.
    Deferred(String),
    /// A value under the YAML tag of a pre-processor other than
    /// CloudFormation (rain's `!Rain::Embed file`): what it becomes is known
    /// only once that tool has run, so nothing checks it. Holds the tag.
    Preprocessed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

/// One key of a mapping, with the key's own position.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// The functions CloudFormation evaluates, in long form.
pub const INTRINSICS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::FindInMap",
    "Fn::GetAtt",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::Transform",
    "Fn::If",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::GetStackOutput",
    // Rule functions, valid in the Rules section.
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

impl Node {
    pub fn new(pos: Pos, value: Value) -> Self {
        Node { pos, value }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as CloudFormation would pass it as a string.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Number(n) => Some(n.raw.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// `Some((name, argument))` when this node is a single-key intrinsic
    /// function call such as `{"Fn::Sub": ...}` or `{"Ref": ...}`.
    /// `Condition` counts only where the caller says conditions are allowed.
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        match self.as_map() {
            Some([e]) if e.key != "Condition" && INTRINSICS.contains(&e.key.as_str()) => {
                Some((e.key.as_str(), &e.value))
            }
            _ => None,
        }
    }

    /// Like [`Node::intrinsic`], also accepting `{"Condition": name}`.
    pub fn condition_intrinsic(&self) -> Option<(&str, &Node)> {
        match self.as_map() {
            Some([e]) if INTRINSICS.contains(&e.key.as_str()) => Some((e.key.as_str(), &e.value)),
            _ => None,
        }
    }

    /// `{"Ref": "AWS::NoValue"}`: the property is removed.
    pub fn is_no_value(&self) -> bool {
        matches!(self.intrinsic(), Some(("Ref", arg)) if arg.as_str() == Some("AWS::NoValue"))
    }

    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_integer => "integer",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
            Value::Deferred(_) => "deploy-time value",
            Value::Preprocessed(_) => "pre-processor value",
        }
    }

    /// The value as JSON (positions dropped). Integers that fit stay
    /// integers; a deploy-time `${Name}` becomes its text.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match &self.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => {
                let digits = n.raw.strip_prefix('+').unwrap_or(&n.raw);
                if let (true, Ok(i)) = (n.is_integer, digits.parse::<i64>()) {
                    Json::from(i)
                } else if let (true, Ok(u)) = (n.is_integer, digits.parse::<u64>()) {
                    Json::from(u)
                } else {
                    serde_json::Number::from_f64(n.value)
                        .map(Json::Number)
                        .unwrap_or_else(|| Json::String(n.raw.clone()))
                }
            }
            Value::Str(s) => Json::String(s.clone()),
            Value::Deferred(name) => Json::String(format!("${{{name}}}")),
            Value::Preprocessed(tag) => Json::String(format!("!{tag}")),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Maximum nesting depth below this node (a scalar is 0).
    pub fn depth(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            Value::Map(entries) => 1 + entries.iter().map(|e| e.value.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }
}

/// A JSON pointer (RFC 6901) built while walking the tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ptr(String);

impl Ptr {
    pub fn root() -> Self {
        Ptr(String::new())
    }

    pub fn key(&self, key: &str) -> Ptr {
        let mut s = String::with_capacity(self.0.len() + key.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for c in key.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Ptr(s)
    }

    /// A pointer already written out (`/Resources/A~1B`).
    pub fn from_pointer(pointer: &str) -> Ptr {
        Ptr(pointer.to_string())
    }

    pub fn index(&self, i: usize) -> Ptr {
        Ptr(format!("{}/{}", self.0, i))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
