//! Every blueprint's example: exact template bytes, the ids table, the manifest, determinism.

use formwork::synth::build_files;

use crate::support::settings;

fn opts() -> formwork::assembly::SynthOptions {
    formwork::assembly::SynthOptions::default()
}

/// `LogicalId  Type  Path` per resource: a changed line means CloudFormation replaces it.
fn ids_table(app: &formwork_constructs::core::App) -> String {
    let mut out = String::new();
    for s in app.stacks() {
        out.push_str(&format!("# stack {}\n", s.name()));
        let w = s
            .resources()
            .iter()
            .map(|r| r.logical_id().len())
            .max()
            .unwrap_or(0);
        let tw = s
            .resources()
            .iter()
            .map(|r| r.cfn_type().len())
            .max()
            .unwrap_or(0);
        for r in s.resources() {
            out.push_str(&format!(
                "{:<w$}  {:<tw$}  {}\n",
                r.logical_id(),
                r.cfn_type(),
                r.path()
            ));
        }
    }
    out
}

#[test]
fn every_example_snapshot_and_ids() {
    for bp in formwork_blueprints::BLUEPRINTS {
        let (files, _) = build_files(bp.example.as_bytes(), bp.name)
            .unwrap_or_else(|e| panic!("{}: {e:?}", bp.name));
        for (rel, bytes) in &files {
            if rel.ends_with(".template.json") {
                continue; // same content as the YAML; the oracle tests compare them
            }
            let text = String::from_utf8(bytes.clone()).expect("utf-8");
            let name = format!("blueprint__{}__{}", bp.name, rel.replace('/', "__"));
            settings().bind(|| insta::assert_snapshot!(name, text));
        }
        let (_, asm) =
            formwork_blueprints::load_and_build(bp.example.as_bytes(), &opts()).expect("builds");
        let ids = ids_table(asm.app.as_ref().expect("built in memory"));
        settings().bind(|| insta::assert_snapshot!(format!("ids__{}", bp.name), ids));
    }
}

#[test]
fn synth_is_deterministic() {
    // Two separate processes (thread scheduling, allocation and any hashing differ between
    // them) must write byte-identical out dirs.
    let d = crate::support::temp_dir("determinism");
    for bp in formwork_blueprints::BLUEPRINTS {
        let cfg = format!("{}.yaml", bp.name);
        std::fs::write(d.join(&cfg), bp.example).unwrap();
        let read = |dir: &str| {
            let o = crate::support::formwork(&d, &["synth", "-c", &cfg, "-o", dir]);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}: {}",
                bp.name,
                String::from_utf8_lossy(&o.stderr)
            );
            let mut files = Vec::new();
            let mut stack = vec![d.join(dir)];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).unwrap() {
                    let e = e.unwrap().path();
                    if e.is_dir() {
                        stack.push(e);
                    } else {
                        files.push((
                            e.strip_prefix(d.join(dir)).unwrap().to_path_buf(),
                            std::fs::read(&e).unwrap(),
                        ));
                    }
                }
            }
            files.sort();
            files
        };
        // The same out dir both times (DEPLOY.md names it); the second run replaces the first.
        let dir = format!("{}-out", bp.name);
        let a = read(&dir);
        let b = read(&dir);
        assert!(!a.is_empty());
        assert_eq!(a.len(), b.len(), "{}: file count", bp.name);
        for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
            assert_eq!(pa, pb, "{}: file list", bp.name);
            assert!(
                ba == bb,
                "{}: {} differs between two runs",
                bp.name,
                pa.display()
            );
        }
    }
}

#[test]
fn committed_schemas_match_the_config_types() {
    for bp in formwork_blueprints::BLUEPRINTS {
        let path = crate::support::repo()
            .join("blueprints/schemas")
            .join(format!("{}.schema.json", bp.name));
        let mut want = serde_json::to_string_pretty(&(bp.schema)()).expect("json");
        want.push('\n');
        if std::env::var("FORMWORK_UPDATE_SCHEMAS").as_deref() == Ok("1") {
            std::fs::write(&path, &want).expect("write schema");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date with the config type; regenerate with `FORMWORK_UPDATE_SCHEMAS=1 cargo test committed_schemas`",
            path.display()
        );
    }
}

#[test]
fn resource_type_hints_cover_every_example() {
    for bp in formwork_blueprints::BLUEPRINTS {
        let (_, asm) =
            formwork_blueprints::load_and_build(bp.example.as_bytes(), &opts()).expect("builds");
        for t in formwork::check::used_types(&asm) {
            assert!(
                bp.resource_types.contains(&t.as_str()),
                "{}: add {t} to resource_types",
                bp.name
            );
        }
    }
}

#[test]
fn committed_readmes_match_the_schemas() {
    for bp in formwork_blueprints::BLUEPRINTS {
        let path = crate::support::repo()
            .join("blueprints/docs")
            .join(format!("{}.md", bp.name));
        let want = formwork_blueprints::readme::readme(bp).expect("renders");
        if std::env::var("FORMWORK_UPDATE_SCHEMAS").as_deref() == Ok("1") {
            std::fs::write(&path, &want).expect("write readme");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is out of date with the config schema; regenerate with `FORMWORK_UPDATE_SCHEMAS=1 cargo test committed_`",
            path.display()
        );
    }
}

