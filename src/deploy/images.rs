//! `formwork deploy --build`: after the stacks (for ECS right after the last stack that creates
//! an ECR repository, before the stacks whose services run the images), per service
//! of the runbook: build its image for the nodes' architecture, log in to ECR once per
//! registry, and push it under the configured tag — refusing, before anything is built, to push
//! over a tag that already exists in an `IMMUTABLE` repository.
//!
//! The repository URI comes from the stack output the runbook names (`OutputRef`); in a dry run
//! no output is read and the commands show `<Stack.Output>` in its place.

use std::collections::BTreeSet;

use formwork_assembly::{Assembly, OutputRef};
use serde_json::Value;

use super::DeployError;
use super::ctx::{Ctx, s};

/// One image to build and push.
struct Image {
    service: String,
    /// `123456789012.dkr.ecr.eu-west-1.amazonaws.com/greeter` (or `<Stack.Output>` in a dry run).
    uri: String,
    tag: String,
    context: String,
    region: Option<String>,
}

impl Image {
    /// The registry host (everything before the first `/`).
    fn registry(&self) -> String {
        match self.uri.split_once('/') {
            Some((r, _)) => r.to_owned(),
            None => format!("<registry of {}", &self.uri[1..]),
        }
    }
    /// The repository name (everything after the first `/`).
    fn repository(&self) -> String {
        match self.uri.split_once('/') {
            Some((_, n)) => n.to_owned(),
            None => format!("<repository of {}", &self.uri[1..]),
        }
    }
}

/// For ECS, the index of the stack after which the images are built: the last one that creates
/// a service's repository (an ECS service stack needs its image before it deploys). `None`
/// otherwise: the images follow all stacks (Kubernetes pulls them only once the manifests are
/// applied).
pub(super) fn after_stack(asm: &Assembly) -> Option<usize> {
    let rb = asm.runbook.as_ref().filter(|r| r.ecs.is_some())?;
    asm.stacks
        .iter()
        .rposition(|st| rb.services.iter().any(|s| s.repository.stack == st.name))
}

/// Builds and pushes every service image of the runbook. Returns the `uri:tag` pushed.
pub(super) fn build_and_push(
    ctx: &mut Ctx<'_>,
    asm: &Assembly,
) -> Result<Vec<String>, DeployError> {
    let Some(rb) = &asm.runbook else {
        return Err(DeployError::Missing(s(
            "--build: this out dir has no runbook (no services with images); synthesize a blueprint, or drop --build",
        )));
    };
    let platform = rb.cluster.image_platform.clone();
    let mut images = Vec::new();
    for svc in &rb.services {
        let region = region_of(ctx, asm, &svc.repository);
        let uri = repository_uri(ctx, &svc.repository, region.as_deref())?;
        images.push(Image {
            service: svc.name.clone(),
            uri,
            tag: svc.image_tag.clone(),
            context: svc.build_context.clone(),
            region,
        });
    }
    ctx.info(format!(
        "images: {} service(s), docker build --platform {platform}",
        images.len()
    ));
    for img in &images {
        refuse_immutable_overwrite(ctx, img)?;
    }
    let mut logged_in = BTreeSet::new();
    let mut pushed = Vec::new();
    for img in &images {
        let reference = format!("{}:{}", img.uri, img.tag);
        run_ok(
            ctx,
            vec![
                s("docker"),
                s("build"),
                s("--platform"),
                platform.clone(),
                s("-t"),
                reference.clone(),
                img.context.clone(),
            ],
        )?;
        if logged_in.insert(img.registry()) {
            login(ctx, img)?;
        }
        run_ok(ctx, vec![s("docker"), s("push"), reference.clone()])?;
        ctx.info(format!("  {}: pushed {reference}", img.service));
        pushed.push(reference);
    }
    Ok(pushed)
}

fn region_of(ctx: &Ctx<'_>, asm: &Assembly, out: &OutputRef) -> Option<String> {
    asm.stack(&out.stack)
        .and_then(|m| m.region.clone())
        .or(ctx.opts.region.clone())
}

fn repository_uri(
    ctx: &mut Ctx<'_>,
    out: &OutputRef,
    region: Option<&str>,
) -> Result<String, DeployError> {
    if ctx.opts.dry_run {
        return Ok(format!("<{}.{}>", out.stack, out.output));
    }
    let outs = ctx.stack_outputs(&out.stack, region)?;
    outs.get(&out.output).cloned().ok_or_else(|| {
        DeployError::Missing(format!(
            "--build: stack `{}` has no output {} (the ECR repository URI); deploy the stacks first",
            out.stack, out.output
        ))
    })
}

