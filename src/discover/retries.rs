//! Mechanisms that find nondeterministic tests, configured in the repository (L1.flaky).
//!
//! A test that happened to be retried in this run proves nothing about the next run; the
//! configuration that makes the runner retry failures does. This module reads the places
//! each runner reads its retry setting from, and says where (file and line):
//!
//! | runner | where | what counts |
//! |---|---|---|
//! | cargo-nextest | `.config/nextest.toml` (next to the workspace `Cargo.toml`) | `retries` > 0 in `[profile.default]`, or in a profile a CI definition selects (`--profile NAME`, `NEXTEST_PROFILE=NAME`); only when a CI definition runs nextest, or there is none |
//! | pytest-rerunfailures | `pytest.ini`, `pyproject.toml`, `setup.cfg`, `tox.ini`; requirements files | `--reruns N` / `reruns = N`, or the plugin declared as a dependency |
//! | jest | `jest.config.*`, `jest.setup.*`, `package.json`, test files (`*.test.*`, `*.spec.*`) | `retryTimes(` |
//! | vitest, Playwright | `vitest.config.*`, `vite.config.*`, `vitest.workspace.*`, `playwright.config.*` | `retry:` / `retries:` with a non-zero value (`process.env.CI ? 2 : 0` counts) |
//! | Surefire / Failsafe | `pom.xml` | `rerunFailingTestsCount` (element or property) |
//! | Gradle | `build.gradle`, `build.gradle.kts`, `settings.gradle*` | the `org.gradle.test-retry` plugin |
//! | Bazel | `BUILD`, `BUILD.bazel`, `.bazelrc` | `flaky = True`, `flaky_test_attempts` |
//! | .NET | `*.csproj`, `*.runsettings` | `Microsoft.Testing.Extensions.Retry`, `--retry-failed-tests` |
//! | any | CI definitions and the scripts they run | `cargo nextest … --retries N`, `NEXTEST_RETRIES`, `pytest … --reruns N`, `gotestsum … --rerun-fails`, `-DrerunFailingTestsCount=N`, `vitest … --retry N`, `playwright test … --retries N`, `flaky_test_attempts`, `dotnet test … --retry-failed-tests` |
//!
//! A configuration file applies to the projects in its directory and below, and to the
//! innermost project holding it (a `jest.config.js` in `packages/core` is `packages/core`'s;
//! a nextest config at the workspace root is every crate's). What the CI definitions say
//! applies to the whole repository. Either way only to projects of the runner's ecosystem
//! when the project's own manifest says which it is (a nextest setting is nothing to a
//! Python package beside the workspace).

use std::path::Path;

use super::{join, skipped_dir, Kind, Tree};
use crate::evidence::{Ecosystem, Project, RetryMechanism};

/// Files larger than this are not read: configuration is small, and a generated bundle that
/// happens to be called `*.test.js` is not worth reading.
const MAX_FILE: u64 = 256 * 1024;

/// Every retry mechanism configured under `root`. `ci` are the CI definitions and the
/// scripts they run (repository-relative paths; their comments are dropped here).
pub fn scan(root: &Path, ci: &[String]) -> Vec<RetryMechanism> {
    scan_in(&Tree::new(root), ci)
}

/// [`scan`] over listings shared with the other searches of the run.
pub fn scan_in(tree: &Tree, ci: &[String]) -> Vec<RetryMechanism> {
    let root = tree.root();
    let mut out = Vec::new();
    let mut ci_profiles = Vec::new();
    // A nextest config is read only when nextest runs: with CI definitions that never call
    // it (`cargo test`), its retries retry nothing. Without CI definitions, who knows.
    let mut runs_nextest = ci.is_empty();
    // CI often runs `make test` / `just test`: the recipes hold the command line.
    let task_files = [
        "Makefile",
        "makefile",
        "GNUmakefile",
        "justfile",
        "Justfile",
    ];
    let task_files = task_files
        .iter()
        .map(|f| f.to_string())
        .filter(|f| root.join(f).is_file() && !ci.contains(f));
    for f in ci.iter().cloned().chain(task_files) {
        let f = &f;
        let Some(text) = read(&root.join(f)) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let line = strip_comment(line);
            runs_nextest |= line.contains("nextest");
            ci_profiles.extend(nextest_profiles(line));
            for (what, eco) in ci_command(line) {
                out.push(mechanism(what, f, i, "", eco));
            }
        }
    }
    let nextest = runs_nextest.then_some(ci_profiles.as_slice());
    walk(tree, "", 0, nextest, &mut out);
    out.sort_by(|a, b| (&a.file, a.line, &a.what).cmp(&(&b.file, b.line, &b.what)));
    out.dedup();
    out
}

