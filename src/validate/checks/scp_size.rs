//! SL125: a service control policy (`AWS::Organizations::Policy` of type
//! `SERVICE_CONTROL_POLICY`) fits Organizations' limit of 5,120 characters,
//! counted on the minified JSON with `${AWS::Partition}` resolved for the
//! template's regions. Other intrinsics are counted as written (their
//! values are unknown here), so the count is exact for sessionlog's own
//! policy and an estimate for others.

use serde_json::Value as Json;

use super::Context;
use crate::aws::regions;
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::tree::{Node, Value};

pub const MAX_SCP_CHARACTERS: usize = 5120;

fn to_json(node: &Node, partition: &str) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.raw).unwrap_or(Json::Null),
        Value::Str(s) => Json::String(s.clone()),
        Value::Deferred(name) => Json::String(format!("${{{name}}}")),
        Value::Preprocessed(tag) => Json::String(tag.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(|n| to_json(n, partition)).collect()),
        Value::Map(entries) => match (entries.len(), entries.first()) {
            (1, Some(e)) if e.key == "Fn::Sub" && e.value.as_str().is_some() => Json::String(
                e.value
                    .as_str()
                    .unwrap_or_default()
                    .replace("${AWS::Partition}", partition),
            ),
            _ => Json::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), to_json(&e.value, partition)))
                    .collect(),
            ),
        },
    }
}

pub fn run(ctx: &Context, sink: &mut Sink) {
    let partition = ctx
        .regions
        .first()
        .map(|r| regions::partition(r))
        .unwrap_or("aws");
    for resource in ctx
        .template
        .resources()
        .iter()
        .filter(|r| r.is("AWS::Organizations::Policy"))
    {
        if resource.property("Type").and_then(Node::as_str) != Some("SERVICE_CONTROL_POLICY") {
            continue;
        }
        let Some(content) = resource.property("Content") else {
            continue;
        };
        let text = match content.as_str() {
            Some(s) => match serde_json::from_str::<Json>(s) {
                Ok(v) => v.to_string(),
                Err(_) => s.to_string(),
            },
            None => to_json(content, partition).to_string(),
        };
        let size = text.chars().count();
        if size > MAX_SCP_CHARACTERS {
            sink.emit(
                &rules::SCP_SIZE,
                content.pos,
                &resource.properties_ptr().key("Content"),
                format!("the service control policy is {size} characters minified; AWS Organizations allows {MAX_SCP_CHARACTERS}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{load, Source};
    use crate::render::{template_text, Format};
    use crate::stacks::guardrails::{management, scp};
    use crate::validate::{validate_source, Options, Source as VSource};

    fn findings(text: String) -> Vec<String> {
        let report = validate_source(
            &VSource::new("t.yaml", text),
            &Options {
                regions: vec!["us-east-1".into()],
                ..Default::default()
            },
        );
        report
            .findings
            .iter()
            .filter(|f| f.rule.id == "SL125")
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn the_rendered_scp_passes_and_one_past_the_limit_fails() {
        let c = load(&Source::example()).unwrap();
        let t = management::template(&c).unwrap();
        let text = template_text(&t, Format::Yaml);
        assert!(findings(text.clone()).is_empty());
        // Pad one exemption until the policy is one character over.
        let pad = super::MAX_SCP_CHARACTERS + 1 - scp::size(&c);
        let role = "role/sessionlog/*";
        let padded = text.replacen(role, &format!("role/sessionlog/{}*", "x".repeat(pad)), 1);
        let got = findings(padded);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains(&format!("{} characters", super::MAX_SCP_CHARACTERS + 1)),
            "{got:?}"
        );
    }
}
