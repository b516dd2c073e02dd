//! Renderings of a [`Diff`]: text for terminals, Markdown for pull-request comments (tera,
//! `markdown.rs`), JSON.

mod markdown;

pub use markdown::*;

use serde::Serialize;
use serde_json::Value;

use crate::diff::{
    Action, Diff, EntryChange, FileChange, FileStatus, ResourceChange, Risk, StackDiff, StackStatus,
};

/// The Markdown template (a PR comment).
pub const MARKDOWN_TEMPLATE: &str = include_str!("../templates/diff.md.tera");

const MAX_VALUE: usize = 100;

/// Compact JSON of a value, shortened for display.
fn show(v: Option<&Value>) -> String {
    let s = match v {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    };
    if s.chars().count() > MAX_VALUE {
        let cut: String = s.chars().take(MAX_VALUE - 1).collect();
        format!("{cut}…")
    } else {
        s
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn action(&self, a: Action, s: &str) -> String {
        let code = match a {
            Action::Add => "32",
            Action::Remove => "31",
            Action::Update => "33",
            Action::MayReplace => "35",
            Action::Replace => "1;31",
        };
        self.wrap(code, s)
    }
}

fn sigil(a: Action) -> &'static str {
    match a {
        Action::Add => "[+]",
        Action::Remove => "[-]",
        Action::Update => "[~]",
        Action::MayReplace => "[?]",
        Action::Replace => "[!]",
    }
}

fn risk_note(r: &ResourceChange) -> Option<String> {
    let kept = r.kept_by.as_deref().unwrap_or("a retention policy");
    let snapshot = kept.ends_with("Snapshot");
    match (r.risk, r.action) {
        (Some(Risk::DataLoss), Action::Remove) => Some("!! stateful: DATA LOSS (deleted)".into()),
        (Some(Risk::DataLoss), Action::MayReplace) => {
            Some("!! stateful: DATA LOSS if replaced".into())
        }
        (Some(Risk::DataLoss), _) => Some("!! stateful: DATA LOSS (replaced)".into()),
        (Some(Risk::Retained), Action::Remove) if snapshot => Some(format!(
            "! stateful: removed from the stack and deleted after a final snapshot ({kept})"
        )),
        (Some(Risk::Retained), Action::Remove) => Some(format!(
            "! stateful: orphaned, not deleted ({kept}): the stack lets go of it, it and its \
             data stay (and are billed) until you delete or import it"
        )),
        (Some(Risk::Retained), _) if snapshot => Some(format!(
            "! stateful: replaced; the old one is deleted after a final snapshot ({kept}), the \
             new one starts empty"
        )),
        (Some(Risk::Retained), _) => Some(format!(
            "! stateful: replaced; the old one is orphaned, not deleted ({kept}), the new one \
             starts empty"
        )),
        (None, _) => None,
    }
}

/// `refers to X, which is replaced (replacement)`: one knock-on, in words.
fn knock_on_text(k: &crate::diff::KnockOn) -> String {
    let what = match k.action {
        Action::Replace => "replacement",
        Action::MayReplace => "may need replacement",
        _ => "update",
    };
    format!("refers to {}, which is replaced ({what})", k.refers_to)
}

fn stack_heading(s: &StackDiff) -> String {
    match s.status {
        StackStatus::Added => format!("Stack {} (new stack)", s.name),
        StackStatus::Removed => format!(
            "Stack {} (removed from NEW; formwork never deletes stacks)",
            s.name
        ),
        StackStatus::Both => format!("Stack {}", s.name),
    }
}

