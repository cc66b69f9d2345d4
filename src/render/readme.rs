//! `templates/README.md`: what each file deploys, where, in which order, its
//! parameters and outputs — text templated with handlebars from the model.

use handlebars::Handlebars;
use serde::Serialize;

use crate::bundle::{Bundle, ParameterValue, TemplateFile};

const TEMPLATE: &str = include_str!("README.md.hbs");

#[derive(Serialize)]
struct Doc<'a> {
    ext: &'a str,
    archive_account: &'a str,
    access_role: &'a str,
    management_account: &'a str,
    admin_region: &'a str,
    home: Step,
    replicas: Option<Replicas>,
    stack_sets: Vec<SetStep>,
    management: Vec<Step>,
}

#[derive(Serialize)]
struct Step {
    file: String,
    stack_name: String,
    region: String,
    description: String,
    resources: Vec<Res>,
    parameters: Vec<Param>,
    outputs: Vec<Out>,
    capabilities: String,
}

#[derive(Serialize)]
struct Replicas {
    step: Step,
    regions: String,
    region_list: Vec<String>,
}

#[derive(Serialize)]
struct SetStep {
    name: String,
    stem: String,
    step: Step,
    regions: String,
    ous: String,
    excluded: String,
    call_as: String,
}

#[derive(Serialize)]
struct Res {
    id: String,
    kind: String,
    retained: bool,
}

#[derive(Serialize)]
struct Param {
    name: String,
    description: String,
    source: String,
}

#[derive(Serialize)]
struct Out {
    name: String,
    description: String,
}

fn step(file: &TemplateFile, ext: &str, stack_name: &str, region: &str, params: &[ParameterValue], caps: &[String]) -> Step {
    let t = &file.template;
    Step {
        file: format!("{}.{ext}", file.file_stem),
        stack_name: stack_name.into(),
        region: region.into(),
        description: t.description.clone(),
        resources: t
            .resources
            .iter()
            .map(|(id, r)| Res {
                id: id.clone(),
                kind: r["Type"].as_str().unwrap_or_default().into(),
                retained: r.get("DeletionPolicy").and_then(|d| d.as_str()) == Some("Retain"),
            })
            .collect(),
        parameters: t
            .parameters
            .iter()
            .map(|(name, p)| Param {
                name: name.clone(),
                description: p.description.clone(),
                source: params
                    .iter()
                    .find(|v| v.key() == name)
                    .map(|v| match v {
                        ParameterValue::Literal { value, .. } => format!("`{value}`"),
                        ParameterValue::StackOutput { stack_name, output_key, region, .. } => {
                            format!("output `{output_key}` of stack `{stack_name}` ({region})")
                        }
                    })
                    .unwrap_or_else(|| "default".into()),
            })
            .collect(),
        outputs: t
            .outputs
            .iter()
            .map(|(name, o)| Out { name: name.clone(), description: o.description.clone() })
            .collect(),
        capabilities: caps.join(" "),
    }
}

pub fn render(bundle: &Bundle, ext: &str) -> String {
    let home = &bundle.archive_stacks[0];
    let replicas = bundle.archive_stacks.get(1).map(|r| Replicas {
        step: step(&r.template, ext, &r.stack_name, "", &r.parameters, &r.capabilities),
        regions: bundle.archive_stacks[1..].iter().map(|s| s.region.as_str()).collect::<Vec<_>>().join(", "),
        region_list: bundle.archive_stacks[1..].iter().map(|s| s.region.clone()).collect(),
    });
    let doc = Doc {
        ext,
        archive_account: &bundle.archive_account,
        access_role: &bundle.archive_access_role,
        management_account: &bundle.management_account,
        admin_region: &bundle.stack_set_region,
        home: step(&home.template, ext, &home.stack_name, &home.region, &home.parameters, &home.capabilities),
        replicas,
        stack_sets: bundle
            .stack_sets
            .iter()
            .map(|s| SetStep {
                name: s.name.clone(),
                stem: s.template.file_stem.clone(),
                step: step(&s.template, ext, &s.name, "", &s.parameters, &s.capabilities),
                regions: s.regions.join(", "),
                ous: s.targets.organizational_units.join(", "),
                excluded: s.targets.exclude_accounts.join(", "),
                call_as: s.call_as.as_str().into(),
            })
            .collect(),
        management: bundle
            .management_stacks
            .iter()
            .map(|s| step(&s.template, ext, &s.stack_name, &s.region, &s.parameters, &s.capabilities))
            .collect(),
    };
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(TEMPLATE, &doc).expect("the README template renders")
}
