//! Renderings of a [`Diff`]: text for terminals, Markdown for pull-request comments (tera), JSON.

use serde::Serialize;
use serde_json::Value;

use crate::diff::{Action, Diff, EntryChange, ResourceChange, Risk, StackDiff, StackStatus};

/// The Markdown template (a PR comment).
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/diff.md.tera");

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
    match (r.risk, r.action) {
        (Some(Risk::DataLoss), Action::Remove) => Some("!! stateful: DATA LOSS (deleted)".into()),
        (Some(Risk::DataLoss), Action::MayReplace) => {
            Some("!! stateful: DATA LOSS if replaced".into())
        }
        (Some(Risk::DataLoss), _) => Some("!! stateful: DATA LOSS (replaced)".into()),
        (Some(Risk::Retained), Action::Remove) => {
            Some("! stateful: removed from the stack, kept by DeletionPolicy".into())
        }
        (Some(Risk::Retained), _) => Some(
            "! stateful: replaced; the old one is kept by UpdateReplacePolicy, the new one starts empty"
                .into(),
        ),
        (None, _) => None,
    }
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
        }
        entries_text(&mut out, &p, "Parameters", &s.parameters);
        entries_text(&mut out, &p, "Outputs", &s.outputs);
        entries_text(&mut out, &p, "Exports", &s.exports);
        entries_text(&mut out, &p, "Conditions", &s.conditions);
        entries_text(&mut out, &p, "Mappings", &s.mappings);
        entries_text(&mut out, &p, "Other", &s.other);
        out.push('\n');
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
    let changed = diff.stacks.iter().filter(|s| s.has_changes()).count();
    out.push_str(&format!(
        "{changed} of {} stack(s) changed\n",
        diff.stacks.len()
    ));
    out
}

/// JSON: `{"format": 1, "changes": bool, "stacks": [...]}`.
pub fn render_json(diff: &Diff) -> String {
    #[derive(Serialize)]
    struct J<'a> {
        format: u32,
        changes: bool,
        stacks: &'a [StackDiff],
        broken_reads: &'a [crate::diff::BrokenRead],
    }
    let mut s = serde_json::to_string_pretty(&J {
        format: 1,
        changes: diff.has_changes(),
        stacks: &diff.stacks,
        broken_reads: &diff.broken_reads,
    })
    .unwrap_or_default();
    s.push('\n');
    s
}

/// The Markdown template's context.
#[derive(Debug, Serialize)]
pub struct MdContext {
    /// Whether anything changes.
    pub changes: bool,
    /// One row per stack.
    pub stacks: Vec<MdStack>,
    /// Stateful resources replaced or removed, over all stacks.
    pub at_risk: Vec<MdRisk>,
    /// Outputs a deployed stack reads that the change removes or changes.
    pub broken_reads: Vec<MdBrokenRead>,
}

/// An output a deployed consumer reads that changes.
#[derive(Debug, Serialize)]
pub struct MdBrokenRead {
    /// `stack.output`, as inline code.
    pub output: String,
    /// The reading stack, as inline code.
    pub reader: String,
    /// What happens.
    pub why: String,
}

/// A stack in the Markdown report.
#[derive(Debug, Serialize)]
pub struct MdStack {
    /// Name.
    pub name: String,
    /// `new`, `removed` or empty.
    pub status: String,
    /// Whether anything changes.
    pub changed: bool,
    /// Resource counts.
    pub added: usize,
    /// Removed.
    pub removed: usize,
    /// Updated in place.
    pub updated: usize,
    /// Replaced or possibly replaced.
    pub replaced: usize,
    /// Renamed.
    pub renamed: usize,
    /// Summary text.
    pub summary: String,
    /// Detail rows (resources, renames).
    pub rows: Vec<MdRow>,
    /// Section changes (Parameters, Outputs…).
    pub sections: Vec<MdSection>,
}

/// A resource row.
#[derive(Debug, Serialize)]
pub struct MdRow {
    /// Emoji + word.
    pub action: String,
    /// Logical id (`Old → New` for renames).
    pub logical_id: String,
    /// Type.
    pub type_name: String,
    /// Changed pointers with old → new, one per entry (already Markdown-escaped).
    pub changes: Vec<String>,
}

/// A template section with changes.
#[derive(Debug, Serialize)]
pub struct MdSection {
    /// Title.
    pub title: String,
    /// `+ Name`, `- Name`, `~ Name: old → new` lines (Markdown-escaped).
    pub lines: Vec<String>,
}

/// A stateful resource at risk.
#[derive(Debug, Serialize)]
pub struct MdRisk {
    /// Stack.
    pub stack: String,
    /// Logical id.
    pub logical_id: String,
    /// Type.
    pub type_name: String,
    /// What happens.
    pub note: String,
}