/// Whether `m` applies to `project`, given every project of the repository.
pub fn applies(m: &RetryMechanism, project: &Project, projects: &[Project]) -> bool {
    if let (Some(e), Some(p)) = (m.ecosystem, ecosystem(project)) {
        if e != p {
            return false;
        }
    }
    let within = |inner: &str, outer: &str| {
        outer.is_empty()
            || inner == outer
            || (inner.starts_with(outer) && inner.as_bytes().get(outer.len()) == Some(&b'/'))
    };
    if within(&project.path, &m.dir) {
        return true;
    }
    // A config deeper than the project: the project's, unless a nearer project holds it.
    within(&m.dir, &project.path)
        && !projects.iter().any(|q| {
            q.path.len() > project.path.len()
                && within(&q.path, &project.path)
                && within(&m.dir, &q.path)
        })
}

/// The ecosystem a project's manifest names (`None` for the repository root or a declared
/// project: any runner may be its).
fn ecosystem(p: &Project) -> Option<Ecosystem> {
    let by = p.found_by.as_str();
    if by.starts_with("cargo") {
        Some(Ecosystem::Rust)
    } else if by.starts_with("package.json") || by.starts_with("pnpm") {
        Some(Ecosystem::Js)
    } else if by.starts_with("pyproject") {
        Some(Ecosystem::Python)
    } else if by.starts_with("go.mod") {
        Some(Ecosystem::Go)
    } else {
        None
    }
}

fn mechanism(
    what: String,
    file: &str,
    index: usize,
    dir: &str,
    ecosystem: Option<Ecosystem>,
) -> RetryMechanism {
    RetryMechanism {
        what,
        file: file.to_string(),
        line: u32::try_from(index + 1).unwrap_or(u32::MAX),
        dir: dir.to_string(),
        ecosystem,
    }
}

