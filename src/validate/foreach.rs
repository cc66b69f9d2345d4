//! `Fn::ForEach` loops (the `AWS::LanguageExtensions` transform) in
//! Resources, Outputs and Conditions, expanded before the checks run, as
//! CloudFormation expands them: one copy of the loop body per item of the
//! collection, with `${Id}` / `&{Id}` in keys and `Fn::Sub` strings and
//! `{"Ref": Id}` replaced by the item. The copies keep the positions of the
//! body, so a finding in an expanded resource points at the loop's text.
//!
//! A loop whose collection is not known before deployment (a parameter
//! without a default, an output of another stack) cannot be expanded: it is
//! removed and reported as not checked, and names it would create are not
//! reported as unresolved.

use super::template::{Template, LANGUAGE_EXTENSIONS};
use crate::syntax::tree::{Entry, Node, Pos, Value};

const PREFIX: &str = "Fn::ForEach::";
const SECTIONS: &[&str] = &["Conditions", "Resources", "Outputs"];
/// Most copies one template's loops may create (a loop over a long
/// parameter list nested in another could otherwise multiply without end).
const MAX_COPIES: usize = 2_000;

/// A loop that could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub section: String,
    pub key: String,
    pub pos: Pos,
    pub why: String,
}

#[derive(Debug)]
pub struct Expansion {
    pub root: Node,
    pub skipped: Vec<Skipped>,
}

/// True for a key that starts an `Fn::ForEach` loop.
pub fn is_loop_key(key: &str) -> bool {
    key.starts_with(PREFIX)
}

/// The template with its loops expanded, when it declares
/// `AWS::LanguageExtensions` and has loops; `None` otherwise.
pub fn expand(root: &Node) -> Option<Expansion> {
    let has_loops = SECTIONS.iter().any(|s| {
        root.get(s)
            .and_then(Node::as_map)
            .is_some_and(|entries| entries.iter().any(|e| is_loop_key(&e.key)))
    });
    let template = Template::new(root);
    if !has_loops || !template.transforms().contains(&LANGUAGE_EXTENSIONS) {
        return None;
    }
    let mut expander = Expander {
        template: &template,
        skipped: Vec::new(),
        copies: 0,
    };
    let mut new_root = root.clone();
    if let Value::Map(sections) = &mut new_root.value {
        for section in sections
            .iter_mut()
            .filter(|e| SECTIONS.contains(&e.key.as_str()))
        {
            if let Value::Map(entries) = &section.value.value {
                let expanded = expander.entries(&section.key, entries, &[]);
                section.value.value = Value::Map(expanded);
            }
        }
    }
    Some(Expansion {
        root: new_root,
        skipped: expander.skipped,
    })
}

struct Expander<'t> {
    template: &'t Template<'t>,
    skipped: Vec<Skipped>,
    copies: usize,
}

type Bindings = [(String, String)];

impl Expander<'_> {
    fn entries(&mut self, section: &str, entries: &[Entry], bindings: &Bindings) -> Vec<Entry> {
        let mut out = Vec::new();
        for entry in entries {
            if !is_loop_key(&entry.key) {
                out.push(Entry {
                    key: substitute_text(&entry.key, bindings),
                    key_pos: entry.key_pos,
                    value: substitute(&entry.value, bindings),
                });
                continue;
            }
            let skip = |why: &str| Skipped {
                section: section.to_string(),
                key: entry.key.clone(),
                pos: entry.key_pos,
                why: why.to_string(),
            };
            let Some([identifier, collection, body]) = entry.value.as_seq() else {
                self.skipped
                    .push(skip("takes [identifier, collection, {key: value}]"));
                continue;
            };
            let (Some(identifier), Some(body)) = (identifier.as_str(), body.as_map()) else {
                self.skipped
                    .push(skip("takes [identifier, collection, {key: value}]"));
                continue;
            };
            let collection = substitute(collection, bindings);
            let Some(items) = self.collection(&collection) else {
                self.skipped.push(skip(
                    "its collection is only known at deployment (a parameter without a Default, another stack's output…)",
                ));
                continue;
            };
            for item in items {
                self.copies += 1;
                if self.copies > MAX_COPIES {
                    self.skipped.push(skip(&format!(
                        "the loops create more than {MAX_COPIES} copies"
                    )));
                    break;
                }
                let mut inner = bindings.to_vec();
                inner.push((identifier.to_string(), item));
                out.extend(self.entries(section, body, &inner));
            }
        }
        out
    }

    /// The items of a collection: a literal list, a list parameter's
    /// Default, or the lists a `Fn::FindInMap` may select.
    fn collection(&self, node: &Node) -> Option<Vec<String>> {
        if let Some(items) = node.as_seq() {
            return items.iter().map(Node::scalar_text).collect();
        }
        match node.intrinsic()? {
            ("Ref", name) => {
                let parameter = self.template.parameter(name.as_str()?)?;
                let default = parameter.get("Default")?;
                match default.as_seq() {
                    Some(items) => items.iter().map(Node::scalar_text).collect(),
                    None => Some(
                        default
                            .scalar_text()?
                            .split(',')
                            .map(|s| s.trim().to_string())
                            .collect(),
                    ),
                }
            }
            ("Fn::FindInMap", argument) => {
                use super::schema::walker::Resolver;
                let mut all: Vec<String> = Vec::new();
                for (_, value) in self.template.mapping_values(argument) {
                    for item in value.as_seq()?.iter() {
                        let text = item.scalar_text()?;
                        if !all.contains(&text) {
                            all.push(text);
                        }
                    }
                }
                (!all.is_empty()).then_some(all)
            }
            _ => None,
        }
    }
}

