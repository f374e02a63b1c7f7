//! Placing a test by its names: a suite or class name that is a repository file, a test
//! module or class name, a Go package.

use super::*;

impl Ctx<'_> {
    /// Rule 1 by name: a suite or class name that is a file of the repository (relative to
    /// the root or one of `roots`, or absolute ending in a repository path) lying in a
    /// project.
    pub(super) fn by_name_as_file(&self, case: &TestCase, roots: &[String]) -> Option<Decision> {
        let names = [case.class.as_deref(), Some(case.suite.as_str())];
        let class = case.class.as_deref().map(str::trim);
        for (what, name) in ["class", "suite"].into_iter().zip(names) {
            let Some(name) = name.map(str::trim) else {
                continue;
            };
            if what == "suite" && class == Some(name) {
                // The class name (JUnit writes the suite's) was tried already.
                continue;
            }
            let Some(path) = self.name_as_file(name, roots) else {
                continue;
            };
            if let Some(i) = self.owner(&path) {
                return Some(Decision {
                    project: Some(i),
                    rule: Rule::File,
                    reason: format!("the {what} name {name} is the test file {path}"),
                    file: Some(path),
                    go_dir: None,
                });
            }
        }
        None
    }

    /// The repository file `name` is, when it is a path of one. A bare name (no `/`) counts
    /// only as an existing file at the root or under one of `roots`: `kv-core` or
    /// `tests.test_x` must stay names.
    pub(super) fn name_as_file(&self, name: &str, roots: &[String]) -> Option<String> {
        if name.is_empty() || name.contains(['\n', '\t']) || name.contains("::") {
            return None;
        }
        let clean = name.strip_prefix("./").unwrap_or(name);
        if !clean.contains(['/', '\\']) {
            // `a.test.ts` at the root, or next to the report.
            if !clean.contains('.') {
                return None;
            }
            return std::iter::once(clean.to_string())
                .chain(roots.iter().map(|r| format!("{r}/{clean}")))
                .find(|p| self.mapper.contains(p));
        }
        let m = self.mapper.map(clean, roots);
        m.found.then_some(m.path)
    }

    /// Rule 2: the suite and class names.
    pub(super) fn by_test_names(&self, case: &TestCase) -> Option<Decision> {
        let found = |i: usize, rule: Rule, reason: String| {
            Some(Decision {
                project: Some(i),
                rule,
                reason,
                file: None,
                go_dir: None,
            })
        };
        let suite = case.suite.trim();
        // A project (crate) name: `crate-name` or nextest's `crate-name::target`.
        let (krate, target) = match suite.split_once("::") {
            Some((k, t)) => (k, Some(t)),
            None => (suite, None),
        };
        if let Some(&[i]) = self.by_name.get(&crate_key(krate)).map(Vec::as_slice) {
            let reason = match target {
                Some(t) => format!("the suite {suite} is the test binary {t} of {krate}"),
                None => format!("the suite {suite} is the project's name"),
            };
            return found(i, Rule::Name, reason);
        }
        // A dotted class or module name.
        let class = case.class.as_deref().filter(|c| *c != suite);
        // The suite alone when the class is the same name: the look-up is a function of it.
        for name in [class, Some(suite)].into_iter().flatten() {
            if let Some((i, reason)) = self.by_module(name) {
                return found(i, Rule::Module, reason);
            }
        }
        // A Go import path.
        if let Some((i, reason, dir)) = self.by_go_package(suite) {
            return Some(Decision {
                project: Some(i),
                rule: Rule::GoPackage,
                reason,
                file: None,
                go_dir: dir,
            });
        }
        None
    }

    /// `com.example.FooTest` / `pkg.tests.test_x.TestCls` → the project holding its file,
    /// else its simple name's file, else its package directory.
    pub(super) fn by_module(&self, name: &str) -> Option<(usize, String)> {
        if !name.contains('.') || name.contains(['/', ' ', '\\', ':']) {
            return None;
        }
        let name = name.split('$').next().unwrap_or(name);
        let parts: Vec<&str> = name.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() < 2 {
            return None;
        }
        for k in (2..=parts.len()).rev() {
            for ext in MODULE_EXTS {
                // Most names are no file at all: asked by file name first, without a path.
                if !self.mapper.has_file_named(parts[k - 1], ext) {
                    continue;
                }
                let base = parts[..k].join("/");
                let hits = self.mapper.files_ending_with(&format!("{base}{ext}"));
                if hits.is_empty() {
                    continue;
                }
                return self
                    .sole_owner(hits)
                    .map(|(i, f)| (i, format!("{name} is the file {f}")));
            }
        }
        let simple = parts[parts.len() - 1];
        for ext in CLASS_EXTS {
            if !self.mapper.has_file_named(simple, ext) {
                continue;
            }
            let hits = self.mapper.files_ending_with(&format!("{simple}{ext}"));
            if let Some((i, f)) = self.sole_owner(hits) {
                return Some((i, format!("the class {simple} of {name} is the file {f}")));
            }
        }
        // The package directory: every project that has it.
        let package = parts[..parts.len() - 1].join("/");
        let dirs = self.dirs_ending_with(&package, false);
        self.sole_owner(dirs.iter().map(|d| child(d)))
            .map(|(i, f)| {
                (
                    i,
                    format!(
                        "{name}'s package is the directory {}{}",
                        parent(&f),
                        more(dirs.len())
                    ),
                )
            })
    }

    /// `github.com/org/repo/svc/pkg` → the project holding the longest suffix of it that is a
    /// directory of Go files.
    pub(super) fn by_go_package(&self, suite: &str) -> Option<(usize, String, Option<String>)> {
        if !suite.contains('/') || suite.contains([' ', '\\', ':']) {
            return None;
        }
        let segs: Vec<&str> = suite.split('/').filter(|s| !s.is_empty()).collect();
        for start in 0..segs.len() {
            let suffix = segs[start..].join("/");
            let dirs = self.dirs_ending_with(&suffix, true);
            if dirs.is_empty() {
                continue;
            }
            // The test files are looked up only in a directory that is the package for sure.
            let dir = (dirs.len() == 1).then(|| dirs[0].clone());
            return self
                .sole_owner(dirs.iter().map(|d| child(d)))
                .map(|(i, f)| {
                    (
                        i,
                        format!(
                            "the Go package {suite} is the directory {}{}",
                            parent(&f),
                            more(dirs.len())
                        ),
                        dir,
                    )
                });
        }
        None
    }

    /// The `_test.go` file of `dir` that declares the test `name` (`TestX/sub` → `TestX`),
    /// and its build constraint.
    pub(super) fn go_test_file(&self, dir: &str, name: &str) -> Option<(String, Option<String>)> {
        let func = name.split('/').next().unwrap_or(name);
        // Held while a directory is read: the reports attributed beside this one wait rather
        // than read it twice.
        let mut cache = self.go_tests.lock().unwrap_or_else(|p| p.into_inner());
        let tests = cache
            .entry(dir.to_string())
            .or_insert_with(|| self.read_go_tests(dir));
        tests.get(func).cloned()
    }

    /// Every `func TestX(` / `FuzzX(` / `ExampleX(` of the `_test.go` files directly in `dir`,
    /// with each file's `//go:build` line (or `// +build` lines). Unreadable files are
    /// skipped: they only cost the size rule its file.
    pub(super) fn read_go_tests(&self, dir: &str) -> GoTests {
        let mut out = GoTests::new();
        let mut files: Vec<&str> = self
            .mapper
            .files()
            .filter(|f| f.ends_with("_test.go") && parent(f) == dir)
            .collect();
        files.sort();
        for f in files {
            let Ok(text) = std::fs::read_to_string(self.root.join(f)) else {
                continue;
            };
            let mut constraint: Option<String> = None;
            let mut in_header = true;
            for line in text.lines() {
                let t = line.trim();
                if in_header {
                    if let Some(expr) = t.strip_prefix("//go:build ") {
                        constraint = Some(expr.trim().to_string());
                    } else if let Some(expr) = t.strip_prefix("// +build ") {
                        constraint.get_or_insert_with(|| expr.trim().to_string());
                    } else if t.starts_with("package ") {
                        in_header = false;
                    }
                    continue;
                }
                let Some(rest) = line.strip_prefix("func ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if ["Test", "Fuzz", "Example", "Benchmark"]
                    .iter()
                    .any(|p| name.starts_with(p))
                    && rest[name.len()..].starts_with('(')
                {
                    out.entry(name)
                        .or_insert_with(|| (f.to_string(), constraint.clone()));
                }
            }
        }
        out
    }

    /// Directories whose path ends with `suffix` at a `/` boundary (only those holding `.go`
    /// files when `go`).
    pub(super) fn dirs_ending_with(&self, suffix: &str, go: bool) -> Vec<String> {
        let index = self.dirs.get_or_init(|| {
            let mut m: HashMap<String, HashMap<String, bool>> = HashMap::new();
            for f in self.mapper.files() {
                let is_go = f.ends_with(".go");
                let mut d = f;
                while let Some((dir, _)) = d.rsplit_once('/') {
                    let name = dir.rsplit('/').next().unwrap_or(dir);
                    let e = m
                        .entry(name.to_string())
                        .or_default()
                        .entry(dir.to_string())
                        .or_default();
                    // Only a file's own directory holds it.
                    *e |= is_go && d.len() == f.len();
                    d = dir;
                }
            }
            m.into_iter()
                .map(|(k, v)| {
                    let mut v: Vec<(String, bool)> = v.into_iter().collect();
                    v.sort();
                    (k, v)
                })
                .collect()
        });
        let name = suffix.rsplit('/').next().unwrap_or(suffix);
        index.get(name).map_or_else(Vec::new, |dirs| {
            dirs.iter()
                .filter(|(d, has_go)| {
                    (!go || *has_go)
                        && d.ends_with(suffix)
                        && (d.len() == suffix.len()
                            || d.as_bytes()[d.len() - suffix.len() - 1] == b'/')
                })
                .map(|(d, _)| d.clone())
                .collect()
        })
    }
}
