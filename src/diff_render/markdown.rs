//! The Markdown report (a pull-request comment): a typed context rendered by
//! `templates/diff.md.tera`.

use serde::Serialize;

use super::{MARKDOWN_TEMPLATE, knock_on_text, risk_note, show, summary};
use crate::diff::{Action, Diff, FileChange, FileStatus, StackStatus};

/// The Markdown template's context.
#[derive(Debug, Serialize)]
pub struct MdContext {
    /// Whether anything changes.
    pub changes: bool,
    /// One row per stack.
    pub stacks: Vec<MdStack>,
    /// Stateful resources replaced or removed, over all stacks.
    pub at_risk: Vec<MdRisk>,
    /// Changes that cannot succeed, over all stacks (`note` = why).
    pub will_fail: Vec<MdRisk>,
    /// Outputs a deployed stack reads that the change removes or changes.
    pub broken_reads: Vec<MdBrokenRead>,
    /// Changed files of the out dir (`DEPLOY.md`, `k8s/`, `helm/`).
    pub files: Vec<MdFile>,
}

/// A changed file in the Markdown report.
#[derive(Debug, Serialize)]
pub struct MdFile {
    /// Path, as inline code.
    pub path: String,
    /// Path, HTML-escaped (inside `<code>`).
    pub name: String,
    /// `➕ new`, `➖ removed`, `✏️ changed`.
    pub status: String,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// Lines changed.
    pub changed: usize,
    /// The fence around the diff (longer than any backtick run inside).
    pub fence: String,
    /// Unified diff (cut at a length; `truncated` says so).
    pub unified: String,
    /// Whether the diff was cut.
    pub truncated: bool,
}

fn md_file(f: &FileChange) -> MdFile {
    let mut fence = "```".to_owned();
    while f.unified.contains(&fence) {
        fence.push('`');
    }
    MdFile {
        path: md_code(&f.path),
        name: md(&f.path),
        status: match f.status {
            FileStatus::Added => "➕ new",
            FileStatus::Removed => "➖ removed",
            FileStatus::Changed => "✏️ changed",
        }
        .into(),
        added: f.added,
        removed: f.removed,
        changed: f.changed,
        fence,
        unified: f.unified.clone(),
        truncated: f.truncated,
    }
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
    let mut will_fail = Vec::new();
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
            changes.extend(
                r.knock_on
                    .iter()
                    .map(|k| format!("{}: {}", md_code(&k.pointer), md(&knock_on_text(k)))),
            );
            if let Some(why) = &r.will_fail {
                changes.push(format!("**will fail**: {}", md(why)));
                will_fail.push(MdRisk {
                    stack: md(&s.name),
                    logical_id: md_code(&r.logical_id),
                    type_name: md_code(&r.type_name),
                    note: md(why),
                });
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
        will_fail,
        broken_reads: diff
            .broken_reads
            .iter()
            .map(|b| MdBrokenRead {
                output: md_code(&b.key()),
                reader: md_code(&b.reader),
                why: md(&b.why),
            })
            .collect(),
        files: diff.files.iter().map(md_file).collect(),
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
