//! CI definitions and the CI environment.
//!
//! No YAML parser: the few facts needed (GitHub's `on:` triggers, a handful of keys) are read
//! line by line, which also keeps anchors, templates and `${{ }}` expressions from ever being
//! an error. Comments are dropped before anything is looked at.
//!
//! Whether a definition runs on pull/merge requests, per system:
//!
//! | system | runs on PRs when |
//! |---|---|
//! | GitHub Actions | a workflow's `on:` lists `pull_request` or `pull_request_target` (scalar, flow list, flow map, block list or block map) |
//! | GitLab CI | the file mentions `merge_request_event`, `merge_requests`, `CI_MERGE_REQUEST_IID` or the `MergeRequest-Pipelines` template: GitLab has first-class merge-request pipelines, and without them there are none |
//! | Azure Pipelines | always, unless a top-level `pr: none` (PR triggers are on by default for GitHub repositories) |
//! | Bitbucket Pipelines | a `pull-requests:` section |
//! | Woodpecker, Drone | the file mentions `pull_request`, or filters on no event at all (then every event runs) |
//! | CircleCI, Travis CI, Buildkite, Jenkins, AppVeyor | always: they build pull requests (or every pushed branch, which includes a PR's) unless a project setting says otherwise, and that setting is not in the repository |
//!
//! A run that is itself a pull-request build (from the environment) also proves it.
//!
//! Analysis tools are found by name in the CI files' text and in the repository scripts
//! they run (`./scripts/lint.sh`, `.ci/check.sh`): CI often calls a script that calls the
//! linter.

use std::path::Path;

use super::{CiOutput, Kind, Tree};
use crate::evidence::RepoFacts;

const GITHUB: &str = "GitHub Actions";
const GITLAB: &str = "GitLab CI";
const CIRCLE: &str = "CircleCI";
const JENKINS: &str = "Jenkins";
const AZURE: &str = "Azure Pipelines";
const BUILDKITE: &str = "Buildkite";
const TRAVIS: &str = "Travis CI";
const BITBUCKET: &str = "Bitbucket Pipelines";
const WOODPECKER: &str = "Woodpecker CI";
const DRONE: &str = "Drone CI";
const APPVEYOR: &str = "AppVeyor";

