//! The public smoke test of `formwork deploy --apply-k8s` (ECS: `--build`), the same check `DEPLOY.md` prints: per
//! service, `curl --http2` POSTs an empty gRPC call to `/<its first routed gRPC service>/
//! FormworkSmokeTest`, a method no server has. Only the gRPC server itself answers that with
//! `grpc-status: 12` (Unimplemented), so the answer proves TLS, the edge, the WAFs, the origin
//! check, the listener rule, the target group and a pod; a load balancer's answer (403/404,
//! 502/503, `grpc-status: 14`) names the layer that is wrong.

use formwork_assembly::Assembly;
use formwork_assembly::runbook::{Endpoint, Host, RunbookSpec};

use super::DeployError;
use super::ctx::{Ctx, s};

/// The method called: no server implements it.
pub const SMOKE_METHOD: &str = "FormworkSmokeTest";
/// How many calls per service before giving up (`poll` apart): a new distribution or DNS name
/// can take a few minutes to answer everywhere.
const ATTEMPTS: u32 = 20;

/// Calls every service through the public endpoint, if the assembly has one.
pub(super) fn run(ctx: &mut Ctx<'_>, asm: &Assembly, rb: &RunbookSpec) -> Result<(), DeployError> {
    let Some(ep) = &rb.endpoint else {
        return Ok(());
    };
    let host = host(ctx, asm, rb, ep)?;
    for svc in &rb.services {
        let Some(g) = svc.grpc_services.first() else {
            continue;
        };
        let what = format!(
            "{} answers through {}",
            svc.name,
            ep.authority.as_deref().unwrap_or(&host)
        );
        let argv = curl(ep, &host, g);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(ctx.opts.poll);
            }
            let Some(o) = ctx.exec(argv.clone())? else {
                break; // dry run: shown, not run
            };
            if answered_by_server(&o.stdout) {
                ctx.info(format!("  ok: {what} (grpc-status 12 from the server)"));
                last.clear();
                break;
            }
            last = first_lines(&format!("{}{}", o.stdout, o.stderr));
        }
        if !last.is_empty() {
            return Err(DeployError::Command {
                message: format!(
                    "smoke test `{what}` failed after {ATTEMPTS} calls; the last answer:\n{last}\n  403/404: the route or the origin check (is `{g}` in the service's grpc_services?); 502/503 or grpc-status 14: no healthy target ({}); a TLS error: the certificate's names. Resume with `formwork deploy {} {}`",
                    if rb.ecs.is_some() {
                        format!(
                            "aws ecs describe-services --cluster {} --services <{}'s service>",
                            rb.cluster.name, svc.name
                        )
                    } else {
                        format!("kubectl -n {} get pods", svc.namespace)
                    },
                    ctx.opts.dir.display(),
                    if rb.ecs.is_some() {
                        "--build"
                    } else {
                        "--apply-k8s"
                    }
                ),
            });
        }
    }
    Ok(())
}

/// The curl command line for one gRPC service.
pub fn curl(ep: &Endpoint, host: &str, grpc_service: &str) -> Vec<String> {
    let mut argv = vec![
        s("curl"),
        s("-sS"),
        s("--http2"),
        s("-o"),
        s("/dev/null"),
        s("-D"),
        s("-"),
        s("-X"),
        s("POST"),
        s("-H"),
        s("content-type: application/grpc"),
        s("-H"),
        s("te: trailers"),
        s("--data-binary"),
        s(""),
    ];
    let url_host = match &ep.authority {
        Some(a) => {
            argv.extend([s("--connect-to"), format!("{a}:443:{host}:443")]);
            a.clone()
        }
        None => host.to_owned(),
    };
    argv.push(format!("https://{url_host}/{grpc_service}/{SMOKE_METHOD}"));
    argv
}

/// Whether the response headers (`curl -D -`) carry `grpc-status: 12`.
pub fn answered_by_server(headers: &str) -> bool {
    headers.lines().any(|l| {
        let l = l.trim().to_ascii_lowercase();
        l.strip_prefix("grpc-status:")
            .is_some_and(|v| v.trim() == "12")
    })
}

fn first_lines(text: &str) -> String {
    text.lines()
        .take(8)
        .map(|l| format!("    {}", l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn host(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
    rb: &RunbookSpec,
    ep: &Endpoint,
) -> Result<String, DeployError> {
    match &ep.host {
        Host::Name { name } => Ok(name.clone()),
        Host::Output(o) if ctx.opts.dry_run => Ok(format!("<{}.{}>", o.stack, o.output)),
        Host::Output(o) => {
            let region = asm
                .stack(&o.stack)
                .and_then(|m| m.region.clone())
                .unwrap_or_else(|| rb.cluster.region.clone());
            let outs = ctx.stack_outputs(&o.stack, Some(&region))?;
            outs.get(&o.output).cloned().ok_or_else(|| {
                DeployError::Missing(format!(
                    "stack `{}` has no output {} (the public endpoint)",
                    o.stack, o.output
                ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_unimplemented_counts() {
        assert!(answered_by_server(
            "HTTP/2 200\r\ncontent-type: application/grpc\r\ngrpc-status: 12\r\n"
        ));
        assert!(answered_by_server("HTTP/2 200\r\nGrpc-Status: 12\r\n"));
        assert!(!answered_by_server("HTTP/2 200\r\ngrpc-status: 14\r\n"));
        assert!(!answered_by_server("HTTP/2 403\r\nserver: awselb/2.0\r\n"));
        assert!(!answered_by_server("HTTP/2 200\r\ngrpc-status: 120\r\n"));
    }

    #[test]
    fn the_authority_is_reached_through_the_endpoint() {
        let ep = Endpoint {
            host: Host::Name {
                name: "d1.cloudfront.net".into(),
            },
            authority: Some("api.example.com".into()),
            unrouted: String::new(),
        };
        let argv = curl(&ep, "d1.cloudfront.net", "helloworld.Greeter");
        let line = argv.join(" ");
        assert!(line.ends_with("--connect-to api.example.com:443:d1.cloudfront.net:443 https://api.example.com/helloworld.Greeter/FormworkSmokeTest"), "{line}");
    }
}
