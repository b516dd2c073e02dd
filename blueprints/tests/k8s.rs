//! Kubernetes manifests and the DEPLOY.md runbook: snapshots, determinism, and the
//! kubernetes-validate oracle.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use formwork_blueprints::k8s::{
    self, Hpa, LBC_VALUES_FILE, TargetGroupBindingApi, Workload, lbc_helm_values, placeholders_in,
    resolve_placeholders, workload_manifests,
};
use formwork_blueprints::runbook::{
    ClusterStep, Endpoint, OutputRef, ParamValue, ParameterOverride, Placeholder, RunbookContext,
    ServiceStep, StackStep, deploy_md,
};

/// insta settings that put snapshots in `<repo>/snapshots/` (relative to this file).
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// `$FORMWORK_TOOLS/<rel>` or `<repo>/.tools/<rel>`; missing fails under `CI=true`, else skips.
fn tool(rel: &str) -> Option<PathBuf> {
    let base = std::env::var_os("FORMWORK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools"));
    let p = base.join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} is missing; run scripts/install-tools (CI=true: tests that need it fail, not skip)",
            p.display()
        );
    }
    eprintln!(
        "SKIP: {} is missing; run scripts/install-tools",
        p.display()
    );
    None
}

fn greeter(api: TargetGroupBindingApi) -> Workload {
    let mut w = Workload::new(
        "greeter",
        "greeter",
        "${GreeterRepositoryUri}:1.4.2",
        50051,
        "${GreeterTargetGroupArn}",
    );
    w.binding_api = api;
    w.cpu_limit = Some("1".to_owned());
    w.memory_limit = "512Mi".to_owned();
    w.health_check_service = Some("helloworld.Greeter".to_owned());
    w.hpa = Some(Hpa {
        min: 2,
        max: 6,
        target_cpu_percent: 60,
    });
    w.labels
        .insert("app.kubernetes.io/part-of".to_owned(), "greeter".to_owned());
    if api.is_self_managed() {
        w.alb_security_group_id = Some("${AlbSecurityGroupId}".to_owned());
    }
    w
}

fn joined(files: &[(String, String)]) -> String {
    files
        .iter()
        .map(|(p, t)| format!("### {p}\n{t}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn manifests_self_managed_lbc() {
    let files = workload_manifests(&greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1)).unwrap();
    settings().bind(|| insta::assert_snapshot!("k8s__greeter_elbv2_v1beta1", joined(&files)));
}

#[test]
fn manifests_auto_mode() {
    let files = workload_manifests(&greeter(TargetGroupBindingApi::EksAmazonawsComV1)).unwrap();
    let tgb = &files.last().unwrap().1;
    assert!(
        tgb.starts_with("apiVersion: eks.amazonaws.com/v1\n"),
        "{tgb}"
    );
    assert!(tgb.contains("  targetType: ip\n"));
    assert!(!tgb.contains("networking"));
    settings().bind(|| insta::assert_snapshot!("k8s__greeter_eks_v1_auto_mode", joined(&files)));
}

#[test]
fn lbc_values() {
    let v = lbc_helm_values(
        "greeter",
        "eu-west-1",
        "${VpcId}",
        "aws-load-balancer-controller",
    );
    settings().bind(|| insta::assert_snapshot!("k8s__lbc_values", v));
}

#[test]
fn manifests_are_deterministic_and_carry_their_placeholders() {
    let w = greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1);
    let a = workload_manifests(&w).unwrap();
    for _ in 0..3 {
        assert_eq!(a, workload_manifests(&w).unwrap());
    }
    let all: std::collections::BTreeSet<String> =
        a.iter().flat_map(|(_, t)| placeholders_in(t)).collect();
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        [
            "AlbSecurityGroupId",
            "GreeterRepositoryUri",
            "GreeterTargetGroupArn"
        ]
    );
}