/// `${Id}` → the item, `&{Id}` → the item without non-alphanumerics.
fn substitute_text(text: &str, bindings: &Bindings) -> String {
    let mut out = text.to_string();
    for (identifier, value) in bindings {
        let alnum: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
        out = out
            .replace(&format!("${{{identifier}}}"), value)
            .replace(&format!("&{{{identifier}}}"), &alnum);
    }
    out
}

/// A copy of `node` with the loop identifiers replaced.
fn substitute(node: &Node, bindings: &Bindings) -> Node {
    if bindings.is_empty() {
        return node.clone();
    }
    if let Some(("Ref", argument)) = node.intrinsic() {
        if let Some((_, value)) = argument
            .as_str()
            .and_then(|name| bindings.iter().rev().find(|(id, _)| id == name))
        {
            return Node::new(node.pos, Value::Str(value.clone()));
        }
    }
    if let Some(("Fn::Sub", argument)) = node.intrinsic() {
        if let Some(text) = argument.as_str() {
            let replaced = substitute_text(text, bindings);
            // A Sub left without variables is the string it stands for.
            if !replaced.contains("${") {
                return Node::new(node.pos, Value::Str(replaced));
            }
            return Node::new(
                node.pos,
                Value::Map(vec![Entry {
                    key: "Fn::Sub".into(),
                    key_pos: node.pos,
                    value: Node::new(argument.pos, Value::Str(replaced)),
                }]),
            );
        }
    }
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|i| substitute(i, bindings)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: substitute_text(&e.key, bindings),
                    key_pos: e.key_pos,
                    value: substitute(&e.value, bindings),
                })
                .collect(),
        ),
        Value::Str(s) if s.contains("&{") => Value::Str(substitute_text(s, bindings)),
        other => other.clone(),
    };
    Node::new(node.pos, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_yaml;

    fn expanded(text: &str) -> Expansion {
        expand(&parse_yaml(text).unwrap().root.unwrap()).expect("has loops")
    }

    #[test]
    fn loops_expand_over_literals_parameters_and_mappings() {
        let text = "Transform: AWS::LanguageExtensions\nParameters:\n  Names:\n    Type: CommaDelimitedList\n    Default: a, b\nMappings:\n  M:\n    K:\n      L: [x, y]\nResources:\n  Fn::ForEach::Topics:\n    - Name\n    - !Ref Names\n    - Topic${Name}:\n        Type: AWS::SNS::Topic\n        Properties:\n          TopicName: !Sub t-${Name}\n          DisplayName: !Ref Name\n  Fn::ForEach::Queues:\n    - Q\n    - !FindInMap [M, K, L]\n    - Queue&{Q}:\n        Type: AWS::SQS::Queue\n";
        let e = expanded(text);
        assert!(e.skipped.is_empty(), "{:?}", e.skipped);
        let resources = e.root.get("Resources").unwrap().as_map().unwrap();
        let ids: Vec<&str> = resources.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(ids, ["Topica", "Topicb", "Queuex", "Queuey"]);
        let props = resources[1].value.get("Properties").unwrap();
        assert_eq!(props.get("TopicName").unwrap().as_str(), Some("t-b"));
        assert_eq!(props.get("DisplayName").unwrap().as_str(), Some("b"));
        // Positions stay those of the loop body.
        assert_eq!(resources[1].key_pos.line, 14);
    }

    #[test]
    fn unknown_collections_are_skipped_and_templates_without_the_transform_untouched() {
        let text = "Transform: AWS::LanguageExtensions\nParameters:\n  Names:\n    Type: CommaDelimitedList\nResources:\n  Fn::ForEach::Topics:\n    - Name\n    - !Ref Names\n    - Topic${Name}:\n        Type: AWS::SNS::Topic\n  Plain:\n    Type: AWS::SNS::Topic\n";
        let e = expanded(text);
        assert_eq!(e.skipped.len(), 1);
        assert_eq!(e.skipped[0].key, "Fn::ForEach::Topics");
        let ids: Vec<&str> = e
            .root
            .get("Resources")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(ids, ["Plain"]);
        let without = text.replace("Transform: AWS::LanguageExtensions\n", "");
        assert!(expand(&parse_yaml(&without).unwrap().root.unwrap()).is_none());
    }

    #[test]
    fn nested_loops_and_the_copy_limit() {
        let text = "Transform: AWS::LanguageExtensions\nOutputs:\n  Fn::ForEach::A:\n    - I\n    - [a, b]\n    - Fn::ForEach::B:\n        - J\n        - [x, y]\n        - Out${I}${J}:\n            Value: !Sub ${I}-${J}\n";
        let e = expanded(text);
        let keys: Vec<&str> = e
            .root
            .get("Outputs")
            .unwrap()
            .as_map()
            .unwrap()
            .iter()
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(keys, ["Outax", "Outay", "Outbx", "Outby"]);
        let big: Vec<String> = (0..60).map(|i| i.to_string()).collect();
        let list = format!("[{}]", big.join(", "));
        let text = format!("Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::A:\n    - I\n    - {list}\n    - Fn::ForEach::B:\n        - J\n        - {list}\n        - R${{I}}x${{J}}:\n            Type: AWS::SNS::Topic\n");
        let e = expanded(&text);
        assert!(!e.skipped.is_empty());
        assert!(e.root.get("Resources").unwrap().as_map().unwrap().len() <= MAX_COPIES);
    }
}
