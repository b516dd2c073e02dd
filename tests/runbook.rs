//! `DEPLOY.md` rendered from an assembly: snapshots of the self-managed controller and Auto Mode
//! variants, determinism, and the checks of the spec.

use std::collections::BTreeMap;

use formwork::assembly::runbook::{ClusterStep, Endpoint, HelmRelease, Host, ServiceStep};
use formwork::assembly::{
    Assembly, CrossStack, FORMAT, OutputRef, OutputSpec, ParameterSpec, RunbookSpec, Source,
    StackArtifact, ValueSource,
};
use formwork::runbook::deploy_md;
use serde_json::json;

use crate::support::settings;

fn stack(name: &str, region: &str, outputs: &[&str]) -> StackArtifact {
    StackArtifact {
        name: name.to_owned(),
        region: Some(region.to_owned()),
        template: format!("{name}.template.json"),
        template_yaml: format!("{name}.template.yaml"),
        body_bytes: 1000,
        resources: 1,
        capabilities: vec![],
        tags: BTreeMap::new(),
        parameters: vec![],
        outputs: outputs
            .iter()
            .map(|o| OutputSpec {
                name: (*o).to_owned(),
                read_by: vec![],
            })
            .collect(),
        reads: vec![],
        body: json!({}),
    }
}

fn out(output: &str) -> OutputRef {
    OutputRef::new("greeter", output)
}

fn assembly(self_managed: bool) -> Assembly {
    let edge = StackArtifact {
        tags: BTreeMap::from([("project".to_owned(), "greeter".to_owned())]),
        ..stack("greeter-edge", "us-east-1", &["WebAclArn"])
    };
    let mut main = stack(
        "greeter",
        "eu-west-1",
        &[
            "AlbSecurityGroupId",
            "DistributionDomainName",
            "GreeterRepositoryUri",
            "GreeterTargetGroupArn",
            "VpcId",
        ],
    );
    main.capabilities = vec!["CAPABILITY_NAMED_IAM".to_owned()];
    main.body_bytes = 60_000;
    main.tags = BTreeMap::from([
        ("cost-center".to_owned(), "42 a".to_owned()),
        ("project".to_owned(), "greeter".to_owned()),
    ]);
    main.parameters = vec![
        ParameterSpec {
            name: "WebAclArn".to_owned(),
            source: ValueSource::StackOutput {
                stack: "greeter-edge".to_owned(),
                output: "WebAclArn".to_owned(),
            },
            no_echo: false,
        },
        ParameterSpec {
            name: "OriginSecret".to_owned(),
            source: ValueSource::Operator {
                hint: "a random string the ALB expects in the `X-Origin-Verify` header".to_owned(),
            },
            no_echo: true,
        },
        ParameterSpec {
            name: "CloudFrontPrefixListId".to_owned(),
            source: ValueSource::Lookup {
                lookup: formwork::constructs::core::Lookup::ManagedPrefixList {
                    name: "com.amazonaws.global.cloudfront.origin-facing".to_owned(),
                },
            },
            no_echo: false,
        },
        ParameterSpec {
            name: "Owner".to_owned(),
            source: ValueSource::Default,
            no_echo: false,
        },
    ];
    let mut placeholders = BTreeMap::from([
        (
            "GreeterRepositoryUri".to_owned(),
            out("GreeterRepositoryUri"),
        ),
        (
            "GreeterTargetGroupArn".to_owned(),
            out("GreeterTargetGroupArn"),
        ),
    ]);
    if self_managed {
        placeholders.insert("AlbSecurityGroupId".to_owned(), out("AlbSecurityGroupId"));
        placeholders.insert("VpcId".to_owned(), out("VpcId"));
    }
    Assembly {
        format: FORMAT,
        source: Source::Blueprint {
            name: "grpc-eks-edge".to_owned(),
        },
        cross_stack: CrossStack::Parameters,
        stacks: vec![edge, main],
        files: vec![],
        placeholders,
        runbook: Some(RunbookSpec {
            title: "grpc-eks-edge".to_owned(),
            services: vec![ServiceStep {
                name: "greeter".to_owned(),
                namespace: "greeter".to_owned(),
                repository: out("GreeterRepositoryUri"),
                target_group: Some(out("GreeterTargetGroupArn")),
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
                load_balancer_controller: self_managed.then(|| HelmRelease {
                    chart_version: Some("3.5.0".to_owned()),
                    values_file: "helm/lbc-values.yaml".to_owned(),
                }),
                image_platform: "linux/amd64".to_owned(),
            },
            endpoint: Some(Endpoint {
                host: Host::Output(out("DistributionDomainName")),
                authority: Some("api.example.com".to_owned()),
                unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
            }),
            lattice: None,
            dns_records: vec![],
            ecs: None,
            dns_zone: None,
            alarms: None,
        }),
        app: None,
    }
}

#[test]
fn runbook_self_managed_lbc() {
    let md = deploy_md(&assembly(true)).unwrap();
    assert!(md.contains("helm upgrade --install aws-load-balancer-controller"));
    assert!(md.contains("\"$OUT/helm/lbc-values.yaml\""));
    assert!(md.contains("Values=com.amazonaws.global.cloudfront.origin-facing"));
    settings().bind(|| insta::assert_snapshot!("runbook__greeter_self_managed_lbc", md));
}

#[test]
fn runbook_auto_mode() {
    let mut asm = assembly(false);
    asm.stacks.remove(0);
    let main = &mut asm.stacks[0];
    main.parameters.clear();
    main.capabilities.clear();
    main.tags.clear();
    main.body_bytes = 1000;
    let spec = asm.runbook.as_mut().unwrap();
    spec.services[0].grpc_services = vec!["helloworld.Greeter".to_owned()];
    spec.endpoint = Some(Endpoint {
        host: Host::Name {
            name: "d111111abcdef8.cloudfront.net".to_owned(),
        },
        authority: None,
        unrouted: "`Unimplemented` (the listener's fixed 404)".to_owned(),
    });
    let md = deploy_md(&asm).unwrap();
    assert!(!md.contains("helm "));
    settings().bind(|| insta::assert_snapshot!("runbook__greeter_auto_mode", md));
}

#[test]
fn runbook_is_deterministic_and_checks_its_spec() {
    let asm = assembly(true);
    assert_eq!(deploy_md(&asm), deploy_md(&asm.clone()));
    let mut bad = asm;
    bad.placeholders
        .insert("NoSuch".to_owned(), out("NoSuchOutput"));
    bad.runbook.as_mut().unwrap().services[0].image_tag = "latest tag".to_owned();
    bad.stacks[0].parameters.push(ParameterSpec {
        name: "a-b".to_owned(),
        source: ValueSource::Default,
        no_echo: false,
    });
    let e = deploy_md(&bad).unwrap_err();
    for needle in [
        "placeholder NoSuch: stack `greeter` has no output `NoSuchOutput`",
        "image tag `latest tag`",
        "parameter `a-b`",
    ] {
        assert!(e.contains(needle), "missing {needle:?} in:\n{e}");
    }
}

/// `deploy_md` writes the runbook with plain formatting; the committed tera template is its
/// reference. Every variant here (self-managed controller, Auto Mode, S3 upload, operator
/// variables, tags, no placeholders, each blueprint's example, Lattice with and without IAM
/// auth) must come out byte-identical from both.
#[test]
fn runbook_matches_its_reference_template() {
    use formwork::runbook::deploy_md_reference;
    let mut cases: Vec<(String, Assembly)> = vec![
        ("self-managed".into(), assembly(true)),
        ("auto mode".into(), assembly(false)),
    ];
    let mut bare = assembly(false);
    bare.placeholders.clear();
    bare.stacks.iter_mut().for_each(|s| {
        s.parameters.clear();
        s.tags.clear();
    });
    cases.push(("no placeholders".into(), bare));
    for bp in formwork_blueprints::BLUEPRINTS {
        let asm =
            formwork::synth::build_blueprint(bp.example.as_bytes(), bp.name, &Default::default())
                .unwrap_or_else(|e| panic!("{}: {e:?}", bp.name));
        if let Some(l) = asm.runbook.as_ref().and_then(|r| r.lattice.as_ref()) {
            let mut flipped = asm.clone();
            let auth = !l.iam_auth;
            flipped
                .runbook
                .as_mut()
                .unwrap()
                .lattice
                .as_mut()
                .unwrap()
                .iam_auth = auth;
            cases.push((format!("{} iam_auth={auth}", bp.name), flipped));
        }
        if let Some(a) = asm.runbook.as_ref().and_then(|r| r.alarms.as_ref()) {
            let mut subscribed = asm.clone();
            let mut a = a.clone();
            a.emails = vec!["oncall@example.com".into(), "team@example.org".into()];
            subscribed.runbook.as_mut().unwrap().alarms = Some(a);
            cases.push((format!("{} with alarm emails", bp.name), subscribed));
        }
        cases.push((bp.name.to_owned(), asm));
    }
    let mut compared = 0;
    for (name, asm) in &cases {
        if asm.runbook.is_none() {
            continue;
        }
        let want = deploy_md_reference(asm).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = deploy_md(asm).unwrap_or_else(|e| panic!("{name}: {e}"));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            panic!(
                "{name}: differs from the template at line {}:\n  got:  {:?}\n  want: {:?}",
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            );
        }
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} runbooks compared");
}