fn plausible_values() -> BTreeMap<String, String> {
    [
        (
            "GreeterRepositoryUri",
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/greeter/greeter",
        ),
        (
            "GreeterTargetGroupArn",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/greeter/0123456789abcdef",
        ),
        ("AlbSecurityGroupId", "sg-0123456789abcdef0"),
        ("VpcId", "vpc-0123456789abcdef0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Validates the built-in kinds against the Kubernetes 1.33 OpenAPI schemas, strictly
/// (unknown fields are errors). kubernetes-validate has no schema for the TargetGroupBinding
/// CRD: it only warns for it, so that file is left out and checked by the snapshot and unit
/// tests instead.
#[test]
fn kubernetes_validate_accepts_the_manifests() {
    let Some(kv) = tool("k8sval/bin/kubernetes-validate") else {
        return;
    };
    let dir = repo()
        .join("target")
        .join("test-tmp")
        .join(format!("k8s-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let values = plausible_values();
    let mut files = Vec::new();
    for api in [
        TargetGroupBindingApi::Elbv2K8sAwsV1beta1,
        TargetGroupBindingApi::EksAmazonawsComV1,
    ] {
        let mut w = greeter(api);
        if !api.is_self_managed() {
            // Cover the fixed-replica shape too.
            w.hpa = None;
            w.replicas = 3;
            w.run_as_user = Some(65532);
            w.service = "greeter-fixed".to_owned();
        }
        for (rel, text) in workload_manifests(&w).unwrap() {
            if rel.ends_with("-targetgroupbinding.yaml") {
                continue;
            }
            let resolved = resolve_placeholders(&text, &values).unwrap();
            assert!(placeholders_in(&resolved).is_empty());
            let path = dir.join(rel.replace('/', "__"));
            std::fs::write(&path, resolved).unwrap();
            files.push(path);
        }
    }
    files.sort();
    files.dedup();
    let out = Command::new(&kv)
        .args(["--strict", "-k", "1.33.0"])
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "kubernetes-validate failed:\n{stdout}\n{stderr}"
    );
    let passed = stdout
        .lines()
        .chain(stderr.lines())
        .filter(|l| l.contains(" passed for resource "))
        .count();
    assert_eq!(passed, files.len(), "{stdout}\n{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn out(stack: &str, output: &str) -> OutputRef {
    OutputRef {
        stack: stack.to_owned(),
        region: "eu-west-1".to_owned(),
        output: output.to_owned(),
    }
}

fn runbook_context(api: TargetGroupBindingApi) -> RunbookContext {
    let mut placeholders = vec![
        Placeholder {
            name: "GreeterRepositoryUri".to_owned(),
            source: out("greeter", "GreeterRepositoryUri"),
        },
        Placeholder {
            name: "GreeterTargetGroupArn".to_owned(),
            source: out("greeter", "GreeterTargetGroupArn"),
        },
    ];
    if api.is_self_managed() {
        placeholders.insert(
            0,
            Placeholder {
                name: "AlbSecurityGroupId".to_owned(),
                source: out("greeter", "AlbSecurityGroupId"),
            },
        );
        placeholders.push(Placeholder {
            name: "VpcId".to_owned(),
            source: out("greeter", "VpcId"),
        });
    }
    RunbookContext {
        blueprint: "grpc-eks-edge".to_owned(),
        out_dir: "out".to_owned(),
        stacks: vec![
            StackStep {
                name: "greeter-edge".to_owned(),
                region: "us-east-1".to_owned(),
                template: "greeter-edge.template.json".to_owned(),
                capabilities: vec![],
                parameters: vec![ParameterOverride {
                    key: "DomainName".to_owned(),
                    value: ParamValue::Literal {
                        value: "api.example.com".to_owned(),
                    },
                }],
                tags: BTreeMap::from([("project".to_owned(), "greeter".to_owned())]),
                needs_s3_bucket: false,
            },
            StackStep {
                name: "greeter".to_owned(),
                region: "eu-west-1".to_owned(),
                template: "greeter.template.json".to_owned(),
                capabilities: vec!["CAPABILITY_NAMED_IAM".to_owned()],
                parameters: vec![
                    ParameterOverride {
                        key: "WebAclArn".to_owned(),
                        value: ParamValue::Output(OutputRef {
                            stack: "greeter-edge".to_owned(),
                            region: "us-east-1".to_owned(),
                            output: "WebAclArn".to_owned(),
                        }),
                    },
                    ParameterOverride {
                        key: "OriginSecret".to_owned(),
                        value: ParamValue::Operator {
                            variable: "ORIGIN_SECRET".to_owned(),
                            hint: "a random string the ALB expects in the `X-Origin-Verify` header"
                                .to_owned(),
                        },
                    },
                    ParameterOverride {
                        key: "Owner".to_owned(),
                        value: ParamValue::Literal {
                            value: "platform team".to_owned(),
                        },
                    },
                ],
                tags: BTreeMap::from([
                    ("cost-center".to_owned(), "42 a".to_owned()),
                    ("project".to_owned(), "greeter".to_owned()),
                ]),
                needs_s3_bucket: true,
            },
        ],
        services: vec![ServiceStep {
            name: "greeter".to_owned(),
            namespace: "greeter".to_owned(),
            repository: out("greeter", "GreeterRepositoryUri"),
            target_group: Some(out("greeter", "GreeterTargetGroupArn")),
            image_tag: "1.4.2".to_owned(),
            build_context: "./services/greeter".to_owned(),
            grpc_services: vec![
                "helloworld.Greeter".to_owned(),
                "grpc.health.v1.Health".to_owned(),
            ],
            port: 50051,
        }],
        cluster: ClusterStep {
            name: "greeter".to_owned(),
            region: "eu-west-1".to_owned(),
            binding_api: api,
            lbc_chart_version: Some("3.5.0".to_owned()),
            image_platform: "linux/amd64".to_owned(),
        },
        placeholders,
        endpoint: Some(Endpoint {
            host: ParamValue::Output(OutputRef {
                stack: "greeter".to_owned(),
                region: "eu-west-1".to_owned(),
                output: "DistributionDomainName".to_owned(),
            }),
            authority: Some("api.example.com".to_owned()),
            unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
        }),
        lattice: None,
    }
}

#[test]
fn runbook_self_managed_lbc() {
    let md = deploy_md(&runbook_context(TargetGroupBindingApi::Elbv2K8sAwsV1beta1)).unwrap();
    assert!(md.contains("helm upgrade --install aws-load-balancer-controller"));
    assert!(md.contains(&format!("out/{LBC_VALUES_FILE}")));
    settings().bind(|| insta::assert_snapshot!("runbook__greeter_self_managed_lbc", md));
}

#[test]
fn runbook_auto_mode() {
    let mut ctx = runbook_context(TargetGroupBindingApi::EksAmazonawsComV1);
    ctx.stacks.truncate(0);
    ctx.stacks.push(StackStep {
        name: "greeter".to_owned(),
        region: "eu-west-1".to_owned(),
        template: "greeter.template.json".to_owned(),
        capabilities: vec![],
        parameters: vec![],
        tags: BTreeMap::new(),
        needs_s3_bucket: false,
    });
    ctx.services[0].grpc_services = vec!["helloworld.Greeter".to_owned()];
    ctx.endpoint = Some(Endpoint {
        host: ParamValue::Literal {
            value: "d111111abcdef8.cloudfront.net".to_owned(),
        },
        authority: None,
        unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
    });
    let md = deploy_md(&ctx).unwrap();
    assert!(!md.contains("helm "));
    settings().bind(|| insta::assert_snapshot!("runbook__greeter_auto_mode", md));
}

#[test]
fn runbook_is_deterministic_and_checks_its_context() {
    let ctx = runbook_context(TargetGroupBindingApi::Elbv2K8sAwsV1beta1);
    assert_eq!(deploy_md(&ctx), deploy_md(&ctx.clone()));
    let mut bad = ctx;
    bad.placeholders[0].name = "not valid".to_owned();
    bad.services[0].image_tag = "latest tag".to_owned();
    bad.stacks[0].parameters[0].key = "a-b".to_owned();
    let e = deploy_md(&bad).unwrap_err();
    for needle in [
        "placeholder `not valid`",
        "image tag `latest tag`",
        "parameter `a-b`",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

#[test]
fn runbook_placeholders_match_the_manifests() {
    // Every placeholder the self-managed workload and LBC values use is resolved by the runbook.
    let w = greeter(TargetGroupBindingApi::Elbv2K8sAwsV1beta1);
    let mut used: std::collections::BTreeSet<String> = workload_manifests(&w)
        .unwrap()
        .iter()
        .flat_map(|(_, t)| placeholders_in(t))
        .collect();
    used.extend(placeholders_in(&lbc_helm_values(
        "greeter",
        "eu-west-1",
        &k8s::placeholder("VpcId"),
        "aws-load-balancer-controller",
    )));
    let listed: std::collections::BTreeSet<String> =
        runbook_context(TargetGroupBindingApi::Elbv2K8sAwsV1beta1)
            .placeholders
            .into_iter()
            .map(|p| p.name)
            .collect();
    assert_eq!(used, listed);
}
