//! A JSON reader that records the line and column of every value.
//!
//! In "Sub" mode it reads the JSON text of an `Fn::Sub` template: a
//! `${Var}` outside a string, and a string containing `${Var}`, become
//! `{"Fn::Sub": "..."}` nodes, i.e. values only known at deploy time.

use std::collections::HashMap;

use super::scalar::number;
use super::{too_large, IssueKind, ParseError, ParseIssue, Parsed, MAX_DEPTH, MAX_INPUT_BYTES};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Parses a JSON file (a template, or any JSON document).
pub fn parse_json(text: &str) -> Result<Node, ParseError> {
    parse_json_document(text).map(|p| p.root.unwrap_or(Node::new(Pos::new(1, 1), Value::Null)))
}

/// Parses a JSON file, with the duplicate keys found.
pub fn parse_json_document(text: &str) -> Result<Parsed, ParseError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(too_large(text.len()));
    }
    let identity = |line: u32, col: u32| Pos::new(line + 1, col + 1);
    let mut reader = Reader::new(text, false, &identity);
    let root = reader.read_document()?;
    Ok(Parsed {
        root: Some(root),
        issues: reader.issues,
    })
}

/// Parses JSON held in a string of a template. With `sub`, the string is
/// an `Fn::Sub` template. `at` maps a 0-based (line, column) in `text` to
/// the position in the source file.
pub fn parse_embedded_json(
    text: &str,
    sub: bool,
    at: &dyn Fn(u32, u32) -> Pos,
) -> Result<Node, ParseError> {
    Reader::new(text, sub, at).document()
}

struct Reader<'a> {
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
    sub: bool,
    at: &'a dyn Fn(u32, u32) -> Pos,
    depth: usize,
    /// Keys and indexes from the root to the value being read.
    path: Vec<String>,
    issues: Vec<ParseIssue>,
}

impl<'a> Reader<'a> {
    fn new(text: &str, sub: bool, at: &'a dyn Fn(u32, u32) -> Pos) -> Self {
        Reader {
            chars: text.chars().collect(),
            i: 0,
            line: 0,
            col: 0,
            sub,
            at,
            depth: 0,
            path: Vec::new(),
            issues: Vec::new(),
        }
    }

