//! Known failure reasons and what to do about them.

/// A remedy for a failure reason or error message, if we know one.
pub fn remedy(reason: &str) -> Option<&'static str> {
    let r = reason.to_ascii_lowercase();
    if r.contains("documentalreadyexists") || (r.contains("ssm-sessionmanagerrunshell") && r.contains("already exists")) {
        return Some(
            "SSM-SessionManagerRunShell already exists in that account/region (created when someone \
             opened the Session Manager preferences). CloudFormation cannot import it: set \
             `session_document.mode: upsert` in the configuration (custom resource that updates the \
             existing document), or delete the document in those accounts and deploy again.",
        );
    }
    if r.contains("trusted access") || r.contains("enable organizations access") || r.contains("organizations access") {
        return Some(
            "Trusted access between CloudFormation StackSets and AWS Organizations is not enabled: \
             run `aws cloudformation activate-organizations-access` in the management account \
             (or enable it in the CloudFormation console, StackSets > Activate trusted access).",
        );
    }
    if r.contains("delegated administrator") || r.contains("not a management account") || r.contains("callas") || r.contains("not the management account") {
        return Some(
            "The caller is neither the organization's management account nor a registered delegated \
             administrator for StackSets: use management-account credentials, or register this \
             account with `aws organizations register-delegated-administrator --service-principal \
             member.org.stacksets.cloudformation.amazonaws.com` and set `call_as: DELEGATED_ADMIN`.",
        );
    }
    if r.contains("templatebody") && (r.contains("51200") || r.contains("length less than or equal"))
        || r.contains("template over the inline size")
    {
        return Some(
            "The template is over CloudFormation's 51,200-byte inline limit: reduce it (fewer \
             regions in one template, shorter policies) or upload it to S3 and deploy with TemplateURL.",
        );
    }
    if r.contains("permissionset") || r.contains("permission set") {
        if r.contains("conflict") || r.contains("provisioned") || r.contains("assign") {
            return Some(
                "The permission set is still assigned to accounts (or provisioned to them): remove its \
                 account assignments in IAM Identity Center (`aws sso-admin list-accounts-for-provisioned-permission-set`, \
                 then `aws sso-admin delete-account-assignment`), and run the command again.",
            );
        }
        if r.contains("accessdenied") || r.contains("not authorized") {
            return Some(
                "Permission sets are created by the management account or the IAM Identity Center \
                 delegated administrator, in the Identity Center region (`operators.identity_center.region`): \
                 run with those credentials.",
            );
        }
    }
    if r.contains("cloudtrailaccessnotenabled") || (r.contains("cloudtrail") && r.contains("service access")) {
        return Some(
            "An organization trail needs trusted access for CloudTrail in AWS Organizations: run \
             `aws organizations enable-aws-service-access --service-principal cloudtrail.amazonaws.com` \
             in the management account (or enable it in the CloudTrail console), and deploy again.",
        );
    }
    if r.contains("insufficients3bucketpolicy") || r.contains("insufficientencryptionpolicy") {
        return Some(
            "CloudTrail cannot write to the log-archive bucket or use the archive key: deploy the \
             log-archive stack of this configuration first (its bucket and key policies allow this \
             trail), and check that `guardrails.cloudtrail.trail` and `guardrails.region` match the trail.",
        );
    }
    if r.contains("trailalreadyexists") || (r.contains("trail") && r.contains("already exists")) {
        return Some(
            "A trail of that name exists (a retained trail outlives its stack). sessionlog adopts it only when \
             the guardrails stack does not exist and the trail's home region is `guardrails.region`; \
             otherwise guard it with `guardrails.cloudtrail.mode: existing`, or choose another \
             `guardrails.cloudtrail.trail`.",
        );
    }
    if r.contains("policytypenotenabled") || (r.contains("service_control_policy") && r.contains("not enabled")) {
        return Some(
            "Service control policies are not enabled in the organization: run `aws organizations \
             enable-policy-type --root-id <r-…> --policy-type SERVICE_CONTROL_POLICY` in the management account.",
        );
    }
    if r.contains("already exists") && (r.contains("policy") || r.contains("iam")) {
        return Some(
            "An IAM resource with a fixed name already exists (IAM is global: the same template \
             deployed to a second region creates it again). Deploy IAM resources in one region per account.",
        );
    }
    if r.contains("ssmguiconnect") || r.contains("unrecognized resource types") {
        return Some(
            "AWS::SSMGuiConnect::Preferences is not available in that region: turn RDP recording \
             off for it or remove the region.",
        );
    }
    None
}

