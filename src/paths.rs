//! Report paths → repository-relative paths.
//!
//! Reports name sources the way their tool saw them: absolute CI checkouts
//! (`/home/runner/work/x/x/src/a.rs`, `C:\a\x\src\A.cs`), paths relative to a Cobertura
//! `<source>`, JaCoCo package directories (`com/example/A.java`), Go import paths
//! (`github.com/org/repo/pkg/a.go`). The mapper knows every file under the repository root and
//! picks, in order:
//! 1. the path itself, or joined to one of the report's roots, when it exists;
//! 2. the longest suffix of it that exists under the root (strips unknown CI prefixes);
//! 3. the unique repository file that ends with it (package directories, module paths).
//!
//! User overrides (`--strip-prefix`, `--path-prefix`) apply first. Paths that map to nothing
//! are kept (normalised) and counted, so that coverage is never silently dropped.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::discover::{join, Kind, Tree};

/// Directories never scanned for sources.
const SKIP_DIRS: [&str; 4] = [".git", "node_modules", "target", ".hg"];
/// At most this many of a report's roots (Cobertura `<source>`s) are tried per path: a report
/// listing thousands must not multiply the work per class by thousands.
pub const MAX_ROOTS: usize = 32;

/// The mapper's sets are asked for every path of every report and every test class: a fast
/// hash (the keys are this repository's own file names, not an attacker's choice).
type FastHash = foldhash::fast::RandomState;

/// Maps report paths onto the files of one repository.
#[derive(Debug, Default)]
pub struct PathMapper {
    /// The root, normalised with `/` separators, no trailing slash.
    root: String,
    files: HashSet<String, FastHash>,
    /// File name → repository paths with that name, for suffix look-ups.
    by_name: HashMap<String, Vec<String>, FastHash>,
    strip_prefixes: Vec<String>,
    path_prefix: Option<String>,
    /// Bytes of paths looked up or compared by [`PathMapper::map`]: the work is counted so
    /// that tests bound it (linear in the paths mapped), not timed.
    work: std::sync::atomic::AtomicU64,
}

/// The result of mapping one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub path: String,
    /// Whether the path names a file that exists under the root.
    pub found: bool,
}

impl PathMapper {
    /// Scans the files under `root` (skipping `.git`, `node_modules`, `target`).
    pub fn scan(root: &Path) -> std::io::Result<Self> {
        let abs = std::fs::canonicalize(root)?;
        Self::from_tree(&Tree::new(&abs))
    }

    /// [`PathMapper::scan`] over listings shared with discovery (`tree`'s root is
    /// canonical). This walk has its own skip list on purpose: sources live in `vendor/`,
    /// fixture and hidden folders that discovery leaves out.
    pub fn from_tree(tree: &Tree) -> std::io::Result<Self> {
        if tree.listing("").is_none() {
            // An unreadable root fails the run: read it again for the reason.
            std::fs::read_dir(tree.root())?;
        }
        let mut files = Vec::new();
        walk(tree, String::new(), &mut files);
        Ok(Self::from_files(&tree.root().to_string_lossy(), files))
    }

    /// A mapper over a known list of repository-relative files (for tests and callers that
    /// already listed the tree).
    pub fn from_files(root: &str, files: impl IntoIterator<Item = String>) -> Self {
        let mut m = PathMapper {
            root: normalize(root).trim_end_matches('/').to_string(),
            ..Default::default()
        };
        for f in files {
            let name = f.rsplit('/').next().unwrap_or(&f).to_string();
            m.by_name.entry(name).or_default().push(f.clone());
            m.files.insert(f);
        }
        for v in m.by_name.values_mut() {
            v.sort();
        }
        m
    }

    /// Prefixes removed from every report path before mapping (`--strip-prefix`).
    pub fn strip_prefix(mut self, p: impl Into<String>) -> Self {
        let p = normalize(&p.into());
        if !p.is_empty() {
            self.strip_prefixes.push(p);
        }
        self
    }

    /// A prefix put before every (relative) report path after stripping (`--path-prefix`).
    pub fn path_prefix(mut self, p: Option<String>) -> Self {
        self.path_prefix = p
            .map(|p| normalize(&p).trim_end_matches('/').to_string())
            .filter(|p| !p.is_empty());
        self
    }

