//! YAML → [`Node`] through yaml-rust2's event parser, which reports a marker
//! (line, column) with each event.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scalar::resolve_plain;
use super::{
    too_large, IssueKind, ParseError, ParseIssue, Parsed, ReadOptions, MAX_ALIAS_BYTES,
    MAX_ALIAS_VALUES, MAX_DEPTH, MAX_INPUT_BYTES,
};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Short-form tags and the long-form key they stand for.
/// The tool a namespaced tag belongs to (`Rain::Embed` → rain's
/// pre-processor); CloudFormation's own short forms have no namespace.
fn preprocessor(suffix: &str) -> Option<String> {
    let (namespace, name) = suffix.split_once("::")?;
    if namespace.is_empty() || name.is_empty() || namespace == "Fn" || namespace == "AWS" {
        return None;
    }
    Some(match namespace {
        "Rain" => "rain's pre-processor (`rain pkg`, `rain deploy`)".to_string(),
        other => format!("the pre-processor `{other}`"),
    })
}

const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("FindInMap", "Fn::FindInMap"),
    ("GetAtt", "Fn::GetAtt"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("Transform", "Fn::Transform"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    // Rule functions (the Rules section).
    ("Contains", "Fn::Contains"),
    ("EachMemberEquals", "Fn::EachMemberEquals"),
    ("EachMemberIn", "Fn::EachMemberIn"),
    ("RefAll", "Fn::RefAll"),
    ("ValueOf", "Fn::ValueOf"),
    ("ValueOfAll", "Fn::ValueOfAll"),
];

/// Parses YAML as a template is read (no merge keys).
pub fn parse_yaml(text: &str) -> Result<Parsed, ParseError> {
    parse_yaml_with(text, &ReadOptions::TEMPLATE)
}

/// Parses YAML. The parser is driven event by event and stops at the first
/// limit reached (depth, alias expansion), so hostile input costs at most
/// what the limits allow.
pub fn parse_yaml_with(text: &str, options: &ReadOptions) -> Result<Parsed, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(too_large(text.len()));
    }
    let mut builder = Builder::new(*options);
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((event, mark)) => {
                let end = event == Event::StreamEnd;
                builder.on_event(event, mark);
                if end || builder.error.is_some() {
                    break;
                }
            }
            Err(e) => {
                // yaml-rust2 has its own, lower, limit on flow nesting.
                let message = if e.info().contains("recursion limit") {
                    format!("nesting deeper than {MAX_DEPTH} levels is not read")
                } else {
                    e.info().to_string()
                };
                return Err(builder.error.take().unwrap_or(ParseError {
                    pos: pos(e.marker()),
                    message,
                }));
            }
        }
    }
    if let Some(err) = builder.error.take() {
        return Err(err);
    }
    Ok(Parsed {
        root: builder.root,
        issues: builder.issues,
    })
}

fn pos(m: &Marker) -> Pos {
    Pos::new(m.line() as u32, m.col() as u32 + 1)
}

/// How much a value holds: itself and everything below it, and the bytes
/// of its scalars. What an alias adds to the document.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    values: usize,
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.values = self.values.saturating_add(other.values);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

/// A mapping key read, waiting for its value.
struct PendingKey {
    text: String,
    pos: Pos,
    /// A plain `<<` while merge keys are on.
    merge: bool,
}

enum Frame {
    Seq {
        pos: Pos,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
        size: Size,
    },
    Map {
        pos: Pos,
        tag: Option<Tag>,
        anchor: usize,
        entries: Vec<Entry>,
        /// Keys written in this mapping, with their first position.
        keys: HashMap<String, Pos>,
        key: Option<PendingKey>,
        /// Values of `<<` keys, merged when the mapping ends.
        merges: Vec<Node>,
        size: Size,
    },
}

struct Builder {
    options: ReadOptions,
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, (Node, Size)>,
    /// What aliases added so far.
    expanded: Size,
    issues: Vec<ParseIssue>,
    error: Option<ParseError>,
    documents: usize,
    /// The last scalar was a plain, untagged `<<`.
    plain_merge: bool,
}