#[test]
fn every_manifest_matches_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::repo().join("assembly/manifest.schema.json"))
            .expect("committed schema"),
    )
    .expect("json");
    let v = jsonschema::validator_for(&schema).expect("a valid schema");
    for bp in formwork_blueprints::BLUEPRINTS {
        let (files, _) = build_files(bp.example.as_bytes(), bp.name).expect("builds");
        let (_, bytes) = files
            .iter()
            .find(|(rel, _)| rel == "manifest.json")
            .expect("manifest.json");
        let manifest: serde_json::Value = serde_json::from_slice(bytes).expect("json");
        let errors: Vec<String> = v.iter_errors(&manifest).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", bp.name);
    }
}

/// `dns:` without certificate ARNs: every certificate is requested with DNS validation in the
/// zone — CloudFront's in us-east-1 — and every name gets its alias record (A + AAAA to a
/// distribution, A to an ALB), one set per service stack.
#[test]
fn dns_requests_the_certificates_and_creates_the_records() {
    use formwork_constructs::assertions::Template;
    use serde_json::json;
    // (stack, region, template) of each stack of a config, in deploy order.
    let stacks = |bytes: &[u8]| {
        let (files, _) = build_files(bytes, "dns").expect("builds");
        let (_, asm) = formwork_blueprints::load_and_build(bytes, &opts()).expect("builds");
        asm.stacks
            .iter()
            .map(|s| {
                let (_, body) = files
                    .iter()
                    .find(|(rel, _)| *rel == s.template)
                    .expect("file");
                let t = Template::new(serde_json::from_slice(body).expect("JSON template"));
                (s.name.clone(), s.region.clone(), t)
            })
            .collect::<Vec<_>>()
    };
    let good = |cfg: &str| {
        let path = format!("{}/tests/configs/good/{cfg}", env!("CARGO_MANIFEST_DIR"));
        stacks(&std::fs::read(&path).expect("reads"))
    };
    let validated = |name: &str| {
        json!({"DomainName": name, "ValidationMethod": "DNS",
               "DomainValidationOptions": [{"DomainName": name, "HostedZoneId": "Z0123456789ABCDEFGHIJ"}]})
    };
    // The default example: eu-west-1 with its us-east-1 edge stack.
    let shop = stacks(formwork_blueprints::grpc_eks::EDGE.example.as_bytes());
    let (name, region, edge) = &shop[0];
    assert_eq!(
        (name.as_str(), region.as_deref()),
        ("shop-edge", Some("us-east-1"))
    );
    edge.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("api.shop.example.com"),
    );
    let svc = &shop[2].2;
    assert_eq!(shop[2].0, "shop-services-1");
    svc.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("shop-origin.example.com"),
    );
    svc.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "api.shop.example.com", "Type": "AAAA",
               "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2"}}),
    );
    svc.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "shop-origin.example.com", "Type": "A",
               "AliasTarget": {"HostedZoneId": {"Fn::GetAtt": ["Alb", "CanonicalHostedZoneID"]}}}),
    );
    svc.resource_count_is("AWS::Route53::RecordSet", 3);
    // us-east-1 over two service stacks: each holds both of its certificates and its records.
    let us = good("edge-dns-us-east-1-two-stacks.yaml");
    assert_eq!(
        us.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        ["api", "api-services-1", "api-services-2", "api-alarms-1"],
        "in us-east-1 the distributions' alarms stay in the regional alarm stack"
    );
    for (n, (alias, origin)) in [
        ("api.example.com", "api-origin.example.com"),
        ("api-2.example.com", "api-origin-2.example.com"),
    ]
    .iter()
    .enumerate()
    {
        let t = &us[n + 1].2;
        t.resource_count_is("AWS::CertificateManager::Certificate", 2);
        t.has_resource_properties("AWS::CertificateManager::Certificate", validated(alias));
        t.has_resource_properties("AWS::CertificateManager::Certificate", validated(origin));
        t.has_resource_properties(
            "AWS::CloudFront::Distribution",
            json!({"DistributionConfig": {"Aliases": [alias]}}),
        );
        t.resource_count_is("AWS::Route53::RecordSet", 3);
    }
    // grpc-eks-alb: the ALB's name and certificate; no distribution.
    let alb = good("eks-alb-dns.yaml");
    alb[1].2.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("greeter.example.com"),
    );
    alb[1].2.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": "greeter.example.com", "Type": "A"}),
    );
    alb[1].2.resource_count_is("AWS::Route53::RecordSet", 1);
    // grpc-ecs-edge: the same front door, so the same certificates and records.
    let ecs = good("ecs-edge-dns.yaml");
    let (name, region, edge) = &ecs[0];
    assert_eq!(
        (name.as_str(), region.as_deref()),
        ("pay-edge", Some("us-east-1"))
    );
    edge.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("pay.example.com"),
    );
    let svc = &ecs.iter().find(|s| s.0 == "pay-services-1").unwrap().2;
    svc.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("pay-origin.example.com"),
    );
    svc.has_resource_properties(
        "AWS::CloudFront::Distribution",
        json!({"DistributionConfig": {"Aliases": ["pay.example.com"]}}),
    );
    svc.resource_count_is("AWS::Route53::RecordSet", 3);
    let one = good("grpc-alb-dns.yaml");
    one[0].2.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        validated("edge-less.example.com"),
    );
    one[0].2.resource_count_is("AWS::Route53::RecordSet", 1);
}
