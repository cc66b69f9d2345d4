//! SL508: log groups (also sessionlog's create-or-adopt
//! `Custom::SessionLogGroup`) set a retention (its value is checked against
//! the allowed values by the schema, SL203, including through parameters).

use crate::model::resources::logs::LOG_GROUP_TYPES;
use crate::validate::checks::Context;
use crate::validate::finding::Sink;
use crate::validate::rules;

pub fn run(ctx: &Context, sink: &mut Sink) {
    for group in ctx
        .template
        .resources()
        .iter()
        .filter(|r| LOG_GROUP_TYPES.iter().any(|t| r.is(t)))
    {
        if group
            .property("RetentionInDays")
            .map_or(true, |v| v.is_no_value())
        {
            let (pos, ptr) = group.deepest(&["RetentionInDays"]);
            sink.emit(
                &rules::LOG_RETENTION,
                pos,
                &ptr,
                format!(
                    "log group `{}` keeps logs forever: set RetentionInDays",
                    group.id
                ),
            );
        }
    }
}
