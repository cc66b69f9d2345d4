//! Every rule the validator applies, with a stable id. Ids are grouped:
//! `SL1xx` template structure, `SL2xx` resource properties against the
//! provider schema, `SL3xx` region availability, `SL4xx` the Session
//! preferences document, `SL5xx` security invariants (scoped: see
//! [`crate::validate::scope`]), `SL6xx` deployment context (one template,
//! several regions and accounts), `SL7xx` IAM policy grammar.

use super::finding::Severity;

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! rules {
    ($($ident:ident = $id:literal, $name:literal, $sev:ident, $summary:literal;)*) => {
        $(pub static $ident: Rule = Rule { id: $id, name: $name, severity: Severity::$sev, summary: $summary };)*
        /// All rules, in id order.
        pub static ALL: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
    PARSE = "SL100", "parse-error", Error, "The template is not valid YAML or JSON.";
    DUPLICATE_KEY = "SL101", "duplicate-key", Error, "A mapping has the same key twice.";
    UNKNOWN_TAG = "SL102", "unknown-tag", Error, "A YAML tag that is not a CloudFormation short form.";
    SECTION = "SL103", "template-section", Error, "Top-level sections exist, are known and have the right type.";
    RESOURCE_SHAPE = "SL104", "resource-shape", Error, "A resource has a Type, known attributes and valid policies.";
    INTRINSIC_SHAPE = "SL105", "intrinsic-shape", Error, "An intrinsic function has the arguments it takes.";
    DELETION_POLICY = "SL106", "deletion-policy-value", Error, "DeletionPolicy and UpdateReplacePolicy are one of the allowed words, not a function (unless AWS::LanguageExtensions resolves it from a parameter).";
    TRANSFORM = "SL107", "transform-not-checked", Info, "The template is transformed before deployment; what the transform generates is not checked.";
    PREPROCESSOR_TAG = "SL108", "preprocessor-tag-not-checked", Info, "A YAML tag of a pre-processor other than CloudFormation (rain's `!Rain::…`): the value it makes is not checked.";
    REF = "SL110", "ref-unresolved", Error, "Ref names a parameter, resource or pseudo parameter.";
    GETATT_RESOURCE = "SL111", "getatt-resource", Error, "Fn::GetAtt names a resource of the template.";
    GETATT_ATTRIBUTE = "SL112", "getatt-attribute", Error, "Fn::GetAtt names an attribute the resource type has.";
    SUB_VARIABLE = "SL113", "sub-variable", Error, "Every ${} variable of Fn::Sub resolves.";
    CONDITION = "SL114", "condition-undefined", Error, "Conditions used are defined.";
    DEPENDS_ON = "SL115", "depends-on", Error, "DependsOn names resources of the template.";
    PARAMETER_UNUSED = "SL116", "parameter-unused", Warning, "Every parameter is used.";
    PARAMETER_SHAPE = "SL117", "parameter-shape", Error, "A parameter has a valid Type and well-formed settings.";
    OUTPUT_SHAPE = "SL118", "output-shape", Error, "An output has a Value and a well-formed Export.";
    LIMITS = "SL120", "template-limits", Error, "Template size and counts stay within CloudFormation quotas.";
    DEPENDENCY_CYCLE = "SL121", "dependency-cycle", Error, "Resources do not depend on each other in a cycle (DependsOn, Ref, Fn::GetAtt, Fn::Sub).";
    SUB_NEEDED = "SL122", "sub-needed", Error, "A ${Name} of a parameter, resource or pseudo parameter is inside Fn::Sub, not a plain string.";
    LOGICAL_ID_UNIQUE = "SL123", "logical-id-unique", Error, "A logical id names one parameter, resource, condition, mapping or output.";
    PHYSICAL_NAME_UNIQUE = "SL124", "physical-name-unique", Error, "Two resources of one type do not get the same physical name.";
    SCP_SIZE = "SL125", "scp-size", Error, "A service control policy fits AWS Organizations' 5,120 characters (minified).";
    UNKNOWN_PROPERTY = "SL201", "property-unknown", Error, "A property exists in the resource type's schema.";
    PROPERTY_TYPE = "SL202", "property-type", Error, "A property value has the type the schema requires.";
    PROPERTY_ENUM = "SL203", "property-enum", Error, "A property value is one of the allowed values.";
    PROPERTY_PATTERN = "SL204", "property-pattern", Error, "A property value matches the schema's pattern.";
    PROPERTY_RANGE = "SL205", "property-range", Error, "Lengths, sizes and numbers are within the schema's bounds.";
    PROPERTY_REQUIRED = "SL206", "property-required", Error, "Required properties are present.";
    RESOURCE_TYPE_UNKNOWN = "SL207", "resource-type-unknown", Error, "The resource type exists in CloudFormation.";
    NOT_CHECKED = "SL208", "resource-not-checked", Info, "The resource's properties are not checked (a type without a vendored schema, transformed or a module).";
    DEPRECATED_RUNTIME = "SL209", "lambda-runtime-deprecated", Error, "A Lambda runtime AWS no longer lets functions be created or updated with (a warning once it is only deprecated).";
    UNIQUE_ITEMS = "SL210", "property-unique-items", Error, "Lists the schema declares unique have no duplicate items.";
    LOCAL_ARTIFACT = "SL211", "local-artifact", Warning, "A local path where CloudFormation needs an S3 location: valid only after `aws cloudformation package`.";
    REGION_UNAVAILABLE = "SL301", "region-unavailable", Error, "The resource type is available in every configured region.";
    REGION_UNKNOWN = "SL302", "region-unknown", Warning, "A configured region is known to the vendored data.";
    KEY_REGION = "SL303", "kms-key-region", Error, "A regional resource uses a KMS key of its own region.";
    SESSION_CONTENT = "SL401", "session-document-content", Error, "The Session document content is a JSON object.";
    SESSION_SCHEMA = "SL402", "session-document-schema", Error, "The Session document matches schemas/session-document.schema.json.";
    WILDCARD_PRINCIPAL = "SL501", "wildcard-principal", Error, "No Allow to \"*\" without an organization or account condition.";
    TLS_ONLY = "SL502", "bucket-tls-only", Error, "The bucket policy denies requests without TLS.";
    BUCKET_ENCRYPTION = "SL503", "bucket-sse-kms", Error, "The bucket uses SSE-KMS with S3 Bucket Keys.";
    BUCKET_VERSIONING = "SL504", "bucket-versioning", Error, "Bucket versioning is Enabled.";
    PUBLIC_ACCESS = "SL505", "bucket-public-access-block", Error, "All four public access blocks are on.";
    KEY_ROTATION = "SL506", "kms-key-rotation", Error, "Symmetric KMS keys rotate.";
    RETAIN = "SL507", "retain-policy", Error, "Buckets, keys and log groups have DeletionPolicy and UpdateReplacePolicy Retain.";
    LOG_RETENTION = "SL508", "log-group-retention", Error, "Log groups set RetentionInDays.";
    PREFIX_ISOLATION = "SL509", "bucket-prefix-isolation", Error, "Organization principals may put objects only under their own account prefix.";
    IAM_ACTION = "SL510", "iam-action-format", Error, "IAM actions are `service:Action`.";
    ARN_FORMAT = "SL511", "arn-format", Error, "ARNs are well formed and carry a partition.";
    ARN_PARTITION = "SL512", "arn-hardcoded-partition", Warning, "ARNs use ${AWS::Partition} rather than a literal partition.";
    SESSION_DOCUMENT_EXISTS = "SL601", "session-document-exists", Warning, "SSM-SessionManagerRunShell created by a plain AWS::SSM::Document fails where the console already created it (fact 1).";
    KEY_ONE_REGION = "SL602", "kms-key-one-region", Warning, "One KMS key ARN passed to a template deployed to several regions is wrong outside the key's region (fact 3).";
    IAM_FIXED_NAME_REGIONS = "SL603", "iam-fixed-name-regions", Error, "A fixed-name IAM resource in a template deployed to several regions of an account fails in the second region (fact 10).";
    POLICY_DOCUMENT = "SL701", "policy-document", Error, "An IAM policy document has Version, Statement and only the elements IAM knows.";
    POLICY_EFFECT = "SL702", "policy-effect", Error, "Every statement's Effect is Allow or Deny.";
    POLICY_ACTION_RESOURCE = "SL703", "policy-action-resource", Error, "A statement has exactly one of Action/NotAction and, where the policy kind needs it, of Resource/NotResource.";
    POLICY_PRINCIPAL = "SL704", "policy-principal", Error, "Principal appears exactly where the policy kind needs it (resource, key and trust policies), never in identity policies or SCPs, and is well formed.";
    POLICY_CONDITION = "SL705", "policy-condition", Error, "Condition blocks use known operators and map condition keys to values.";
}

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_and_sorted() {
        let ids: Vec<_> = ALL.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
