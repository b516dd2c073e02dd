//! The config-error corpus (`tests/configs/bad/*.yaml`): each file's `# expect:` lines must all
//! appear in the errors `formwork synth` prints (file, line, JSON pointer, message), the exit
//! code is 1 and nothing is written. Plus a mutation fuzz of the loader: no input panics.

use crate::support::{formwork, repo, temp_dir};

#[test]
fn every_bad_config_reports_its_errors() {
    let dir = repo().join("tests/configs/bad");
    let work = temp_dir("config-errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for f in files {
        let text = std::fs::read(&f).unwrap();
        let expects: Vec<String> = String::from_utf8_lossy(&text)
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: ").map(str::to_owned))
            .collect();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::copy(&f, work.join(&name)).unwrap();
        let o = formwork(&work, &["synth", "-c", &name, "-o", "never"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            !work.join("never").exists(),
            "{name}: nothing may be written"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(err.contains(&name), "{name}: errors name the file: {err}");
        for e in &expects {
            assert!(
                err.contains(e.as_str()),
                "{name}: expected `{e}` in:\n{err}"
            );
        }
    }
}

/// A small deterministic PRNG (xorshift64*), so the fuzz needs no dependency and is repeatable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn loader_never_panics_on_mutated_configs() {
    const TOKENS: &[&[u8]] = &[
        b": ",
        b"\n",
        b"- ",
        b"[",
        b"]",
        b"{",
        b"}",
        b"\"",
        b"'",
        b"&a",
        b"*a",
        b"!!binary ",
        b"~",
        b"0x",
        b"-1",
        b"1e999",
        b"\t",
        b"#",
        b"{n}",
        b"\xff",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for bp in formwork_blueprints::BLUEPRINTS {
        for _ in 0..400 {
            let mut bytes = bp.example.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len() + 1);
                match rng.below(4) {
                    0 => {
                        let t = TOKENS[rng.below(TOKENS.len())];
                        bytes.splice(at..at, t.iter().copied());
                    }
                    1 => {
                        let end = (at + rng.below(40)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    2 if at < bytes.len() => bytes[at] = rng.next() as u8,
                    _ => bytes.truncate(at),
                }
            }
            let r = std::panic::catch_unwind(|| {
                formwork_blueprints::load_and_build(&bytes, &Default::default()).map(|_| ())
            });
            assert!(
                r.is_ok(),
                "panic on input:\n{}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

/// `allow_unlisted_region: true` is the documented way to use a Region newer than the list:
/// the same config that `unknown-region.yaml` refuses then synthesizes.
#[test]
fn unlisted_region_is_accepted_when_allowed() {
    let work = temp_dir("unlisted-region");
    let bad =
        std::fs::read_to_string(repo().join("tests/configs/bad/unknown-region.yaml")).unwrap();
    let ok = bad.replace(
        "region: eu-west-9\n",
        "region: eu-west-9\nallow_unlisted_region: true\n",
    );
    std::fs::write(work.join("c.yaml"), ok).unwrap();
    let o = formwork(&work, &["synth", "-c", "c.yaml", "-o", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let manifest = std::fs::read_to_string(work.join("out/manifest.json")).unwrap();
    assert!(manifest.contains("eu-west-9"), "{manifest}");
}

/// A service's `build:` names the docker build context that `deploy --build` and `DEPLOY.md` use
/// (default `./<name>`); a value with a control character is refused at its line.
#[test]
fn build_context_is_configurable_and_checked() {
    let work = temp_dir("build-context");
    let example =
        std::fs::read_to_string(repo().join("blueprints/examples/grpc-eks-edge.yaml")).unwrap();
    let (head, tail) = example.split_once("    image_tag: \"1.0.0\"\n").unwrap();
    let with = format!("{head}    image_tag: \"1.0.0\"\n    build: ./services/greeter\n{tail}");
    std::fs::write(work.join("c.yaml"), &with).unwrap();
    let o = formwork(&work, &["synth", "-c", "c.yaml", "-o", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let runbook = std::fs::read_to_string(work.join("out/DEPLOY.md")).unwrap();
    assert!(runbook.contains(" ./services/greeter"), "{runbook}");
    let dry = formwork(&work, &["deploy", "out", "--dry-run", "--build"]);
    let stdout = String::from_utf8_lossy(&dry.stdout);
    assert!(stdout.contains(":1.0.0' ./services/greeter"), "{stdout}");
    assert!(
        stdout.contains(":2.3.1' ./catalog"),
        "the default stays: {stdout}"
    );

    let bad = format!("{head}    image_tag: \"1.0.0\"\n    build: \"./a\\tb\"\n{tail}");
    std::fs::write(work.join("bad.yaml"), &bad).unwrap();
    let o = formwork(&work, &["synth", "-c", "bad.yaml", "-o", "out2"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.yaml:") && err.contains("/services/0/build"),
        "{err}"
    );
    assert!(!work.join("out2").exists());
}

/// Issue #12.2: a merge key (`<<: *svc`) is resolved before the schema check — the config
/// synthesizes, and the merged service equals the one written out (keys beside `<<` win).
#[test]
fn merge_keys_are_resolved_before_the_schema() {
    let example = formwork_blueprints::find("grpc-eks-alb").unwrap().example;
    let merged = example.replace(
        "services:\n  - name: greeter\n    grpc_services: [helloworld.Greeter]\n    port: 50051\n    image_tag: \"1.0.0\"\n",
        "x-defaults: &svc\n  port: 50051\n  image_tag: \"0.9.0\"\nservices:\n  - <<: *svc\n    name: greeter\n    grpc_services: [helloworld.Greeter]\n    image_tag: \"1.0.0\"\n",
    );
    assert_ne!(
        merged, example,
        "the example's services block moved; update this test"
    );
    // `x-defaults` is not a config key: drop it after merging by anchoring inside services.
    let merged = merged.replace(
        "x-defaults: &svc\n  port: 50051\n  image_tag: \"0.9.0\"\nservices:\n  - <<: *svc\n",
        "services:\n  - <<: &svc {port: 50051, image_tag: \"0.9.0\"}\n",
    );
    let d = temp_dir("merge-keys");
    std::fs::write(d.join("plain.yaml"), example).unwrap();
    std::fs::write(d.join("merged.yaml"), &merged).unwrap();
    for (cfg, out) in [("plain.yaml", "a"), ("merged.yaml", "b")] {
        let o = formwork(&d, &["synth", "-c", cfg, "-o", out]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{cfg}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = formwork(&d, &["diff", "a", "b", "--fail-on-change"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// Issue #12.1: the health check for servers without a health service (`/AWS.ALB/healthcheck`,
/// codes `12`) gives the pods TCP probes, not `grpc:` probes that call `grpc.health.v1` and would
/// restart them forever; the default keeps gRPC probes.
#[test]
fn alb_only_health_check_gives_tcp_probes() {
    let example = formwork_blueprints::find("grpc-eks-edge").unwrap().example;
    let hc =
        "    health_check:\n      path: /grpc.health.v1.Health/Check\n      grpc_codes: \"0\"\n";
    assert!(
        example.contains(hc),
        "the example's health check moved; update this test"
    );
    let d = temp_dir("alb-only-health-check");
    std::fs::write(d.join("default.yaml"), example).unwrap();
    std::fs::write(
        d.join("alb.yaml"),
        example.replace(
            hc,
            "    health_check:\n      path: /AWS.ALB/healthcheck\n      grpc_codes: \"12\"\n",
        ),
    )
    .unwrap();
    for (cfg, out, tcp) in [("default.yaml", "a", false), ("alb.yaml", "b", true)] {
        let o = formwork(&d, &["synth", "-c", cfg, "-o", out]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{cfg}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let dep =
            std::fs::read_to_string(d.join(out).join("k8s/greeter/30-deployment.yaml")).unwrap();
        assert_eq!(
            dep.matches("tcpSocket:").count(),
            if tcp { 2 } else { 0 },
            "{cfg}:\n{dep}"
        );
        assert_eq!(
            dep.matches("grpc:").count(),
            if tcp { 0 } else { 2 },
            "{cfg}:\n{dep}"
        );
    }
}