/// Where each system keeps its definitions: a file, or a directory of `*.yml`/`*.yaml`.
enum Place {
    File(&'static str),
    YamlDir(&'static str),
}

const DEFINITIONS: &[(&str, Place)] = &[
    (GITHUB, Place::YamlDir(".github/workflows")),
    (GITLAB, Place::File(".gitlab-ci.yml")),
    (CIRCLE, Place::File(".circleci/config.yml")),
    (CIRCLE, Place::File(".circleci/config.yaml")),
    (JENKINS, Place::File("Jenkinsfile")),
    (AZURE, Place::File("azure-pipelines.yml")),
    (AZURE, Place::File("azure-pipelines.yaml")),
    (AZURE, Place::YamlDir(".azure-pipelines")),
    (BUILDKITE, Place::YamlDir(".buildkite")),
    (TRAVIS, Place::File(".travis.yml")),
    (BITBUCKET, Place::File("bitbucket-pipelines.yml")),
    (WOODPECKER, Place::File(".woodpecker.yml")),
    (WOODPECKER, Place::File(".woodpecker.yaml")),
    (WOODPECKER, Place::YamlDir(".woodpecker")),
    (DRONE, Place::File(".drone.yml")),
    (APPVEYOR, Place::File("appveyor.yml")),
    (APPVEYOR, Place::File(".appveyor.yml")),
];

/// Static analysers, by a name that appears where CI calls them (matched as a whole word,
/// case-insensitively), and the name outputs show.
const TOOLS: &[(&str, &str)] = &[
    ("clippy", "clippy"),
    ("cargo-deny", "cargo-deny"),
    ("cargo deny", "cargo-deny"),
    ("eslint", "ESLint"),
    ("biome", "Biome"),
    ("stylelint", "stylelint"),
    ("ruff", "Ruff"),
    ("flake8", "flake8"),
    ("pylint", "Pylint"),
    ("mypy", "mypy"),
    ("pyright", "Pyright"),
    ("bandit", "Bandit"),
    ("golangci-lint", "golangci-lint"),
    ("staticcheck", "staticcheck"),
    ("go vet", "go vet"),
    ("gosec", "gosec"),
    ("github/codeql-action", "CodeQL"),
    ("codeql", "CodeQL"),
    ("semgrep", "Semgrep"),
    ("sonar", "Sonar"),
    ("sonarcloud", "Sonar"),
    ("sonarqube", "Sonar"),
    ("sonarsource", "Sonar"),
    ("sonar-scanner", "Sonar"),
    ("spotbugs", "SpotBugs"),
    ("pmd", "PMD"),
    ("checkstyle", "Checkstyle"),
    ("error_prone", "Error Prone"),
    ("errorprone", "Error Prone"),
    ("detekt", "detekt"),
    ("ktlint", "ktlint"),
    ("rubocop", "RuboCop"),
    ("phpstan", "PHPStan"),
    ("psalm", "Psalm"),
    ("shellcheck", "ShellCheck"),
    ("hadolint", "hadolint"),
    ("actionlint", "actionlint"),
    ("zizmor", "zizmor"),
    ("cppcheck", "Cppcheck"),
    ("clang-tidy", "clang-tidy"),
    ("swiftlint", "SwiftLint"),
    ("tflint", "TFLint"),
    ("super-linter", "Super-Linter"),
    ("megalinter", "MegaLinter"),
    ("mega-linter", "MegaLinter"),
];

/// Scripts larger than this are not scanned for tool names.
const MAX_SCRIPT: u64 = 256 * 1024;

/// What the repository's CI definitions say, and whether this run is inside CI (`env`
/// reads an environment variable; tests pass a map).
pub fn repo_facts(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> RepoFacts {
    repo_facts_in(&Tree::new(root), env)
}

/// The CI definition files of one `place` (a file, or the YAML files of a folder).
fn definition_files(tree: &Tree, place: &Place) -> Vec<String> {
    match place {
        Place::File(f) if tree.root().join(f).is_file() => vec![f.to_string()],
        Place::File(_) => Vec::new(),
        Place::YamlDir(d) => tree
            .entries(d)
            .iter()
            .filter(|(n, k)| *k == Kind::File && (n.ends_with(".yml") || n.ends_with(".yaml")))
            .map(|(n, _)| format!("{d}/{n}"))
            .collect(),
    }
}

/// [`repo_facts`] over listings shared with the other searches of the run.
pub fn repo_facts_in(tree: &Tree, env: &dyn Fn(&str) -> Option<String>) -> RepoFacts {
    let root = tree.root();
    let mut facts = RepoFacts::default();
    let mut texts = Vec::new();
    for (system, place) in DEFINITIONS {
        let files = definition_files(tree, place);
        for f in files {
            let Ok(raw) = std::fs::read_to_string(root.join(&f)) else {
                continue;
            };
            let text = strip_comments(&raw, *system == JENKINS);
            if runs_on_pull_requests(system, &text) {
                facts.runs_on_pull_requests = true;
            }
            if !facts.ci_systems.iter().any(|s| s == system) {
                facts.ci_systems.push(system.to_string());
            }
            facts.ci_files.push(f);
            texts.push(text);
        }
    }

    let mut scripts = Vec::new();
    for t in &texts {
        for s in referenced_scripts(root, t) {
            if !scripts.contains(&s) && !facts.ci_files.contains(&s) {
                scripts.push(s);
            }
        }
    }
    // The CI files and the scripts they run: where retry options are passed on a command line.
    let commands: Vec<String> = facts.ci_files.iter().chain(&scripts).cloned().collect();
    facts.retry_mechanisms = super::retries::scan_in(tree, &commands);
    for s in scripts {
        let path = root.join(&s);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_SCRIPT) {
            if let Ok(raw) = std::fs::read_to_string(&path) {
                texts.push(strip_comments(&raw, false));
            }
        }
    }
    let mut tools: Vec<String> = Vec::new();
    for t in &texts {
        let lower = t.to_ascii_lowercase();
        for (needle, name) in TOOLS {
            if has_word(&lower, needle) && !tools.iter().any(|x| x == name) {
                tools.push(name.to_string());
            }
        }
    }
    tools.sort_by_key(|t| t.to_ascii_lowercase());
    facts.analysis_tools = tools;
    facts.sarif_reports = super::reports::find(tree, &["**/*.sarif", "**/*.sarif.json"]);

    let (in_ci, for_pr) = environment(env);
    facts.running_in_ci = in_ci;
    facts.running_for_pull_request = for_pr;
    facts.runs_on_pull_requests |= for_pr;
    facts
}

/// The CI system this process runs in, and whether it is a pull/merge-request build.
fn environment(env: &dyn Fn(&str) -> Option<String>) -> (Option<String>, bool) {
    let value = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let truthy = |k: &str| {
        value(k).is_some_and(|v| !matches!(v.to_ascii_lowercase().trim(), "false" | "0" | "no"))
    };
    let set = |k: &str| value(k).is_some();
    let equals = |k: &str, want: &[&str]| value(k).is_some_and(|v| want.contains(&v.trim()));
    let not_false = |k: &str| value(k).is_some_and(|v| v.trim() != "false");

    let system = if truthy("GITHUB_ACTIONS") {
        Some(GITHUB)
    } else if truthy("GITLAB_CI") {
        Some(GITLAB)
    } else if truthy("CIRCLECI") {
        Some(CIRCLE)
    } else if set("JENKINS_URL") {
        Some(JENKINS)
    } else if truthy("TF_BUILD") {
        Some(AZURE)
    } else if truthy("BUILDKITE") {
        Some(BUILDKITE)
    } else if truthy("TRAVIS") {
        Some(TRAVIS)
    } else if set("BITBUCKET_BUILD_NUMBER") {
        Some(BITBUCKET)
    } else if equals("CI", &["woodpecker"]) || set("CI_PIPELINE_EVENT") && set("CI_REPO") {
        Some(WOODPECKER)
    } else if truthy("DRONE") {
        Some(DRONE)
    } else if truthy("APPVEYOR") {
        Some(APPVEYOR)
    } else if truthy("CI") {
        Some("an unnamed CI system (CI is set)")
    } else {
        None
    };
    let pr = equals(
        "GITHUB_EVENT_NAME",
        &["pull_request", "pull_request_target"],
    ) || set("CI_MERGE_REQUEST_IID")
        || set("CIRCLE_PULL_REQUEST")
        || set("SYSTEM_PULLREQUEST_PULLREQUESTID")
        || not_false("BUILDKITE_PULL_REQUEST")
        || not_false("TRAVIS_PULL_REQUEST")
        || set("CHANGE_ID")
        || set("BITBUCKET_PR_ID")
        || equals("CI_PIPELINE_EVENT", &["pull_request"])
        || set("DRONE_PULL_REQUEST")
        || set("APPVEYOR_PULL_REQUEST_NUMBER");
    (system.map(String::from), pr)
}

fn runs_on_pull_requests(system: &str, text: &str) -> bool {
    match system {
        GITHUB => github_on_pull_request(text),
        GITLAB => [
            "merge_request_event",
            "merge_requests",
            "ci_merge_request_iid",
            "mergerequest-pipelines",
        ]
        .iter()
        .any(|w| has_word(&text.to_ascii_lowercase(), w)),
        AZURE => !top_level(text).any(|(k, v)| k == "pr" && unquote(v.trim()) == "none"),
        BITBUCKET => text
            .lines()
            .any(|l| l.trim_start().starts_with("pull-requests:")),
        WOODPECKER | DRONE => has_word(text, "pull_request") || !has_word(text, "event"),
        _ => true,
    }
}

/// Drops `#` comments (YAML) or `//` comments (Jenkinsfile): whole-line ones, and trailing
/// ones after whitespace. A `#` inside a quoted string that follows a space is cut too; the
/// facts read here never need one.
fn strip_comments(text: &str, groovy: bool) -> String {
    let marker = if groovy { "//" } else { "#" };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with(marker) {
            out.push('\n');
            continue;
        }
        let cut = line
            .match_indices(marker)
            .find(|(i, _)| *i > 0 && line.as_bytes()[i - 1].is_ascii_whitespace())
            .map_or(line.len(), |(i, _)| i);
        out.push_str(line[..cut].trim_end());
        out.push('\n');
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
}

/// `key: value` split at the first `:` followed by a space or the end of the line.
fn split_key(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    let i = (0..b.len())
        .find(|&i| b[i] == b':' && b.get(i + 1).is_none_or(|c| c.is_ascii_whitespace()))?;
    Some((unquote(&line[..i]), &line[i + 1..]))
}

/// Top-level `key: value` pairs (value may be empty).
fn top_level(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .filter(|l| indent(l) == 0 && !l.starts_with('-'))
        .filter_map(split_key)
}

/// Whether a GitHub workflow's `on:` names `pull_request` or `pull_request_target`, in any
/// of its forms: `on: pull_request`, `on: [push, pull_request]` (also across lines),
/// `on: {pull_request: {}}`, a block list (`- pull_request`) or a block map
/// (`pull_request:`). YAML 1.1 readers turn a bare `on` key into `true`; both spellings and
/// quoted keys are accepted.
fn github_on_pull_request(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let is_pr = |word: &str| matches!(unquote(word), "pull_request" | "pull_request_target");
    for (i, line) in lines.iter().enumerate() {
        if indent(line) != 0 {
            continue;
        }
        let Some((key, value)) = split_key(line) else {
            continue;
        };
        if key != "on" && key != "true" {
            continue;
        }
        let value = value.trim();
        if !value.is_empty() {
            // A scalar or a flow collection, possibly continued on the next lines.
            let mut flow = value.to_string();
            let mut rest = lines[i + 1..].iter();
            while depth(&flow) > 0 {
                match rest.next() {
                    Some(l) => {
                        flow.push(' ');
                        flow.push_str(l);
                    }
                    None => break,
                }
            }
            return words(&flow).any(is_pr);
        }
        // A block: the first-level children (list items or keys).
        let mut child_indent = None;
        for l in &lines[i + 1..] {
            if l.trim().is_empty() {
                continue;
            }
            let n = indent(l);
            let t = l.trim_start();
            if n == 0 && !t.starts_with('-') {
                break;
            }
            if *child_indent.get_or_insert(n) != n {
                continue;
            }
            let item = match t.strip_prefix('-') {
                Some(x) => x.trim(),
                None => split_key(t).map_or(t, |(k, _)| k),
            };
            if is_pr(item) {
                return true;
            }
        }
        return false;
    }
    false
}

/// Open `[`/`{` minus closed ones.
fn depth(s: &str) -> i32 {
    s.chars().fold(0, |d, c| match c {
        '[' | '{' => d + 1,
        ']' | '}' => d - 1,
        _ => d,
    })
}

/// Identifier-like words (`[A-Za-z0-9_]+`).
fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Whether `needle` occurs in `hay` with no letter or digit right before or after it.
fn has_word(hay: &str, needle: &str) -> bool {
    let b = hay.as_bytes();
    hay.match_indices(needle).any(|(i, _)| {
        let before = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let end = i + needle.len();
        let after = end >= b.len() || !b[end].is_ascii_alphanumeric();
        before && after
    })
}

/// Repository files a CI definition runs by relative path (`./scripts/lint.sh`,
/// `bash .ci/check.sh`, `make -f build/ci.mk`): words with a `/` or a script extension
/// that name an existing file under the root.
fn referenced_scripts(root: &Path, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | ';' | '(' | ')' | '&' | '|' | ',' | '[' | ']'
            )
    }) {
        let w = w.trim_start_matches("./");
        if w.is_empty()
            || w.starts_with('/')
            || w.starts_with('-')
            || w.contains("..")
            || w.contains("${")
            || w.contains("://")
            || !(w.contains('/')
                || [".sh", ".bash", ".ps1", ".py", ".mk"]
                    .iter()
                    .any(|e| w.ends_with(e)))
        {
            continue;
        }
        if root.join(w).is_file() && !out.iter().any(|x| x == w) {
            out.push(w.to_string());
        }
    }
    out
}

