//! CloudFormation values that may be intrinsic functions.
//!
//! `Expr` serializes to the long form (`{"Fn::Sub": …}`); the YAML renderer
//! turns long form into short tags. One model, both outputs.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// A string-valued CloudFormation expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A literal string.
    Lit(String),
    /// `!Ref Name` — a parameter, resource or pseudo parameter.
    Ref(String),
    /// `!GetAtt Resource.Attribute`.
    GetAtt(String, String),
    /// `!Sub 'text with ${Vars}'`.
    Sub(String),
    /// `!Join [sep, [parts]]`.
    Join(String, Vec<Expr>),
    /// `!If [condition, then, else]`.
    If(String, Box<Expr>, Box<Expr>),
}

impl Expr {
    pub fn lit(s: impl Into<String>) -> Self {
        Expr::Lit(s.into())
    }
    pub fn reference(s: impl Into<String>) -> Self {
        Expr::Ref(s.into())
    }
    pub fn sub(s: impl Into<String>) -> Self {
        Expr::Sub(s.into())
    }
    pub fn get_att(resource: impl Into<String>, attribute: impl Into<String>) -> Self {
        Expr::GetAtt(resource.into(), attribute.into())
    }
    /// `${AWS::Partition}`-based ARN built with `!Sub`.
    pub fn arn(service: &str, region: &str, account: &str, resource: &str) -> Self {
        Expr::Sub(format!("arn:${{AWS::Partition}}:{service}:{region}:{account}:{resource}"))
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Self {
        Expr::Lit(s.to_string())
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Self {
        Expr::Lit(s)
    }
}

struct Single<'a, T: Serialize + ?Sized>(&'a str, &'a T);

impl<T: Serialize + ?Sized> Serialize for Single<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, self.1)?;
        m.end()
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Lit(v) => s.serialize_str(v),
            Expr::Ref(name) => Single("Ref", name).serialize(s),
            Expr::GetAtt(r, a) => Single("Fn::GetAtt", &[r, a]).serialize(s),
            Expr::Sub(text) => Single("Fn::Sub", text).serialize(s),
            Expr::Join(sep, parts) => {
                struct Args<'a>(&'a str, &'a [Expr]);
                impl Serialize for Args<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut q = s.serialize_seq(Some(2))?;
                        q.serialize_element(self.0)?;
                        q.serialize_element(self.1)?;
                        q.end()
                    }
                }
                Single("Fn::Join", &Args(sep, parts)).serialize(s)
            }
            Expr::If(cond, a, b) => {
                struct Args<'a>(&'a str, &'a Expr, &'a Expr);
                impl Serialize for Args<'_> {
                    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut q = s.serialize_seq(Some(3))?;
                        q.serialize_element(self.0)?;
                        q.serialize_element(self.1)?;
                        q.serialize_element(self.2)?;
                        q.end()
                    }
                }
                Single("Fn::If", &Args(cond, a, b)).serialize(s)
            }
        }
    }
}

/// A value that is either a literal of type `T` or an intrinsic producing it
/// (e.g. a number that comes from `!Ref Parameter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<T> {
    Lit(T),
    Expr(Expr),
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Lit(v) => v.serialize(s),
            Value::Expr(e) => e.serialize(s),
        }
    }
}

impl<T> From<T> for Value<T> {
    fn from(v: T) -> Self {
        Value::Lit(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_form_json() {
        assert_eq!(serde_json::to_value(Expr::reference("X")).unwrap(), json!({"Ref": "X"}));
        assert_eq!(
            serde_json::to_value(Expr::get_att("Bucket", "Arn")).unwrap(),
            json!({"Fn::GetAtt": ["Bucket", "Arn"]})
        );
        assert_eq!(
            serde_json::to_value(Expr::Join(",".into(), vec![Expr::lit("a"), Expr::reference("B")])).unwrap(),
            json!({"Fn::Join": [",", ["a", {"Ref": "B"}]]})
        );
        assert_eq!(
            serde_json::to_value(Expr::arn("s3", "", "", "b")).unwrap(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"})
        );
    }
}
