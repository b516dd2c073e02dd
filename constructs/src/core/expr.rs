//! CloudFormation expressions: literals, references and every intrinsic function.
//!
//! This is the only hand-written module that spells intrinsic function names (`Fn::GetAtt`, …).
//! Typed attributes ([`Attr`]) wrap an [`Expr`] with a marker type so that, for example, an ECR
//! repository ARN cannot be passed where a KMS key ARN is expected. Fields of the generated L1
//! structs are [`Val<T>`]: a literal `T` or any expression.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

/// A CloudFormation pseudo parameter (`Ref: AWS::…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::NotificationARNs`
    NotificationArns,
    /// `AWS::NoValue`: removes the property it stands in.
    NoValue,
    /// `AWS::Partition` (`aws`, `aws-cn`, `aws-us-gov`, …)
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix` (`amazonaws.com`, `amazonaws.com.cn`)
    UrlSuffix,
}

impl Pseudo {
    /// The name as written after `Ref`.
    pub const fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// Parses `AWS::Region` and friends.
    pub fn parse(name: &str) -> Option<Pseudo> {
        Some(match name {
            "AWS::AccountId" => Pseudo::AccountId,
            "AWS::NotificationARNs" => Pseudo::NotificationArns,
            "AWS::NoValue" => Pseudo::NoValue,
            "AWS::Partition" => Pseudo::Partition,
            "AWS::Region" => Pseudo::Region,
            "AWS::StackId" => Pseudo::StackId,
            "AWS::StackName" => Pseudo::StackName,
            "AWS::URLSuffix" => Pseudo::UrlSuffix,
            _ => return None,
        })
    }
}

/// A CloudFormation value: a JSON literal, a reference or an intrinsic function.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A JSON literal, emitted as is.
    Lit(Value),
    /// A list whose items are expressions.
    List(Vec<Expr>),
    /// `Ref` to a resource or a parameter, by logical id.
    Ref(String),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    /// `Fn::GetAtt [logicalId, attribute]`.
    GetAtt(String, String),
    /// `Fn::Sub`: a template string, with optional variables (kept in the given order).
    Sub(String, Vec<(String, Expr)>),
    /// `Fn::Join [delimiter, [items]]`.
    Join(String, Vec<Expr>),
    /// `Fn::Select [index, list]`.
    Select(Box<Expr>, Box<Expr>),
    /// `Fn::Split [delimiter, source]`.
    Split(String, Box<Expr>),
    /// `Fn::GetAZs region` (an empty string literal means the stack's Region).
    GetAzs(Box<Expr>),
    /// `Fn::If [condition, then, else]`.
    If(String, Box<Expr>, Box<Expr>),
    /// `Fn::Equals [a, b]` (conditions only).
    Equals(Box<Expr>, Box<Expr>),
    /// `Fn::And [..]` (conditions only, 2–10 operands).
    And(Vec<Expr>),
    /// `Fn::Or [..]` (conditions only, 2–10 operands).
    Or(Vec<Expr>),
    /// `Fn::Not [cond]` (conditions only).
    Not(Box<Expr>),
    /// `{"Condition": name}`: a reference to a named condition inside a condition expression.
    Condition(String),
    /// `Fn::FindInMap [map, top-level key, second-level key]`.
    FindInMap(String, Box<Expr>, Box<Expr>),
    /// `Fn::ImportValue name` (same Region only).
    ImportValue(Box<Expr>),
    /// `Fn::Base64 value`.
    Base64(Box<Expr>),
    /// `Fn::Cidr [ipBlock, count, cidrBits]`.
    Cidr(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A reference that belongs to the named stack (every `Ref`/`Fn::GetAtt` a stack hands out
    /// is wrapped so). In its own stack it renders as the inner expression; in another stack of
    /// the app, as the consuming side of a cross-stack reference (see [`super::xref`]).
    Stack(Arc<str>, Box<Expr>),
}

impl Expr {
    /// A string literal.
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::Lit(Value::String(s.into()))
    }

    /// `Ref` to a logical id (resource or parameter).
    pub fn reference(logical_id: impl Into<String>) -> Expr {
        Expr::Ref(logical_id.into())
    }

    /// `Fn::GetAtt`.
    pub fn get_att(logical_id: impl Into<String>, attribute: impl Into<String>) -> Expr {
        Expr::GetAtt(logical_id.into(), attribute.into())
    }

    /// `Fn::Sub` without variables.
    pub fn sub(template: impl Into<String>) -> Expr {
        Expr::Sub(template.into(), Vec::new())
    }

    /// `Fn::Sub` with variables.
    pub fn sub_with(template: impl Into<String>, vars: Vec<(String, Expr)>) -> Expr {
        Expr::Sub(template.into(), vars)
    }

    /// `Fn::Join`.
    pub fn join(delimiter: impl Into<String>, items: Vec<Expr>) -> Expr {
        Expr::Join(delimiter.into(), items)
    }

    /// `Fn::Select` with a literal index.
    pub fn select(index: u32, list: Expr) -> Expr {
        Expr::Select(Box::new(Expr::Lit(json!(index))), Box::new(list))
    }

    /// `Fn::Split`.
    pub fn split(delimiter: impl Into<String>, source: Expr) -> Expr {
        Expr::Split(delimiter.into(), Box::new(source))
    }

    /// `Fn::GetAZs ""` — the Availability Zones of the stack's Region.
    pub fn azs() -> Expr {
        Expr::GetAzs(Box::new(Expr::str("")))
    }

    /// `Fn::If`.
    pub fn if_(condition: impl Into<String>, then: Expr, otherwise: Expr) -> Expr {
        Expr::If(condition.into(), Box::new(then), Box::new(otherwise))
    }

    /// `Fn::Equals`.
    pub fn equals(a: Expr, b: Expr) -> Expr {
        Expr::Equals(Box::new(a), Box::new(b))
    }

    /// `Fn::Not`.
    #[allow(clippy::should_implement_trait)] // an intrinsic's name, not `std::ops::Not`
    pub fn not(e: Expr) -> Expr {
        Expr::Not(Box::new(e))
    }

    /// `Fn::FindInMap`.
    pub fn find_in_map(map: impl Into<String>, top: Expr, second: Expr) -> Expr {
        Expr::FindInMap(map.into(), Box::new(top), Box::new(second))
    }

    /// `Fn::ImportValue`.
    pub fn import_value(name: Expr) -> Expr {
        Expr::ImportValue(Box::new(name))
    }

    /// `Fn::Base64`.
    pub fn base64(e: Expr) -> Expr {
        Expr::Base64(Box::new(e))
    }

    /// `Fn::Cidr`.
    pub fn cidr(block: Expr, count: u32, bits: u32) -> Expr {
        Expr::Cidr(
            Box::new(block),
            Box::new(Expr::Lit(json!(count))),
            Box::new(Expr::Lit(json!(bits))),
        )
    }

    /// `Ref: AWS::NoValue`.
    pub fn no_value() -> Expr {
        Expr::Pseudo(Pseudo::NoValue)
    }

    /// The CloudFormation JSON of this expression.
    pub fn to_value(&self) -> Value {
        fn one(key: &str, v: Value) -> Value {
            let mut m = Map::with_capacity(1);
            m.insert(key.to_owned(), v);
            Value::Object(m)
        }
        match self {
            Expr::Lit(v) => v.clone(),
            Expr::List(items) => Value::Array(items.iter().map(Expr::to_value).collect()),
            Expr::Ref(id) => one("Ref", Value::String(id.clone())),
            Expr::Pseudo(p) => one("Ref", Value::String(p.name().to_owned())),
            Expr::GetAtt(id, attr) => one("Fn::GetAtt", json!([id, attr])),
            Expr::Sub(s, vars) if vars.is_empty() => one("Fn::Sub", Value::String(s.clone())),
            Expr::Sub(s, vars) => {
                let mut m = Map::new();
                for (k, v) in vars {
                    m.insert(k.clone(), v.to_value());
                }
                one("Fn::Sub", json!([s, Value::Object(m)]))
            }
            Expr::Join(d, items) => one(
                "Fn::Join",
                json!([d, Value::Array(items.iter().map(Expr::to_value).collect())]),
            ),
            Expr::Select(i, l) => one("Fn::Select", json!([i.to_value(), l.to_value()])),
            Expr::Split(d, s) => one("Fn::Split", json!([d, s.to_value()])),
            Expr::GetAzs(r) => one("Fn::GetAZs", r.to_value()),
            Expr::If(c, a, b) => one("Fn::If", json!([c, a.to_value(), b.to_value()])),
            Expr::Equals(a, b) => one("Fn::Equals", json!([a.to_value(), b.to_value()])),
            Expr::And(items) => one(
                "Fn::And",
                Value::Array(items.iter().map(Expr::to_value).collect()),
            ),
            Expr::Or(items) => one(
                "Fn::Or",
                Value::Array(items.iter().map(Expr::to_value).collect()),
            ),
            Expr::Not(e) => one("Fn::Not", json!([e.to_value()])),
            Expr::Condition(c) => one("Condition", Value::String(c.clone())),
            Expr::FindInMap(m, a, b) => {
                one("Fn::FindInMap", json!([m, a.to_value(), b.to_value()]))
            }
            Expr::ImportValue(e) => one("Fn::ImportValue", e.to_value()),
            Expr::Base64(e) => one("Fn::Base64", e.to_value()),
            Expr::Cidr(a, b, c) => one(
                "Fn::Cidr",
                json!([a.to_value(), b.to_value(), c.to_value()]),
            ),
            Expr::Stack(stack, e) => super::xref::resolve(stack, e).unwrap_or_else(|| e.to_value()),
        }
    }

    /// The expression without the stack wrapper of [`Expr::Stack`] (itself otherwise).
    pub fn local(&self) -> &Expr {
        match self {
            Expr::Stack(_, e) => e.local(),
            other => other,
        }
    }

    /// The stack a wrapped reference belongs to.
    pub fn stack(&self) -> Option<&str> {
        match self {
            Expr::Stack(s, _) => Some(s),
            _ => None,
        }
    }

    /// Logical ids this expression references through `Ref` and `Fn::GetAtt`, and names used
    /// inside `Fn::Sub` strings (`${Name}` / `${Name.Attr}`), in order of appearance.
    pub fn referenced_ids(&self, out: &mut Vec<String>) {
        match self {
            Expr::Lit(_) | Expr::Pseudo(_) | Expr::Condition(_) => {}
            Expr::List(items) | Expr::Join(_, items) | Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|e| e.referenced_ids(out))
            }
            Expr::Ref(id) | Expr::GetAtt(id, _) => out.push(id.clone()),
            Expr::Sub(s, vars) => {
                for name in sub_variables(s) {
                    let base = name.split('.').next().unwrap_or(&name).to_owned();
                    if !base.starts_with("AWS::") && !vars.iter().any(|(k, _)| *k == name) {
                        out.push(base);
                    }
                }
                vars.iter().for_each(|(_, e)| e.referenced_ids(out));
            }
            Expr::Select(a, b) | Expr::Equals(a, b) => {
                a.referenced_ids(out);
                b.referenced_ids(out);
            }
            Expr::Split(_, e)
            | Expr::GetAzs(e)
            | Expr::Not(e)
            | Expr::ImportValue(e)
            | Expr::Base64(e)
            | Expr::Stack(_, e) => e.referenced_ids(out),
            Expr::If(_, a, b) | Expr::FindInMap(_, a, b) => {
                a.referenced_ids(out);
                b.referenced_ids(out);
            }
            Expr::Cidr(a, b, c) => {
                a.referenced_ids(out);
                b.referenced_ids(out);
                c.referenced_ids(out);
            }
        }
    }
}

/// The `${Name}` variables of an `Fn::Sub` template string (`${!Literal}` excluded).
pub fn sub_variables(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.starts_with('!') && !name.is_empty() {
                    out.push(name.trim().to_owned());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expr::Lit(v) => v.serialize(s),
            other => other.to_value().serialize(s),
        }
    }
}

impl From<&str> for Expr {
    fn from(s: &str) -> Expr {
        Expr::str(s)
    }
}

impl From<String> for Expr {
    fn from(s: String) -> Expr {
        Expr::Lit(Value::String(s))
    }
}

impl From<Pseudo> for Expr {
    fn from(p: Pseudo) -> Expr {
        Expr::Pseudo(p)
    }
}

impl<K> From<Attr<K>> for Expr {
    fn from(a: Attr<K>) -> Expr {
        a.expr
    }
}

impl<K> From<&Attr<K>> for Expr {
    fn from(a: &Attr<K>) -> Expr {
        a.expr.clone()
    }
}

/// A typed attribute: an expression whose marker type `K` says what it denotes
/// (for example `Attr<l1::ecr::repository::attr::Arn>`).
pub struct Attr<K> {
    expr: Expr,
    kind: PhantomData<fn() -> K>,
}

impl<K> Attr<K> {
    /// Wraps an expression. The generated L1 accessors are the normal way to get one.
    pub fn new(expr: Expr) -> Attr<K> {
        Attr {
            expr,
            kind: PhantomData,
        }
    }

    /// The underlying expression.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Turns the attribute into a plain expression.
    pub fn into_expr(self) -> Expr {
        self.expr
    }

    /// Reinterprets the marker. Use it where one attribute truly denotes another kind, for example
    /// a parameter that carries an ARN created elsewhere.
    pub fn cast<L>(self) -> Attr<L> {
        Attr::new(self.expr)
    }
}

impl<K> Clone for Attr<K> {
    fn clone(&self) -> Self {
        Attr::new(self.expr.clone())
    }
}

impl<K> std::fmt::Debug for Attr<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Attr<{}>({:?})", std::any::type_name::<K>(), self.expr)
    }
}

impl<K> PartialEq for Attr<K> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl<K> Serialize for Attr<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.expr.serialize(s)
    }
}

/// A value that is either a literal `T` or any expression. Every field of the generated L1
/// structs is a `Val`, so each place that CloudFormation accepts an intrinsic can take one.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<T> {
    /// A literal.
    Lit(T),
    /// A reference or intrinsic function.
    Expr(Expr),
}

impl<T> Val<T> {
    /// The literal, if this is one.
    pub fn as_lit(&self) -> Option<&T> {
        match self {
            Val::Lit(t) => Some(t),
            Val::Expr(_) => None,
        }
    }

    /// Mutable access to the literal, if this is one.
    pub fn as_lit_mut(&mut self) -> Option<&mut T> {
        match self {
            Val::Lit(t) => Some(t),
            Val::Expr(_) => None,
        }
    }
}

impl<T: Serialize> Serialize for Val<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Val::Lit(t) => t.serialize(s),
            Val::Expr(e) => e.serialize(s),
        }
    }
}

impl<T> From<Expr> for Val<T> {
    fn from(e: Expr) -> Val<T> {
        Val::Expr(e)
    }
}

impl<T> From<Pseudo> for Val<T> {
    fn from(p: Pseudo) -> Val<T> {
        Val::Expr(Expr::Pseudo(p))
    }
}

impl<K, T> From<Attr<K>> for Val<T> {
    fn from(a: Attr<K>) -> Val<T> {
        Val::Expr(a.expr)
    }
}

impl<K, T> From<&Attr<K>> for Val<T> {
    fn from(a: &Attr<K>) -> Val<T> {
        Val::Expr(a.expr.clone())
    }
}

impl From<&str> for Val<String> {
    fn from(s: &str) -> Val<String> {
        Val::Lit(s.to_owned())
    }
}

impl From<&String> for Val<String> {
    fn from(s: &String) -> Val<String> {
        Val::Lit(s.clone())
    }
}

impl From<String> for Val<String> {
    fn from(s: String) -> Val<String> {
        Val::Lit(s)
    }
}

impl From<bool> for Val<bool> {
    fn from(b: bool) -> Val<bool> {
        Val::Lit(b)
    }
}

macro_rules! int_into_val {
    ($($t:ty),*) => {$(
        impl From<$t> for Val<i64> {
            fn from(n: $t) -> Val<i64> {
                Val::Lit(i64::from(n))
            }
        }
    )*};
}
int_into_val!(i64, i32, u32, u16, u8);

impl From<f64> for Val<f64> {
    fn from(n: f64) -> Val<f64> {
        Val::Lit(n)
    }
}

impl From<i64> for Val<f64> {
    fn from(n: i64) -> Val<f64> {
        Val::Lit(n as f64)
    }
}

impl From<Value> for Val<Value> {
    fn from(v: Value) -> Val<Value> {
        Val::Lit(v)
    }
}

impl<T> From<Vec<Val<T>>> for Val<Vec<Val<T>>> {
    fn from(v: Vec<Val<T>>) -> Self {
        Val::Lit(v)
    }
}

impl From<Vec<&str>> for Val<Vec<Val<String>>> {
    fn from(v: Vec<&str>) -> Self {
        Val::Lit(v.into_iter().map(Val::from).collect())
    }
}

impl From<Vec<String>> for Val<Vec<Val<String>>> {
    fn from(v: Vec<String>) -> Self {
        Val::Lit(v.into_iter().map(Val::from).collect())
    }
}

impl<T> From<std::collections::BTreeMap<String, Val<T>>>
    for Val<std::collections::BTreeMap<String, Val<T>>>
{
    fn from(m: std::collections::BTreeMap<String, Val<T>>) -> Self {
        Val::Lit(m)
    }
}

/// A list value from items that each convert to `Val<T>`.
pub fn list<T, I, V>(items: I) -> Val<Vec<Val<T>>>
where
    I: IntoIterator<Item = V>,
    V: Into<Val<T>>,
{
    Val::Lit(items.into_iter().map(Into::into).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsics_render_in_long_form() {
        assert_eq!(Expr::reference("Vpc").to_value(), json!({"Ref": "Vpc"}));
        assert_eq!(
            Expr::get_att("Alb", "DNSName").to_value(),
            json!({"Fn::GetAtt": ["Alb", "DNSName"]})
        );
        assert_eq!(
            Expr::sub("arn:${AWS::Partition}:s3:::x").to_value(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::x"})
        );
        assert_eq!(
            Expr::sub_with("${A}-x", vec![("A".into(), Expr::reference("P"))]).to_value(),
            json!({"Fn::Sub": ["${A}-x", {"A": {"Ref": "P"}}]})
        );
        assert_eq!(
            Expr::select(1, Expr::azs()).to_value(),
            json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(
            Expr::join(",", vec!["a".into(), Expr::Pseudo(Pseudo::Region)]).to_value(),
            json!({"Fn::Join": [",", ["a", {"Ref": "AWS::Region"}]]})
        );
        assert_eq!(
            Expr::split(",", Expr::reference("P")).to_value(),
            json!({"Fn::Split": [",", {"Ref": "P"}]})
        );
        assert_eq!(
            Expr::if_("C", "a".into(), Expr::no_value()).to_value(),
            json!({"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            Expr::not(Expr::equals(Expr::reference("P"), "".into())).to_value(),
            json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "P"}, ""]}]})
        );
        assert_eq!(
            Expr::And(vec![
                Expr::Condition("A".into()),
                Expr::Condition("B".into())
            ])
            .to_value(),
            json!({"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]})
        );
        assert_eq!(
            Expr::Or(vec![
                Expr::Condition("A".into()),
                Expr::Condition("B".into())
            ])
            .to_value(),
            json!({"Fn::Or": [{"Condition": "A"}, {"Condition": "B"}]})
        );
        assert_eq!(
            Expr::find_in_map("M", Expr::Pseudo(Pseudo::Region), "Id".into()).to_value(),
            json!({"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Id"]})
        );
        assert_eq!(
            Expr::import_value("x".into()).to_value(),
            json!({"Fn::ImportValue": "x"})
        );
        assert_eq!(
            Expr::base64("x".into()).to_value(),
            json!({"Fn::Base64": "x"})
        );
        assert_eq!(
            Expr::cidr(Expr::get_att("Vpc", "CidrBlock"), 6, 8).to_value(),
            json!({"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 6, 8]})
        );
        for p in [
            Pseudo::AccountId,
            Pseudo::NotificationArns,
            Pseudo::NoValue,
            Pseudo::Partition,
            Pseudo::Region,
            Pseudo::StackId,
            Pseudo::StackName,
            Pseudo::UrlSuffix,
        ] {
            assert_eq!(Pseudo::parse(p.name()), Some(p));
        }
    }

    #[test]
    fn referenced_ids_include_sub_variables() {
        let mut out = Vec::new();
        Expr::sub_with(
            "${Bucket.Arn}/${AWS::Region}/${Local}/${!Literal}",
            vec![("Local".into(), Expr::reference("Param"))],
        )
        .referenced_ids(&mut out);
        assert_eq!(out, vec!["Bucket".to_owned(), "Param".to_owned()]);
    }

    #[test]
    fn val_serializes_literal_or_expression() {
        let a: Val<i64> = 443.into();
        let b: Val<i64> = Expr::reference("Port").into();
        assert_eq!(serde_json::to_value(&a).unwrap(), json!(443));
        assert_eq!(serde_json::to_value(&b).unwrap(), json!({"Ref": "Port"}));
        let l: Val<Vec<Val<String>>> = list(["a", "b"]);
        assert_eq!(serde_json::to_value(&l).unwrap(), json!(["a", "b"]));
    }
}
