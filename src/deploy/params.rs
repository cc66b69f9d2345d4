//! Parameter values: literals, and outputs of the log-archive stacks
//! deployed before (unknown until they exist).

use std::collections::BTreeMap;

use crate::bundle::ParameterValue;

pub(super) type Outputs = BTreeMap<(String, String), BTreeMap<String, String>>;

pub(super) fn resolve(params: &[ParameterValue], outputs: &Outputs) -> BTreeMap<String, Option<String>> {
    params
        .iter()
        .map(|p| match p {
            ParameterValue::Literal { key, value } => (key.clone(), Some(value.clone())),
            ParameterValue::StackOutput { key, stack_name, region, output_key } => (
                key.clone(),
                outputs.get(&(stack_name.clone(), region.clone())).and_then(|o| o.get(output_key)).cloned(),
            ),
        })
        .collect()
}

pub(super) fn known(p: &BTreeMap<String, Option<String>>) -> Option<BTreeMap<String, String>> {
    p.iter().map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_resolve_into_parameters() {
        let params = vec![
            ParameterValue::Literal { key: "A".into(), value: "1".into() },
            ParameterValue::StackOutput { key: "K".into(), stack_name: "s".into(), region: "r".into(), output_key: "O".into() },
        ];
        let mut outputs = Outputs::new();
        assert_eq!(known(&resolve(&params, &outputs)), None);
        outputs.insert(("s".into(), "r".into()), [("O".to_string(), "v".to_string())].into());
        let k = known(&resolve(&params, &outputs)).unwrap();
        assert_eq!(k["A"], "1");
        assert_eq!(k["K"], "v");
    }
}
