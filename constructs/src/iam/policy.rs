//! [`Policy`]: an inline policy (`AWS::IAM::Policy`) attached to roles.

use crate::core::{Attr, Error, Scope, Val, list};
use crate::l1::iam::policy as l1;

use super::policy_document::{DocumentKind, PolicyDocument};
use super::role::RoleHandle;

/// Optional settings of a [`Policy`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyProps {
    /// The policy name (unique per role, ≤128). Default: the construct's logical id.
    pub policy_name: Option<String>,
}

/// What [`Policy::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Policy>,
    /// `Fn::GetAtt Id`.
    pub id: Attr<l1::attr::Id>,
}

crate::l1_handle!(PolicyHandle, l1::Policy);

/// An inline IAM policy attached to one or more roles, as its own resource so that a
/// relationship (this role may do X) never rewrites the role.
///
/// CloudFormation: [`AWS::IAM::Policy`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html).
///
/// ```
/// use formwork_constructs::core::{Env, Expr, Stack};
/// use formwork_constructs::iam::{Policy, PolicyDocument, PolicyProps, Principal, Role, RoleProps, Statement};
/// let mut stack = Stack::new("Iam", Env::region("eu-west-1")).unwrap();
/// let mut root = stack.root();
/// let role = Role::new(&mut root, "App", Principal::PodIdentity, RoleProps::default()).unwrap();
/// let doc = PolicyDocument::new(vec![Statement::allow(["s3:GetObject"], vec![Expr::str("arn:aws:s3:::b/*")])]);
/// Policy::new(&mut root, "AppPolicy", doc, &[&role], PolicyProps::default()).unwrap();
/// ```
pub struct Policy;

impl Policy {
    /// Adds the policy as `scope/id`, attached to `roles`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        document: PolicyDocument,
        roles: &[&RoleHandle],
        props: PolicyProps,
    ) -> Result<PolicyHandle, Error> {
        let mut s = scope.child(id)?;
        if roles.is_empty() {
            return Err(s.error("a policy must be attached to at least one role"));
        }
        document
            .check(DocumentKind::Identity)
            .map_err(|m| s.error(m))?;
        let name = props
            .policy_name
            .clone()
            .unwrap_or_else(|| s.logical_id_for("Resource"));
        if name.is_empty() || name.len() > 128 {
            return Err(s.error(format!("policy name `{name}` must be 1–128 characters")));
        }
        let p = s.add(
            "Resource",
            l1::Policy {
                roles: Some(list(roles.iter().map(|r| Val::<String>::from(&r.name)))),
                ..l1::Policy::new(document.to_value(), name)
            },
        )?;
        Ok(PolicyHandle {
            resource: p.clone(),
            id: p.attr_id(),
        })
    }
}
