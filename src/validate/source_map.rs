//! Maps positions inside a string value (an `Fn::Sub` template, a JSON
//! document held in a string) back to the line and column of the file.

use crate::syntax::tree::Pos;

pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

/// Where the characters of a string scalar start in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `|` or `>` block: content line `n` is file line `first_line + n`,
    /// indented by `indent` columns.
    Block { first_line: u32, indent: u32 },
    /// A quoted or plain scalar starting at this position (first character
    /// of the content).
    Inline(Pos),
}

impl Origin {
    /// The file position of the 0-based (line, column) inside the string.
    pub fn at(&self, line: u32, col: u32) -> Pos {
        match *self {
            Origin::Block { first_line, indent } => Pos::new(first_line + line, indent + col + 1),
            Origin::Inline(start) if line == 0 => Pos::new(start.line, start.col + col),
            Origin::Inline(start) => Pos::new(start.line + line, col + 1),
        }
    }

    /// The file position of a byte offset inside `content`.
    pub fn at_offset(&self, content: &str, offset: usize) -> Pos {
        let before = &content[..offset.min(content.len())];
        let line = before.matches('\n').count() as u32;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
        self.at(line, col)
    }
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap { text, line_starts }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: u32) -> Option<&'a str> {
        let index = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }

    /// True when the last non-blank line at or before `line` ends with a
    /// block scalar header (`|`, `>-`, `|+2`, …).
    fn opens_block(&self, line: u32) -> bool {
        let Some(text) = (1..=line)
            .rev()
            .take(10_000)
            .filter_map(|l| self.line(l))
            .find(|l| !l.trim().is_empty())
        else {
            return false;
        };
        let code = text.split(" #").next().unwrap_or(text).trim_end();
        let header = code.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
        header.ends_with('|') || header.ends_with('>')
    }

    /// Where the content of the string scalar whose node is at `pos` starts.
    pub fn origin(&self, pos: Pos) -> Origin {
        let Some(line) = self.line(pos.line) else {
            return Origin::Inline(pos);
        };
        // yaml-rust2 marks a block scalar at its first content character.
        let indent = pos.col.saturating_sub(1) as usize;
        let at_indent = line.chars().take(indent).all(|c| c == ' ');
        if at_indent && pos.line > 1 && self.opens_block(pos.line - 1) {
            return Origin::Block {
                first_line: pos.line,
                indent: indent as u32,
            };
        }
        let mut rest = line
            .chars()
            .skip(pos.col.saturating_sub(1) as usize)
            .peekable();
        let mut col = pos.col;
        // Skip a tag (`!Sub `) the marker may point at.
        if rest.peek() == Some(&'!') {
            while rest.next_if(|c| !c.is_whitespace()).is_some() {
                col += 1;
            }
            while rest.next_if(|c| c.is_whitespace()).is_some() {
                col += 1;
            }
        }
        match rest.peek() {
            Some('"' | '\'') => Origin::Inline(Pos::new(pos.line, col + 1)),
            _ => Origin::Inline(Pos::new(pos.line, col)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_quoted_and_tagged_scalars() {
        let text = "a: !Sub |\n    {\"x\": 1}\nb: \"q${Y}\"\nc: !Sub p${Z}\n";
        let map = SourceMap::new(text);
        assert_eq!(map.origin(Pos::new(2, 5)).at(0, 1), Pos::new(2, 6));
        assert_eq!(map.origin(Pos::new(2, 5)).at(1, 0), Pos::new(3, 5));
        assert_eq!(
            map.origin(Pos::new(3, 4)).at_offset("q${Y}", 1),
            Pos::new(3, 6)
        );
        assert_eq!(
            map.origin(Pos::new(4, 4)).at_offset("p${Z}", 1),
            Pos::new(4, 10)
        );
        assert_eq!(map.line(2), Some("    {\"x\": 1}"));
        assert_eq!(map.line(99), None);
    }
}