/// Options whose value is a report file or directory, written `--opt=value` or
/// `--opt value`. pytest's `--cov-report` takes `kind:path`.
const OUTPUT_OPTIONS: &[&str] = &[
    "--junitxml",
    "--junit-xml",
    "-coverprofile",
    "--coverprofile",
    "-test.coverprofile",
    "--output-file",
    "--output-path",
    "--outputFile",
    "--outputFile.junit",
    "--junitfile",
    "--jsonfile",
    "--junit-output",
    "--results-directory",
    "--report-dir",
    "--reports-dir",
    "--cov-report",
    "--coverage-output",
    "--lcov-output",
    "--xml-output",
];

/// Environment variables (`VAR=value`, `VAR: value`) naming a report file or directory.
const OUTPUT_VARS: &[&str] = &[
    "JEST_JUNIT_OUTPUT_FILE",
    "JEST_JUNIT_OUTPUT_DIR",
    "JEST_JUNIT_OUTPUT",
    "MOCHA_FILE",
    "PLAYWRIGHT_JUNIT_OUTPUT_NAME",
    "GOTESTSUM_JUNITFILE",
    "GOTESTSUM_JSONFILE",
    "COVERAGE_FILE",
];

/// The report outputs the CI definitions (and the scripts they run) name in their run
/// steps: shell redirections (`> file`, `>> file`, `| tee file`), the output options of
/// test runners and coverage tools (`OUTPUT_OPTIONS`, `coverage xml -o file`), and the
/// environment variables reporters read (`OUTPUT_VARS`). Paths with a variable in them,
/// absolute paths, `..` and `/dev/…` are left out: they cannot be found under the root.
pub fn report_outputs(root: &Path) -> Vec<CiOutput> {
    report_outputs_in(&Tree::new(root))
}

