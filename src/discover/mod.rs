//! Finding what a repository holds: its projects, its report files, its CI.
//!
//! Every search here walks the tree itself (one `read_dir` per directory, never following
//! symbolic links) rather than calling `glob()` once per pattern: a repository can hold
//! hundreds of thousands of files under `target/` or `node_modules/`, and the rules for which
//! directories to enter are the part that matters for speed.

pub mod ci;
pub mod projects;
pub mod reports;
pub mod retries;

/// A file or directory (found in `ci`, looked at by `reports`) a CI definition's run step writes a report to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiOutput {
    /// Repository-relative (as written; relative to the step's working directory, which
    /// is not resolved: discovery also matches it as a path suffix).
    pub path: String,
    /// The CI definition (or script it runs) that names it.
    pub file: String,
    /// The words that name it (`> reports/go-test.json`, `--junitxml=reports/junit.xml`).
    pub how: String,
}

/// Directories never searched (for reports or projects): VCS data and vendored dependencies.
pub const SKIP_DIRS: [&str; 5] = [".git", ".hg", "node_modules", "vendor", ".venv"];

/// Directories that hold inputs *to* tests, not results *of* them: reports and manifests in
/// here are fixtures (`testdata` is also ignored by the Go toolchain). Reports there can still
/// be read through `[reports] include`, projects declared with `[[project]]`.
pub const FIXTURE_DIRS: [&str; 5] = [
    "testdata",
    "fixtures",
    "__fixtures__",
    "test-fixtures",
    "__snapshots__",
];

/// Whether a directory named `name` is left out of every default search: [`SKIP_DIRS`],
/// [`FIXTURE_DIRS`], and hidden directories (`.github` is read by name where it matters).
pub fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || SKIP_DIRS.contains(&name) || FIXTURE_DIRS.contains(&name)
}

/// The entries of `dir`, sorted by name (deterministic output), as (name, kind). Symbolic
/// links are reported as neither file nor directory, so callers never follow them.
/// Unreadable directories and entries are skipped: one bad directory is not worth failing a
/// search for.
pub(crate) fn entries(dir: &std::path::Path) -> Vec<(String, Kind)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Kind)> = rd
        .flatten()
        .filter_map(|e| {
            let ft = e.file_type().ok()?;
            let kind = if ft.is_dir() {
                Kind::Dir
            } else if ft.is_file() {
                Kind::File
            } else {
                Kind::Other
            };
            Some((e.file_name().to_string_lossy().into_owned(), kind))
        })
        .collect();
    out.sort();
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Dir,
    File,
    Other,
}

/// `rel/name`, or `name` at the root.
pub(crate) fn join(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_string()
    } else {
        format!("{rel}/{name}")
    }
}

/// Test helper: a directory tree under the system temp dir, removed on drop.
#[cfg(test)]
pub(crate) struct TempTree(pub std::path::PathBuf);

#[cfg(test)]
impl TempTree {
    /// A fresh tree whose root directory is called `name` (names matter: the root project is
    /// named after it). `files` are (path, content); a path ending in `/` makes a directory.
    pub fn new(name: &str, files: &[(&str, &str)]) -> TempTree {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let base =
            std::env::temp_dir().join(format!("testcert-discover-{}-{n}", std::process::id()));
        let root = base.join(name);
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&root).unwrap();
        let t = TempTree(root);
        for (p, c) in files {
            t.write(p, c);
        }
        t
    }

    pub fn write(&self, path: &str, content: &str) {
        let p = self.0.join(path);
        if path.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, content).unwrap();
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

#[cfg(test)]
impl Drop for TempTree {
    fn drop(&mut self) {
        if let Some(base) = self.0.parent() {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}