    pub fn root(&self) -> &str {
        &self.root
    }

    /// Whether `path` (repository-relative) exists.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Every repository file (in no particular order).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(String::as_str)
    }

    /// Repository files whose path ends with `suffix` at a `/` boundary (`com/example/A.java`
    /// → `src/main/java/com/example/A.java`), sorted.
    pub fn files_ending_with(&self, suffix: &str) -> Vec<&str> {
        let suffix = suffix.trim_start_matches('/');
        let name = suffix.rsplit('/').next().unwrap_or(suffix);
        self.by_name.get(name).map_or_else(Vec::new, |hits| {
            hits.iter()
                .filter(|f| {
                    f.ends_with(suffix)
                        && (f.len() == suffix.len()
                            || f.as_bytes()[f.len() - suffix.len() - 1] == b'/')
                })
                .map(String::as_str)
                .collect()
        })
    }

    /// Whether some repository file is named `stem` + `ext` (`FooTest` + `.java`), without
    /// building the name when it is short: a test class is looked up under every extension.
    pub fn has_file_named(&self, stem: &str, ext: &str) -> bool {
        let mut buf = [0u8; 128];
        let n = stem.len() + ext.len();
        if n > buf.len() {
            return self.by_name.contains_key(&format!("{stem}{ext}"));
        }
        buf[..stem.len()].copy_from_slice(stem.as_bytes());
        buf[stem.len()..n].copy_from_slice(ext.as_bytes());
        // Two `str`s one after the other are UTF-8.
        std::str::from_utf8(&buf[..n]).is_ok_and(|name| self.by_name.contains_key(name))
    }

    /// Maps one report path; `roots` are the directories the report says its paths are
    /// relative to.
    pub fn map(&self, raw: &str, roots: &[String]) -> Mapped {
        let count = |n: usize| {
            self.work
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        };
        let mut p = normalize(raw);
        for s in &self.strip_prefixes {
            if let Some(rest) = p.strip_prefix(s.as_str()) {
                p = rest.trim_start_matches('/').to_string();
                break;
            }
        }
        if let Some(prefix) = &self.path_prefix {
            if !is_absolute(&p) {
                p = format!("{prefix}/{p}");
            }
        }
        // Whatever the candidate, a hit is a repository file with the path's file name: the
        // files of that name are all that is ever looked at.
        let name = p.rsplit('/').next().unwrap_or(&p);
        let Some(hits) = self.by_name.get(name) else {
            return Mapped {
                path: self.relative(&p).to_string(),
                found: false,
            };
        };
        let mut candidates = Vec::with_capacity(roots.len().min(MAX_ROOTS) + 1);
        if !is_absolute(&p) {
            for r in roots.iter().take(MAX_ROOTS) {
                let r = normalize(r);
                let r = r.trim_end_matches('/');
                if !r.is_empty() && r != "." {
                    candidates.push(normalize(&format!("{r}/{p}")));
                }
            }
        }
        candidates.push(p.clone());
        // 1. exact, relative to the root.
        for c in &candidates {
            let rel = self.relative(c);
            count(rel.len());
            if self.files.contains(rel) {
                return Mapped {
                    path: rel.to_string(),
                    found: true,
                };
            }
        }
        // 2. the longest existing proper suffix: the longest file of that name the path ends
        // with at a `/` (comparing each such file once, not hashing every suffix).
        for c in &candidates {
            let rel = self.relative(c);
            let longest = hits
                .iter()
                .filter(|f| {
                    count(f.len());
                    f.len() < rel.len()
                        && rel.ends_with(f.as_str())
                        && rel.as_bytes()[rel.len() - f.len() - 1] == b'/'
                })
                .max_by_key(|f| f.len());
            if let Some(f) = longest {
                return Mapped {
                    path: f.clone(),
                    found: true,
                };
            }
        }
        // 3. a unique repository file ending with the path.
        for c in &candidates {
            let rel = self.relative(c).trim_start_matches('/');
            let mut matching = hits.iter().filter(|f| {
                count(rel.len().min(f.len()));
                f.ends_with(rel)
                    && (f.len() == rel.len() || f.as_bytes()[f.len() - rel.len() - 1] == b'/')
            });
            if let (Some(f), None) = (matching.next(), matching.next()) {
                return Mapped {
                    path: f.clone(),
                    found: true,
                };
            }
        }
        Mapped {
            path: self.relative(&p).to_string(),
            found: false,
        }
    }

    /// Bytes looked up or compared by [`PathMapper::map`] so far.
    pub fn work(&self) -> u64 {
        self.work.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `p` relative to the root when it lies under it, else `p`.
    fn relative<'a>(&self, p: &'a str) -> &'a str {
        if !self.root.is_empty() {
            if let Some(rest) = p.strip_prefix(self.root.as_str()) {
                if rest.is_empty() || rest.starts_with('/') {
                    return rest.trim_start_matches('/');
                }
            }
        }
        p.strip_prefix("./").unwrap_or(p)
    }
}

