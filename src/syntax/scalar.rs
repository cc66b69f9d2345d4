//! Resolution of plain YAML scalars (YAML 1.2 core schema).

use crate::syntax::tree::{Number, Value};

pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    number(text)
        .map(Value::Number)
        .unwrap_or_else(|| Value::Str(text.to_string()))
}

/// A JSON/YAML number, kept with its text so `0123` is not silently changed.
pub fn number(text: &str) -> Option<Number> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() {
        return None;
    }
    let is_integer = digits.bytes().all(|b| b.is_ascii_digit());
    let is_float = !is_integer && is_float_syntax(digits);
    if !is_integer && !is_float {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    Some(Number {
        raw: text.to_string(),
        value,
        is_integer,
    })
}

fn is_float_syntax(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.map_or(true, all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.map_or(true, |e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok && (frac.is_some() || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_core_schema() {
        assert_eq!(resolve_plain("true"), Value::Bool(true));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert!(matches!(resolve_plain("42"), Value::Number(n) if n.is_integer && n.value == 42.0));
        assert!(matches!(resolve_plain("1.5e3"), Value::Number(n) if !n.is_integer));
        assert_eq!(resolve_plain("2012-10-17"), Value::Str("2012-10-17".into()));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(resolve_plain("-"), Value::Str("-".into()));
        assert_eq!(resolve_plain("."), Value::Str(".".into()));
    }
}