/// IAM refused to delete a managed policy that is still attached to roles
/// (or users, groups) the stack does not manage (`DeleteConflict`).
pub fn is_delete_conflict(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("deleteconflict") || r.contains("attached to entities") || r.contains("must detach all policies first")
}

/// What to do in `account` about a policy (`policy_arns`, empty when their
/// names are not known) that cannot be deleted while roles outside the
/// stack have it attached.
pub fn detach_policy(account: &str, policy_arns: &[String], after: &str) -> String {
    let arns: Vec<String> = if policy_arns.is_empty() {
        vec!["<the policy's ARN, from `aws iam list-policies --scope Local`>".to_string()]
    } else {
        policy_arns.to_vec()
    };
    let mut s = format!(
        "in account {account}, roles that the StackSet does not manage still have the instance policy attached,          so CloudFormation cannot delete it (IAM DeleteConflict). With credentials of account {account}:"
    );
    for arn in &arns {
        s.push_str(&format!(
            " `aws iam list-entities-for-policy --policy-arn {arn}`, then for each role it lists              `aws iam detach-role-policy --role-name <role> --policy-arn {arn}`;"
        ));
    }
    s.push_str(&format!(" then {after}. (Roles listed in `instance_policy.attach_to_roles` are detached by CloudFormation itself.)"));
    s
}

/// CloudFormation's inline TemplateBody limit, in bytes.
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

#[cfg(test)]
mod tests {
    use super::remedy;

    #[test]
    fn known_reasons() {
        assert!(remedy("Resource handler returned message: \"Document with name SSM-SessionManagerRunShell already exists (DocumentAlreadyExists)\"").unwrap().contains("upsert"));
        assert!(remedy("You must enable organizations access to operate a service managed stack set").unwrap().contains("activate-organizations-access"));
        assert!(remedy("Account 111 is not a delegated administrator").unwrap().contains("register-delegated-administrator"));
        assert!(remedy("template over the inline size limit").unwrap().contains("51,200"));
        assert!(remedy("AWS::SSO::PermissionSet PermissionSetWebOperators: ConflictException: the permission set is provisioned to accounts").unwrap().contains("delete-account-assignment"));
        assert!(remedy("Resource handler returned message: \"CloudTrailAccessNotEnabledException: service access for CloudTrail is not enabled\"").unwrap().contains("cloudtrail.amazonaws.com"));
        assert!(remedy("InsufficientS3BucketPolicyException: Incorrect S3 bucket policy is detected").unwrap().contains("log-archive stack"));
        assert!(remedy("TrailAlreadyExistsException: Trail sessionlog-organization already exists").unwrap().contains("mode: existing"));
        assert!(remedy("PolicyTypeNotEnabledException: SERVICE_CONTROL_POLICY is not enabled").unwrap().contains("enable-policy-type"));
        assert!(remedy("Internal failure").is_none());
        let reason = "ResourceLogicalId:SessionLoggingPolicy, ResourceType:AWS::IAM::ManagedPolicy, ResourceStatusReason:Cannot delete a policy attached to entities. (Service: Iam, Status Code: 409)";
        assert!(super::is_delete_conflict(reason));
        assert!(!super::is_delete_conflict("Internal failure"));
        let r = super::detach_policy("111111111111", &["arn:aws:iam::111111111111:policy/p".into()], "run `sessionlog destroy` again");
        assert!(r.contains("aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::111111111111:policy/p"), "{r}");
        assert!(r.contains("sessionlog destroy"), "{r}");
    }
}
