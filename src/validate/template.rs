//! A read-only view of a parsed template's sections.

use std::collections::HashMap;

use super::schema::walker::Resolver;
use crate::syntax::tree::{Entry, Node, Pos, Ptr};

/// The transform that adds `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString`.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

#[derive(Clone, Copy)]
pub struct Resource<'a> {
    pub id: &'a str,
    pub entry: &'a Entry,
    pub node: &'a Node,
    pub type_name: Option<&'a str>,
    pub properties: Option<&'a Node>,
}

impl<'a> Resource<'a> {
    pub fn ptr(&self) -> Ptr {
        Ptr::root().key("Resources").key(self.id)
    }

    pub fn pos(&self) -> Pos {
        self.entry.key_pos
    }

    pub fn is(&self, type_name: &str) -> bool {
        self.type_name == Some(type_name)
    }

    pub fn property(&self, name: &str) -> Option<&'a Node> {
        self.properties?.get(name)
    }

    pub fn properties_ptr(&self) -> Ptr {
        self.ptr().key("Properties")
    }

    /// A module resource (`Org::Service::Thing::MODULE`).
    pub fn is_module(&self) -> bool {
        self.type_name.is_some_and(|t| t.ends_with("::MODULE"))
    }

    /// A SAM resource, expanded by the `AWS::Serverless-2016-10-31` transform.
    pub fn is_serverless(&self) -> bool {
        self.type_name
            .is_some_and(|t| t.starts_with("AWS::Serverless::"))
    }

    /// The position of the most specific existing node on `path` below
    /// Properties (or the resource itself), with its pointer.
    pub fn deepest(&self, path: &[&str]) -> (Pos, Ptr) {
        let (mut pos, mut ptr) = (self.pos(), self.ptr());
        let Some(mut node) = self.properties else {
            return (pos, ptr);
        };
        let props = self
            .node
            .entry("Properties")
            .map(|e| e.key_pos)
            .unwrap_or(pos);
        pos = props;
        ptr = self.properties_ptr();
        for key in path {
            match node.entry(key) {
                Some(entry) => {
                    pos = entry.key_pos;
                    ptr = ptr.key(key);
                    node = &entry.value;
                }
                None => break,
            }
        }
        (pos, ptr)
    }
}