/// Every file below `rel` (symbolic links are neither files nor directories: never followed).
/// An unreadable directory lists nothing: not worth failing the run for.
fn walk(tree: &Tree, rel: String, out: &mut Vec<String>) {
    for (name, kind) in tree.entries(&rel).iter() {
        let child = join(&rel, name);
        match kind {
            Kind::Dir if !SKIP_DIRS.contains(&name.as_str()) => walk(tree, child, out),
            Kind::File => out.push(child),
            _ => {}
        }
    }
}

fn is_absolute(p: &str) -> bool {
    p.starts_with('/')
        || (p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic())
}

/// `/`-separated, `file://` dropped, `.` and `..` resolved lexically, no doubled slashes.
///
/// ```
/// use testcert::paths::normalize;
/// assert_eq!(normalize(r"C:\a\x\src\..\lib.rs"), "C:/a/x/lib.rs");
/// assert_eq!(normalize("file:///home/runner/./work//a.rs"), "/home/runner/work/a.rs");
/// ```
pub fn normalize(raw: &str) -> String {
    // Most paths are normal already (every one of a generated or tool-written report):
    // one scan tells, and spares the split, the vector and the join (thousands of paths
    // per report, mapped on one thread).
    if is_normal(raw) {
        return raw.to_string();
    }
    resolve(raw)
}

