//! The command line: exit codes, atomic writes, messages.

use crate::support::{formwork, temp_dir};

#[test]
fn synth_without_arguments_writes_out() {
    let d = temp_dir("cli-synth-default");
    let o = formwork(&d, &["synth"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("aws cloudformation deploy --region"),
        "{stdout}"
    );
    assert!(d.join("out/manifest.json").is_file());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("out/manifest.json")).unwrap()).unwrap();
    let stacks = manifest["stacks"].as_array().unwrap();
    assert!(!stacks.is_empty(), "the default example has stacks");
    for s in stacks {
        assert!(
            d.join("out")
                .join(s["template"].as_str().unwrap())
                .is_file()
        );
        assert!(
            d.join("out")
                .join(s["template_yaml"].as_str().unwrap())
                .is_file()
        );
    }
}

#[test]
fn bad_config_exits_1_and_leaves_out_dir_untouched() {
    let d = temp_dir("cli-bad-config");
    assert_eq!(formwork(&d, &["synth"]).status.code(), Some(0));
    let before = std::fs::read(d.join("out/manifest.json")).unwrap();
    std::fs::write(
        d.join("bad.yaml"),
        "blueprint: grpc-alb\nname: Bad_Name\nregion: eu-west-1\nunknown_key: 1\n",
    )
    .unwrap();
    let o = formwork(&d, &["synth", "-c", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.yaml:4: /unknown_key: unknown key `unknown_key`"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read(d.join("out/manifest.json")).unwrap(), before);
    assert!(!err.contains("panicked"));
}

#[test]
fn garbage_and_empty_configs_exit_1() {
    let d = temp_dir("cli-garbage");
    for (name, bytes) in [
        ("empty.yaml", &b""[..]),
        ("binary.yaml", &[0u8, 159, 146, 150, 255, 0, 1][..]),
        ("list.yaml", &b"- a\n- b\n"[..]),
        ("nokey.yaml", &b"name: x\n"[..]),
        ("unknown.yaml", &b"blueprint: nope\n"[..]),
        (
            "broken.yaml",
            &b"blueprint: grpc-alb\nname: [unclosed\n"[..],
        ),
    ] {
        std::fs::write(d.join(name), bytes).unwrap();
        let o = formwork(&d, &["synth", "-c", name, "-o", "o"]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(name),
            "{name}: error must name the file: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(!d.join("o").exists(), "{name}: nothing may be written");
    }
}

#[test]
fn refuses_to_replace_a_foreign_directory() {
    let d = temp_dir("cli-foreign");
    std::fs::create_dir_all(d.join("out")).unwrap();
    std::fs::write(d.join("out/precious.txt"), "keep me").unwrap();
    let o = formwork(&d, &["synth"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to replace"));
    assert_eq!(
        std::fs::read_to_string(d.join("out/precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn usage_errors_exit_2() {
    let d = temp_dir("cli-usage");
    assert_eq!(
        formwork(&d, &["synth", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(formwork(&d, &["no-such-command"]).status.code(), Some(2));
    assert_eq!(formwork(&d, &[]).status.code(), Some(2));
}

#[test]
fn list_schema_init() {
    let d = temp_dir("cli-list");
    let o = formwork(&d, &["list"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("grpc-alb"));
    let o = formwork(&d, &["schema", "grpc-alb"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    assert!(schema["properties"]["services"].is_object());
    assert_eq!(formwork(&d, &["schema", "nope"]).status.code(), Some(1));
    let o = formwork(&d, &["init", "grpc-alb", "start.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(d.join("start.yaml")).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=./grpc-alb.schema.json"));
    assert!(d.join("grpc-alb.schema.json").is_file());
    assert_eq!(
        formwork(&d, &["init", "grpc-alb", "start.yaml"])
            .status
            .code(),
        Some(1),
        "never overwrites"
    );
    let o = formwork(&d, &["synth", "-c", "start.yaml", "-o", "from-init"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn validate_exit_codes_and_formats() {
    let d = temp_dir("cli-validate");
    let bad = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Tg:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      ProtocolVersion: GRPC\n      Protocol: HTTP\n      Port: 50051\n      TargetType: ip\n      VpcId: vpc-123\n      Matcher: {HttpCode: '200'}\n";
    std::fs::write(d.join("bad.yaml"), bad).unwrap();
    let o = formwork(&d, &["validate", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("error FW-ELB-002"), "{text}");
    let o = formwork(&d, &["validate", "--format", "json", "bad.yaml"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "FW-ELB-002")
    );
    // A warning only: exit 0, and 1 with --strict.
    let warn = "Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties:\n      LoadBalancerArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1\n      Port: 443\n      Protocol: HTTPS\n      Certificates: [{CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/x}]\n      DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: '404'}}]\n";
    std::fs::write(d.join("warn.yaml"), warn).unwrap();
    let o = formwork(&d, &["validate", "warn.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("warning FW-ELB-004"));
    assert_eq!(
        formwork(&d, &["validate", "--strict", "warn.yaml"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        formwork(&d, &["validate", "missing.yaml"]).status.code(),
        Some(1)
    );
    // A load error is a located FW-LOAD diagnostic, counted, and present in --format json.
    std::fs::write(
        d.join("dup.json"),
        "{\"Resources\": {},\n \"Resources\": {}}",
    )
    .unwrap();
    let o = formwork(&d, &["validate", "dup.json"]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("error FW-LOAD-004 dup.json:2:2: duplicate key \"Resources\" (fix: "),
        "{text}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 error(s)"), "{err}");
    let o = formwork(&d, &["validate", "--format", "json", "dup.json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    assert_eq!(v[0]["code"], "FW-LOAD-004", "{v}");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(formwork(&d, &["validate"]).status.code(), Some(2));
}

#[test]
fn synth_gate_refuses_templates_with_errors() {
    use formwork_constructs::core::{App, Env};
    use formwork_constructs::l1::elbv2::{listener, target_group};
    let mut app = App::new();
    let st = app.add_stack("Broken", Env::region("eu-west-1")).unwrap();
    let mut root = st.root();
    let tg = root
        .add(
            "Tg",
            target_group::TargetGroup {
                protocol_version: Some("GRPC".into()),
                protocol: Some(target_group::Protocol::Http.into()),
                port: Some(50051.into()),
                vpc_id: Some("vpc-1".into()),
                target_type: Some(target_group::TargetType::Ip.into()),
                ..Default::default()
            },
        )
        .unwrap();
    root.add(
        "Http",
        listener::Listener {
            protocol: Some(listener::Protocol::Http.into()),
            port: Some(80.into()),
            ..listener::Listener::new(
                formwork_constructs::core::list([formwork_constructs::core::Val::from(
                    listener::Action {
                        target_group_arn: Some(tg.ref_().into()),
                        ..listener::Action::new(listener::Type::Forward)
                    },
                )]),
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1",
            )
        },
    )
    .unwrap();
    let asm = formwork::assembly::Assembly::from_app(
        formwork::assembly::Source::App { name: "t".into() },
        app,
    )
    .unwrap();
    let diags = formwork::check::check_assembly(&asm);
    assert!(
        diags
            .iter()
            .any(|d| d.code == "FW-ELB-001" && formwork::check::is_error(d)),
        "{diags:?}"
    );
}
