//! The rendered files and the two things done with them: write them
//! atomically, or compare them with what is on disk.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// Relative path → content, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<PathBuf, String>,
    /// Files this tool may have written before that the current
    /// configuration no longer produces (removed by `render`).
    pub obsolete: Vec<PathBuf>,
}

/// What `render --check` found.
#[derive(Debug, Default)]
pub struct Drift {
    /// Unified diffs of changed, missing and obsolete files.
    pub diffs: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.diffs.is_empty()
    }
}

impl FileSet {
    /// Compare with the files under `root`.
    pub fn check(&self, root: &Path) -> io::Result<Drift> {
        let mut drift = Drift::default();
        for (rel, want) in &self.files {
            let path = root.join(rel);
            let have = match std::fs::read_to_string(&path) {
                Ok(s) => Some(s),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(e),
            };
            if have.as_deref() != Some(want.as_str()) {
                let old = have.unwrap_or_default();
                let name = rel.display().to_string();
                let diff = TextDiff::from_lines(&old, want)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
                    .to_string();
                drift.diffs.push(diff);
            }
        }
        for rel in &self.obsolete {
            let path = root.join(rel);
            if let Ok(old) = std::fs::read_to_string(&path) {
                let name = rel.display().to_string();
                drift.diffs.push(
                    TextDiff::from_lines(old.as_str(), "")
                        .unified_diff()
                        .header(&format!("a/{name}"), "/dev/null")
                        .to_string(),
                );
            }
        }
        Ok(drift)
    }

    /// Write every file that differs through a temporary file renamed into
    /// place, so a reader never sees half a file; unchanged files are not
    /// touched. Returns the paths written and removed.
    pub fn write(&self, root: &Path) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
        let mut written = Vec::new();
        for (rel, want) in &self.files {
            let path = root.join(rel);
            if std::fs::read_to_string(&path).ok().as_deref() == Some(want.as_str()) {
                continue;
            }
            let dir = path.parent().unwrap_or(root);
            std::fs::create_dir_all(dir)?;
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            io::Write::write_all(&mut tmp, want.as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            written.push(rel.clone());
        }
        let mut removed = Vec::new();
        for rel in &self.obsolete {
            let path = root.join(rel);
            if path.exists() {
                std::fs::remove_file(&path)?;
                removed.push(rel.clone());
            }
        }
        Ok((written, removed))
    }
}
