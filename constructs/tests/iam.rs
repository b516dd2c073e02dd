//! iam: role trust policies, managed policies, inline policies, Policy resources, invariants.

mod common;

use common::{assert_construct_error, snapshot, stack};
use formwork_constructs::core::Expr;
use formwork_constructs::iam::*;

#[test]
fn roles_and_policies() {
    let mut st = stack();
    let mut root = st.root();
    Role::new(
        &mut root,
        "Basic",
        Principal::Service("eks.amazonaws.com"),
        RoleProps::default(),
    )
    .unwrap();
    let pod = Role::new(
        &mut root,
        "Pod",
        Principal::PodIdentity,
        RoleProps {
            description: Some("app".into()),
            role_name: Some("app-role".into()),
            managed_policies: vec![
                AwsManagedPolicy::AmazonEBSCSIDriverPolicy,
                AwsManagedPolicy::AmazonEBSCSIDriverPolicy,
            ],
            managed_policy_arns: vec![Expr::sub(
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/extra",
            )],
            inline_policies: vec![(
                "read".into(),
                PolicyDocument::new(vec![Statement::allow_all_resources([
                    "s3:ListAllMyBuckets",
                ])]),
            )],
            max_session_duration_seconds: Some(7200),
            ..RoleProps::default()
        },
    )
    .unwrap();
    let auto = Role::new(
        &mut root,
        "AutoCluster",
        Principal::Service("eks.amazonaws.com"),
        RoleProps {
            tag_session: true,
            ..RoleProps::default()
        },
    )
    .unwrap();
    let doc = PolicyDocument::new(vec![
        Statement::allow(["s3:GetObject"], vec![arn("s3", "", "", "bucket/*")])
            .with_sid("Read")
            .with_condition(
                ConditionOperator::StringEquals,
                "aws:RequestedRegion",
                Expr::sub("${AWS::Region}"),
            ),
    ]);
    Policy::new(
        &mut root,
        "Shared",
        doc,
        &[&pod, &auto],
        PolicyProps::default(),
    )
    .unwrap();
    snapshot("iam_roles_and_policies", &st);
}

#[test]
fn managed_policy_arns_are_partition_aware() {
    assert_eq!(
        AwsManagedPolicy::AmazonEBSCSIDriverPolicy.arn().to_value(),
        serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"})
    );
    assert_eq!(
        AwsManagedPolicy::AmazonEKS_CNI_Policy.name(),
        "AmazonEKS_CNI_Policy"
    );
}

#[test]
fn statements_render_principals_and_conditions() {
    let s = Statement::deny(["s3:*"], vec![Expr::str("*")])
        .with_principal(Principal::Any)
        .with_condition(ConditionOperator::Bool, "aws:SecureTransport", "false")
        .to_value();
    assert_eq!(s["Principal"], "*");
    assert_eq!(s["Effect"], "Deny");
    let two = Statement::allow(["sts:AssumeRole"], vec![])
        .with_principal(Principal::Service("a.amazonaws.com"))
        .with_principal(Principal::Service("b.amazonaws.com"))
        .with_principal(Principal::AccountRoot)
        .to_value();
    assert_eq!(
        two["Principal"]["Service"],
        serde_json::json!(["a.amazonaws.com", "b.amazonaws.com"])
    );
    assert!(two["Principal"]["AWS"].is_object());
}

#[test]
fn invariants() {
    let mut st = stack();
    let mut root = st.root();
    assert_construct_error(
        Role::new(&mut root, "Any", Principal::Any, RoleProps::default()),
        "Test/Any",
        "cannot trust every principal",
    );
    assert_construct_error(
        Role::new(
            &mut root,
            "Name",
            Principal::PodIdentity,
            RoleProps {
                role_name: Some("x".repeat(65)),
                ..RoleProps::default()
            },
        ),
        "Test/Name",
        "1–64 characters",
    );
    assert_construct_error(
        Role::new(
            &mut root,
            "Session",
            Principal::PodIdentity,
            RoleProps {
                max_session_duration_seconds: Some(60),
                ..RoleProps::default()
            },
        ),
        "Test/Session",
        "3600–43200",
    );
    let with_principal = PolicyDocument::new(vec![
        Statement::allow_all_resources(["s3:*"]).with_principal(Principal::AccountRoot),
    ]);
    assert_construct_error(
        Role::new(
            &mut root,
            "Inline",
            Principal::PodIdentity,
            RoleProps {
                inline_policies: vec![("p".into(), with_principal.clone())],
                ..RoleProps::default()
            },
        ),
        "Test/Inline",
        "identity policies take no principals",
    );
    let role = Role::new(
        &mut root,
        "Ok",
        Principal::PodIdentity,
        RoleProps::default(),
    )
    .unwrap();
    assert_construct_error(
        Policy::new(
            &mut root,
            "NoRoles",
            PolicyDocument::new(vec![Statement::allow_all_resources(["s3:*"])]),
            &[],
            PolicyProps::default(),
        ),
        "Test/NoRoles",
        "at least one role",
    );
    assert_construct_error(
        Policy::new(
            &mut root,
            "Empty",
            PolicyDocument::default(),
            &[&role],
            PolicyProps::default(),
        ),
        "Test/Empty",
        "at least one statement",
    );
    assert_construct_error(
        Policy::new(
            &mut root,
            "NoRes",
            PolicyDocument::new(vec![Statement::allow(["s3:*"], vec![])]),
            &[&role],
            PolicyProps::default(),
        ),
        "Test/NoRes",
        "has no resources",
    );
}
