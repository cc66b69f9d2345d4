//! `Fn::Sub` template strings.

use crate::syntax::tree::Node;

/// The `${Name}` variables of a Sub template with their byte offsets
/// (of the `$`); `${!Literal}` is not a variable.
pub fn variables(template: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = template[from..].find("${").map(|i| i + from) {
        let body = start + 2;
        let Some(end) = template[body..].find('}').map(|i| i + body) else {
            break;
        };
        let name = &template[body..end];
        if !name.starts_with('!') {
            found.push((start, name.trim()));
        }
        from = end + 1;
    }
    found
}

/// The template with each `${...}` (variable or `${!literal}`) replaced by
/// the character `mark(name)` returns, so its colons and dots do not split.
pub fn mask_variables(template: &str, mark: impl Fn(&str) -> char) -> String {
    let mut flat = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        flat.push_str(&rest[..start]);
        flat.push(mark(&rest[start + 2..start + end]));
        rest = &rest[start + end + 1..];
    }
    flat.push_str(rest);
    flat
}

/// The template string and the variable map of an `Fn::Sub` argument.
pub fn parts(argument: &Node) -> Option<(&Node, Option<&Node>)> {
    match argument.as_seq() {
        Some([template, vars]) => Some((template, Some(vars))),
        Some(_) => None,
        None => Some((argument, None)),
    }
}

/// The string a value evaluates to, written as a Sub template, when it is a
/// literal string, a `Fn::Sub`, or a `Fn::Join` of those and `Ref`/`GetAtt`
/// (which become `${Name}` / `${Res.Attr}`). `None` when not knowable.
pub fn as_template(node: &Node) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.replace("${", "${!"));
    }
    match node.intrinsic()? {
        ("Fn::Sub", argument) => parts(argument)?.0.as_str().map(str::to_string),
        ("Ref", name) => Some(format!("${{{}}}", name.as_str()?)),
        ("Fn::GetAtt", argument) => match argument.as_seq() {
            Some([resource, attribute]) => Some(format!(
                "${{{}.{}}}",
                resource.as_str()?,
                attribute.as_str()?
            )),
            _ => Some(format!("${{{}}}", argument.as_str()?)),
        },
        ("Fn::Join", argument) => {
            let [delimiter, items] = argument.as_seq()? else {
                return None;
            };
            let pieces: Option<Vec<String>> = items.as_seq()?.iter().map(as_template).collect();
            Some(pieces?.join(delimiter.as_str()?))
        }
        _ => Some("${?}".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variables_and_skips_literals() {
        assert_eq!(
            variables("a${X}b${!Y}${ Z.Arn }${"),
            [(1, "X"), (11, "Z.Arn")]
        );
        assert!(variables("plain").is_empty());
        assert_eq!(
            mask_variables("a:${AWS::Region}:${!x}:b", |v| if v == "AWS::Region" {
                'R'
            } else {
                'V'
            }),
            "a:R:V:b"
        );
    }
}
