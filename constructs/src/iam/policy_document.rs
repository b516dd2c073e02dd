//! Typed IAM policy documents: [`PolicyDocument`], [`Statement`], [`Principal`], [`Condition`].
//!
//! Documents render to the JSON that CloudFormation embeds in `AWS::IAM::Role`,
//! `AWS::IAM::Policy`, `AWS::KMS::Key` and `AWS::S3::BucketPolicy`; ARNs and other dynamic parts
//! are [`Expr`]s, so intrinsic functions stay typed up to the last step.

use serde_json::{Map, Value, json};

use crate::core::{Expr, Pseudo};

/// The policy language version every document uses.
pub const POLICY_VERSION: &str = "2012-10-17";

/// `Effect` of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Effect {
    /// `Allow`. The default.
    #[default]
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The exact policy-language string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a resource policy or a trust policy applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// An AWS service principal such as `eks.amazonaws.com` (`Principal: {Service: …}`).
    Service(&'static str),
    /// A service principal computed at deploy time, e.g. `logs.${AWS::Region}.amazonaws.com`.
    ServiceExpr(Expr),
    /// EKS Pod Identity: the `pods.eks.amazonaws.com` service principal. In a trust policy it
    /// gets both `sts:AssumeRole` and `sts:TagSession`.
    PodIdentity,
    /// The account this stack deploys into: `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`.
    AccountRoot,
    /// An IAM principal ARN (role, user or account root).
    Aws(Expr),
    /// Everyone (`Principal: "*"`); only sensible in `Deny` statements.
    Any,
}

impl Principal {
    /// The service principal of EKS Pod Identity.
    pub const POD_IDENTITY_SERVICE: &'static str = "pods.eks.amazonaws.com";

    fn key_and_value(&self) -> (&'static str, Value) {
        match self {
            Principal::Service(s) => ("Service", json!(s)),
            Principal::ServiceExpr(e) => ("Service", e.to_value()),
            Principal::PodIdentity => ("Service", json!(Principal::POD_IDENTITY_SERVICE)),
            Principal::AccountRoot => (
                "AWS",
                Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root").to_value(),
            ),
            Principal::Aws(e) => ("AWS", e.to_value()),
            Principal::Any => ("*", json!("*")),
        }
    }
}

/// A condition operator of the IAM policy language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConditionOperator {
    /// `StringEquals`
    StringEquals,
    /// `StringNotEquals`
    StringNotEquals,
    /// `StringLike`
    StringLike,
    /// `ArnLike`
    ArnLike,
    /// `ArnEquals`
    ArnEquals,
    /// `Bool`
    Bool,
    /// `Null`
    Null,
    /// `ForAnyValue:StringEquals`
    ForAnyValueStringEquals,
    /// `StringNotEqualsIgnoreCase`
    StringNotEqualsIgnoreCase,
}

impl ConditionOperator {
    /// The exact policy-language string.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConditionOperator::StringEquals => "StringEquals",
            ConditionOperator::StringNotEquals => "StringNotEquals",
            ConditionOperator::StringLike => "StringLike",
            ConditionOperator::ArnLike => "ArnLike",
            ConditionOperator::ArnEquals => "ArnEquals",
            ConditionOperator::Bool => "Bool",
            ConditionOperator::Null => "Null",
            ConditionOperator::ForAnyValueStringEquals => "ForAnyValue:StringEquals",
            ConditionOperator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
        }
    }
}

/// One condition: `operator: {key: value(s)}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: ConditionOperator,
    /// The condition key, e.g. `aws:SecureTransport` or `kms:EncryptionContext:aws:logs:arn`.
    pub key: String,
    /// One or more values (one renders as a scalar).
    pub values: Vec<Expr>,
}

impl Condition {
    /// A condition with one value.
    pub fn new(
        operator: ConditionOperator,
        key: impl Into<String>,
        value: impl Into<Expr>,
    ) -> Condition {
        Condition {
            operator,
            key: key.into(),
            values: vec![value.into()],
        }
    }
}

