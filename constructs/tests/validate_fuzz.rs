//! Fuzz-style loading test: generated malformed inputs (truncations, byte flips, deep nesting,
//! duplicate keys, bad tags, binary) in bounded time. Each must load or fail with a located
//! FW-LOAD-* error, never panic, and never take more than 2 s.

use std::time::{Duration, Instant};

use formwork_constructs::validate::{self, LoadError, ValidateOptions};

const SEED_YAML: &str = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Name:\n    Type: String\n    Default: x\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${Name}-t'\n      Tags: [{Key: a, Value: !Ref Name}]\nOutputs:\n  Arn:\n    Value: !GetAtt Topic.TopicArn\n";
const SEED_JSON: &str = "{\"Parameters\": {\"Name\": {\"Type\": \"String\"}},\n \"Resources\": {\"Topic\": {\"Type\": \"AWS::SNS::Topic\",\n  \"Properties\": {\"TopicName\": {\"Fn::Sub\": \"${Name}-t\"}, \"Tags\": [{\"Key\": \"a\", \"Value\": \"\\u00e9\"}]}}}}\n";

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = Vec::new();
    for seed in [SEED_YAML, SEED_JSON] {
        let b = seed.as_bytes();
        for cut in 0..b.len() {
            v.push((format!("truncated at {cut}"), b[..cut].to_vec()));
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..400 {
            let mut m = b.to_vec();
            for _ in 0..=rng.below(3) {
                let at = rng.below(m.len());
                let pick = b"{}[]:,\"'!\\\n\t #&*|>-\x00\xff\xc3";
                m[at] = pick[rng.below(pick.len())];
            }
            v.push((format!("mutation {i}"), m));
        }
    }
    for depth in [100, 1_001, 20_000] {
        let ifs = format!(
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: {}x{}\n",
            "!If [C, ".repeat(depth),
            ", y]".repeat(depth)
        );
        v.push((format!("YAML Fn::If depth {depth}"), ifs.into_bytes()));
        let block = (0..depth.min(2_000))
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect::<String>();
        v.push((format!("YAML block depth {depth}"), block.into_bytes()));
        let json = format!(
            "{{\"Resources\": {{\"T\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": {{\"TopicName\": {}\"x\"{}}}}}}}}}",
            "{\"Fn::If\": [\"C\", ".repeat(depth),
            ", \"y\"]}".repeat(depth)
        );
        v.push((format!("JSON Fn::If depth {depth}"), json.into_bytes()));
    }
    v.push(("binary".into(), (0u8..=255).cycle().take(4096).collect()));
    v
}

/// Every load error except I/O and size carries a line and column >= 1.
fn located(e: &LoadError) -> bool {
    if matches!(e, LoadError::TooLarge { .. }) {
        return true;
    }
    let d = e.to_diagnostic();
    d.code.starts_with("FW-LOAD-")
        && d.line.is_some_and(|l| l >= 1)
        && d.column.is_some_and(|c| c >= 1)
}

#[test]
fn malformed_inputs_fail_located_fast_and_without_panic() {
    let opts = ValidateOptions {
        file: Some("fuzz.yaml".into()),
        ..Default::default()
    };
    let mut problems = Vec::new();
    let cases = inputs();
    assert!(cases.len() > 1000, "{} cases", cases.len());
    for (name, bytes) in &cases {
        let t = Instant::now();
        let r = std::panic::catch_unwind(|| validate::validate_bytes(bytes, &opts));
        let took = t.elapsed();
        match r {
            Err(_) => problems.push(format!("{name}: panicked")),
            Ok(Err(e)) if !located(&e) => problems.push(format!("{name}: not located: {e}")),
            _ => {}
        }
        if took > Duration::from_secs(2) {
            problems.push(format!("{name}: took {took:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn positions_are_the_right_ones() {
    let at = |bytes: &[u8]| {
        let e = validate::load_template(bytes, "t").unwrap_err();
        let d = e.to_diagnostic();
        (d.code, d.line.unwrap_or(0), d.column.unwrap_or(0))
    };
    assert_eq!(
        at(b"Resources:\n  A:\n    Type: X\nResources:\n  B: {}\n"),
        ("FW-LOAD-004", 4, 1)
    );
    assert_eq!(
        at(b"{\"Resources\": {},\n  \"Resources\": {}}"),
        ("FW-LOAD-004", 2, 3)
    );
    assert_eq!(
        at(b"Resources:\n  A:\n    Type: X\n    Properties:\n      N: !Reff B\n"),
        ("FW-LOAD-002", 5, 10)
    );
    assert_eq!(at(b"Resources:\n  A: caf\xe9\n"), ("FW-LOAD-003", 2, 9));
    let e = validate::load_template(b"Resources:\n  A: caf\xe9\n", "t").unwrap_err();
    assert!(e.to_string().contains("byte 19"), "{e}");
}

/// 42 nested `Fn::Join`s (about 130 JSON levels) load: CloudFormation accepts them.
#[test]
fn deep_but_legal_json_loads() {
    let mut v = "\"x\"".to_owned();
    for _ in 0..42 {
        v = format!("{{\"Fn::Join\": [\"\", [{v}, \"y\"]]}}");
    }
    let t = format!(
        "{{\"Resources\": {{\"T\": {{\"Type\": \"AWS::SNS::Topic\", \"Properties\": {{\"DisplayName\": {v}}}}}}}}}"
    );
    let d = validate::validate_bytes(t.as_bytes(), &ValidateOptions::default()).unwrap();
    assert!(d.iter().all(|d| !d.code.starts_with("FW-LOAD")), "{d:?}");
}
