//! kms, logs and s3: defaults, main options and the invariants they refuse.

mod common;

use common::{assert_construct_error, snapshot, stack};
use formwork_constructs::core::{Expr, RemovalPolicy};
use formwork_constructs::kms::*;
use formwork_constructs::logs::*;
use formwork_constructs::s3::*;

#[test]
fn kms_defaults_and_options() {
    let mut st = stack();
    let mut root = st.root();
    let key = Key::new(&mut root, "Basic", KeyProps::default()).unwrap();
    Alias::new(&mut root, "BasicAlias", "alias/platform", &key).unwrap();
    Key::new(
        &mut root,
        "Logs",
        KeyProps {
            description: Some("logs".into()),
            rotation_period_days: Some(180),
            pending_window_days: 7,
            service_grants: vec![KeyServiceGrant::CloudWatchLogs {
                log_group_arn: Expr::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/eks/*"),
            }],
            removal_policy: RemovalPolicy::Delete,
            ..KeyProps::default()
        },
    )
    .unwrap();
    snapshot("kms_defaults_and_options", &st);
}

#[test]
fn kms_invariants() {
    let mut st = stack();
    let mut root = st.root();
    assert_construct_error(
        Key::new(
            &mut root,
            "NoRot",
            KeyProps {
                rotation: false,
                ..KeyProps::default()
            },
        ),
        "Test/NoRot",
        "rotation must stay on",
    );
    assert_construct_error(
        Key::new(
            &mut root,
            "Window",
            KeyProps {
                pending_window_days: 3,
                ..KeyProps::default()
            },
        ),
        "Test/Window",
        "use 7–30",
    );
    assert_construct_error(
        Key::new(
            &mut root,
            "Period",
            KeyProps {
                rotation_period_days: Some(10),
                ..KeyProps::default()
            },
        ),
        "Test/Period",
        "use 90–2560",
    );
    let key = Key::new(&mut root, "Ok", KeyProps::default()).unwrap();
    assert_construct_error(
        Alias::new(&mut root, "Bad", "platform", &key),
        "Test/Bad",
        "must be `alias/<name>`",
    );
    assert_construct_error(
        Alias::new(&mut root, "Aws", "alias/aws/x", &key),
        "Test/Aws",
        "not `alias/aws/`",
    );
}

#[test]
fn log_group_defaults_and_options() {
    let mut st = stack();
    let mut root = st.root();
    LogGroup::new(&mut root, "Basic", LogGroupProps::default()).unwrap();
    let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
    LogGroup::new(
        &mut root,
        "Named",
        LogGroupProps {
            log_group_name: Some("/grpc/greeter".into()),
            retention_days: 90,
            kms_key: Some(key.arn.clone()),
            removal_policy: RemovalPolicy::Delete,
        },
    )
    .unwrap();
    snapshot("logs_defaults_and_options", &st);
    let mut st = stack();
    let mut root = st.root();
    assert_construct_error(
        LogGroup::new(
            &mut root,
            "Odd",
            LogGroupProps {
                retention_days: 42,
                ..LogGroupProps::default()
            },
        ),
        "Test/Odd",
        "retention_days is 42",
    );
    assert_construct_error(
        LogGroup::new(
            &mut root,
            "Name",
            LogGroupProps {
                log_group_name: Some("bad name".into()),
                ..LogGroupProps::default()
            },
        ),
        "Test/Name",
        "log group name",
    );
}

#[test]
fn bucket_defaults() {
    let mut st = stack();
    let mut root = st.root();
    Bucket::new(&mut root, "Logs", BucketProps::default()).unwrap();
    snapshot("s3_bucket_default", &st);
}

#[test]
fn bucket_options_and_log_delivery() {
    let mut st = stack();
    let mut root = st.root();
    let b = Bucket::new(&mut root, "AlbLogs", BucketProps::default()).unwrap();
    b.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal)
        .unwrap();
    let legacy = Bucket::new(
        &mut root,
        "LegacyLogs",
        BucketProps {
            bucket_name: Some("legacy-logs-1".into()),
            ..BucketProps::default()
        },
    )
    .unwrap();
    legacy
        .allow_alb_access_logs(
            &mut root,
            "",
            AlbLogPrincipal::ElbAccount("156460612806".into()),
        )
        .unwrap();
    legacy
        .allow_cloudfront_logs(&mut root, "cf", CloudFrontLogging::Legacy)
        .unwrap();
    let key = Key::new(&mut root, "Key", KeyProps::default()).unwrap();
    let kms = Bucket::new(
        &mut root,
        "KmsLogs",
        BucketProps {
            encryption: BucketEncryption::Kms(key.arn.clone()),
            versioning: false,
            expiration_days: None,
            removal_policy: RemovalPolicy::Delete,
            ..BucketProps::default()
        },
    )
    .unwrap();
    kms.allow_cloudfront_logs(&mut root, "cloudfront", CloudFrontLogging::V2)
        .unwrap();
    assert_construct_error(
        kms.allow_alb_access_logs(&mut root, "alb", AlbLogPrincipal::ServicePrincipal),
        "Test/KmsLogs",
        "ALB access logs need SSE-S3",
    );
    assert_construct_error(
        b.allow_alb_access_logs(&mut root, "x", AlbLogPrincipal::ServicePrincipal),
        "Test/AlbLogs",
        "already has statement",
    );
    assert_construct_error(
        b.allow_alb_access_logs(&mut root, "/x/", AlbLogPrincipal::ServicePrincipal),
        "Test/AlbLogs",
        "log prefix",
    );
    assert_construct_error(
        legacy.allow_alb_access_logs(&mut root, "y", AlbLogPrincipal::ElbAccount("123".into())),
        "Test/LegacyLogs",
        "12 digits",
    );
    snapshot("s3_bucket_options", &st);
}

#[test]
fn bucket_invariants() {
    let mut st = stack();
    let mut root = st.root();
    assert_construct_error(
        Bucket::new(
            &mut root,
            "Name",
            BucketProps {
                bucket_name: Some("Bad_Name".into()),
                ..BucketProps::default()
            },
        ),
        "Test/Name",
        "bucket name",
    );
    assert_construct_error(
        Bucket::new(
            &mut root,
            "Zero",
            BucketProps {
                expiration_days: Some(0),
                ..BucketProps::default()
            },
        ),
        "Test/Zero",
        "at least 1",
    );
}
