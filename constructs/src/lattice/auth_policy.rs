//! [`AuthPolicy`]: who may invoke a Lattice service network or service, as a typed document.

use serde_json::{Map, Value, json};

use crate::core::{Error, Scope, Val};
use crate::l1::lattice::auth_policy as l1;

use super::service::ServiceHandle;
use super::service_network::{LatticeAuth, ServiceNetworkHandle};

/// What an [`AuthPolicy`] is attached to.
#[derive(Debug, Clone, Copy)]
pub enum AuthTarget<'a> {
    /// A service network.
    Network(&'a ServiceNetworkHandle),
    /// A service.
    Service(&'a ServiceHandle),
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Effect {
    /// Allow. The default.
    #[default]
    Allow,
    /// Deny (wins over any Allow).
    Deny,
}

/// Who a statement is about.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthPrincipal {
    /// `"*"`: every caller; narrow it with a condition.
    Any,
    /// AWS account ids (12 digits) or IAM principal ARNs.
    Aws(Vec<Val<String>>),
}

/// A condition on a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthCondition {
    /// `StringEquals aws:PrincipalOrgID` (an `o-…` organization id).
    PrincipalOrgId(String),
    /// `StringEquals vpc-lattice-svcs:SourceVpc`.
    SourceVpc(Val<String>),
    /// `StringNotEqualsIgnoreCase aws:PrincipalType anonymous`: the caller signed its request.
    Authenticated,
}

/// One statement: `effect` for `principal` on action `vpc-lattice-svcs:Invoke`, resource `*`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthStatement {
    /// Default: Allow.
    pub effect: Effect,
    /// Who.
    pub principal: AuthPrincipal,
    /// All must hold. Default: none.
    pub conditions: Vec<AuthCondition>,
}

/// An auth policy document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthPolicyDocument {
    /// At least one.
    pub statements: Vec<AuthStatement>,
}

impl AuthPolicyDocument {
    /// Allow every authenticated (SigV4-signing) caller of the given organization.
    pub fn allow_org(org_id: &str) -> AuthPolicyDocument {
        AuthPolicyDocument {
            statements: vec![AuthStatement {
                effect: Effect::Allow,
                principal: AuthPrincipal::Any,
                conditions: vec![
                    AuthCondition::Authenticated,
                    AuthCondition::PrincipalOrgId(org_id.to_owned()),
                ],
            }],
        }
    }

    fn to_value(&self) -> Value {
        let val = |v: &Val<String>| match v {
            Val::Lit(s) => json!(s),
            Val::Expr(e) => e.to_value(),
        };
        let statements: Vec<Value> = self
            .statements
            .iter()
            .map(|st| {
                let mut m = Map::new();
                m.insert(
                    "Effect".into(),
                    json!(if st.effect == Effect::Allow {
                        "Allow"
                    } else {
                        "Deny"
                    }),
                );
                m.insert(
                    "Principal".into(),
                    match &st.principal {
                        AuthPrincipal::Any => json!("*"),
                        AuthPrincipal::Aws(p) => {
                            json!({"AWS": p.iter().map(val).collect::<Vec<_>>()})
                        }
                    },
                );
                m.insert("Action".into(), json!("vpc-lattice-svcs:Invoke"));
                m.insert("Resource".into(), json!("*"));
                if !st.conditions.is_empty() {
                    let mut c: Map<String, Value> = Map::new();
                    for cond in &st.conditions {
                        let (op, key, v) = match cond {
                            AuthCondition::PrincipalOrgId(o) => {
                                ("StringEquals", "aws:PrincipalOrgID", json!(o))
                            }
                            AuthCondition::SourceVpc(v) => {
                                ("StringEquals", "vpc-lattice-svcs:SourceVpc", val(v))
                            }
                            AuthCondition::Authenticated => (
                                "StringNotEqualsIgnoreCase",
                                "aws:PrincipalType",
                                json!("anonymous"),
                            ),
                        };
                        c.entry(op.to_owned())
                            .or_insert_with(|| json!({}))
                            .as_object_mut()
                            .map(|o| o.insert(key.to_owned(), v));
                    }
                    m.insert("Condition".into(), Value::Object(c));
                }
                Value::Object(m)
            })
            .collect();
        json!({"Version": "2012-10-17", "Statement": statements})
    }
}

/// What [`AuthPolicy::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthPolicyHandle {
    /// Logical id.
    pub logical_id: String,
}

/// An auth policy on a service network or service with `AWS_IAM` auth.
///
/// CloudFormation: [`AWS::VpcLattice::AuthPolicy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-vpclattice-authpolicy.html).
pub struct AuthPolicy;

impl AuthPolicy {
    /// Adds the policy as `scope/id` on `target`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        target: AuthTarget<'_>,
        document: &AuthPolicyDocument,
    ) -> Result<AuthPolicyHandle, Error> {
        let mut s = scope.child(id)?;
        let (auth, ident): (LatticeAuth, Val<String>) = match target {
            AuthTarget::Network(n) => (n.auth, (&n.id).into()),
            AuthTarget::Service(sv) => (sv.auth, (&sv.id).into()),
        };
        if auth != LatticeAuth::AwsIam {
            return Err(s.error(
                "an auth policy needs a target with AWS_IAM auth; this one has auth type NONE",
            ));
        }
        if document.statements.is_empty() {
            return Err(s.error("an auth policy needs at least one statement"));
        }
        for st in &document.statements {
            if let AuthPrincipal::Aws(p) = &st.principal
                && p.is_empty()
            {
                return Err(s.error("an AWS principal list must name at least one account or ARN"));
            }
        }
        let r = s.add(
            "Resource",
            l1::AuthPolicy::new(Val::Lit(document.to_value()), ident),
        )?;
        Ok(AuthPolicyHandle {
            logical_id: r.logical_id().to_owned(),
        })
    }
}
