//! Many services: 1, 10, 50 and 200 services synthesize into valid, split stacks (≤500
//! resources, ≤200 outputs and parameters each), with formwork's validation clean (build_files
//! refuses errors) and cfn-lint clean on the largest.

use std::process::Command;

use crate::support::{files_with_suffix, temp_dir, tool};

fn config(n: usize, edge: bool) -> String {
    let mut s = String::from(if edge {
        "blueprint: grpc-eks-edge\n"
    } else {
        "blueprint: grpc-eks-alb\n"
    });
    s.push_str("name: scale\nregion: eu-west-1\ncertificate_arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc\n");
    if edge {
        s.push_str("edge:\n  origin_domain: origin-{n}.scale.example.com\n  certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/def\n  aliases: [\"api-{n}.scale.example.com\"]\n");
    }
    s.push_str("services:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  - name: svc{i}\n    grpc_services: [pkg.v1.Service{i}, pkg.v1.Admin{i}]\n    port: {}\n    image_tag: \"1.0.{i}\"\n",
            50051 + (i % 3)
        ));
    }
    s
}

#[test]
fn many_services_split_into_valid_stacks() {
    for edge in [false, true] {
        for n in [1usize, 10, 50, 200] {
            let text = config(n, edge);
            let (files, report) = formwork::synth::build_files(text.as_bytes(), "scale.yaml")
                .unwrap_or_else(|e| panic!("{n} services (edge {edge}): {e:?}"));
            let stacks = &report.assembly.stacks;
            let value = formwork_blueprints::config::parse_yaml(text.as_bytes()).expect("yaml");
            let cfg: formwork_blueprints::grpc_eks::EksConfig =
                formwork_blueprints::config::deserialize(&value).expect("config");
            let names: Vec<String> = stacks.iter().map(|s| s.name.clone()).collect();
            assert_eq!(
                names,
                formwork_blueprints::grpc_eks::stack_names(&cfg),
                "{n} services: deploy order"
            );
            let service_stacks = stacks
                .iter()
                .filter(|s| s.name.starts_with("scale-services-"))
                .count();
            assert_eq!(
                service_stacks,
                n.div_ceil(40),
                "{n} services: 40 per stack by default"
            );
            for s in stacks {
                assert!(s.resources <= 500, "{}: {} resources", s.name, s.resources);
                assert!(
                    s.outputs.len() <= 200,
                    "{}: {} outputs",
                    s.name,
                    s.outputs.len()
                );
                assert!(
                    s.parameters.len() <= 200,
                    "{}: {} parameters",
                    s.name,
                    s.parameters.len()
                );
                assert!(
                    s.body_bytes <= 1_000_000,
                    "{}: {} bytes",
                    s.name,
                    s.body_bytes
                );
            }
            let again = formwork::synth::build_files(text.as_bytes(), "scale.yaml")
                .expect("builds")
                .0;
            assert_eq!(files, again, "{n} services: deterministic");
        }
    }
}

#[test]
fn two_hundred_services_pass_cfn_lint() {
    let Some(cfn_lint) = tool("cfnlint/bin/cfn-lint") else {
        return;
    };
    let (files, _) =
        formwork::synth::build_files(config(200, true).as_bytes(), "scale.yaml").expect("builds");
    let dir = temp_dir("scale-200");
    formwork::outdir::write_out_dir(&dir.join("out"), &files).expect("writes");
    let templates = files_with_suffix(&dir.join("out"), ".template.json");
    let out = Command::new(cfn_lint)
        .args(&templates)
        .output()
        .expect("cfn-lint");
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Deploy bodies: 12 services fit inline (minified JSON, ≤ 51,200 bytes each, so no bucket is
/// needed); 200 services do not, and `deploy` then takes the bucket from
/// `FORMWORK_ARTIFACT_BUCKET` — and without one refuses before it runs anything.
#[test]
fn twelve_services_deploy_inline_and_two_hundred_use_the_artifact_bucket() {
    let fw = env!("CARGO_BIN_EXE_formwork");
    let run = |d: &std::path::Path, args: &[&str], bucket: Option<&str>| {
        let mut c = Command::new(fw);
        c.current_dir(d)
            .args(args)
            .env_remove("FORMWORK_ARTIFACT_BUCKET");
        if let Some(b) = bucket {
            c.env("FORMWORK_ARTIFACT_BUCKET", b);
        }
        c.output().unwrap()
    };
    let limit = formwork::assembly::INLINE_BODY_LIMIT;
    for (n, inline) in [(12usize, true), (200, false)] {
        let d = temp_dir(&format!("scale-bodies-{n}"));
        std::fs::write(d.join("c.yaml"), config(n, true)).unwrap();
        let o = run(&d, &["synth", "-c", "c.yaml", "-o", "out"], None);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let asm = formwork::assembly::Assembly::read(&d.join("out")).unwrap();
        let biggest = asm.stacks.iter().map(|s| s.body_bytes).max().unwrap();
        for s in &asm.stacks {
            let on_disk = std::fs::metadata(d.join("out").join(&s.template))
                .unwrap()
                .len();
            assert_eq!(
                on_disk as usize, s.body_bytes,
                "{}: the file is the body",
                s.name
            );
        }
        assert_eq!(
            biggest <= limit,
            inline,
            "{n} services: largest body {biggest} bytes"
        );
        let dry = run(&d, &["deploy", "out", "--dry-run"], None);
        let err = String::from_utf8_lossy(&dry.stderr);
        if inline {
            assert_eq!(dry.status.code(), Some(0), "{err}");
            assert!(!String::from_utf8_lossy(&dry.stdout).contains("--s3-bucket"));
        } else {
            assert_eq!(dry.status.code(), Some(1), "{err}");
            assert!(err.contains("FORMWORK_ARTIFACT_BUCKET"), "{err}");
            let with = run(&d, &["deploy", "out", "--dry-run"], Some("fw-artifacts"));
            let out = String::from_utf8_lossy(&with.stdout);
            assert_eq!(
                with.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&with.stderr)
            );
            assert!(out.contains("--s3-bucket fw-artifacts"), "{out}");
        }
    }
}
