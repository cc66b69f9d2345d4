//! Schema patterns are written for Python's `re`; translate what differs and
//! compile each pattern once. A pattern Rust's engine cannot express
//! (look-around, back-references) is skipped rather than guessed.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

pub fn is_match(pattern: &str, text: &str) -> Option<bool> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let compiled = map
        .entry(pattern.to_string())
        .or_insert_with(|| Regex::new(&translate(pattern)).ok());
    compiled.as_ref().map(|re| re.is_match(text))
}

fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('Z') => out.push_str("\\z"),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_anchors_and_unsupported_syntax() {
        assert_eq!(is_match("^[a-z]{1,3}\\Z", "abc"), Some(true));
        assert_eq!(is_match("^[a-z]{1,3}\\Z", "abc\n"), Some(false));
        assert_eq!(is_match("^(?!aws:).*$", "x"), None);
    }
}