impl Builder {
    fn new(options: ReadOptions) -> Self {
        Builder {
            options,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            expanded: Size::default(),
            issues: Vec::new(),
            error: None,
            documents: 0,
            plain_merge: false,
        }
    }

    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = pos(&mark);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(at, "a file holds a single YAML document");
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.plain_merge = self.options.merge_keys
                    && text == "<<"
                    && style == TScalarStyle::Plain
                    && tag.is_none();
                let size = Size {
                    values: 1,
                    bytes: text.len(),
                };
                let value = match (style, &tag) {
                    (TScalarStyle::Plain, None) => resolve_plain(&text),
                    (TScalarStyle::Plain, Some(t)) if t.handle == "!!" && t.suffix != "str" => {
                        resolve_plain(&text)
                    }
                    _ => Value::Str(text),
                };
                let node = self.apply_tag(Node::new(at, value), tag);
                self.finish(node, anchor, size);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.too_deep(at);
                }
                self.stack.push(Frame::Seq {
                    pos: at,
                    tag,
                    anchor,
                    items: Vec::new(),
                    size: Size {
                        values: 1,
                        bytes: 0,
                    },
                });
            }
            Event::MappingStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.too_deep(at);
                }
                self.stack.push(Frame::Map {
                    pos: at,
                    tag,
                    anchor,
                    entries: Vec::new(),
                    keys: HashMap::new(),
                    key: None,
                    merges: Vec::new(),
                    size: Size {
                        values: 1,
                        bytes: 0,
                    },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    pos,
                    tag,
                    anchor,
                    items,
                    size,
                }) => {
                    let node = self.apply_tag(Node::new(pos, Value::Seq(items)), tag);
                    self.finish(node, anchor, size);
                }
                Some(Frame::Map {
                    pos,
                    tag,
                    anchor,
                    mut entries,
                    mut keys,
                    merges,
                    size,
                    ..
                }) => {
                    for source in merges {
                        merge_into(&mut entries, &mut keys, source);
                    }
                    let node = self.apply_tag(Node::new(pos, Value::Map(entries)), tag);
                    self.finish(node, anchor, size);
                }
                None => self.fail(at, "unbalanced collection"),
            },
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((node, size)) => {
                    let size = *size;
                    let mut total = self.expanded;
                    total.add(size);
                    if total.values > MAX_ALIAS_VALUES || total.bytes > MAX_ALIAS_BYTES {
                        return self.fail(
                            at,
                            &format!(
                                "YAML aliases expand to more than {MAX_ALIAS_VALUES} values or {MAX_ALIAS_BYTES} bytes (an alias bomb?); nothing was expanded further"
                            ),
                        );
                    }
                    self.expanded = total;
                    let mut node = node.clone();
                    node.pos = at;
                    self.finish(node, 0, size);
                }
                None => self.fail(at, "alias of an unknown anchor"),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }

    fn fail(&mut self, pos: Pos, message: &str) {
        self.error.get_or_insert(ParseError {
            pos,
            message: message.to_string(),
        });
    }

    fn too_deep(&mut self, at: Pos) {
        self.fail(
            at,
            &format!("nesting deeper than {MAX_DEPTH} levels is not read"),
        );
    }

    /// JSON pointer of the value being built: the pending key or next
    /// index of every open collection.
    fn pointer(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => out.push_str(&format!("/{}", items.len())),
                Frame::Map { key: Some(k), .. } => {
                    out.push('/');
                    out.push_str(&k.text.replace('~', "~0").replace('/', "~1"));
                }
                Frame::Map { key: None, .. } => {}
            }
        }
        out
    }

    /// Expands `!Sub x` into `{"Fn::Sub": x}` and `!GetAtt A.b` into
    /// `{"Fn::GetAtt": ["A", "b"]}`.
    fn apply_tag(&mut self, node: Node, tag: Option<Tag>) -> Node {
        let Some(tag) = tag else { return node };
        if tag.handle != "!" {
            return node; // `!!str` and friends: the value was resolved already.
        }
        let known = SHORT_FORMS
            .iter()
            .find(|(short, _)| *short == tag.suffix)
            .filter(|_| self.options.short_forms);
        let Some((_, long)) = known else {
            let pointer = self.pointer();
            if let Some(tool) = preprocessor(&tag.suffix).filter(|_| self.options.short_forms) {
                self.issues.push(ParseIssue {
                    kind: IssueKind::PreprocessorTag,
                    pos: node.pos,
                    message: format!("`!{}` is a tag of {tool}, not of CloudFormation: the value it makes is not checked; validate the template the pre-processor writes to check it", tag.suffix),
                    pointer,
                    first: None,
                });
                return Node::new(node.pos, Value::Preprocessed(format!("!{}", tag.suffix)));
            }
            self.issues.push(ParseIssue {
                kind: IssueKind::UnknownTag,
                pos: node.pos,
                message: format!("unknown tag `!{}`", tag.suffix),
                pointer,
                first: None,
            });
            return node;
        };
        let at = node.pos;
        let argument = match (*long, &node.value) {
            ("Fn::GetAtt", Value::Str(s)) => {
                let (resource, attribute) = s.split_once('.').unwrap_or((s.as_str(), ""));
                let attr_pos = Pos::new(at.line, at.col + resource.len() as u32 + 1);
                Node::new(
                    at,
                    Value::Seq(vec![
                        Node::new(at, Value::Str(resource.to_string())),
                        Node::new(attr_pos, Value::Str(attribute.to_string())),
                    ]),
                )
            }
            _ => node,
        };
        Node::new(
            at,
            Value::Map(vec![Entry {
                key: long.to_string(),
                key_pos: at,
                value: argument,
            }]),
        )
    }

    fn finish(&mut self, node: Node, anchor: usize, size: Size) {
        let merge = std::mem::take(&mut self.plain_merge);
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq {
                items, size: total, ..
            }) => {
                total.add(size);
                items.push(node);
            }
            Some(Frame::Map {
                key: key @ None, ..
            }) => match node
                .scalar_text()
                .or(matches!(node.value, Value::Null).then(String::new))
            {
                Some(text) => {
                    *key = Some(PendingKey {
                        text,
                        pos: node.pos,
                        merge,
                    })
                }
                None => self.fail(node.pos, "a mapping key must be a scalar"),
            },
            Some(Frame::Map { .. }) => self.finish_entry(node, size),
        }
    }

    /// The value of the pending key of the mapping on top of the stack.
    fn finish_entry(&mut self, node: Node, size: Size) {
        let (first, is_merge) = match self.stack.last() {
            Some(Frame::Map {
                key: Some(k), keys, ..
            }) => (keys.get(&k.text).copied(), k.merge),
            _ => return,
        };
        if is_merge
            && !matches!(node.value, Value::Map(_))
            && !node
                .as_seq()
                .is_some_and(|items| items.iter().all(|i| i.as_map().is_some()))
        {
            return self.fail(
                node.pos,
                "the value of a merge key `<<` must be a mapping or a list of mappings",
            );
        }
        if let (Some(first), false) = (first, is_merge) {
            let pointer = self.pointer();
            if let Some(Frame::Map { key: Some(k), .. }) = self.stack.last() {
                self.issues.push(ParseIssue {
                    kind: IssueKind::DuplicateKey,
                    pos: k.pos,
                    message: format!(
                        "duplicate key `{}` (first on line {}); only one would be used",
                        k.text, first.line
                    ),
                    pointer,
                    first: Some(first),
                });
            }
        }
        if let Some(Frame::Map {
            entries,
            keys,
            key,
            merges,
            size: total,
            ..
        }) = self.stack.last_mut()
        {
            total.add(size);
            let Some(k) = key.take() else { return };
            if k.merge {
                match node.value {
                    Value::Seq(items) => merges.extend(items),
                    _ => merges.push(node),
                }
                return;
            }
            keys.entry(k.text.clone()).or_insert(k.pos);
            entries.push(Entry {
                key: k.text,
                key_pos: k.pos,
                value: node,
            });
        }
    }
}

