//! [`Role`]: an IAM role with a typed trust policy, managed and inline policies.

use crate::core::{Attr, Error, Expr, Scope, Val};
use crate::l1::iam::role as l1;

use super::managed_policy::AwsManagedPolicy;
use super::policy_document::{Condition, DocumentKind, PolicyDocument, Principal, Statement};

/// Optional settings of a [`Role`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleProps {
    /// Shown in the console. Default: none.
    pub description: Option<String>,
    /// Role name (≤64 characters; needs `CAPABILITY_NAMED_IAM`). Default: generated.
    pub role_name: Option<String>,
    /// AWS managed policies to attach. Default: none.
    pub managed_policies: Vec<AwsManagedPolicy>,
    /// Other managed policy ARNs (customer managed). Default: none.
    pub managed_policy_arns: Vec<Expr>,
    /// Inline policies `(name, document)`, rendered in `Policies`. Default: none.
    pub inline_policies: Vec<(String, PolicyDocument)>,
    /// Also allow `sts:TagSession` for the trusted principal (the EKS Auto Mode cluster role
    /// needs it). Pod Identity trust always has it. Default: false.
    pub tag_session: bool,
    /// Maximum session duration, 3600–43200 seconds. Default: unset (one hour).
    pub max_session_duration_seconds: Option<u32>,
    /// Permissions boundary policy ARN. Default: none.
    pub permissions_boundary: Option<Expr>,
    /// Conditions on the trust statement, e.g. `aws:SourceAccount` so that a service assumes
    /// the role only on behalf of this account (the confused-deputy guard). Default: none.
    pub trust_conditions: Vec<Condition>,
}

/// Marker for an IAM role ARN.
pub enum RoleArn {}
/// Marker for an IAM role name (`Ref` of a role).
pub enum RoleName {}

/// What [`Role::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Role>,
    /// `Ref`: the role name (what `AWS::IAM::Policy.Roles` takes).
    pub name: Attr<RoleName>,
    /// `Fn::GetAtt Arn`.
    pub arn: Attr<RoleArn>,
}

crate::l1_handle!(RoleHandle, l1::Role);

/// An IAM role assumed by one trusted principal.
///
/// CloudFormation: [`AWS::IAM::Role`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html).
///
/// ```
/// use formwork_constructs::core::{Env, Stack};
/// use formwork_constructs::iam::{AwsManagedPolicy, Principal, Role, RoleProps};
/// let mut stack = Stack::new("Iam", Env::region("eu-west-1")).unwrap();
/// let props = RoleProps { managed_policies: vec![AwsManagedPolicy::AmazonEKSClusterPolicy], ..RoleProps::default() };
/// let role = Role::new(&mut stack.root(), "ClusterRole", Principal::Service("eks.amazonaws.com"), props).unwrap();
/// assert_eq!(role.logical_id(), "ClusterRole");
/// ```
pub struct Role;

impl Role {
    /// Adds the role as `scope/id`, trusted by `trusted`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        trusted: Principal,
        props: RoleProps,
    ) -> Result<RoleHandle, Error> {
        let mut s = scope.child(id)?;
        if trusted == Principal::Any {
            return Err(
                s.error("a role cannot trust every principal (`*`); name a service or an account")
            );
        }
        if let Some(n) = &props.role_name
            && (n.is_empty()
                || n.len() > 64
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)))
        {
            return Err(s.error(format!(
                "role name `{n}` must be 1–64 characters of letters, digits and +=,.@_-"
            )));
        }
        if let Some(d) = props.max_session_duration_seconds
            && !(3600..=43200).contains(&d)
        {
            return Err(s.error(format!(
                "max_session_duration_seconds is {d}; use 3600–43200"
            )));
        }
        let mut names = std::collections::BTreeSet::new();
        for (name, doc) in &props.inline_policies {
            if name.is_empty() || name.len() > 128 || !names.insert(name.clone()) {
                return Err(s.error(format!(
                    "inline policy name `{name}` must be 1–128 characters and unique"
                )));
            }
            doc.check(DocumentKind::Identity)
                .map_err(|m| s.error(format!("inline policy `{name}`: {m}")))?;
        }
        let mut actions = vec!["sts:AssumeRole"];
        if props.tag_session || trusted == Principal::PodIdentity {
            actions.push("sts:TagSession");
        }
        let trust = PolicyDocument::new(vec![Statement {
            principals: vec![trusted],
            actions: actions.into_iter().map(str::to_owned).collect(),
            conditions: props.trust_conditions.clone(),
            ..Statement::default()
        }]);
        let mut managed: Vec<Val<String>> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for p in &props.managed_policies {
            if seen.insert(*p) {
                managed.push(p.arn().into());
            }
        }
        managed.extend(props.managed_policy_arns.iter().cloned().map(Val::from));
        let policies: Vec<Val<l1::Policy>> = props
            .inline_policies
            .iter()
            .map(|(n, d)| l1::Policy::new(d.to_value(), n.as_str()).into())
            .collect();
        let role = s.add(
            "Resource",
            l1::Role {
                description: props.description.clone().map(Val::from),
                role_name: props.role_name.clone().map(Val::from),
                managed_policy_arns: if managed.is_empty() {
                    None
                } else {
                    Some(Val::Lit(managed))
                },
                policies: if policies.is_empty() {
                    None
                } else {
                    Some(Val::Lit(policies))
                },
                max_session_duration: props.max_session_duration_seconds.map(Val::from),
                permissions_boundary: props.permissions_boundary.clone().map(Val::from),
                ..l1::Role::new(trust.to_value())
            },
        )?;
        Ok(RoleHandle {
            resource: role.clone(),
            name: role.ref_().cast(),
            arn: role.attr_arn().cast(),
        })
    }
}
