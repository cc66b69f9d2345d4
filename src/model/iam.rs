//! IAM policy documents (identity, resource and key policies) as types.

use indexmap::IndexMap;
use serde::{Serialize, Serializer};

use super::intrinsic::Expr;

#[derive(Debug, Clone, Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn new(statements: Vec<Statement>) -> Self {
        PolicyDocument { version: "2012-10-17", statements }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// Who a resource-policy statement applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"`: anyone — only ever used together with a narrowing condition.
    Everyone,
    /// `{"AWS": ...}`
    Aws(Vec<Expr>),
    /// `{"Service": ...}`
    Service(Vec<Expr>),
}

fn one_or_many<S: Serializer>(v: &[Expr], s: S) -> Result<S::Ok, S::Error> {
    if v.len() == 1 {
        v[0].serialize(s)
    } else {
        v.serialize(s)
    }
}

impl Serialize for Principal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct OneOrMany<'a>(&'a [Expr]);
        impl Serialize for OneOrMany<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                one_or_many(self.0, s)
            }
        }
        match self {
            Principal::Everyone => s.serialize_str("*"),
            Principal::Aws(v) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("AWS", &OneOrMany(v))?;
                m.end()
            }
            Principal::Service(v) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("Service", &OneOrMany(v))?;
                m.end()
            }
        }
    }
}

/// Condition operator → condition key → values.
pub type Conditions = IndexMap<String, IndexMap<String, ConditionValue>>;

/// The value of one condition key: one value, or several (any may match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionValue {
    One(Expr),
    Any(Vec<Expr>),
}

impl Serialize for ConditionValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ConditionValue::One(e) => e.serialize(s),
            ConditionValue::Any(v) => v.serialize(s),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    #[serde(rename = "Action", serialize_with = "actions")]
    pub actions: Vec<String>,
    /// Empty only in trust policies, which have no `Resource`.
    #[serde(rename = "Resource", serialize_with = "one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Expr>,
    #[serde(rename = "Condition", skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: Conditions,
}

fn actions<S: Serializer>(v: &[String], s: S) -> Result<S::Ok, S::Error> {
    if v.len() == 1 {
        v[0].serialize(s)
    } else {
        v.serialize(s)
    }
}

impl Statement {
    pub fn allow(sid: &str) -> Self {
        Statement {
            sid: sid.to_string(),
            effect: Effect::Allow,
            principal: None,
            actions: Vec::new(),
            resources: Vec::new(),
            conditions: IndexMap::new(),
        }
    }

    pub fn deny(sid: &str) -> Self {
        Statement { effect: Effect::Deny, ..Statement::allow(sid) }
    }

    pub fn principal(mut self, p: Principal) -> Self {
        self.principal = Some(p);
        self
    }

    pub fn actions(mut self, actions: &[&str]) -> Self {
        self.actions = actions.iter().map(|a| a.to_string()).collect();
        self
    }

    pub fn resource(mut self, r: Expr) -> Self {
        self.resources.push(r);
        self
    }

    pub fn resources(mut self, r: impl IntoIterator<Item = Expr>) -> Self {
        self.resources.extend(r);
        self
    }

    pub fn condition(mut self, operator: &str, key: &str, value: Expr) -> Self {
        self.conditions
            .entry(operator.to_string())
            .or_default()
            .insert(key.to_string(), ConditionValue::One(value));
        self
    }

    /// A condition key that matches any of `values`.
    pub fn condition_any(mut self, operator: &str, key: &str, values: Vec<Expr>) -> Self {
        self.conditions
            .entry(operator.to_string())
            .or_default()
            .insert(key.to_string(), ConditionValue::Any(values));
        self
    }
}
