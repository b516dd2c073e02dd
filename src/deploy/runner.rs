//! External commands: the [`Runner`] every command goes through (real processes, or a fake
//! that records calls in tests).

use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdOutput {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CmdOutput {
    /// Exit code 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs external commands. `argv[0]` is a logical program name (`aws`, `kubectl`).
pub trait Runner {
    /// Runs to completion, capturing output.
    fn run(&self, argv: &[String]) -> io::Result<CmdOutput>;
    /// Runs to completion with `input` on standard input (`docker login --password-stdin`).
    fn run_input(&self, argv: &[String], input: &str) -> io::Result<CmdOutput>;
    /// Runs to completion, calling `tick` every `interval` while the command runs.
    fn run_with_ticks(
        &self,
        argv: &[String],
        interval: Duration,
        tick: &mut dyn FnMut(),
    ) -> io::Result<CmdOutput>;
}

/// Runs real processes; inherits the environment (AWS_*, including `AWS_ENDPOINT_URL`).
#[derive(Debug, Clone)]
pub struct ProcessRunner {
    /// The `aws` binary.
    pub aws: String,
    /// The `kubectl` binary.
    pub kubectl: String,
}

impl ProcessRunner {
    fn command(&self, argv: &[String]) -> Command {
        let program = match argv[0].as_str() {
            "aws" => self.aws.as_str(),
            "kubectl" => self.kubectl.as_str(),
            other => other,
        };
        let mut c = Command::new(program);
        c.args(&argv[1..]);
        c
    }
}

impl Runner for ProcessRunner {
    fn run(&self, argv: &[String]) -> io::Result<CmdOutput> {
        let o = self.command(argv).stdin(Stdio::null()).output()?;
        Ok(CmdOutput {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        })
    }

    fn run_input(&self, argv: &[String], input: &str) -> io::Result<CmdOutput> {
        let mut child = self
            .command(argv)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes())?;
        }
        let o = child.wait_with_output()?;
        Ok(CmdOutput {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        })
    }

    fn run_with_ticks(
        &self,
        argv: &[String],
        interval: Duration,
        tick: &mut dyn FnMut(),
    ) -> io::Result<CmdOutput> {
        let mut child = self
            .command(argv)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut so = child.stdout.take();
        let mut se = child.stderr.take();
        let t1 = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(p) = so.as_mut() {
                let _ = p.read_to_string(&mut s);
            }
            s
        });
        let t2 = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(p) = se.as_mut() {
                let _ = p.read_to_string(&mut s);
            }
            s
        });
        let mut last = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait()? {
                break st;
            }
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= interval {
                tick();
                last = Instant::now();
            }
        };
        Ok(CmdOutput {
            code: status.code(),
            stdout: t1.join().unwrap_or_default(),
            stderr: t2.join().unwrap_or_default(),
        })
    }
}
