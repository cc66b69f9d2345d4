//! Tags: the user's, plus ones that say what manages a resource.

use crate::config::model::Config;
use crate::model::resources::Tag;

/// The tag naming what each resource is (`archive-key`, `log-bucket`, …):
/// `deploy` finds retained keys again by it.
pub const COMPONENT_TAG: &str = "sessionlog:component";

pub fn resource_tags(c: &Config, component: &str) -> Vec<Tag> {
    let mut tags = vec![Tag::new(COMPONENT_TAG, component)];
    tags.extend(c.tags.iter().map(|(k, v)| Tag::new(k, v.as_str())));
    tags
}

pub fn stack_tags(c: &Config) -> Vec<(String, String)> {
    let mut tags = vec![("sessionlog:managed".to_string(), "true".to_string())];
    tags.extend(c.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    tags
}