/// `aws ecr <op> … [--region R] [--profile P] --output json`.
fn ecr(ctx: &Ctx<'_>, op: &str, region: Option<&str>, args: &[String]) -> Vec<String> {
    let mut v = vec![s("aws"), s("ecr"), s(op)];
    v.extend(args.iter().cloned());
    if let Some(r) = region {
        v.push(s("--region"));
        v.push(s(r));
    }
    if let Some(p) = &ctx.opts.profile {
        v.push(s("--profile"));
        v.push(p.clone());
    }
    v
}

/// Fails when the tag exists and the repository's tags are immutable: the push would be
/// rejected after the build, and the pods would keep the old image under the same name.
fn refuse_immutable_overwrite(ctx: &mut Ctx<'_>, img: &Image) -> Result<(), DeployError> {
    let region = img.region.as_deref();
    let repo = img.repository();
    let argv = ecr(
        ctx,
        "describe-images",
        region,
        &[
            s("--repository-name"),
            repo.clone(),
            s("--image-ids"),
            format!("imageTag={}", img.tag),
            s("--output"),
            s("json"),
        ],
    );
    let Some(o) = ctx.exec(argv.clone())? else {
        return Ok(());
    };
    if !o.ok() {
        if o.stderr.contains("ImageNotFoundException") {
            return Ok(());
        }
        return Err(ctx.failed(&argv, &o));
    }
    let repos = ctx.exec_json(ecr(
        ctx,
        "describe-repositories",
        region,
        &[
            s("--repository-names"),
            repo.clone(),
            s("--output"),
            s("json"),
        ],
    ))?;
    let mutability = repos
        .pointer("/repositories/0/imageTagMutability")
        .and_then(Value::as_str)
        .unwrap_or("MUTABLE");
    if mutability.starts_with("IMMUTABLE") {
        return Err(DeployError::Refused {
            stack: format!("ecr:{repo}"),
            resources: vec![format!(
                "service `{}`: tag {} already exists in {repo}, whose tags are {mutability}: the push would be rejected. Set a new services[].image_tag (e.g. {}) in the config, synthesize, and re-run",
                img.service,
                img.tag,
                next_tag(&img.tag)
            )],
        });
    }
    ctx.info(format!(
        "  {}: tag {} exists in {repo} ({mutability}); it will be overwritten",
        img.service, img.tag
    ));
    Ok(())
}

/// `aws ecr get-login-password | docker login --password-stdin REGISTRY`, with the password
/// passed on standard input and masked in every line printed.
fn login(ctx: &mut Ctx<'_>, img: &Image) -> Result<(), DeployError> {
    let get = ecr(ctx, "get-login-password", img.region.as_deref(), &[]);
    let password = match ctx.exec(get.clone())? {
        Some(o) if o.ok() => o.stdout.trim().to_owned(),
        Some(o) => return Err(ctx.failed(&get, &o)),
        None => String::new(),
    };
    if !password.is_empty() {
        ctx.secrets.push(password.clone());
    }
    let argv = vec![
        s("docker"),
        s("login"),
        s("--username"),
        s("AWS"),
        s("--password-stdin"),
        img.registry(),
    ];
    let shown = ctx.shown(&argv);
    (ctx.log)(super::Note::Command(format!("(password on stdin) {shown}")));
    if ctx.opts.dry_run {
        return Ok(());
    }
    let o = ctx
        .runner
        .run_input(&argv, &password)
        .map_err(|e| ctx.spawn_error(&argv, e))?;
    if !o.ok() {
        return Err(ctx.failed(&argv, &o));
    }
    Ok(())
}

fn run_ok(ctx: &mut Ctx<'_>, argv: Vec<String>) -> Result<(), DeployError> {
    match ctx.exec(argv.clone())? {
        Some(o) if !o.ok() => Err(ctx.failed(&argv, &o)),
        _ => Ok(()),
    }
}

/// A suggestion for a tag that does not exist yet: the last number bumped (`1.4.2` → `1.4.3`),
/// else `-2` appended.
pub(super) fn next_tag(tag: &str) -> String {
    let digits = tag.len() - tag.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return format!("{tag}-2");
    }
    let (head, num) = tag.split_at(tag.len() - digits);
    match num.parse::<u64>() {
        Ok(n) => format!("{head}{}", n + 1),
        Err(_) => format!("{tag}-2"),
    }
}