/// [`report_outputs`] over listings shared with the other searches of the run.
pub fn report_outputs_in(tree: &Tree) -> Vec<CiOutput> {
    let root = tree.root();
    let mut out: Vec<CiOutput> = Vec::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for (system, place) in DEFINITIONS {
        let names = definition_files(tree, place);
        for f in names {
            if let Ok(raw) = std::fs::read_to_string(root.join(&f)) {
                files.push((f, strip_comments(&raw, *system == JENKINS)));
            }
        }
    }
    let mut scripts = Vec::new();
    for (_, t) in &files {
        for s in referenced_scripts(root, t) {
            if !scripts.contains(&s) && !files.iter().any(|(f, _)| *f == s) {
                scripts.push(s);
            }
        }
    }
    for s in scripts {
        let path = root.join(&s);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() <= MAX_SCRIPT) {
            if let Ok(raw) = std::fs::read_to_string(&path) {
                files.push((s, strip_comments(&raw, false)));
            }
        }
    }
    for (file, text) in &files {
        for (path, how) in output_paths(text) {
            if !out.iter().any(|o| o.path == path) {
                out.push(CiOutput {
                    path,
                    file: file.clone(),
                    how,
                });
            }
        }
    }
    out
}

/// (path, the words naming it) for every report output named in `text`.
fn output_paths(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let words = shell_words(line);
        for (i, w) in words.iter().enumerate() {
            let next = words.get(i + 1).map(String::as_str);
            // Redirections: `> f`, `>f`, `>> f`, `1> f`; not `2> f` (the error stream) nor
            // `>&2` / `2>&1` (stream copies).
            if let Some(rest) = w
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .strip_prefix('>')
            {
                let rest = rest.strip_prefix('>').unwrap_or(rest);
                if !w.starts_with('2') && !rest.starts_with('&') {
                    let (value, how) = if rest.is_empty() {
                        (next, format!("{w} {}", next.unwrap_or("")))
                    } else {
                        (Some(rest), w.clone())
                    };
                    push(&mut out, value, how);
                }
                continue;
            }
            if w == "tee" {
                let value = words[i + 1..].iter().find(|x| !x.starts_with('-'));
                push(
                    &mut out,
                    value.map(String::as_str),
                    format!("tee {}", value.map_or("", |v| v)),
                );
                continue;
            }
            // `coverage xml -o file`, `coverage json -o file`, `coverage lcov -o file`.
            if (w == "-o" || w == "--output")
                && i >= 1
                && matches!(words[i - 1].as_str(), "xml" | "json" | "lcov")
                && i >= 2
                && words[i - 2].ends_with("coverage")
            {
                push(
                    &mut out,
                    next,
                    format!("{} {w} {}", words[i - 1], next.unwrap_or("")),
                );
                continue;
            }
            for opt in OUTPUT_OPTIONS {
                let value = if w == opt {
                    next
                } else if let Some(v) = w.strip_prefix(opt).and_then(|r| r.strip_prefix('=')) {
                    Some(v)
                } else {
                    continue;
                };
                let value = value.map(|v| {
                    if *opt == "--cov-report" {
                        // `xml:path`, `lcov:path`, `json:path`; a bare kind has its default
                        // file name, found by the default globs.
                        v.split_once(':').map_or("", |(_, p)| p)
                    } else {
                        v
                    }
                });
                let how = if w == opt {
                    format!("{opt} {}", next.unwrap_or(""))
                } else {
                    w.clone()
                };
                push(&mut out, value, how);
                break;
            }
            for var in OUTPUT_VARS {
                let value = w
                    .strip_prefix(var)
                    .and_then(|r| r.strip_prefix('=').or_else(|| r.strip_prefix(':')))
                    .map(|v| if v.is_empty() { next.unwrap_or("") } else { v });
                if value.is_some() {
                    push(&mut out, value, format!("{var}={}", value.unwrap_or("")));
                    break;
                }
            }
        }
    }
    out
}

