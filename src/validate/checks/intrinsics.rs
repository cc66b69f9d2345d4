//! Intrinsic functions get the arguments they take.

use super::Context;
use crate::syntax::tree::{Node, Ptr, Value};
use crate::validate::finding::Sink;
use crate::validate::rules;
use crate::validate::template::walk;

pub fn run(ctx: &Context, sink: &mut Sink) {
    for section in ["Resources", "Outputs", "Conditions"] {
        if let Some(node) = ctx.template.root.get(section) {
            let conditions = section == "Conditions";
            walk(node, &Ptr::root().key(section), &mut |node, ptr| {
                let call = if conditions {
                    node.condition_intrinsic()
                } else {
                    node.intrinsic()
                };
                if let Some((function, argument)) = call {
                    if conditions && matches!(function, "Fn::ImportValue" | "Fn::GetAtt") {
                        sink.emit(
                            &rules::INTRINSIC_SHAPE,
                            argument.pos,
                            &ptr.key(function),
                            format!("{function} cannot be used in Conditions: they are evaluated before any resource or import is known"),
                        );
                    }
                    if let Some(problem) = shape_problem(function, argument) {
                        sink.emit(
                            &rules::INTRINSIC_SHAPE,
                            argument.pos,
                            &ptr.key(function),
                            format!("{function} {problem}"),
                        );
                    }
                }
            });
        }
    }
}

fn is_string(node: &Node) -> bool {
    matches!(node.value, Value::Str(_))
}

fn list_len(node: &Node) -> Option<usize> {
    node.as_seq().map(<[Node]>::len)
}

/// Why the argument does not fit the function, if it does not.
fn shape_problem(function: &str, argument: &Node) -> Option<&'static str> {
    let ok = match function {
        "Ref" | "Condition" => is_string(argument),
        "Fn::GetAtt" => match argument.as_seq() {
            Some([resource, attribute]) => {
                is_string(resource) && (is_string(attribute) || attribute.intrinsic().is_some())
            }
            Some(_) => false,
            None => argument.as_str().is_some_and(|s| s.contains('.')),
        },
        "Fn::Sub" => match argument.as_seq() {
            Some([template, vars]) => is_string(template) && vars.as_map().is_some(),
            Some(_) => false,
            None => is_string(argument),
        },
        "Fn::Join" => {
            matches!(argument.as_seq(), Some([d, items]) if is_string(d) && (items.as_seq().is_some() || items.intrinsic().is_some()))
        }
        "Fn::If" => list_len(argument) == Some(3),
        "Fn::Select" | "Fn::Split" => list_len(argument) == Some(2),
        "Fn::FindInMap" => matches!(list_len(argument), Some(3 | 4)),
        "Fn::Equals" => list_len(argument) == Some(2),
        "Fn::Not" => list_len(argument) == Some(1),
        "Fn::And" | "Fn::Or" => matches!(list_len(argument), Some(2..=10)),
        "Fn::Cidr" => list_len(argument) == Some(3),
        "Fn::ImportValue" => {
            is_string(argument)
                || matches!(
                    argument.intrinsic(),
                    Some((
                        "Fn::Base64"
                            | "Fn::FindInMap"
                            | "Fn::If"
                            | "Fn::Join"
                            | "Fn::Select"
                            | "Fn::Split"
                            | "Fn::Sub"
                            | "Ref",
                        _
                    ))
                )
        }
        "Fn::GetStackOutput" => {
            argument.get("StackName").is_some()
                && argument.get("OutputName").is_some()
                && argument.as_map().is_some_and(|entries| {
                    entries.iter().all(|e| {
                        ["StackName", "OutputName", "Region", "RoleArn"].contains(&e.key.as_str())
                    })
                })
        }
        "Fn::Contains"
        | "Fn::EachMemberEquals"
        | "Fn::EachMemberIn"
        | "Fn::ValueOf"
        | "Fn::ValueOfAll" => list_len(argument) == Some(2),
        "Fn::RefAll" => is_string(argument),
        _ => true,
    };
    (!ok).then_some(match function {
        "Ref" | "Condition" => "takes a name (a string)",
        "Fn::GetAtt" => "takes [resource, attribute] or \"resource.attribute\"",
        "Fn::Sub" => "takes a string or [string, {variables}]",
        "Fn::Join" => "takes [delimiter, [values]]",
        "Fn::If" => "takes [condition, value if true, value if false]",
        "Fn::Select" => "takes [index, list]",
        "Fn::Split" => "takes [delimiter, string]",
        "Fn::FindInMap" => "takes [map, top-level key, second-level key]",
        "Fn::Equals" => "takes two values",
        "Fn::Not" => "takes a list of one condition",
        "Fn::And" | "Fn::Or" => "takes 2 to 10 conditions",
        "Fn::Cidr" => "takes [block, count, cidrBits]",
        "Fn::ImportValue" => "takes an export name: a string, or Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap, Fn::Base64 or Ref of one (not another Fn::ImportValue)",
        "Fn::GetStackOutput" => "takes {StackName, OutputName, Region (optional), RoleArn (optional)}",
        "Fn::Contains" | "Fn::EachMemberEquals" | "Fn::EachMemberIn" => "takes two values",
        "Fn::ValueOf" | "Fn::ValueOfAll" => "takes [parameter, attribute]",
        "Fn::RefAll" => "takes a parameter type (a string)",
        _ => "has invalid arguments",
    })
}
