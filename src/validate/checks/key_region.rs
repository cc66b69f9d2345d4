//! SL303: a KMS key used by a regional resource is in the region the
//! resource is deployed to. KMS keys are regional: one key ARN with a
//! literal region, deployed to several regions, breaks everywhere else
//! (RDP recording and CloudWatch Logs encryption both need a same-region key).

use super::Context;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::sub::{as_template, mask_variables};

/// Property names (lower case) that name the key a resource encrypts with.
pub const KEY_PROPERTIES: &[&str] = &["kmskeyarn", "kmskeyid", "kmsmasterkeyid", "kmskey"];

pub fn run(ctx: &Context, sink: &mut Sink) {
    if ctx.regions.is_empty() {
        return;
    }
    for resource in ctx.template.resources() {
        if let Some(properties) = resource.properties {
            each_key_property(properties, &resource.properties_ptr(), &mut |value, ptr| check(ctx, value, ptr, sink));
        }
    }
}

/// Call `f` with every KMS key property (`KEY_PROPERTIES`, any case) under
/// `node`, outside policy documents (which list keys of many regions on
/// purpose).
pub fn each_key_property(node: &Node, ptr: &Ptr, f: &mut dyn FnMut(&Node, &Ptr)) {
    match &node.value {
        Value::Map(_) if node.get("Statement").is_some() => {}
        Value::Map(entries) => {
            for entry in entries {
                let child = ptr.key(&entry.key);
                if KEY_PROPERTIES.contains(&entry.key.to_ascii_lowercase().as_str()) {
                    f(&entry.value, &child);
                } else {
                    each_key_property(&entry.value, &child, f);
                }
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                each_key_property(item, &ptr.index(i), f);
            }
        }
        _ => {}
    }
}

/// The literal region of a KMS key ARN (written as a Sub template), if it
/// has one.
pub fn literal_key_region(arn: &str) -> Option<String> {
    let flat = mask_variables(arn, |_| '\u{1}');
    let mut parts = flat.splitn(6, ':');
    let (_, _, service, region) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (service == "kms" && !region.is_empty() && !region.contains('\u{1}'))
        .then(|| region.to_string())
}

fn check(ctx: &Context, value: &Node, ptr: &Ptr, sink: &mut Sink) {
    let Some(arn) = as_template(value) else {
        return;
    };
    let Some(region) = literal_key_region(&arn) else {
        return;
    };
    let elsewhere: Vec<&str> = ctx
        .regions
        .iter()
        .map(String::as_str)
        .filter(|r| *r != region)
        .collect();
    if !elsewhere.is_empty() {
        sink.emit(
            &rules::KEY_REGION,
            value.pos,
            ptr,
            format!(
                "this KMS key is in {region}, but the template is also deployed to {}; use a key of the deployment region (e.g. a multi-Region replica: arn:${{AWS::Partition}}:kms:${{AWS::Region}}:…)",
                elsewhere.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::literal_key_region;

    #[test]
    fn regions_of_key_arns() {
        assert_eq!(
            literal_key_region("arn:aws:kms:eu-west-1:111122223333:key/abc").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            literal_key_region("arn:${AWS::Partition}:kms:us-east-1:1:key/${K}").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            literal_key_region("arn:${AWS::Partition}:kms:${AWS::Region}:1:key/a"),
            None
        );
        assert_eq!(literal_key_region("arn:aws:s3:::bucket"), None);
        assert_eq!(literal_key_region("alias/x"), None);
    }
}
