//! Runs the validation corpus under `tests/validate/`:
//! * `bad/*.yaml` — one pitfall each; the first line `# expect: CODE[, CODE]` lists the exact set
//!   of codes the file must raise (an optional `# region: R` line sets the stack region, an
//!   optional `# severity: S` requires every finding to have severity S, and `# mentions: TEXT`
//!   requires a message containing TEXT);
//! * `good/*` — must raise nothing at all (no error, no warning, no info); a `# passes: CODES`
//!   line lists rules the file exercises without tripping them;
//! * limit rules (which need huge templates) are generated here.
//!
//! Every rule in `RULES` must have at least one failing and one passing case.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use formwork_constructs::validate::{self, RULES, Severity, ValidateOptions};
use serde_json::{Value, json};

fn corpus(dir: &str) -> Vec<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/validate")
        .join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    v.sort();
    v
}

fn header(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            l.strip_prefix(&format!("# {key}:"))
                .map(|s| s.trim().to_owned())
        })
}

fn codes(list: &str) -> BTreeSet<String> {
    list.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn run(path: &Path) -> (String, Vec<validate::Diagnostic>) {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let opts = ValidateOptions {
        region: header(&text, "region"),
        file: Some(path.file_name().unwrap().to_string_lossy().into_owned()),
        ..Default::default()
    };
    let d = validate::validate_bytes(&bytes, &opts).unwrap_or_else(|e| vec![e.to_diagnostic()]);
    (text, d)
}

fn generated_limits() -> Vec<(&'static str, Value, Option<usize>)> {
    let topic = json!({"Type": "AWS::SNS::Topic"});
    let many = |n: usize, prefix: &str, v: &Value| -> serde_json::Map<String, Value> {
        (0..n)
            .map(|i| (format!("{prefix}{i}"), v.clone()))
            .collect()
    };
    let base = |extra: Vec<(&str, Value)>| {
        let mut t = json!({"Resources": {"T": topic.clone()}});
        for (k, v) in extra {
            t[k] = v;
        }
        t
    };
    let mut cases = vec![
        (
            "FW-LIMIT-001",
            json!({"Resources": many(501, "T", &topic)}),
            None,
        ),
        (
            "FW-LIMIT-002",
            base(vec![(
                "Parameters",
                Value::Object(many(201, "P", &json!({"Type": "String"}))),
            )]),
            None,
        ),
        (
            "FW-LIMIT-003",
            base(vec![(
                "Outputs",
                Value::Object(many(201, "O", &json!({"Value": "x"}))),
            )]),
            None,
        ),
        (
            "FW-LIMIT-004",
            base(vec![(
                "Mappings",
                Value::Object(many(201, "M", &json!({"k": {"v": "x"}}))),
            )]),
            None,
        ),
        ("FW-LIMIT-005", base(vec![]), Some(51_201)),
        ("FW-LIMIT-006", base(vec![]), Some(1_048_577)),
    ];
    // 101 listener rules / 101 target groups on one ALB.
    let mut res = serde_json::Map::new();
    res.insert("Alb".into(), json!({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["subnet-1", "subnet-2"]}}));
    res.insert("L".into(), json!({"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"LoadBalancerArn": {"Ref": "Alb"}, "Protocol": "HTTP", "Port": 80, "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}}));
    for i in 0..101 {
        res.insert(format!("Tg{i}"), json!({"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1", "TargetType": "ip"}}));
        res.insert(format!("R{i}"), json!({"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {"ListenerArn": {"Ref": "L"}, "Priority": i + 1, "Conditions": [{"Field": "path-pattern", "Values": [format!("/p{i}/*")]}], "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": format!("Tg{i}")}}]}}));
    }
    cases.push(("FW-LIMIT-007,FW-LIMIT-008", json!({"Resources": res}), None));
    let behaviours: Vec<Value> = (0..76)
        .map(|i| json!({"PathPattern": format!("/p{i}/*"), "TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}))
        .collect();
    cases.push(("FW-LIMIT-009", json!({"Resources": {"D": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Enabled": true,
        "Origins": [{"Id": "o", "DomainName": "o.example.com", "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}],
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only", "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "CacheBehaviors": behaviours}}}}}), None));
    cases
}

/// Load errors that a `# expect:` header cannot carry (JSON has no comments; sizes and NULs).
fn generated_load_errors() -> Vec<(&'static str, Vec<u8>)> {
    let deep = format!(
        "{{\"Resources\": {}{}}}",
        "[".repeat(1001),
        "]".repeat(1001)
    );
    vec![
        ("FW-LOAD-001", vec![b' '; (16 << 20) + 1]),
        ("FW-LOAD-002", b"{\"Resources\": {\"T\": }}".to_vec()),
        ("FW-LOAD-002", deep.into_bytes()),
        ("FW-LOAD-003", b"Resources:\n  T:\0\n".to_vec()),
        (
            "FW-LOAD-004",
            b"{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}, \"T\": {}}}".to_vec(),
        ),
    ]
}

#[test]
fn corpus_bad_good_and_coverage() {
    let mut failing: BTreeSet<String> = BTreeSet::new();
    let mut passing: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();

    for p in corpus("bad") {
        let (text, d) = run(&p);
        let Some(expect) = header(&text, "expect") else {
            problems.push(format!("{}: no `# expect:` line", p.display()));
            continue;
        };
        let want = codes(&expect);
        let got: BTreeSet<String> = d.iter().map(|d| d.code.to_owned()).collect();
        if want != got {
            problems.push(format!(
                "{}: expected {want:?}, got {got:?}\n{}",
                p.display(),
                validate::render_human(&d)
            ));
        }
        if let Some(sev) = header(&text, "severity")
            && let Some(d) = d.iter().find(|d| d.severity.as_str() != sev)
        {
            problems.push(format!(
                "{}: expected {sev}s only, got {}",
                p.display(),
                d.render()
            ));
        }
        if let Some(m) = header(&text, "mentions")
            && !d.iter().any(|d| d.message.contains(&m))
        {
            problems.push(format!(
                "{}: no message mentions {m:?}\n{}",
                p.display(),
                validate::render_human(&d)
            ));
        }
        failing.extend(want);
    }
    for p in corpus("good") {
        let (text, d) = run(&p);
        if !d.is_empty() {
            problems.push(format!(
                "{}: expected no findings, got\n{}",
                p.display(),
                validate::render_human(&d)
            ));
        }
        if let Some(passes) = header(&text, "passes") {
            passing.extend(codes(&passes));
        }
    }
    for (expect, t, body) in generated_limits() {
        let opts = ValidateOptions {
            body_bytes: body,
            ..Default::default()
        };
        let d = validate::validate_template(&t, &opts);
        let got: BTreeSet<String> = d.iter().map(|d| d.code.to_owned()).collect();
        let want = codes(expect);
        if want != got {
            problems.push(format!(
                "generated {expect}: got {got:?}\n{}",
                validate::render_human(&d)
            ));
        }
        failing.extend(want);
    }
    for (expect, bytes) in generated_load_errors() {
        let got = match validate::validate_bytes(&bytes, &ValidateOptions::default()) {
            Ok(d) => d.iter().map(|d| d.code.to_owned()).collect::<Vec<_>>(),
            Err(e) => vec![e.code().as_str().to_owned()],
        };
        if got != [expect] {
            problems.push(format!("generated {expect}: got {got:?}"));
        }
        failing.insert(expect.to_owned());
    }
    for r in RULES.iter() {
        let code = r.code.as_str();
        if !failing.contains(code) {
            problems.push(format!("rule {} has no failing case", r.code));
        }
        if !passing.contains(code) {
            problems.push(format!(
                "rule {code} has no passing case (list it in a good file's `# passes:`)"
            ));
        }
    }
    for code in failing.iter().chain(passing.iter()) {
        if validate::registry::rule(code).is_none() {
            problems.push(format!("unknown code {code} in the corpus"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn strict_and_exit_codes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/validate");
    let warn = root.join("bad/FW-GRPC-009-allow-all.yaml");
    let err = root.join("bad/FW-GRPC-001-http1.yaml");
    let good = root.join("good/lambda-sns-sqs.yaml");
    assert_eq!(
        validate::validate_files(std::slice::from_ref(&good), None, true).exit_code,
        0
    );
    assert_eq!(
        validate::validate_files(std::slice::from_ref(&warn), None, false).exit_code,
        0
    );
    assert_eq!(validate::validate_files(&[warn], None, true).exit_code, 1);
    assert_eq!(
        validate::validate_files(&[err, good], None, false).exit_code,
        1
    );
    let missing = validate::validate_files(&[root.join("nope.yaml")], None, false);
    assert_eq!(missing.exit_code, 1);
    assert_eq!(missing.load_errors.len(), 1);
}

#[test]
fn diagnostics_are_sorted_rendered_and_deterministic() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/validate/bad/FW-ELB-001-listener-rule.yaml");
    let bytes = std::fs::read(&p).unwrap();
    let opts = ValidateOptions {
        stack: Some("Regional".into()),
        ..Default::default()
    };
    let a = validate::validate_bytes(&bytes, &opts).unwrap();
    let b = validate::validate_bytes(&bytes, &opts).unwrap();
    assert_eq!(a, b);
    let line = validate::render_human(&a);
    assert!(
        line.starts_with("error FW-ELB-001 Regional/GrpcRule /Properties/Actions/0/ForwardConfig/TargetGroups/0/TargetGroupArn: "),
        "{line}"
    );
    assert!(line.contains("(fix: "));
    let j: Value = serde_json::from_str(&validate::render_json(&a)).unwrap();
    assert_eq!(j[0]["severity"], "error");
    assert_eq!(j[0]["code"], "FW-ELB-001");
    assert_eq!(j[0]["logical_id"], "GrpcRule");
    assert!(a.iter().all(|d| d.severity == Severity::Error));
}

#[test]
fn no_panic_on_odd_input() {
    let odd = [
        json!({}),
        json!({"Resources": []}),
        json!({"Resources": {"A": 1}}),
        json!({"Resources": {"A": {"Type": 5}}}),
        json!({"Resources": {"A": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {"DefaultCacheBehavior": {"GrpcConfig": {"Enabled": "true"}, "AllowedMethods": {"Ref": "M"}}, "Origins": "x", "CacheBehaviors": 3}}}}}),
        json!({"Resources": {"A": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {"DefaultActions": [{"TargetGroupArn": {"Fn::GetAtt": 7}}], "Protocol": 3}}}}),
        json!({"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": [1, 2]}}, "DependsOn": 4}}, "Outputs": 5, "Conditions": {"C": {"Fn::If": 1}}}),
        json!({"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": "str"}}}),
    ];
    for t in odd {
        // Every one of these is broken: besides not panicking, validation must say so.
        let d = validate::validate_template(&t, &ValidateOptions::default());
        assert!(
            d.iter().any(|d| d.severity == validate::Severity::Error),
            "no error for {t}: {d:?}"
        );
    }
    // A whole Properties object under Fn::If is valid CloudFormation: no panic, no schema error.
    let d = validate::validate_template(
        &json!({"Conditions": {"C": {"Fn::Equals": ["a", "a"]}}, "Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::If": ["C", {}, {}]}}}}),
        &ValidateOptions::default(),
    );
    assert!(!d.iter().any(|d| d.code.starts_with("FW-SCHEMA")), "{d:?}");
}

/// `docs/rules.md` is generated from the registry; regenerate with
/// `FORMWORK_UPDATE_DOCS=1 cargo test -p formwork-constructs --test validate_corpus rules_doc`.
#[test]
fn rules_doc_is_generated_from_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
    let want = validate::registry::markdown();
    if std::env::var("FORMWORK_UPDATE_DOCS").as_deref() == Ok("1") {
        std::fs::write(path, &want).expect("write docs/rules.md");
    }
    let got = std::fs::read_to_string(path).expect("docs/rules.md");
    assert!(
        got == want,
        "docs/rules.md is out of date with the rule registry; regenerate with \
         `FORMWORK_UPDATE_DOCS=1 cargo test -p formwork-constructs --test validate_corpus rules_doc`"
    );
}

/// Every code has exactly one rule; a rule checked with another names a rule that has a function;
/// the README's rule count is the registry's.
#[test]
fn registry_is_complete() {
    use validate::{Check, Code};
    assert_eq!(RULES.len(), Code::ALL.len());
    for c in Code::ALL {
        assert_eq!(c.rule().code, *c);
        assert!(
            !c.rule().source.is_empty() && !c.rule().what.is_empty(),
            "{c}"
        );
        if let Check::With(other) = c.rule().check {
            assert!(
                matches!(other.rule().check, Check::Fn(_)),
                "{c} is checked with {other}"
            );
        }
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let claim = format!("{} rules with stable codes", RULES.len());
    assert!(readme.contains(&claim), "README.md should say `{claim}`");
}