/// Words of a shell line, quotes removed (`'a b'` is one word), split at blanks, `;`, `|`,
/// `(` and `)` (`|` is kept as a word; `&` is not a separator, so `2>&1` stays one word).
fn shell_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() || matches!(c, ';' | '|' | '(' | ')') => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if c == '|' {
                    out.push("|".to_string());
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Adds `value` as a repository-relative output path when it can be one.
fn push(out: &mut Vec<(String, String)>, value: Option<&str>, how: String) {
    let Some(v) = value else { return };
    let v = v.trim().trim_end_matches([',', ';']);
    // `${{ github.workspace }}/x` and `$GITHUB_WORKSPACE/x` are the root.
    let v = [
        "${{ github.workspace }}/",
        "${{github.workspace}}/",
        "$GITHUB_WORKSPACE/",
        "${GITHUB_WORKSPACE}/",
        "$CI_PROJECT_DIR/",
        "${CI_PROJECT_DIR}/",
    ]
    .iter()
    .find_map(|p| v.strip_prefix(p))
    .unwrap_or(v);
    let v = v.trim_start_matches("./").trim_end_matches('/');
    if v.is_empty()
        || v.contains(['$', '*', '?', '{', '}', '<', '>', '=', '`'])
        || v.starts_with('/')
        || v.starts_with('-')
        || v.starts_with('~')
        || v.contains("..")
        || v.contains(":\\")
    {
        return;
    }
    if !out.iter().any(|(p, _)| p == v) {
        out.push((v.to_string(), how.trim().to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::TempTree;
    use std::collections::HashMap;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn gh(on: &str) -> bool {
        github_on_pull_request(&strip_comments(on, false))
    }

    #[test]
    fn github_on_forms() {
        assert!(gh("name: ci\non: pull_request\njobs: {}\n"));
        assert!(gh("on: [push, pull_request]\n"));
        assert!(gh("on: [push,\n  pull_request_target]\njobs:\n"));
        assert!(gh(
            "\"on\":\n  push:\n    branches: [main]\n  pull_request:\n    types: [opened]\n"
        ));
        assert!(gh("'on':\n  - push\n  - 'pull_request'\n"));
        assert!(gh("on:\n- push\n- pull_request\njobs:\n"));
        assert!(gh("true:\n  pull_request: {}\n"));
        assert!(gh("on: { push: { branches: [main] }, pull_request: {} }\n"));
        assert!(gh(
            "on:   # triggers\n  # pull_request is below\n  workflow_dispatch:\n  pull_request:\n"
        ));
        assert!(!gh("on: push\n"));
        assert!(!gh("on:\n  push:\n    branches: [pull_request]\n"));
        assert!(!gh("on:\n  push:\n  # pull_request:\n"));
        assert!(!gh("on: [push, workflow_dispatch]  # pull_request later\n"));
        assert!(!gh("jobs:\n  x:\n    on: pull_request\n"));
        assert!(!gh(
            "on:\n  schedule:\n    - cron: '0 0 * * *'\njobs:\n  pull_request:\n"
        ));
    }

    #[test]
    fn github_repository() {
        let t = TempTree::new(
            "r",
            &[
                (".github/workflows/ci.yml", "on: [push, pull_request]\njobs:\n  lint:\n    steps:\n      - run: cargo clippy --all-targets -- -D warnings\n      - uses: github/codeql-action/analyze@v3\n      # - run: npx eslint .\n"),
                (".github/workflows/release.yaml", "on:\n  push:\n    tags: ['v*']\njobs:\n  x:\n    steps:\n      - run: ./scripts/lint.sh\n"),
                (".github/workflows/README.md", "not a workflow"),
                ("scripts/lint.sh", "#!/bin/sh\nruff check .\nmypy src\n# pylint is off\n"),
                ("results/clippy.sarif", "{}"),
                ("node_modules/x/y.sarif", "{}"),
            ],
        );
        let f = repo_facts(t.path(), &no_env);
        assert_eq!(
            f.ci_files,
            vec![".github/workflows/ci.yml", ".github/workflows/release.yaml"]
        );
        assert_eq!(f.ci_systems, vec![GITHUB]);
        assert!(f.runs_on_pull_requests);
        assert_eq!(f.analysis_tools, vec!["clippy", "CodeQL", "mypy", "Ruff"]);
        assert_eq!(f.sarif_reports, vec!["results/clippy.sarif"]);
        assert_eq!(f.running_in_ci, None);
        assert!(!f.running_for_pull_request);
    }

    #[test]
    fn gitlab_merge_request_rules() {
        let mr = [
            "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n",
            "test:\n  script: make\n  only:\n    - merge_requests\n",
            "test:\n  only: [merge_requests, main]\n",
            "include:\n  - template: 'Workflows/MergeRequest-Pipelines.gitlab-ci.yml'\n",
        ];
        for text in mr {
            assert!(
                runs_on_pull_requests(GITLAB, &strip_comments(text, false)),
                "{text}"
            );
        }
        let branch = [
            "test:\n  script: make\n",
            "test:\n  script: make\n  # only: [merge_requests]\n",
        ];
        for text in branch {
            assert!(
                !runs_on_pull_requests(GITLAB, &strip_comments(text, false)),
                "{text}"
            );
        }
    }

    #[test]
    fn other_systems() {
        let t = TempTree::new(
            "r",
            &[
                (".gitlab-ci.yml", "lint:\n  script: golangci-lint run && go vet ./...\n"),
                ("azure-pipelines.yml", "pr: none\nsteps:\n  - script: dotnet test\n"),
                ("Jenkinsfile", "pipeline {\n  // sh 'semgrep ci'\n  stages { stage('x') { steps { sh 'mvn spotbugs:check' } } }\n}\n"),
                ("bitbucket-pipelines.yml", "pipelines:\n  branches:\n    main:\n      - step:\n          script: [make]\n"),
                (".drone.yml", "kind: pipeline\nsteps:\n  - name: test\n    image: golang\n"),
                (".woodpecker/test.yaml", "when:\n  - event: push\nsteps: {}\n"),
            ],
        );
        let f = repo_facts(t.path(), &no_env);
        assert_eq!(
            f.ci_systems,
            vec![GITLAB, JENKINS, AZURE, BITBUCKET, WOODPECKER, DRONE]
        );
        // Jenkins builds change requests by default; Drone without an event filter runs on
        // every event.
        assert!(f.runs_on_pull_requests);
        assert_eq!(
            f.analysis_tools,
            vec!["go vet", "golangci-lint", "SpotBugs"]
        );
        assert!(!runs_on_pull_requests(AZURE, "pr: none\n"));
        assert!(runs_on_pull_requests(
            AZURE,
            "pr:\n  branches:\n    include: [main]\n"
        ));
        assert!(!runs_on_pull_requests(
            BITBUCKET,
            "pipelines:\n  branches: {}\n"
        ));
        assert!(runs_on_pull_requests(
            BITBUCKET,
            "pipelines:\n  pull-requests:\n    '**': []\n"
        ));
        assert!(!runs_on_pull_requests(
            WOODPECKER,
            "when:\n  - event: push\n"
        ));
        assert!(runs_on_pull_requests(
            WOODPECKER,
            "when:\n  - event: [push, pull_request]\n"
        ));

        let only_gitlab = TempTree::new("g", &[(".gitlab-ci.yml", "test:\n  script: make\n")]);
        assert!(!repo_facts(only_gitlab.path(), &no_env).runs_on_pull_requests);
        let none = TempTree::new("n", &[("README.md", "")]);
        assert_eq!(repo_facts(none.path(), &no_env), RepoFacts::default());
    }

    fn env_of(pairs: &[(&str, &str)]) -> (Option<String>, bool) {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        environment(&move |k: &str| map.get(k).cloned())
    }

    #[test]
    fn environment_detection() {
        assert_eq!(env_of(&[]), (None, false));
        assert_eq!(
            env_of(&[
                ("GITHUB_ACTIONS", "true"),
                ("CI", "true"),
                ("GITHUB_EVENT_NAME", "pull_request")
            ]),
            (Some(GITHUB.into()), true)
        );
        assert_eq!(
            env_of(&[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push")]),
            (Some(GITHUB.into()), false)
        );
        assert_eq!(
            env_of(&[("GITLAB_CI", "true"), ("CI_MERGE_REQUEST_IID", "12")]),
            (Some(GITLAB.into()), true)
        );
        assert_eq!(
            env_of(&[
                ("TF_BUILD", "True"),
                ("SYSTEM_PULLREQUEST_PULLREQUESTID", "7")
            ]),
            (Some(AZURE.into()), true)
        );
        assert_eq!(
            env_of(&[("BUILDKITE", "true"), ("BUILDKITE_PULL_REQUEST", "false")]),
            (Some(BUILDKITE.into()), false)
        );
        assert_eq!(
            env_of(&[("TRAVIS", "true"), ("TRAVIS_PULL_REQUEST", "42")]),
            (Some(TRAVIS.into()), true)
        );
        assert_eq!(
            env_of(&[("JENKINS_URL", "http://ci/"), ("CHANGE_ID", "3")]),
            (Some(JENKINS.into()), true)
        );
        assert_eq!(
            env_of(&[
                ("CIRCLECI", "true"),
                ("CIRCLE_PULL_REQUEST", "https://x/pull/1")
            ]),
            (Some(CIRCLE.into()), true)
        );
        assert_eq!(
            env_of(&[("CI", "woodpecker"), ("CI_PIPELINE_EVENT", "pull_request")]),
            (Some(WOODPECKER.into()), true)
        );
        assert_eq!(
            env_of(&[("CI", "1")]).0.as_deref(),
            Some("an unnamed CI system (CI is set)")
        );
        assert_eq!(
            env_of(&[("CI", "false"), ("GITHUB_ACTIONS", "")]),
            (None, false)
        );

        // A pull-request build proves that CI runs on pull requests.
        let t = TempTree::new("r", &[]);
        let f = repo_facts(t.path(), &|k: &str| {
            (k == "CHANGE_ID").then(|| "9".to_string())
        });
        assert!(f.runs_on_pull_requests && f.running_for_pull_request);
    }

    #[test]
    fn words_and_comments() {
        assert!(has_word("run: cargo clippy --all", "clippy"));
        assert!(!has_word("run: clippyish", "clippy"));
        assert!(has_word("uses: astral-sh/ruff-action@v3", "ruff"));
        assert!(!has_word("gruff", "ruff"));
        assert_eq!(
            strip_comments("a: b # c\n# d\ne: 'x#y'\n", false),
            "a: b\n\ne: 'x#y'\n"
        );
        assert_eq!(strip_comments("sh 'x' // y\n", true), "sh 'x'\n");
    }

    #[test]
    fn report_outputs_of_run_steps() {
        let got = |text: &str| -> Vec<String> {
            output_paths(&strip_comments(text, false))
                .into_iter()
                .map(|(p, how)| format!("{p} <- {how}"))
                .collect()
        };
        assert_eq!(
            got("      - run: go test -json ./... > reports/go-test.json 2>&1\n"),
            ["reports/go-test.json <- > reports/go-test.json"]
        );
        assert_eq!(
            got("run: |\n  go test -coverprofile=cover/c.out ./...\n  go test ./... 2> err.log >>out/t.json\n"),
            ["cover/c.out <- -coverprofile=cover/c.out", "out/t.json <- >>out/t.json"]
        );
        assert_eq!(
            got("pytest --junitxml=reports/junit.xml --cov --cov-report=xml:reports/cov.xml --cov-report term\n"),
            [
                "reports/junit.xml <- --junitxml=reports/junit.xml",
                "reports/cov.xml <- --cov-report=xml:reports/cov.xml"
            ]
        );
        assert_eq!(
            got("cargo llvm-cov --lcov --output-path \"${{ github.workspace }}/lcov.info\"\n"),
            ["lcov.info <- --output-path ${{ github.workspace }}/lcov.info"]
        );
        assert_eq!(
            got("coverage xml -o build/py.xml && gotestsum --junitfile ./test-out/unit.xml | tee log/run.json\n"),
            [
                "build/py.xml <- xml -o build/py.xml",
                "test-out/unit.xml <- --junitfile ./test-out/unit.xml",
                "log/run.json <- tee log/run.json"
            ]
        );
        assert_eq!(
            got("env:\n  JEST_JUNIT_OUTPUT_DIR: ./reports/jest\n  MOCHA_FILE=test-results/m.xml npx mocha\n"),
            ["reports/jest <- JEST_JUNIT_OUTPUT_DIR=./reports/jest", "test-results/m.xml <- MOCHA_FILE=test-results/m.xml"]
        );
        // Streams, variables, absolute paths and comments name nothing.
        assert!(
            got("echo x >&2; make > /dev/null; go test > $OUT/x.json # > c.json\ncmd 2>&1\n")
                .is_empty()
        );
    }
}
