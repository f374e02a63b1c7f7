//! Finding what a repository holds: its projects, its report files, its CI.
//!
//! Every search here walks the tree itself (one `read_dir` per directory, never following
//! symbolic links, shared between searches through [`Tree`]) rather than calling `glob()`
//! once per pattern: a repository can hold
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

/// The directory listings of one repository, each read from disk at most once in a run.
///
/// Projects, reports, CI and the path mapper each search the tree with their own rules on
/// purpose (the mapper enters `vendor/`, fixture and hidden folders that discovery skips;
/// the report walk enters only report folders of `target/` and follows include globs into
/// skipped ones). Rather than one eager walk of a superset, which would have to guess the
/// widest rule of every consumer (include globs can open any directory), each consumer
/// keeps its own rules and asks this index for the listings it needs: a directory two
/// searches enter is listed once, and none is listed that no search enters.
pub struct Tree {
    root: std::path::PathBuf,
    /// Repository-relative directory (as the caller spelled it) → its `sorted_entries`, or
    /// `None` when it could not be read.
    listed: std::sync::Mutex<ListingMap>,
}

type Listing = std::sync::Arc<[(String, Kind)]>;
type ListingMap = std::collections::HashMap<String, Option<Listing>>;

impl Tree {
    /// The index of the repository at `root` (already canonical: paths found are made
    /// relative to it). Nothing is read until a listing is asked for.
    pub fn new(root: &std::path::Path) -> Tree {
        Tree {
            root: root.to_path_buf(),
            listed: std::sync::Mutex::new(ListingMap::new()),
        }
    }

    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// The entries of the repository-relative directory `rel` (`""` is the root), sorted by
    /// name, as `sorted_entries` gives them; none when it cannot be read.
    pub(crate) fn entries(&self, rel: &str) -> Listing {
        self.listing(rel).unwrap_or_else(|| Vec::new().into())
    }

    /// [`Tree::entries`] of `rel`, or `None` when it cannot be read (the path mapper fails on
    /// an unreadable root).
    pub(crate) fn listing(&self, rel: &str) -> Option<Listing> {
        let mut listed = self
            .listed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        listed
            .entry(rel.to_string())
            .or_insert_with(|| {
                std::fs::read_dir(self.root.join(rel))
                    .ok()
                    .map(|rd| sorted_entries(rd).into())
            })
            .clone()
    }
}

/// The entries of a directory, sorted by name (deterministic output), as (name, kind). Symbolic
/// links are reported as neither file nor directory, so callers never follow them.
/// Unreadable directories and entries are skipped: one bad directory is not worth failing a
/// search for.
fn sorted_entries(rd: std::fs::ReadDir) -> Vec<(String, Kind)> {
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

#[cfg(test)]
mod tree_tests {
    use super::*;

    #[test]
    fn a_directory_is_listed_once_and_shared() {
        let t = TempTree::new("repo", &[("a/x.xml", ""), ("b/", "")]);
        let tree = Tree::new(t.path());
        let first = tree.entries("a");
        assert_eq!(&first[..], &[("x.xml".to_string(), Kind::File)]);
        // Written after the listing: a second search sees what the first one saw.
        t.write("a/y.xml", "");
        assert_eq!(&tree.entries("a")[..], &first[..]);
        // A directory nobody asked for yet is read when asked.
        t.write("b/z.xml", "");
        assert_eq!(&tree.entries("b")[..], &[("z.xml".to_string(), Kind::File)]);
    }

    #[test]
    fn unreadable_directories_list_nothing() {
        let t = TempTree::new("repo", &[("a.txt", "")]);
        let tree = Tree::new(t.path());
        assert!(tree.listing("missing").is_none());
        assert!(tree.entries("missing").is_empty());
        assert!(tree.listing("").is_some());
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_neither_files_nor_directories() {
        let t = TempTree::new("repo", &[("real/a.xml", "")]);
        std::os::unix::fs::symlink(t.path().join("real"), t.path().join("link")).unwrap();
        let tree = Tree::new(t.path());
        let kinds: Vec<_> = tree.entries("").iter().cloned().collect();
        assert_eq!(
            kinds,
            [
                ("link".to_string(), Kind::Other),
                ("real".to_string(), Kind::Dir)
            ]
        );
    }

    #[test]
    fn the_shared_mapper_and_discovery_see_what_their_own_walks_see() {
        let t = TempTree::new(
            "repo",
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"repo\"\nversion = \"0.1.0\"\n",
                ),
                ("src/lib.rs", ""),
                ("vendor/dep/lib.rs", ""),
                ("fixtures/x/junit.xml", "<testsuite/>"),
                ("target/debug/junit.xml", "<testsuite/>"),
                ("target/nextest/ci/junit.xml", "<testsuite/>"),
                (".hidden/coverage/lcov.info", "TN:\n"),
                ("node_modules/m/index.js", ""),
                ("reports/junit.xml", "<testsuite/>"),
            ],
        );
        let root = std::fs::canonicalize(t.path()).unwrap();
        let config = crate::config::Config::default();
        let tree = Tree::new(&root);
        // In the order `check` asks.
        let shared = (
            projects::discover_in(&tree, &config).unwrap().projects,
            reports::discover_in(&tree, &config, &[]).unwrap(),
            crate::paths::PathMapper::from_tree(&tree).unwrap(),
        );
        let own = (
            projects::discover(&root, &config).unwrap().projects,
            reports::discover(&root, &config, &[]).unwrap(),
            crate::paths::PathMapper::scan(&root).unwrap(),
        );
        assert_eq!(shared.0, own.0);
        assert_eq!(shared.1.files, own.1.files);
        assert_eq!(shared.1.hidden, own.1.hidden);
        let files = |m: &crate::paths::PathMapper| {
            let mut f: Vec<String> = m.files().map(str::to_string).collect();
            f.sort();
            f
        };
        assert_eq!(files(&shared.2), files(&own.2));
        assert!(files(&shared.2).contains(&"vendor/dep/lib.rs".to_string()));
        assert!(!files(&shared.2).iter().any(|f| f.starts_with("target/")));
    }
}
