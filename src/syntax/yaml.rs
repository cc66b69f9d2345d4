//! YAML → [`Node`] through yaml-rust2's event parser, which reports a marker
//! (line, column) with each event.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scalar::resolve_plain;
use super::{IssueKind, ParseError, ParseIssue, Parsed, MAX_DEPTH};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Short-form tags and the long-form key they stand for.
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
];

pub fn parse_yaml(text: &str) -> Result<Parsed, ParseError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let result = parser.load(&mut builder, false);
    if let Some(err) = builder.error.take() {
        return Err(err);
    }
    if let Err(e) = result {
        return Err(ParseError {
            pos: pos(e.marker()),
            message: e.info().to_string(),
        });
    }
    Ok(Parsed {
        root: builder.root,
        issues: builder.issues,
    })
}

fn pos(m: &Marker) -> Pos {
    Pos::new(m.line() as u32, m.col() as u32 + 1)
}

enum Frame {
    Seq {
        pos: Pos,
        tag: Option<Tag>,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        tag: Option<Tag>,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Pos)>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    anchors: HashMap<usize, Node>,
    issues: Vec<ParseIssue>,
    error: Option<ParseError>,
    documents: usize,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let at = pos(&mark);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(at, "a template is a single YAML document");
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = match (style, &tag) {
                    (TScalarStyle::Plain, None) => resolve_plain(&text),
                    (TScalarStyle::Plain, Some(t)) if t.handle == "!!" && t.suffix != "str" => {
                        resolve_plain(&text)
                    }
                    _ => Value::Str(text),
                };
                let node = self.apply_tag(Node::new(at, value), tag);
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(at, "nesting too deep");
                }
                self.stack.push(Frame::Seq {
                    pos: at,
                    tag,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(at, "nesting too deep");
                }
                self.stack.push(Frame::Map {
                    pos: at,
                    tag,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq {
                    pos,
                    tag,
                    anchor,
                    items,
                }) => {
                    let node = self.apply_tag(Node::new(pos, Value::Seq(items)), tag);
                    self.finish(node, anchor);
                }
                Some(Frame::Map {
                    pos,
                    tag,
                    anchor,
                    entries,
                    ..
                }) => {
                    let node = self.apply_tag(Node::new(pos, Value::Map(entries)), tag);
                    self.finish(node, anchor);
                }
                None => self.fail(at, "unbalanced collection"),
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(mut node) => {
                    node.pos = at;
                    self.finish(node, 0);
                }
                None => self.fail(at, "alias of an unknown anchor"),
            },
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

impl Builder {
    fn fail(&mut self, pos: Pos, message: &str) {
        self.error.get_or_insert(ParseError {
            pos,
            message: message.to_string(),
        });
    }

    /// Expands `!Sub x` into `{"Fn::Sub": x}` and `!GetAtt A.b` into
    /// `{"Fn::GetAtt": ["A", "b"]}`.
    fn apply_tag(&mut self, node: Node, tag: Option<Tag>) -> Node {
        let Some(tag) = tag else { return node };
        if tag.handle != "!" {
            return node; // `!!str` and friends: the value was resolved already.
        }
        let Some((_, long)) = SHORT_FORMS.iter().find(|(short, _)| *short == tag.suffix) else {
            self.issues.push(ParseIssue {
                kind: IssueKind::UnknownTag,
                pos: node.pos,
                message: format!("unknown tag `!{}`", tag.suffix),
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

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => match node
                    .scalar_text()
                    .or(matches!(node.value, Value::Null).then(String::new))
                {
                    Some(text) => *key = Some((text, node.pos)),
                    None => self.fail(node.pos, "a mapping key must be a scalar"),
                },
                Some((k, key_pos)) => {
                    if entries.iter().any(|e| e.key == k) {
                        self.issues.push(ParseIssue {
                            kind: IssueKind::DuplicateKey,
                            pos: key_pos,
                            message: format!("duplicate key `{k}`"),
                        });
                    }
                    entries.push(Entry {
                        key: k,
                        key_pos,
                        value: node,
                    });
                }
            },
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
}