/// Adds the entries of a merged mapping whose keys the mapping does not
/// have yet (keys written in the mapping, and earlier merges, win).
fn merge_into(entries: &mut Vec<Entry>, keys: &mut HashMap<String, Pos>, source: Node) {
    if let Value::Map(merged) = source.value {
        for entry in merged {
            if !keys.contains_key(&entry.key) {
                keys.insert(entry.key.clone(), entry.key_pos);
                entries.push(entry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse_yaml(text).expect("parses").root.expect("has a root")
    }

    #[test]
    fn keeps_positions_and_expands_short_forms() {
        let node = root("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      Name: !Ref B\n      Arn: !GetAtt B.Arn\n");
        let props = node
            .get("Resources")
            .unwrap()
            .get("A")
            .unwrap()
            .get("Properties")
            .unwrap();
        let name = props.get("Name").unwrap();
        assert_eq!(
            name.intrinsic().map(|(f, a)| (f, a.as_str())),
            Some(("Ref", Some("B")))
        );
        assert_eq!(name.pos.line, 5);
        let getatt = props.get("Arn").unwrap().intrinsic().unwrap();
        assert_eq!(getatt.0, "Fn::GetAtt");
        let parts: Vec<_> = getatt
            .1
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(parts, ["B", "Arn"]);
        let key = props.entry("Arn").unwrap();
        assert_eq!(key.key_pos, Pos::new(6, 7));
    }

    #[test]
    fn reports_duplicates_unknown_tags_and_errors() {
        let parsed = parse_yaml("a: 1\na: !Foo 2\n").unwrap();
        let kinds: Vec<_> = parsed.issues.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [IssueKind::UnknownTag, IssueKind::DuplicateKey]);
        let err = parse_yaml("a: [1, 2\n").unwrap_err();
        assert!(err.pos.line >= 1);
        assert!(parse_yaml(&"[".repeat(1000)).is_err());
    }

    #[test]
    fn duplicate_keys_name_the_key_and_both_lines() {
        let parsed = parse_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n").unwrap();
        let issue = &parsed.issues[0];
        assert_eq!(issue.kind, IssueKind::DuplicateKey);
        assert_eq!(issue.pointer, "/a/b");
        assert_eq!(
            (issue.first, issue.pos),
            (Some(Pos::new(2, 3)), Pos::new(4, 3))
        );
        // Many keys are checked in linear time (a set per mapping).
        let many: String = (0..50_000).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(parse_yaml(&many).unwrap().issues.is_empty());
    }

    #[test]
    fn merge_keys_when_asked() {
        let text = "base: &base {a: 1, b: 2}\nother: &other {c: 3, a: 9}\nx:\n  <<: [*base, *other]\n  b: 5\n";
        let config = parse_yaml_with(text, &ReadOptions::CONFIG).unwrap();
        let x = config.root.unwrap().get("x").unwrap().clone();
        let value = |k: &str| x.get(k).and_then(Node::scalar_text);
        // Written keys win; among merged mappings, the first.
        assert_eq!(
            (value("a"), value("b"), value("c")),
            (Some("1".into()), Some("5".into()), Some("3".into()))
        );
        assert!(config.issues.is_empty());
        // Templates keep `<<` as a key (CloudFormation has no merge keys).
        let template = parse_yaml(text).unwrap().root.unwrap();
        assert!(template.get("x").unwrap().get("<<").is_some());
        // A quoted "<<" is a key, not a merge.
        let quoted = parse_yaml_with("x:\n  '<<': 1\n", &ReadOptions::CONFIG).unwrap();
        assert!(quoted.root.unwrap().get("x").unwrap().get("<<").is_some());
        assert!(parse_yaml_with("x:\n  <<: 1\n", &ReadOptions::CONFIG).is_err());
    }

    #[test]
    fn alias_expansion_is_bounded() {
        // 10^6 values if expanded: refused at the limit.
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..6 {
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            ));
        }
        let err = parse_yaml(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
        assert_eq!(err.pos.line, 5, "a4 would hold 10^5 values");
        // Long strings count by their bytes.
        let long = format!(
            "s: &s \"{}\"\nl: [{}]\n",
            "y".repeat(1 << 20),
            ["*s"; 5].join(", ")
        );
        assert!(parse_yaml(&long).unwrap_err().message.contains("bytes"));
        // Short-form tags are read only in templates.
        let config = parse_yaml_with("a: !Ref b\n", &ReadOptions::CONFIG).unwrap();
        assert_eq!(config.issues[0].kind, IssueKind::UnknownTag);
    }
}
