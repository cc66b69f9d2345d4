//! Facts about resource types that the registry schemas do not state.

/// Types whose `DeletionPolicy`/`UpdateReplacePolicy` may be `Snapshot`
/// (the CloudFormation user guide, DeletionPolicy attribute).
pub const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// Resources named in a namespace shared by every region (IAM is global;
/// S3 bucket names are global), with the property that names them. A
/// template that sets the name and is deployed to two regions of one
/// account creates the name twice: the second region fails with "already
/// exists" (spec fact 10). A service-linked role is named by its service.
pub const GLOBAL_NAMES: &[(&str, &str)] = &[
    ("AWS::IAM::Group", "GroupName"),
    ("AWS::IAM::InstanceProfile", "InstanceProfileName"),
    ("AWS::IAM::ManagedPolicy", "ManagedPolicyName"),
    ("AWS::IAM::OIDCProvider", "Url"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::SAMLProvider", "Name"),
    ("AWS::IAM::ServerCertificate", "ServerCertificateName"),
    ("AWS::IAM::ServiceLinkedRole", "AWSServiceName"),
    ("AWS::IAM::User", "UserName"),
    ("AWS::IAM::VirtualMFADevice", "VirtualMfaDeviceName"),
    ("AWS::S3::Bucket", "BucketName"),
];

/// The property naming a resource of `type_name` in a global namespace.
pub fn global_name_property(type_name: &str) -> Option<&'static str> {
    GLOBAL_NAMES
        .iter()
        .find(|(t, _)| *t == type_name)
        .map(|(_, p)| *p)
}

/// What an IAM policy document is, which decides its grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Attached to a user, group or role: no Principal.
    Identity,
    /// A role's trust policy: a Principal, no Resource.
    Trust,
    /// Attached to a resource (bucket, queue, topic, key…): a Principal.
    Resource,
    /// A resource policy whose resource is implied (ECR repositories,
    /// OpenSearch domains' older forms): Resource optional.
    ResourceImplied,
    /// A service control policy: no Principal.
    ServiceControl,
    /// A resource control policy: Principal `*`.
    ResourceControl,
    /// A VPC endpoint policy: Principal and Resource optional.
    Endpoint,
}

/// Where policy documents are: (type, property path with `*` for any list
/// item, kind). `AWS::Organizations::Policy` is decided by its `Type`.
pub const POLICY_DOCUMENTS: &[(&str, &str, PolicyKind)] = &[
    (
        "AWS::IAM::Group",
        "Policies/*/PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::GroupPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::ManagedPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    ("AWS::IAM::Policy", "PolicyDocument", PolicyKind::Identity),
    (
        "AWS::IAM::Role",
        "Policies/*/PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        PolicyKind::Trust,
    ),
    (
        "AWS::IAM::RolePolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::User",
        "Policies/*/PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::IAM::UserPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::SSO::PermissionSet",
        "InlinePolicy",
        PolicyKind::Identity,
    ),
    ("AWS::KMS::Key", "KeyPolicy", PolicyKind::Resource),
    ("AWS::KMS::ReplicaKey", "KeyPolicy", PolicyKind::Resource),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SNS::TopicPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SNS::TopicInlinePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SQS::QueuePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SQS::QueueInlinePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::SecretsManager::ResourcePolicy",
        "ResourcePolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::Logs::ResourcePolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    (
        "AWS::Logs::Destination",
        "DestinationPolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::Backup::BackupVault",
        "AccessPolicy",
        PolicyKind::Resource,
    ),
    (
        "AWS::OpenSearchService::Domain",
        "AccessPolicies",
        PolicyKind::ResourceImplied,
    ),
    (
        "AWS::Elasticsearch::Domain",
        "AccessPolicies",
        PolicyKind::ResourceImplied,
    ),
    (
        "AWS::ECR::Repository",
        "RepositoryPolicyText",
        PolicyKind::ResourceImplied,
    ),
    (
        "AWS::EFS::FileSystem",
        "FileSystemPolicy",
        PolicyKind::ResourceImplied,
    ),
    (
        "AWS::ApiGateway::RestApi",
        "Policy",
        PolicyKind::ResourceImplied,
    ),
    (
        "AWS::EC2::VPCEndpoint",
        "PolicyDocument",
        PolicyKind::Endpoint,
    ),
];

/// The kind of an `AWS::Organizations::Policy` by its `Type`; other
/// organization policies (tag, backup, AI opt-out) are not IAM grammar.
pub fn organizations_policy_kind(policy_type: &str) -> Option<PolicyKind> {
    match policy_type {
        "SERVICE_CONTROL_POLICY" => Some(PolicyKind::ServiceControl),
        "RESOURCE_CONTROL_POLICY" => Some(PolicyKind::ResourceControl),
        _ => None,
    }
}

/// Properties `aws cloudformation package` (and `sam package`) replace: a
/// local path there is uploaded to S3 and rewritten before deployment.
pub const PACKAGED_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::ApiGateway::RestApi", "BodyS3Location"),
    (
        "AWS::AppSync::FunctionConfiguration",
        "RequestMappingTemplateS3Location",
    ),
    (
        "AWS::AppSync::FunctionConfiguration",
        "ResponseMappingTemplateS3Location",
    ),
    ("AWS::AppSync::GraphQLSchema", "DefinitionS3Location"),
    ("AWS::AppSync::Resolver", "RequestMappingTemplateS3Location"),
    (
        "AWS::AppSync::Resolver",
        "ResponseMappingTemplateS3Location",
    ),
    ("AWS::CloudFormation::Stack", "TemplateURL"),
    ("AWS::ElasticBeanstalk::ApplicationVersion", "SourceBundle"),
    ("AWS::Lambda::Function", "Code"),
    ("AWS::Lambda::LayerVersion", "Content"),
    ("AWS::StepFunctions::StateMachine", "DefinitionS3Location"),
];

/// True when `aws cloudformation package` rewrites this property.
pub fn is_packaged(type_name: &str, property: &str) -> bool {
    PACKAGED_PROPERTIES
        .iter()
        .any(|(t, p)| *t == type_name && *p == property)
}
