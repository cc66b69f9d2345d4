//! Where each value of a YAML document is: JSON pointer → line and column.
//! serde does not keep positions, so the text is read a second time with an
//! event parser that does.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
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
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut builder, false).map_err(|e| SyntaxError {
            message: e.info().to_string(),
            position: to_position(e.marker()),
        })?;
        Ok(builder.map)
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

fn to_position(m: &Marker) -> Position {
    // yaml-rust2 lines are 1-based, columns 0-based.
    Position { line: m.line(), column: m.col() + 1 }
}

/// Escape one reference token of a JSON pointer (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Mapping { path: String, pending_key: Option<String> },
    Sequence { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    map: SourceMap,
    stack: Vec<Frame>,
}

impl Builder {
    /// The pointer of the node that starts now, advancing the parent's state.
    /// Returns `None` when the node is a mapping key.
    fn next_path(&mut self, key_text: Option<&str>, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Sequence { path, index }) => {
                let p = format!("{path}/{index}");
                *index += 1;
                Some(p)
            }
            Some(Frame::Mapping { path, pending_key }) => match pending_key.take() {
                Some(k) => Some(format!("{path}/{}", escape(&k))),
                None => {
                    // This node is a key.
                    let k = key_text.unwrap_or("").to_string();
                    let p = format!("{path}/{}", escape(&k));
                    let at = to_position(&mark);
                    // A block mapping's start marker sits past its first key:
                    // the mapping starts where that key does.
                    if let Some(start) = self.map.values.get_mut(path.as_str()) {
                        if start.line == at.line && start.column > at.column {
                            *start = at;
                        }
                    }
                    self.map.keys.insert(p, at);
                    *pending_key = Some(k);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                if let Some(p) = self.next_path(Some(&text), mark) {
                    self.map.values.insert(p, to_position(&mark));
                }
            }
            Event::Alias(_) => {
                if let Some(p) = self.next_path(Some(""), mark) {
                    self.map.values.insert(p, to_position(&mark));
                }
            }
            Event::MappingStart(..) => {
                let path = self.next_path(None, mark).unwrap_or_default();
                self.map.values.insert(path.clone(), to_position(&mark));
                self.stack.push(Frame::Mapping { path, pending_key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.next_path(None, mark).unwrap_or_default();
                self.map.values.insert(path.clone(), to_position(&mark));
                self.stack.push(Frame::Sequence { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
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