fn read(path: &Path) -> Option<String> {
    if std::fs::metadata(path).ok()?.len() > MAX_FILE {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// A line without its `#` comment (YAML, TOML, shell, INI, Starlark); `//` comments of
/// JS/Groovy are left: the words looked for do not occur in them often enough to matter,
/// and `//` is part of URLs.
fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with("//") {
        return "";
    }
    match line
        .match_indices('#')
        .find(|(i, _)| *i > 0 && line.as_bytes()[i - 1].is_ascii_whitespace())
    {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// The first number after `key` in `line` (`--reruns 3`, `--reruns=3`, `retries = 2`).
fn number_after(line: &str, key: &str) -> Option<u64> {
    let i = line.find(key)? + key.len();
    let rest = line[i..].trim_start_matches(|c: char| c.is_whitespace() || c == '=' || c == ':');
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Whether the value after `key` names a non-zero count somewhere (`2`, `process.env.CI ? 2 :
/// 0`, `{ count = 3 }`): any digit 1–9 before the end of the line or a `,`.
fn nonzero_after(line: &str, key: &str) -> bool {
    let Some(i) = line.find(key) else {
        return false;
    };
    let rest = &line[i + key.len()..];
    let value = rest.split(',').next().unwrap_or("");
    // A key that only starts the word (`retryDelay`) is not the key.
    let word_ends = !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
    word_ends && value.contains(['1', '2', '3', '4', '5', '6', '7', '8', '9'])
}

/// `--profile NAME` on a nextest command line, `NEXTEST_PROFILE=NAME` / `NEXTEST_PROFILE: NAME`.
fn nextest_profiles(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let word_after = |key: &str| {
        line.find(key).map(|i| {
            line[i + key.len()..]
                .trim_start_matches(|c: char| c.is_whitespace() || c == '=' || c == ':')
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        })
    };
    if line.contains("nextest") {
        out.extend(word_after("--profile"));
    }
    out.extend(word_after("NEXTEST_PROFILE"));
    out.retain(|p| !p.is_empty());
    out
}

/// Retry options on a command line of a CI definition or script.
fn ci_command(line: &str) -> Vec<(String, Option<Ecosystem>)> {
    let mut out = Vec::new();
    let mut add = |what: String, eco| out.push((what, eco));
    if line.contains("nextest") && number_after(line, "--retries").is_some_and(|n| n > 0) {
        add(
            format!(
                "cargo nextest --retries {}",
                number_after(line, "--retries").unwrap_or(0)
            ),
            Some(Ecosystem::Rust),
        );
    }
    if number_after(line, "NEXTEST_RETRIES").is_some_and(|n| n > 0) {
        add("NEXTEST_RETRIES".to_string(), Some(Ecosystem::Rust));
    }
    if let Some(n) = number_after(line, "--reruns").filter(|n| *n > 0) {
        add(
            format!("pytest-rerunfailures --reruns {n}"),
            Some(Ecosystem::Python),
        );
    }
    if line.contains("gotestsum") && line.contains("--rerun-fails") {
        add("gotestsum --rerun-fails".to_string(), Some(Ecosystem::Go));
    }
    if let Some(n) = number_after(line, "rerunFailingTestsCount").filter(|n| *n > 0) {
        add(
            format!("Surefire/Failsafe rerunFailingTestsCount={n}"),
            Some(Ecosystem::Jvm),
        );
    }
    if line.contains("vitest") && number_after(line, "--retry").is_some_and(|n| n > 0) {
        add("vitest --retry".to_string(), Some(Ecosystem::Js));
    }
    if line.contains("playwright") && number_after(line, "--retries").is_some_and(|n| n > 0) {
        add("playwright test --retries".to_string(), Some(Ecosystem::Js));
    }
    if number_after(line, "flaky_test_attempts").is_some_and(|n| n > 1) {
        add("Bazel --flaky_test_attempts".to_string(), None);
    }
    if line.contains("--retry-failed-tests") {
        add(
            "dotnet test --retry-failed-tests".to_string(),
            Some(Ecosystem::Dotnet),
        );
    }
    out
}

/// Visits the tree as project discovery does (same skipped directories and depth).
fn walk(
    tree: &Tree,
    rel: &str,
    depth: usize,
    nextest: Option<&[String]>,
    out: &mut Vec<RetryMechanism>,
) {
    let root = tree.root();
    let dir = root.join(rel);
    // nextest reads `.config/nextest.toml` beside the workspace manifest: a hidden directory
    // the walk does not enter, so read by name.
    let config = dir.join(".config/nextest.toml");
    if let Some(profiles) = nextest.filter(|_| config.is_file() && dir.join("Cargo.toml").is_file())
    {
        let f = join(rel, ".config/nextest.toml");
        if let Some(text) = read(&root.join(&f)) {
            for (i, what) in nextest_config(&text, profiles) {
                out.push(mechanism(what, &f, i, rel, Some(Ecosystem::Rust)));
            }
        }
    }
    if depth == 0 {
        if let Some(text) = read(&dir.join(".bazelrc")) {
            for (i, line) in text.lines().enumerate() {
                if number_after(strip_comment(line), "flaky_test_attempts").is_some_and(|n| n > 1) {
                    out.push(mechanism(
                        "Bazel --flaky_test_attempts".to_string(),
                        ".bazelrc",
                        i,
                        rel,
                        None,
                    ));
                }
            }
        }
    }
    for (name, kind) in tree.entries(rel).iter().cloned() {
        match kind {
            Kind::Dir => {
                if depth < super::projects::MAX_DEPTH
                    && !skipped_dir(&name)
                    && !matches!(name.as_str(), "target" | "dist" | "build" | "out")
                {
                    walk(tree, &join(rel, &name), depth + 1, nextest, out);
                }
            }
            Kind::File => {
                if let Some(check) = file_rule(&name) {
                    let f = join(rel, &name);
                    if let Some(text) = read(&root.join(&f)) {
                        for (i, line) in text.lines().enumerate() {
                            if let Some((what, eco)) = check(strip_comment(line)) {
                                out.push(mechanism(what.to_string(), &f, i, rel, eco));
                            }
                        }
                    }
                }
            }
            Kind::Other => {}
        }
    }
}

type LineRule = fn(&str) -> Option<(&'static str, Option<Ecosystem>)>;

/// The line rule for a file called `name`, if it is a file some runner reads its retry
/// setting from.
fn file_rule(name: &str) -> Option<LineRule> {
    let stem_is = |stems: &[&str]| {
        stems.iter().any(|s| {
            name.strip_prefix(s)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|ext| {
                    matches!(ext, "js" | "ts" | "mjs" | "cjs" | "mts" | "cts" | "json")
                })
        })
    };
    let is_js_test = [".test.", ".spec."].iter().any(|m| name.contains(m))
        && [".js", ".ts", ".jsx", ".tsx", ".mjs", ".cjs"]
            .iter()
            .any(|e| name.ends_with(e));
    Some(match name {
        "pytest.ini" | "setup.cfg" | "tox.ini" | "pyproject.toml" | "setup.py" => python_line,
        n if n.starts_with("requirements") && n.ends_with(".txt") => python_line,
        "pom.xml" => |l: &str| {
            (l.contains("rerunFailingTestsCount") && nonzero_after(l, "rerunFailingTestsCount"))
                .then_some((
                    "Surefire/Failsafe rerunFailingTestsCount",
                    Some(Ecosystem::Jvm),
                ))
        },
        "build.gradle" | "build.gradle.kts" | "settings.gradle" | "settings.gradle.kts" => {
            |l: &str| {
                l.contains("org.gradle.test-retry")
                    .then_some(("Gradle test-retry plugin", Some(Ecosystem::Jvm)))
            }
        }
        "BUILD" | "BUILD.bazel" => |l: &str| {
            let compact: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            (compact.contains("flaky=True") || l.contains("flaky_test_attempts"))
                .then_some(("Bazel flaky = True", None))
        },
        n if n.ends_with(".csproj") || n.ends_with(".runsettings") => |l: &str| {
            (l.contains("Microsoft.Testing.Extensions.Retry") || l.contains("--retry-failed-tests"))
                .then_some((
                    "Microsoft.Testing.Extensions.Retry",
                    Some(Ecosystem::Dotnet),
                ))
        },
        "package.json" => jest_line,
        _ if stem_is(&["jest.config", "jest.setup"]) || is_js_test => jest_line,
        _ if stem_is(&["vitest.config", "vite.config", "vitest.workspace"]) => {
            |l: &str| nonzero_after(l, "retry:").then_some(("vitest retry", Some(Ecosystem::Js)))
        }
        _ if stem_is(&["playwright.config"]) => |l: &str| {
            nonzero_after(l, "retries:").then_some(("Playwright retries", Some(Ecosystem::Js)))
        },
        _ => return None,
    })
}

fn python_line(l: &str) -> Option<(&'static str, Option<Ecosystem>)> {
    let py = Some(Ecosystem::Python);
    if number_after(l, "--reruns").is_some_and(|n| n > 0) {
        Some(("pytest-rerunfailures --reruns", py))
    } else if l.trim_start().starts_with("reruns") && nonzero_after(l, "reruns") {
        Some(("pytest-rerunfailures reruns", py))
    } else if l.contains("pytest-rerunfailures") || l.contains("pytest_rerunfailures") {
        Some(("pytest-rerunfailures (dependency)", py))
    } else {
        None
    }
}

fn jest_line(l: &str) -> Option<(&'static str, Option<Ecosystem>)> {
    l.contains("retryTimes(")
        .then_some(("jest.retryTimes", Some(Ecosystem::Js)))
}

/// `(line index, what)` for each nextest profile that retries and that a run uses: the
/// default profile, or one a CI definition selects.
fn nextest_config(text: &str, ci_profiles: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut profile: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if let Some(h) = line.strip_prefix('[') {
            let h = h.trim_end_matches(']').trim();
            // `[profile.ci]` sets the profile; `[profile.ci.junit]` is a sub-table of it.
            profile = h
                .strip_prefix("profile.")
                .filter(|p| !p.contains('.'))
                .map(|p| p.trim_matches('"').to_string());
            continue;
        }
        let Some(p) = &profile else { continue };
        let is_key = line
            .strip_prefix("retries")
            .is_some_and(|r| r.trim_start().starts_with('='));
        if is_key && nonzero_after(line, "retries") {
            let used = p == "default" || ci_profiles.iter().any(|c| c == p);
            if used {
                let value = line["retries".len()..]
                    .trim_start_matches([' ', '='])
                    .trim();
                out.push((i, format!("nextest retries = {value} (profile {p})")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::TempTree;

    fn project(path: &str, found_by: &str) -> Project {
        Project {
            name: path.to_string(),
            path: path.to_string(),
            found_by: found_by.to_string(),
        }
    }

    fn whats(m: &[RetryMechanism]) -> Vec<String> {
        m.iter()
            .map(|m| format!("{}:{} {}", m.file, m.line, m.what))
            .collect()
    }

    #[test]
    fn nextest_profile_used_in_ci() {
        let t = TempTree::new(
            "r",
            &[
                ("Cargo.toml", "[workspace]\n"),
                (
                    ".config/nextest.toml",
                    "[profile.default]\nretries = 0\n\n[profile.ci]\n# retries = 9\nretries = 2\n[profile.ci.junit]\npath = \"junit.xml\"\n[profile.local]\nretries = { backoff = \"fixed\", count = 3 }\n",
                ),
                (".github/workflows/ci.yml", "jobs:\n  t:\n    steps:\n      - run: cargo nextest run --profile ci\n"),
            ],
        );
        let m = scan(t.path(), &[".github/workflows/ci.yml".to_string()]);
        assert_eq!(
            whats(&m),
            [".config/nextest.toml:6 nextest retries = 2 (profile ci)"]
        );
        assert_eq!(m[0].dir, "");
        // Without the CI selecting it, profile ci is not what runs.
        let m = scan(t.path(), &[]);
        assert!(m.is_empty(), "{m:?}");
        // A CI that never runs nextest: even the default profile's retries retry nothing.
        t.write(".config/nextest.toml", "[profile.default]\nretries = 2\n");
        t.write("ci.yml", "- run: cargo test --workspace\n");
        assert!(scan(t.path(), &["ci.yml".to_string()]).is_empty());
        assert_eq!(
            scan(t.path(), &[]).len(),
            1,
            "no CI definitions: the config is taken"
        );
    }

    #[test]
    fn ci_commands() {
        let t = TempTree::new(
            "r",
            &[(
                "ci.yml",
                "- run: pytest --reruns 3 tests\n- run: pytest --reruns 0\n- run: gotestsum --rerun-fails --packages ./...\n- run: mvn verify -Dsurefire.rerunFailingTestsCount=2\n# - run: cargo nextest run --retries 4\n- run: cargo nextest run --retries=2\n- run: npx playwright test --retries 1\n- run: bazel test --flaky_test_attempts=3 //...\n- run: dotnet test --retry-failed-tests 2\n",
            )],
        );
        let m = scan(t.path(), &["ci.yml".to_string()]);
        assert_eq!(
            whats(&m),
            [
                "ci.yml:1 pytest-rerunfailures --reruns 3",
                "ci.yml:3 gotestsum --rerun-fails",
                "ci.yml:4 Surefire/Failsafe rerunFailingTestsCount=2",
                "ci.yml:6 cargo nextest --retries 2",
                "ci.yml:7 playwright test --retries",
                "ci.yml:8 Bazel --flaky_test_attempts",
                "ci.yml:9 dotnet test --retry-failed-tests",
            ]
        );
    }

    #[test]
    fn config_files() {
        let t = TempTree::new(
            "r",
            &[
                ("packages/core/jest.config.js", "module.exports = {};\n"),
                ("packages/core/jest.setup.ts", "jest.retryTimes(2);\n"),
                (
                    "packages/web/src/a.spec.ts",
                    "jest.retryTimes(3, { logErrorsBeforeRetry: true });\n",
                ),
                (
                    "packages/ui/vitest.config.ts",
                    "export default { test: { retry: process.env.CI ? 2 : 0 } }\n",
                ),
                (
                    "packages/ux/vitest.config.ts",
                    "export default { test: { retry: 0, retryDelay: 5 } }\n",
                ),
                (
                    "e2e/playwright.config.ts",
                    "export default { retries: 2 }\n",
                ),
                (
                    "py/a/pyproject.toml",
                    "[tool.pytest.ini_options]\naddopts = \"--reruns 2 -q\"\n",
                ),
                (
                    "py/b/requirements-dev.txt",
                    "pytest\npytest-rerunfailures==14\n",
                ),
                ("py/c/pytest.ini", "[pytest]\nreruns = 1\n"),
                (
                    "java/pom.xml",
                    "<rerunFailingTestsCount>2</rerunFailingTestsCount>\n",
                ),
                (
                    "java/b/pom.xml",
                    "<rerunFailingTestsCount>0</rerunFailingTestsCount>\n",
                ),
                (
                    "kt/build.gradle.kts",
                    "plugins { id(\"org.gradle.test-retry\") version \"1.6.0\" }\n",
                ),
                ("bz/BUILD.bazel", "py_test(name = \"t\", flaky = True)\n"),
                ("node_modules/x/jest.setup.js", "jest.retryTimes(2);\n"),
                ("fixtures/pytest.ini", "[pytest]\naddopts = --reruns 2\n"),
            ],
        );
        let m = scan(t.path(), &[]);
        assert_eq!(
            whats(&m),
            [
                "bz/BUILD.bazel:1 Bazel flaky = True",
                "e2e/playwright.config.ts:1 Playwright retries",
                "java/pom.xml:1 Surefire/Failsafe rerunFailingTestsCount",
                "kt/build.gradle.kts:1 Gradle test-retry plugin",
                "packages/core/jest.setup.ts:1 jest.retryTimes",
                "packages/ui/vitest.config.ts:1 vitest retry",
                "packages/web/src/a.spec.ts:1 jest.retryTimes",
                "py/a/pyproject.toml:2 pytest-rerunfailures --reruns",
                "py/b/requirements-dev.txt:2 pytest-rerunfailures (dependency)",
                "py/c/pytest.ini:2 pytest-rerunfailures reruns",
            ]
        );
    }

    #[test]
    fn attribution_by_path_and_ecosystem() {
        let projects = vec![
            project("crates/a", "cargo workspace member"),
            project("crates/b", "cargo workspace member"),
            project("packages/core", "package.json workspaces"),
            project("packages/cli", "package.json workspaces"),
            project("py", "pyproject.toml"),
        ];
        let m = |dir: &str, eco| RetryMechanism {
            what: "x".into(),
            file: "f".into(),
            line: 1,
            dir: dir.into(),
            ecosystem: eco,
        };
        let applies_to = |m: &RetryMechanism| -> Vec<&str> {
            projects
                .iter()
                .filter(|p| applies(m, p, &projects))
                .map(|p| p.path.as_str())
                .collect()
        };
        // A nextest config at the workspace root: every crate, no Python or JS package.
        assert_eq!(
            applies_to(&m("", Some(Ecosystem::Rust))),
            ["crates/a", "crates/b"]
        );
        // A jest setup deep in packages/core: that package only.
        assert_eq!(
            applies_to(&m("packages/core/test", Some(Ecosystem::Js))),
            ["packages/core"]
        );
        // Bazel: any ecosystem.
        assert_eq!(applies_to(&m("", None)).len(), 5);
        let root = [project("", "repository root")];
        assert!(applies(&m("sub", Some(Ecosystem::Go)), &root[0], &root));
    }
}