/// [`normalize`] the long way: trimmed, `file://` and backslashes undone, `.` and `..`
/// resolved, empty components dropped.
fn resolve(raw: &str) -> String {
    let s = raw.trim();
    let s = s.strip_prefix("file://").unwrap_or(s);
    let s = s.replace('\\', "/");
    let absolute = s.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(&p) if p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether [`normalize`] would return `raw` unchanged: no surrounding whitespace, no
/// `file://`, no backslash, and no empty, `.` or `..` component.
fn is_normal(raw: &str) -> bool {
    let rest = raw.strip_prefix('/').unwrap_or(raw);
    raw.trim().len() == raw.len()
        && !raw.starts_with("file://")
        && !raw.contains('\\')
        && rest
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

/// The repository root for `dir`: the nearest ancestor holding `.git`, else `dir` itself.
pub fn repo_root(dir: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut cur = abs.as_path();
    loop {
        if cur.join(".git").exists() {
            return cur.to_path_buf();
        }
        match cur.parent() {
            Some(p) => cur = p,
            None => return abs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_file_named_joins_stem_and_extension() {
        let long = format!("{}.java", "L".repeat(200));
        let m = PathMapper::from_files(
            "/r",
            [
                "src/com/example/FooTest.java".to_string(),
                format!("a/{long}"),
            ],
        );
        assert!(m.has_file_named("FooTest", ".java"));
        assert!(!m.has_file_named("FooTest", ".kt"));
        assert!(!m.has_file_named("Foo", "Test.kt"));
        assert!(!m.has_file_named("com", ".java"));
        // Longer than the name built on the stack.
        assert!(m.has_file_named(&"L".repeat(200), ".java"));
    }

    fn mapper() -> PathMapper {
        PathMapper::from_files(
            "/repo",
            [
                "src/main/java/com/example/A.java",
                "crates/core/src/lib.rs",
                "svc/pkg/handler.go",
                "app/Foo.cs",
                "a/util.py",
                "b/util.py",
            ]
            .map(String::from),
        )
    }

    #[test]
    fn ci_prefixes_are_stripped() {
        let m = mapper();
        let hit = |p: &str| m.map(p, &[]);
        assert_eq!(
            hit("/home/runner/work/x/x/crates/core/src/lib.rs").path,
            "crates/core/src/lib.rs"
        );
        assert_eq!(hit("C:\\a\\x\\app\\Foo.cs").path, "app/Foo.cs");
        assert_eq!(
            hit("/repo/crates/core/src/lib.rs").path,
            "crates/core/src/lib.rs"
        );
        assert!(hit("./crates/core/src/../src/lib.rs").found);
    }

    #[test]
    fn package_dirs_and_module_paths() {
        let m = mapper();
        assert_eq!(
            m.map("com/example/A.java", &[]).path,
            "src/main/java/com/example/A.java"
        );
        assert_eq!(
            m.map("github.com/org/repo/svc/pkg/handler.go", &[]).path,
            "svc/pkg/handler.go"
        );
        assert_eq!(
            m.files_ending_with("example/A.java"),
            ["src/main/java/com/example/A.java"]
        );
        assert_eq!(m.files_ending_with("util.py"), ["a/util.py", "b/util.py"]);
        assert!(m.files_ending_with("ample/A.java").is_empty());
        // Ambiguous: two files end with util.py.
        assert!(!m.map("util.py", &[]).found);
        assert!(m.map("util.py", &["b".to_string()]).found);
    }

    #[test]
    fn overrides_and_misses() {
        let m = mapper()
            .strip_prefix("/build/")
            .path_prefix(Some("crates/core".into()));
        assert_eq!(
            m.map("/build/src/lib.rs", &[]).path,
            "crates/core/src/lib.rs"
        );
        let miss = mapper().map("/elsewhere/gen/x.rs", &[]);
        assert_eq!(
            miss,
            Mapped {
                path: "/elsewhere/gen/x.rs".into(),
                found: false
            }
        );
    }

    /// A path of many components and a report of many roots: the work grows with the bytes
    /// mapped, not with their square or with roots × classes.
    #[test]
    fn mapping_work_is_linear() {
        let m = mapper();
        let long = format!("{}crates/core/src/lib.rs", "deep/".repeat(20_000));
        let before = m.work();
        let hit = m.map(&long, &[]);
        assert!(hit.found && hit.path == "crates/core/src/lib.rs");
        let work = m.work() - before;
        assert!(
            work <= 4 * long.len() as u64,
            "{work} bytes for a {}-byte path",
            long.len()
        );

        let roots: Vec<String> = (0..5000).map(|i| format!("/ci/root-{i}")).collect();
        let before = m.work();
        for i in 0..200 {
            m.map(&format!("pkg/mod{i}/A.java"), &roots);
            m.map(&format!("missing{i}.c"), &roots);
        }
        let work = m.work() - before;
        // Each class: at most MAX_ROOTS + 1 candidates, each compared with one file.
        assert!(work <= 200 * 3 * (MAX_ROOTS as u64 + 1) * 64, "{work}");
    }

    #[test]
    fn normal_paths_are_kept_as_they_are() {
        // The fast path must agree with the slow one on every shape of component.
        let parts = ["a", "bc", ".", "..", "", " x", "x ", "file:", "c\\d", "é"];
        let mut paths = Vec::new();
        for a in parts {
            for b in parts {
                for c in parts {
                    paths.push(format!("{a}/{b}/{c}"));
                    paths.push(format!("/{a}/{b}"));
                    paths.push(format!("{a}{b}/{c}"));
                }
            }
        }
        paths.extend(["", "/", "//", "file:///x", " /a", "a/b\t", "a\u{a0}"].map(String::from));
        for p in &paths {
            assert_eq!(normalize(p), resolve(p), "{p:?}");
            if is_normal(p) {
                assert_eq!(&resolve(p), p, "{p:?} taken as normal");
            }
        }
        assert!(paths.iter().filter(|p| is_normal(p)).count() > 100);
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("a\\b\\..\\c"), "a/c");
        assert_eq!(normalize("file:///x/./y"), "/x/y");
        assert_eq!(normalize("../x"), "../x");
        assert_eq!(normalize("/../x"), "/x");
    }
}