/// Escapes text for a Markdown table cell / inline code-free context.
fn md(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

fn md_code(s: &str) -> String {
    // Inline code cannot hold a backtick or a pipe inside a table; swap them.
    format!("`{}`", s.replace('`', "'").replace('|', "¦"))
}

fn md_action(a: Action) -> &'static str {
    match a {
        Action::Add => "➕ add",
        Action::Remove => "➖ remove",
        Action::Update => "✏️ update",
        Action::MayReplace => "⚠️ may replace",
        Action::Replace => "🔁 replace",
    }
}

/// Builds the typed context of the Markdown report.
pub fn markdown_context(diff: &Diff) -> MdContext {
    let mut at_risk = Vec::new();
    let mut stacks = Vec::new();
    for s in &diff.stacks {
        let mut rows = Vec::new();
        for r in &s.renames {
            rows.push(MdRow {
                action: "↪️ rename".into(),
                logical_id: format!("{} → {}", md_code(&r.from), md_code(&r.to)),
                type_name: md_code(&r.type_name),
                changes: vec!["moved by stack refactoring, not replaced".into()],
            });
        }
        for r in &s.resources {
            if let Some(n) = risk_note(r) {
                at_risk.push(MdRisk {
                    stack: md(&s.name),
                    logical_id: md_code(&r.logical_id),
                    type_name: md_code(&r.type_name),
                    note: md(n.trim_start_matches('!').trim()),
                });
            }
            let mut changes: Vec<String> = r
                .changes
                .iter()
                .map(|c| {
                    let tag = match c.action {
                        Action::Replace => " **(replacement)**",
                        Action::MayReplace => " *(may need replacement)*",
                        _ => "",
                    };
                    format!(
                        "{}: {} → {}{}",
                        md_code(&c.pointer),
                        md_code(&show(c.old.as_ref())),
                        md_code(&show(c.new.as_ref())),
                        tag
                    )
                })
                .collect();
            if let Some(t) = &r.old_type {
                changes.insert(0, format!("type changed from {}", md_code(t)));
            }
            rows.push(MdRow {
                action: md_action(r.action).into(),
                logical_id: md_code(&r.logical_id),
                type_name: md_code(&r.type_name),
                changes,
            });
        }
        let mut sections = Vec::new();
        for (title, list) in [
            ("Parameters", &s.parameters),
            ("Outputs", &s.outputs),
            ("Exports", &s.exports),
            ("Conditions", &s.conditions),
            ("Mappings", &s.mappings),
            ("Other", &s.other),
        ] {
            if list.is_empty() {
                continue;
            }
            let lines = list
                .iter()
                .map(|e| match e.action {
                    Action::Add => format!(
                        "➕ {} = {}",
                        md_code(&e.name),
                        md_code(&show(e.new.as_ref()))
                    ),
                    Action::Remove => format!(
                        "➖ {} (was {})",
                        md_code(&e.name),
                        md_code(&show(e.old.as_ref()))
                    ),
                    _ if !e.changes.is_empty() => format!(
                        "✏️ {}: {}",
                        md_code(&e.name),
                        e.changes
                            .iter()
                            .map(|c| format!(
                                "{} {} → {}",
                                md_code(&c.pointer),
                                md_code(&show(c.old.as_ref())),
                                md_code(&show(c.new.as_ref()))
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => format!(
                        "✏️ {}: {} → {}",
                        md_code(&e.name),
                        md_code(&show(e.old.as_ref())),
                        md_code(&show(e.new.as_ref()))
                    ),
                })
                .collect();
            sections.push(MdSection {
                title: title.into(),
                lines,
            });
        }
        stacks.push(MdStack {
            name: md(&s.name),
            status: match s.status {
                StackStatus::Added => "new".into(),
                StackStatus::Removed => "removed".into(),
                StackStatus::Both => String::new(),
            },
            changed: s.has_changes(),
            added: s.count(Action::Add),
            removed: s.count(Action::Remove),
            updated: s.count(Action::Update),
            replaced: s.count(Action::Replace) + s.count(Action::MayReplace),
            renamed: s.renames.len(),
            summary: summary(s),
            rows,
            sections,
        });
    }
    MdContext {
        changes: diff.has_changes(),
        stacks,
        at_risk,
        broken_reads: diff
            .broken_reads
            .iter()
            .map(|b| MdBrokenRead {
                output: md_code(&b.key()),
                reader: md_code(&b.reader),
                why: md(&b.why),
            })
            .collect(),
    }
}

/// Markdown for a pull-request comment, rendered from `templates/diff.md.tera`.
pub fn render_markdown(diff: &Diff) -> Result<String, String> {
    let ctx = tera::Context::from_serialize(markdown_context(diff)).map_err(|e| e.to_string())?;
    tera::Tera::one_off(MARKDOWN_TEMPLATE, &ctx, false).map_err(|e| {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg.push_str(&format!(": {s}"));
            src = s.source();
        }
        msg
    })
}
