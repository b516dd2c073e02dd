//! The out dir's other files: `DEPLOY.md`, `k8s/` and `helm/`, summarized per file (lines added,
//! removed and changed) with a unified diff for the Markdown report.

use std::path::Path;

use serde::Serialize;
use similar::{DiffOp, TextDiff};

use super::DiffError;

/// The files and directories of an out dir that `diff` compares besides the templates.
pub const COMPARED: &[&str] = &["DEPLOY.md", "k8s", "helm"];

/// Longest unified diff kept per file (lines), so a PR comment stays readable.
const MAX_HUNK_LINES: usize = 80;

/// What happens to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, different.
    Changed,
}

/// One changed file of the out dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Path inside the out dir, `/`-separated (`k8s/greeter/30-deployment.yaml`).
    pub path: String,
    /// Added, removed or changed.
    pub status: FileStatus,
    /// Lines only in NEW (beyond the changed ones).
    pub added: usize,
    /// Lines only in OLD (beyond the changed ones).
    pub removed: usize,
    /// Lines rewritten in place (a removed line paired with an added one).
    pub changed: usize,
    /// Unified diff (3 lines of context), at most [`MAX_HUNK_LINES`] lines, for reports.
    #[serde(skip)]
    pub unified: String,
    /// Whether `unified` was cut.
    #[serde(skip)]
    pub truncated: bool,
}

/// The changed files between two out dirs, sorted by path.
pub fn diff_files(old: &Path, new: &Path) -> Result<Vec<FileChange>, DiffError> {
    let (a, b) = (list(old)?, list(new)?);
    let mut paths: Vec<&String> = a.iter().chain(&b).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for p in paths {
        let o = a.contains(p).then(|| read(old, p)).transpose()?;
        let n = b.contains(p).then(|| read(new, p)).transpose()?;
        if o == n {
            continue;
        }
        out.push(compare(
            p,
            o.as_deref().unwrap_or(""),
            n.as_deref(),
            o.is_some(),
        ));
    }
    Ok(out)
}

fn compare(path: &str, old: &str, new: Option<&str>, had_old: bool) -> FileChange {
    let status = match (had_old, new) {
        (false, _) => FileStatus::Added,
        (true, None) => FileStatus::Removed,
        (true, Some(_)) => FileStatus::Changed,
    };
    let new = new.unwrap_or("");
    let d = TextDiff::from_lines(old, new);
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for op in d.ops() {
        match *op {
            DiffOp::Insert { new_len, .. } => added += new_len,
            DiffOp::Delete { old_len, .. } => removed += old_len,
            DiffOp::Replace {
                old_len, new_len, ..
            } => {
                changed += old_len.min(new_len);
                added += new_len.saturating_sub(old_len);
                removed += old_len.saturating_sub(new_len);
            }
            DiffOp::Equal { .. } => {}
        }
    }
    let text = d
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let truncated = lines.len() > MAX_HUNK_LINES;
    let mut unified = lines[..lines.len().min(MAX_HUNK_LINES)].join("\n");
    unified.push('\n');
    FileChange {
        path: path.to_owned(),
        status,
        added,
        removed,
        changed,
        unified,
        truncated,
    }
}

fn read(dir: &Path, rel: &str) -> Result<String, DiffError> {
    let p = dir.join(rel);
    std::fs::read(&p)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| DiffError(format!("{}: {e}", p.display())))
}

/// The compared files of an out dir (relative, `/`-separated, sorted).
fn list(dir: &Path) -> Result<Vec<String>, DiffError> {
    let mut out = Vec::new();
    for top in COMPARED {
        walk(dir, top, &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), DiffError> {
    let p = dir.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&p) else {
        return Ok(());
    };
    if meta.is_file() {
        out.push(rel.to_owned());
    } else if meta.is_dir() {
        let rd = std::fs::read_dir(&p).map_err(|e| DiffError(format!("{}: {e}", p.display())))?;
        for e in rd {
            let e = e.map_err(|e| DiffError(format!("{}: {e}", p.display())))?;
            let name = e.file_name().to_string_lossy().into_owned();
            walk(dir, &format!("{rel}/{name}"), out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_added_removed_and_changed_lines() {
        let c = compare("x", "a\nb\nc\nd\n", Some("a\nB\nc\nd\ne\nf\n"), true);
        assert_eq!(
            (c.status, c.added, c.removed, c.changed),
            (FileStatus::Changed, 2, 0, 1)
        );
        assert!(c.unified.contains("-b\n+B\n"), "{}", c.unified);
        let c = compare("x", "a\nb\n", None, true);
        assert_eq!((c.status, c.removed, c.added), (FileStatus::Removed, 2, 0));
        let c = compare("x", "", Some("a\n"), false);
        assert_eq!((c.status, c.added), (FileStatus::Added, 1));
    }

    #[test]
    fn long_diffs_are_cut_for_reports() {
        let old: String = (0..200).map(|i| format!("{i}\n")).collect();
        let c = compare("x", &old, Some(""), true);
        assert_eq!(c.removed, 200);
        assert!(c.truncated);
        assert_eq!(c.unified.lines().count(), MAX_HUNK_LINES);
    }
}