/// One statement of a [`PolicyDocument`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statement {
    /// Statement id. Default: none.
    pub sid: Option<String>,
    /// Default: [`Effect::Allow`].
    pub effect: Effect,
    /// Principals (resource and trust policies only; identity policies have none).
    pub principals: Vec<Principal>,
    /// Actions such as `s3:PutObject` (wildcards allowed).
    pub actions: Vec<String>,
    /// Resources (`*`, ARNs or ARN expressions). Trust policies have none.
    pub resources: Vec<Expr>,
    /// Conditions, grouped by operator when rendered.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// An `Allow` statement for `actions` on `resources`.
    pub fn allow<A: Into<String>>(
        actions: impl IntoIterator<Item = A>,
        resources: Vec<Expr>,
    ) -> Statement {
        Statement {
            actions: actions.into_iter().map(Into::into).collect(),
            resources,
            ..Statement::default()
        }
    }

    /// A `Deny` statement for `actions` on `resources`.
    pub fn deny<A: Into<String>>(
        actions: impl IntoIterator<Item = A>,
        resources: Vec<Expr>,
    ) -> Statement {
        Statement {
            effect: Effect::Deny,
            ..Statement::allow(actions, resources)
        }
    }

    /// An `Allow` statement for `actions` on every resource (`*`).
    pub fn allow_all_resources<A: Into<String>>(actions: impl IntoIterator<Item = A>) -> Statement {
        Statement::allow(actions, vec![Expr::str("*")])
    }

    /// Sets the statement id.
    pub fn with_sid(mut self, sid: impl Into<String>) -> Statement {
        self.sid = Some(sid.into());
        self
    }

    /// Adds a principal.
    pub fn with_principal(mut self, p: Principal) -> Statement {
        self.principals.push(p);
        self
    }

    /// Adds a condition with one value.
    pub fn with_condition(
        mut self,
        operator: ConditionOperator,
        key: impl Into<String>,
        value: impl Into<Expr>,
    ) -> Statement {
        self.conditions.push(Condition::new(operator, key, value));
        self
    }

    /// Adds a condition with several values.
    pub fn with_condition_values(
        mut self,
        operator: ConditionOperator,
        key: impl Into<String>,
        values: Vec<Expr>,
    ) -> Statement {
        self.conditions.push(Condition {
            operator,
            key: key.into(),
            values,
        });
        self
    }

    /// The statement's JSON.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        if let Some(sid) = &self.sid {
            m.insert("Sid".into(), json!(sid));
        }
        m.insert("Effect".into(), json!(self.effect.as_str()));
        if !self.principals.is_empty() {
            if self.principals.contains(&Principal::Any) {
                m.insert("Principal".into(), json!("*"));
            } else {
                let mut p = Map::new();
                for pr in &self.principals {
                    let (k, v) = pr.key_and_value();
                    push_value(&mut p, k, v);
                }
                m.insert("Principal".into(), Value::Object(p));
            }
        }
        m.insert(
            "Action".into(),
            scalar_or_list(self.actions.iter().map(|a| json!(a)).collect()),
        );
        if !self.resources.is_empty() {
            m.insert(
                "Resource".into(),
                scalar_or_list(self.resources.iter().map(Expr::to_value).collect()),
            );
        }
        if !self.conditions.is_empty() {
            let mut ops = Map::new();
            let mut sorted: Vec<&Condition> = self.conditions.iter().collect();
            sorted.sort_by_key(|c| c.operator);
            for c in sorted {
                let entry = ops
                    .entry(c.operator.as_str().to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(o) = entry.as_object_mut() {
                    o.insert(
                        c.key.clone(),
                        scalar_or_list(c.values.iter().map(Expr::to_value).collect()),
                    );
                }
            }
            m.insert("Condition".into(), Value::Object(ops));
        }
        Value::Object(m)
    }
}

fn push_value(m: &mut Map<String, Value>, key: &str, v: Value) {
    match m.get_mut(key) {
        None => {
            m.insert(key.to_owned(), v);
        }
        Some(Value::Array(a)) => a.push(v),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, v]);
        }
    }
}

fn scalar_or_list(mut items: Vec<Value>) -> Value {
    if items.len() == 1 {
        items.remove(0)
    } else {
        Value::Array(items)
    }
}

/// What a document is used for; decides which statement parts are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// Attached to a role or user: no principals, resources required.
    Identity,
    /// Attached to a resource (bucket, key): principals and resources required.
    Resource,
    /// A role trust policy: principals required, no resources.
    Trust,
}

/// An IAM policy document (`Version: 2012-10-17`).
///
/// Used by `AWS::IAM::Role` ([docs](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html)),
/// `AWS::IAM::Policy` ([docs](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html)),
/// key policies and bucket policies.
///
/// ```
/// use formwork_constructs::core::Expr;
/// use formwork_constructs::iam::{PolicyDocument, Statement};
/// let doc = PolicyDocument::new(vec![Statement::allow(["s3:GetObject"], vec![Expr::str("*")])]);
/// assert_eq!(doc.to_value()["Statement"][0]["Action"], "s3:GetObject");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyDocument {
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// A document from statements.
    pub fn new(statements: Vec<Statement>) -> PolicyDocument {
        PolicyDocument { statements }
    }

    /// Appends a statement.
    pub fn push(&mut self, s: Statement) {
        self.statements.push(s);
    }

    /// The document's JSON (what CloudFormation embeds).
    pub fn to_value(&self) -> Value {
        json!({
            "Version": POLICY_VERSION,
            "Statement": self.statements.iter().map(Statement::to_value).collect::<Vec<_>>(),
        })
    }

    /// Checks the document for its use: at least one statement, every statement has actions,
    /// and principals/resources as the kind requires. Returns the problem as a message.
    pub fn check(&self, kind: DocumentKind) -> Result<(), String> {
        if self.statements.is_empty() {
            return Err("a policy document needs at least one statement".into());
        }
        let mut sids = std::collections::BTreeSet::new();
        for (i, s) in self.statements.iter().enumerate() {
            let name = s.sid.clone().unwrap_or_else(|| format!("#{i}"));
            if let Some(sid) = &s.sid
                && (!sids.insert(sid.clone())
                    || sid.is_empty()
                    || !sid.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return Err(format!(
                    "statement id `{sid}` must be unique and alphanumeric"
                ));
            }
            if s.actions.is_empty() || s.actions.iter().any(|a| a.is_empty()) {
                return Err(format!("statement {name} has no actions"));
            }
            match kind {
                DocumentKind::Identity if !s.principals.is_empty() => {
                    return Err(format!(
                        "statement {name}: identity policies take no principals"
                    ));
                }
                DocumentKind::Identity | DocumentKind::Resource if s.resources.is_empty() => {
                    return Err(format!("statement {name} has no resources"));
                }
                DocumentKind::Resource | DocumentKind::Trust if s.principals.is_empty() => {
                    return Err(format!("statement {name} has no principal"));
                }
                DocumentKind::Trust if !s.resources.is_empty() => {
                    return Err(format!(
                        "statement {name}: trust policies take no resources"
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// `arn:${AWS::Partition}:<service>:<region>:<account>:<resource>` as an `Fn::Sub` expression;
/// write `${AWS::Region}` / `${AWS::AccountId}` or `*` for region and account.
pub fn arn(service: &str, region: &str, account: &str, resource: &str) -> Expr {
    Expr::sub(format!(
        "arn:${{{}}}:{service}:{region}:{account}:{resource}",
        Pseudo::Partition.name()
    ))
}