/// Issue #12.6: the runbook names the out dir `$OUT` (set in its first step), so synth writes
/// byte-identical `DEPLOY.md` whatever `-o` (relative, nested, absolute) and working directory;
/// every path in a command is `"$OUT/…"`, none is the out dir as given.
#[test]
fn runbook_is_the_same_whatever_out_dir_and_cwd() {
    use crate::support::{formwork, temp_dir};
    let d = temp_dir("runbook-out-dirs");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let abs = d.join("abs out");
    let abs_s = abs.display().to_string();
    let runs: [(&std::path::Path, &str); 3] = [
        (&d, "out"),
        (&d.join("sub"), "../nested/dir"),
        (&d, abs_s.as_str()),
    ];
    let mut texts = Vec::new();
    for (cwd, out) in runs {
        let o = formwork(cwd, &["synth", "-o", out]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        texts.push(std::fs::read_to_string(cwd.join(out).join("DEPLOY.md")).unwrap());
    }
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[0], texts[2]);
    let md = &texts[0];
    assert!(!md.contains(&abs_s) && !md.contains("nested"), "{md}");
    assert!(
        md.contains("```sh\nOUT=out   # as given to `formwork synth -o`"),
        "{md}"
    );
    assert!(
        md.contains("--template-file \"$OUT/shop.template.json\""),
        "{md}"
    );
    assert!(
        md.contains("kubectl apply -f \"$OUT/k8s-resolved\" -R"),
        "{md}"
    );
    // Run as written, from another directory, with OUT absolute: the paths resolve.
    let cp = md
        .lines()
        .find(|l| l.starts_with("cp -R "))
        .expect("the copy step");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "rm -rf \"$OUT/k8s-resolved\" && {cp} && test -d \"$OUT/k8s-resolved\""
        ))
        .env("OUT", &abs)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{cp}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
