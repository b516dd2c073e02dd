//! [`AuthPolicy`]: who may invoke a Lattice service network or service, as a typed document.

use serde_json::Value;

use crate::core::{Error, Expr, Scope, Val};
use crate::iam::{ConditionOperator, PolicyDocument, Principal, Statement};
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

/// `Allow` or `Deny` (the IAM policy language's).
pub use crate::iam::Effect;

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

    /// The document, built with the typed IAM policy language (action
    /// `vpc-lattice-svcs:Invoke` on resource `*` in every statement).
    fn to_value(&self) -> Value {
        let expr = |v: &Val<String>| match v {
            Val::Lit(s) => Expr::str(s.clone()),
            Val::Expr(e) => e.clone(),
        };
        let statements = self
            .statements
            .iter()
            .map(|st| {
                let actions = ["vpc-lattice-svcs:Invoke"];
                let mut out = match st.effect {
                    Effect::Allow => Statement::allow(actions, vec![Expr::str("*")]),
                    Effect::Deny => Statement::deny(actions, vec![Expr::str("*")]),
                };
                out = match &st.principal {
                    AuthPrincipal::Any => out.with_principal(Principal::Any),
                    AuthPrincipal::Aws(ps) => ps
                        .iter()
                        .fold(out, |o, p| o.with_principal(Principal::Aws(expr(p)))),
                };
                for c in &st.conditions {
                    out = match c {
                        AuthCondition::PrincipalOrgId(o) => out.with_condition(
                            ConditionOperator::StringEquals,
                            "aws:PrincipalOrgID",
                            Expr::str(o.clone()),
                        ),
                        AuthCondition::SourceVpc(v) => out.with_condition(
                            ConditionOperator::StringEquals,
                            "vpc-lattice-svcs:SourceVpc",
                            expr(v),
                        ),
                        AuthCondition::Authenticated => out.with_condition(
                            ConditionOperator::StringNotEqualsIgnoreCase,
                            "aws:PrincipalType",
                            Expr::str("anonymous"),
                        ),
                    };
                }
                out
            })
            .collect();
        PolicyDocument::new(statements).to_value()
    }
}

/// What [`AuthPolicy::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthPolicyHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::AuthPolicy>,
}

crate::l1_handle!(AuthPolicyHandle, l1::AuthPolicy);

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
            resource: r.clone(),
        })
    }
}
