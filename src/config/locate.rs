//! Where each value of a YAML document is: JSON pointer → line and column.
//! serde does not keep positions, so the text is read with the
//! position-keeping reader of [`crate::syntax`] (shared with the template
//! validator).

use std::collections::HashMap;

use crate::syntax::{parse_yaml_with, ReadOptions};
use crate::syntax::tree::{Node, Pos, Value};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl From<Pos> for Position {
    fn from(p: Pos) -> Self {
        Position { line: p.line as usize, column: p.col as usize }
    }
}

/// Positions of every node of a YAML document, by JSON pointer.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// Position of the value at a pointer.
    values: HashMap<String, Position>,
    /// Position of the key introducing a pointer (mapping entries only).
    keys: HashMap<String, Position>,
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub position: Position,
}

impl SourceMap {
    pub fn parse(text: &str) -> Result<SourceMap, SyntaxError> {
        let parsed = parse_yaml_with(text, &ReadOptions::CONFIG)
            .map_err(|e| SyntaxError { message: e.message, position: e.pos.into() })?;
        Ok(Self::from_node(parsed.root.as_ref()))
    }

    /// Positions of every node below `root` (a document already read).
    pub fn from_node(root: Option<&Node>) -> SourceMap {
        let mut map = SourceMap::default();
        if let Some(root) = root {
            map.add(String::new(), root);
        }
        map
    }

    fn add(&mut self, pointer: String, node: &Node) {
        let mut at: Position = node.pos.into();
        match &node.value {
            Value::Map(entries) => {
                // A block mapping starts where its first key does.
                if let Some(first) = entries.first() {
                    let key: Position = first.key_pos.into();
                    if key.line == at.line && key.column < at.column {
                        at = key;
                    }
                }
                for e in entries {
                    let p = format!("{pointer}/{}", escape(&e.key));
                    self.keys.insert(p.clone(), e.key_pos.into());
                    self.add(p, &e.value);
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.add(format!("{pointer}/{i}"), item);
                }
            }
            _ => {}
        }
        self.values.insert(pointer, at);
    }

    /// The position of the value at `pointer`, or of its nearest ancestor
    /// that exists in the file (a missing key is reported at its parent).
    pub fn value(&self, pointer: &str) -> Option<Position> {
        let mut p = pointer.to_string();
        loop {
            if let Some(pos) = self.values.get(&p) {
                return Some(*pos);
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => return None,
            }
        }
    }

    /// The position of the key of the entry at `pointer` (for unknown keys).
    pub fn key(&self, pointer: &str) -> Option<Position> {
        self.keys.get(pointer).copied().or_else(|| self.value(pointer))
    }
}

/// Escape one reference token of a JSON pointer (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nested_values() {
        let text = "a:\n  b: 1\n  c:\n    - x\n    - y: 2\nd/e: 3\n";
        let m = SourceMap::parse(text).unwrap();
        assert_eq!(m.value("/a/b"), Some(Position { line: 2, column: 6 }));
        assert_eq!(m.value("/a/c/1"), Some(Position { line: 5, column: 7 }));
        assert_eq!(m.value("/a/c/1/y"), Some(Position { line: 5, column: 10 }));
        assert_eq!(m.key("/a/c"), Some(Position { line: 3, column: 3 }));
        assert_eq!(m.value("/d~1e"), Some(Position { line: 6, column: 6 }));
        // Missing key: its parent.
        assert_eq!(m.value("/a/zzz"), Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn syntax_error_has_position() {
        let e = SourceMap::parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.position.line >= 1);
    }
}