pub struct Template<'a> {
    pub root: &'a Node,
    resources: Vec<Resource<'a>>,
    /// Logical id -> index in `resources`; parameter name -> entry.
    by_id: HashMap<&'a str, usize>,
    parameters: HashMap<&'a str, &'a Node>,
    conditions: HashMap<&'a str, &'a Node>,
    /// Some `Fn::ForEach` loops could not be expanded: names they create
    /// are unknown.
    pub partial: bool,
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node) -> Self {
        let resources: Vec<Resource<'a>> = root
            .get("Resources")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|entry| Resource {
                id: &entry.key,
                entry,
                node: &entry.value,
                type_name: entry.value.get("Type").and_then(Node::as_str),
                properties: entry.value.get("Properties"),
            })
            .collect();
        let mut by_id = HashMap::with_capacity(resources.len());
        for (i, r) in resources.iter().enumerate() {
            by_id.entry(r.id).or_insert(i);
        }
        let parameters = root
            .get("Parameters")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        let conditions = root
            .get("Conditions")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        Template {
            root,
            resources,
            by_id,
            parameters,
            conditions,
            partial: false,
        }
    }

    /// The transforms the template declares (`Transform: X` or a list;
    /// `{Name: X}` forms included).
    pub fn transforms(&self) -> Vec<&'a str> {
        let Some(node) = self.root.get("Transform") else {
            return Vec::new();
        };
        let one = |n: &'a Node| n.as_str().or_else(|| n.get("Name").and_then(Node::as_str));
        match node.as_seq() {
            Some(items) => items.iter().filter_map(one).collect(),
            None => one(node).into_iter().collect(),
        }
    }

    /// A transform other than `AWS::LanguageExtensions` (which sessionlog
    /// expands itself) rewrites the template before deployment: SAM, a
    /// macro. What it generates is not checked and names it creates are
    /// not known.
    pub fn is_transformed(&self) -> bool {
        self.transforms().iter().any(|t| *t != LANGUAGE_EXTENSIONS)
    }

    /// `AWS::LanguageExtensions` is declared.
    pub fn has_language_extensions(&self) -> bool {
        self.transforms().contains(&LANGUAGE_EXTENSIONS)
    }

    /// Names that resources created by a transform or a module may have,
    /// so that references to them are not reported: with a transform,
    /// every name; with modules, names starting with a module's logical id.
    pub fn may_be_generated(&self, name: &str) -> bool {
        self.partial
            || self.is_transformed()
            || self
                .resources
                .iter()
                .any(|r| r.is_module() && name.starts_with(r.id))
    }

    pub fn section(&self, name: &str) -> &'a [Entry] {
        self.root
            .get(name)
            .and_then(Node::as_map)
            .unwrap_or_default()
    }

    pub fn parameters(&self) -> &'a [Entry] {
        self.section("Parameters")
    }

    pub fn parameter(&self, name: &str) -> Option<&'a Node> {
        self.parameters.get(name).copied()
    }

    pub fn conditions(&self) -> &'a [Entry] {
        self.section("Conditions")
    }

    pub fn has_condition(&self, name: &str) -> bool {
        self.conditions.contains_key(name)
    }

    pub fn resources(&self) -> &[Resource<'a>] {
        &self.resources
    }

    pub fn resource(&self, id: &str) -> Option<&Resource<'a>> {
        self.by_id.get(id).map(|&i| &self.resources[i])
    }

    pub fn outputs(&self) -> &'a [Entry] {
        self.section("Outputs")
    }
}

impl Resolver for Template<'_> {
    fn values(&self, name: &str) -> Option<Vec<(&'static str, &Node)>> {
        let parameter = self.parameter(name)?;
        let mut values = Vec::new();
        if let Some(default) = parameter.get("Default") {
            values.push(("Default", default));
        }
        for allowed in parameter
            .get("AllowedValues")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            values.push(("AllowedValues", allowed));
        }
        Some(values)
    }

    fn is_list(&self, name: &str) -> bool {
        self.parameter(name)
            .and_then(|p| p.get("Type"))
            .and_then(Node::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"))
    }

    fn mapping_values(&self, argument: &Node) -> Vec<(String, &Node)> {
        let Some([map, first, second]) = argument.as_seq() else {
            return Vec::new();
        };
        let Some(mapping) = map.as_str().and_then(|m| self.root.get("Mappings")?.get(m)) else {
            return Vec::new();
        };
        let name = map.as_str().unwrap_or_default();
        let mut out = Vec::new();
        for top in select(mapping, first) {
            for leaf in select(&top.value, second) {
                out.push((format!("{name}/{}/{}", top.key, leaf.key), &leaf.value));
            }
        }
        out
    }
}

/// The entries of a mapping level a `Fn::FindInMap` key selects: the one
/// named by a literal key, or all of them.
fn select<'n>(node: &'n Node, key: &Node) -> Vec<&'n Entry> {
    let entries = node.as_map().unwrap_or_default();
    match key.scalar_text() {
        Some(k) => entries.iter().filter(|e| e.key == k).collect(),
        None => entries.iter().collect(),
    }
}

/// Visits every node below `node` (itself included), with its pointer.
pub fn walk<'n>(node: &'n Node, ptr: &Ptr, f: &mut dyn FnMut(&'n Node, &Ptr)) {
    f(node, ptr);
    match &node.value {
        crate::syntax::tree::Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &ptr.index(i), f);
            }
        }
        crate::syntax::tree::Value::Map(entries) => {
            for entry in entries {
                walk(&entry.value, &ptr.key(&entry.key), f);
            }
        }
        _ => {}
    }
}