/// One summary line for a stack: `2 added, 1 removed, 3 updated, 1 replaced, 1 renamed`.
pub fn summary(s: &StackDiff) -> String {
    let mut parts = Vec::new();
    for (a, w) in [
        (Action::Add, "added"),
        (Action::Remove, "removed"),
        (Action::Update, "updated"),
        (Action::MayReplace, "may be replaced"),
        (Action::Replace, "replaced"),
    ] {
        let n = s.count(a);
        if n > 0 {
            parts.push(format!("{n} {w}"));
        }
    }
    if !s.renames.is_empty() {
        parts.push(format!("{} renamed", s.renames.len()));
    }
    let failing = s.will_fail().count();
    if failing > 0 {
        parts.push(format!("{failing} will fail"));
    }
    if parts.is_empty() {
        "no resource changes".to_owned()
    } else {
        parts.join(", ")
    }
}

fn entries_text(out: &mut String, p: &Paint, title: &str, list: &[EntryChange]) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("  {title}\n"));
    for e in list {
        let line = match e.action {
            Action::Add => format!(
                "    {} {} = {}",
                sigil(e.action),
                e.name,
                show(e.new.as_ref())
            ),
            Action::Remove => format!(
                "    {} {} (was {})",
                sigil(e.action),
                e.name,
                show(e.old.as_ref())
            ),
            _ if !e.changes.is_empty() => format!("    {} {}", sigil(e.action), e.name),
            _ => format!(
                "    {} {}: {} → {}",
                sigil(e.action),
                e.name,
                show(e.old.as_ref()),
                show(e.new.as_ref())
            ),
        };
        out.push_str(&p.action(e.action, &line));
        out.push('\n');
        for c in &e.changes {
            out.push_str(&format!(
                "        {}: {} → {}\n",
                c.pointer,
                show(c.old.as_ref()),
                show(c.new.as_ref())
            ));
        }
    }
}

/// Plain text. `color` adds ANSI colours (the CLI turns it on only for a terminal).
pub fn render_text(diff: &Diff, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    let mut at_risk = Vec::new();
    let mut will_fail = Vec::new();
    for s in &diff.stacks {
        out.push_str(&p.wrap("1", &stack_heading(s)));
        out.push('\n');
        if !s.has_changes() {
            out.push_str("  no changes\n\n");
            continue;
        }
        out.push_str(&format!("  {}\n", summary(s)));
        if !s.resources.is_empty() || !s.renames.is_empty() {
            out.push_str("  Resources\n");
        }
        for r in &s.renames {
            out.push_str(&p.wrap(
                "36",
                &format!(
                    "    [>] {} {} → {} (rename: moved by stack refactoring, not replaced)",
                    r.type_name, r.from, r.to
                ),
            ));
            out.push('\n');
        }
        for r in &s.resources {
            let mut line = format!("    {} {} {}", sigil(r.action), r.type_name, r.logical_id);
            if let Some(t) = &r.old_type {
                line.push_str(&format!(" (type changed from {t})"));
            }
            if matches!(
                r.action,
                Action::Update | Action::Replace | Action::MayReplace
            ) {
                line.push_str(&format!(" — {}", r.action.word()));
            }
            out.push_str(&p.action(r.action, &line));
            if let Some(n) = risk_note(r) {
                out.push(' ');
                out.push_str(&p.wrap("1;31", &n));
                at_risk.push(format!(
                    "{}/{} ({}): {}",
                    s.name, r.logical_id, r.type_name, n
                ));
            }
            if r.will_fail.is_some() {
                out.push(' ');
                out.push_str(&p.wrap("1;31", "!! WILL FAIL"));
                will_fail.push(format!("{}/{} ({})", s.name, r.logical_id, r.type_name));
            }
            out.push('\n');
            for c in &r.changes {
                let tag = match c.action {
                    Action::Replace => " (replacement)",
                    Action::MayReplace => " (may need replacement)",
                    _ => "",
                };
                out.push_str(&format!(
                    "        {}: {} → {}{}\n",
                    c.pointer,
                    show(c.old.as_ref()),
                    show(c.new.as_ref()),
                    tag
                ));
            }
            for k in &r.knock_on {
                out.push_str(&format!("        {}: {}\n", k.pointer, knock_on_text(k)));
            }
            if let Some(why) = &r.will_fail {
                out.push_str(&format!("        will fail: {why}\n"));
            }
        }
        entries_text(&mut out, &p, "Parameters", &s.parameters);
        entries_text(&mut out, &p, "Outputs", &s.outputs);
        entries_text(&mut out, &p, "Exports", &s.exports);
        entries_text(&mut out, &p, "Conditions", &s.conditions);
        entries_text(&mut out, &p, "Mappings", &s.mappings);
        entries_text(&mut out, &p, "Other", &s.other);
        out.push('\n');
    }
    if !will_fail.is_empty() {
        out.push_str(&p.wrap(
            "1;31",
            "!! Changes that will fail (the deploy stops there and rolls back):",
        ));
        out.push('\n');
        for l in will_fail {
            out.push_str(&format!("   {l}\n"));
        }
    }
    if !at_risk.is_empty() {
        out.push_str(&p.wrap("1;31", "!! Stateful resources replaced or removed:"));
        out.push('\n');
        for l in at_risk {
            out.push_str(&format!("   {l}\n"));
        }
    }
    if !diff.broken_reads.is_empty() {
        out.push_str(&p.wrap(
            "1;31",
            "!! Outputs a deployed stack reads (Fn::GetStackOutput, a weak reference):",
        ));
        out.push('\n');
        for b in &diff.broken_reads {
            out.push_str(&format!(
                "   {} read by {}: {} (deploy refuses without --allow-output-change {})\n",
                b.key(),
                b.reader,
                b.why,
                b.key()
            ));
        }
    }
    files_text(&mut out, &p, &diff.files);
    let changed = diff.stacks.iter().filter(|s| s.has_changes()).count();
    out.push_str(&format!(
        "{changed} of {} stack(s) changed",
        diff.stacks.len()
    ));
    if !diff.files.is_empty() {
        out.push_str(&format!(", {} file(s) changed", diff.files.len()));
    }
    out.push('\n');
    out
}

