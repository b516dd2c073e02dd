//! The out directory, written atomically: a failed run leaves an existing directory as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use formwork_assembly::layout::{DEPLOY_OUTPUT_DIRS, MANIFEST_FILE};

/// Writes `files` (paths relative to `dir`) as the new content of `dir`, atomically: everything
/// goes to a sibling temporary directory first, which then replaces `dir` by renames. A directory
/// that exists but does not hold a formwork `manifest.json` is never replaced. The folders that
/// `formwork deploy` writes (`k8s-resolved/`, `helm-resolved/`) are carried over.
pub fn write_out_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` is not a directory path", dir.display()),
            )
        })?;
    let parent: PathBuf = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if dir.exists() {
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{}` exists and is not a directory", dir.display()),
            ));
        }
        let empty = fs::read_dir(dir)?.next().is_none();
        if !empty && !dir.join(MANIFEST_FILE).is_file() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "`{}` is not empty and holds no manifest.json; refusing to replace it (choose another -o DIR)",
                    dir.display()
                ),
            ));
        }
    }
    fs::create_dir_all(&parent)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    let result = (|| -> io::Result<()> {
        fs::create_dir_all(&tmp)?;
        for (rel, bytes) in files {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                fs::create_dir_all(d)?;
            }
            fs::write(&p, bytes)?;
        }
        for kept in DEPLOY_OUTPUT_DIRS {
            let resolved = dir.join(kept);
            if resolved.is_dir() {
                copy_dir(&resolved, &tmp.join(kept))?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if dir.exists() {
        let old = parent.join(format!(".{name}.old-{pid}"));
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        fs::rename(dir, &old)?;
        if let Err(e) = fs::rename(&tmp, dir) {
            let _ = fs::rename(&old, dir);
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        fs::remove_dir_all(&old)?;
    } else {
        fs::rename(&tmp, dir)?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