    fn here(&self) -> Pos {
        (self.at)(self.line, self.col)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            pos: self.here(),
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\n' | '\u{feff}')) {
            self.bump();
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ParseError> {
        self.skip_ws();
        match self.peek() {
            Some(got) if got == c => {
                self.bump();
                Ok(())
            }
            Some(got) => self.err(format!("expected `{c}`, found `{got}`")),
            None => self.err(format!("expected `{c}`, found end of input")),
        }
    }

    fn document(mut self) -> Result<Node, ParseError> {
        self.read_document()
    }

    fn read_document(&mut self) -> Result<Node, ParseError> {
        let node = self.value()?;
        self.skip_ws();
        match self.peek() {
            None => Ok(node),
            Some(c) => self.err(format!("unexpected `{c}` after the document")),
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        self.skip_ws();
        let at = self.here();
        match self.peek() {
            Some('{') => self.nested(|r| r.object(at)),
            Some('[') => self.nested(|r| r.array(at)),
            Some('"') => {
                let s = self.string()?;
                Ok(self.sub_string(at, s))
            }
            Some('$') if self.sub && self.chars.get(self.i + 1) == Some(&'{') => {
                let mut s = String::new();
                while let Some(c) = self.bump() {
                    s.push(c);
                    if c == '}' {
                        let name = s[2..s.len() - 1].trim().to_string();
                        return Ok(Node::new(at, Value::Deferred(name)));
                    }
                }
                self.err("unterminated `${`")
            }
            Some(c) if c == '-' || c.is_ascii_digit() => {
                let mut s = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || "+-.".contains(*c))
                {
                    s.push(c);
                    self.bump();
                }
                match number(&s) {
                    Some(n) => Ok(Node::new(at, Value::Number(n))),
                    None => Err(ParseError {
                        pos: at,
                        message: format!("invalid number `{s}`"),
                    }),
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let mut s = String::new();
                while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
                    s.push(c);
                    self.bump();
                }
                match s.as_str() {
                    "true" => Ok(Node::new(at, Value::Bool(true))),
                    "false" => Ok(Node::new(at, Value::Bool(false))),
                    "null" => Ok(Node::new(at, Value::Null)),
                    _ => Err(ParseError {
                        pos: at,
                        message: format!("unexpected `{s}`"),
                    }),
                }
            }
            Some(c) => self.err(format!("unexpected `{c}`")),
            None => self.err("unexpected end of input"),
        }
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Node, ParseError>,
    ) -> Result<Node, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("nesting too deep");
        }
        let node = f(self);
        self.depth -= 1;
        node
    }

    fn sub_string(&self, at: Pos, s: String) -> Node {
        if self.sub && has_sub_variable(&s) {
            sub_node(at, s)
        } else {
            Node::new(at, Value::Str(s))
        }
    }

    fn object(&mut self, at: Pos) -> Result<Node, ParseError> {
        self.bump();
        let mut entries: Vec<Entry> = Vec::new();
        let mut keys: HashMap<String, Pos> = HashMap::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Node::new(at, Value::Map(entries)));
        }
        loop {
            self.skip_ws();
            let key_pos = self.here();
            if self.peek() != Some('"') {
                return self.err("expected a string key");
            }
            let key = self.string()?;
            self.expect(':')?;
            self.path.push(key.replace('~', "~0").replace('/', "~1"));
            if let Some(first) = keys.get(&key) {
                self.issues.push(ParseIssue {
                    kind: IssueKind::DuplicateKey,
                    pos: key_pos,
                    message: format!(
                        "duplicate key `{key}` (first on line {}); only one would be used",
                        first.line
                    ),
                    pointer: self.path.iter().map(|p| format!("/{p}")).collect(),
                    first: Some(*first),
                });
            } else {
                keys.insert(key.clone(), key_pos);
            }
            let value = self.value();
            self.path.pop();
            let value = value?;
            entries.push(Entry {
                key,
                key_pos,
                value,
            });
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return Ok(Node::new(at, Value::Map(entries))),
                _ => return self.err("expected `,` or `}`"),
            }
        }
    }

    fn array(&mut self, at: Pos) -> Result<Node, ParseError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Node::new(at, Value::Seq(items)));
        }
        loop {
            self.path.push(items.len().to_string());
            let item = self.value();
            self.path.pop();
            items.push(item?);
            self.skip_ws();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return Ok(Node::new(at, Value::Seq(items))),
                _ => return self.err("expected `,` or `]`"),
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return self.err("unterminated string"),
                Some('"') => return Ok(s),
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some('b') => s.push('\u{8}'),
                    Some('f') => s.push('\u{c}'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| self.bump()).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) => s.push(c),
                            None => s.push('\u{fffd}'),
                        }
                    }
                    Some(c @ ('"' | '\\' | '/')) => s.push(c),
                    Some(c) => return self.err(format!("invalid escape `\\{c}`")),
                    None => return self.err("unterminated string"),
                },
                Some(c) => s.push(c),
            }
        }
    }
}

fn sub_node(at: Pos, s: String) -> Node {
    let arg = Node::new(at, Value::Str(s));
    Node::new(
        at,
        Value::Map(vec![Entry {
            key: "Fn::Sub".into(),
            key_pos: at,
            value: arg,
        }]),
    )
}

/// True when `s` holds a `${Var}` that `Fn::Sub` replaces (not `${!Literal}`).
pub fn has_sub_variable(s: &str) -> bool {
    s.match_indices("${")
        .any(|(i, _)| !s[i + 2..].starts_with('!'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_values_and_keys() {
        let node = parse_json("{\n\t\"a\": [1, true],\n  \"b\": \"x\"\n}").unwrap();
        assert_eq!(node.entry("a").unwrap().key_pos, Pos::new(2, 2));
        assert_eq!(node.get("b").unwrap().pos, Pos::new(3, 8));
        assert_eq!(
            node.get("a").unwrap().as_seq().unwrap()[1].as_bool(),
            Some(true)
        );
    }

    #[test]
    fn sub_mode_marks_deploy_time_values() {
        let at = |l: u32, c: u32| Pos::new(l + 10, c + 5);
        let node = parse_embedded_json(
            "{\"a\": ${X}, \"b\": \"${Y}-z\", \"c\": \"${!Lit}\"}",
            true,
            &at,
        )
        .unwrap();
        assert_eq!(node.get("a").unwrap().value, Value::Deferred("X".into()));
        assert_eq!(node.get("b").unwrap().intrinsic().unwrap().0, "Fn::Sub");
        assert_eq!(node.get("c").unwrap().as_str(), Some("${!Lit}"));
        assert_eq!(node.get("a").unwrap().pos, Pos::new(10, 11));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "{",
            "[1,",
            "{\"a\" 1}",
            "\"\\u12",
            "-",
            "{\"a\":tru}",
            &"[".repeat(500),
        ] {
            assert!(parse_json(bad).is_err(), "{bad}");
        }
    }
}