/// `3 added, 1 removed, 2 changed` lines of one file.
fn line_counts(f: &FileChange) -> String {
    let mut parts = Vec::new();
    for (n, w) in [
        (f.added, "added"),
        (f.removed, "removed"),
        (f.changed, "changed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {w}"));
        }
    }
    let lines = if parts.is_empty() {
        "no line changes".to_owned()
    } else {
        format!("lines {}", parts.join(", "))
    };
    match f.status {
        FileStatus::Added => format!("new file, {lines}"),
        FileStatus::Removed => format!("removed, {lines}"),
        FileStatus::Changed => lines,
    }
}

fn files_text(out: &mut String, p: &Paint, files: &[FileChange]) {
    if files.is_empty() {
        return;
    }
    out.push_str(&p.wrap("1", "Files (DEPLOY.md, k8s/, helm/)"));
    out.push('\n');
    for f in files {
        let a = match f.status {
            FileStatus::Added => Action::Add,
            FileStatus::Removed => Action::Remove,
            FileStatus::Changed => Action::Update,
        };
        let line = format!("  {} {}: {}", sigil(a), f.path, line_counts(f));
        out.push_str(&p.action(a, &line));
        out.push('\n');
    }
    out.push('\n');
}

/// JSON: `{"format": 1, "changes": bool, "stacks": [...]}`.
pub fn render_json(diff: &Diff) -> String {
    #[derive(Serialize)]
    struct J<'a> {
        format: u32,
        changes: bool,
        stacks: &'a [StackDiff],
        broken_reads: &'a [crate::diff::BrokenRead],
        files: &'a [FileChange],
    }
    let mut s = serde_json::to_string_pretty(&J {
        format: 1,
        changes: diff.has_changes(),
        stacks: &diff.stacks,
        broken_reads: &diff.broken_reads,
        files: &diff.files,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}
