//! The projects of a repository.
//!
//! In order of precedence (a later rule never replaces an earlier one at the same path,
//! except `[[project]]`, which replaces anything):
//! 1. Cargo: every package of the workspace at the root `Cargo.toml` (`cargo metadata
//!    --no-deps --offline`: it reads manifests only, never the network or the lock file).
//!    When the root has no `Cargo.toml`, the shallowest nested ones (`rust/Cargo.toml`) are
//!    asked the same; a `Cargo.toml` below one of those is not a project unless its workspace
//!    lists it (a `fuzz/` crate is its own workspace and usually has no tests to certify).
//!    When `cargo` is missing or fails, `[workspace] members` globs are read from the
//!    manifest itself, and `found_by` says so.
//! 2. `package.json` at the root: with `workspaces` (an array, or `{ packages: [...] }`), or
//!    with a `pnpm-workspace.yaml`, every workspace directory holding a `package.json` is a
//!    project and the root is not; without, the root is the one project.
//! 3. `pyproject.toml` anywhere with a `[project] name` or `[tool.poetry] name` (a file that
//!    only configures tools, like `[tool.ruff]`, is not a project).
//! 4. `go.mod` anywhere: one project per module.
//! 5. `[[project]]` tables of the config (globs allowed).
//! 6. Nothing found: the repository root is the one project.
//!
//! Manifests are looked for at most [`MAX_DEPTH`] directories down, outside `target/`,
//! hidden, vendored and fixture directories ([`super::skipped_dir`]); links are not followed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use glob::{MatchOptions, Pattern};

use super::{join, skipped_dir, Kind, Tree};
use crate::config::Config;
use crate::evidence::Project;
use crate::paths::normalize;

/// How deep below the root manifests are looked for.
pub const MAX_DEPTH: usize = 6;

const CARGO_MEMBER: &str = "cargo workspace member";
const CARGO_PACKAGE: &str = "cargo package";
const CARGO_FALLBACK: &str = " (read from Cargo.toml: `cargo metadata` failed)";
const DECLARED: &str = "testcert.toml [[project]]";
const JS_WORKSPACES: &str = "package.json workspaces";
const PNPM_WORKSPACES: &str = "pnpm-workspace.yaml";
const PACKAGE_JSON: &str = "package.json";
const PYPROJECT: &str = "pyproject.toml";
const GO_MOD: &str = "go.mod";
const ROOT: &str = "repository root";

/// Projects, and what a person should know about how they were found (a failed `cargo
/// metadata`, an unreadable manifest). `testcert init` shows the notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    pub projects: Vec<Project>,
    pub notes: Vec<String>,
    /// Directory → the `[package] name` of its `Cargo.toml`, for every manifest discovery
    /// read (through `cargo metadata` or itself): attribution needs the names and need not
    /// read those manifests again.
    pub packages: BTreeMap<String, String>,
}

/// Every project under `root`, sorted by path, never empty (the root is one project when
/// nothing else is found). Cargo workspace members via `cargo metadata`; `[[project]]`
/// tables (globs allowed); `package.json` workspaces, `pyproject.toml`, `go.mod` manifests.
pub fn projects(root: &Path, config: &Config) -> Result<Vec<Project>> {
    Ok(discover(root, config)?.projects)
}

/// [`projects`], with notes.
pub fn discover(root: &Path, config: &Config) -> Result<Discovery> {
    discover_with(root, config, None)
}

/// [`discover`] over listings shared with the other searches of the run.
pub fn discover_in(tree: &Tree, config: &Config) -> Result<Discovery> {
    discover_tree(tree, config, None)
}

/// The index of the deepest project that contains the repository-relative `file`.
///
/// (The brief sketched `owner<'a>`; the lifetime is not needed, and clippy says so.)
#[cfg(test)]
pub fn owner(projects: &[Project], file: &str) -> Option<usize> {
    projects
        .iter()
        .enumerate()
        .filter(|(_, p)| p.contains(file))
        .max_by_key(|(_, p)| p.path.len())
        .map(|(i, _)| i)
}

/// `cargo` overrides the cargo binary (tests use a missing one to reach the fallback).
fn discover_with(root: &Path, config: &Config, cargo: Option<&Path>) -> Result<Discovery> {
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("cannot open the repository root {}", root.display()))?;
    discover_tree(&Tree::new(&root), config, cargo)
}

/// [`discover_with`] at the (canonical) root of `tree`.
fn discover_tree(tree: &Tree, config: &Config, cargo: Option<&Path>) -> Result<Discovery> {
    let root = tree.root().to_path_buf();
    let mut found: BTreeMap<String, Project> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut packages = BTreeMap::new();
    let manifests = manifest_dirs(tree);
    let has = |dir: &str, file: &str| {
        manifests
            .get(dir)
            .is_some_and(|files| files.iter().any(|f| f == file))
    };

    // 1. Cargo.
    let cargo_dirs: Vec<&String> = manifests
        .keys()
        .filter(|d| has(d, "Cargo.toml"))
        .filter(|d| !ancestors(d).any(|a| has(a, "Cargo.toml")))
        .collect();
    for dir in cargo_dirs {
        match cargo_projects(&root, dir, cargo, &mut notes) {
            Ok(ps) => {
                for p in ps {
                    // A Cargo project is named after its package (both ways of reading).
                    packages
                        .entry(p.path.clone())
                        .or_insert_with(|| p.name.clone());
                    found.entry(p.path.clone()).or_insert(p);
                }
            }
            // A broken root manifest is the user's to fix; a nested one (a template, an
            // example) only costs its projects.
            Err(e) if dir.is_empty() => return Err(e),
            Err(e) => notes.push(format!("{e:#}: its packages are not projects")),
        }
    }

    // 2. JavaScript workspaces.
    if has("", "package.json") {
        for p in js_projects(&root, &manifests, &mut notes) {
            found.entry(p.path.clone()).or_insert(p);
        }
    }

    // 3, 4. Python and Go manifests.
    for (dir, files) in &manifests {
        for file in files {
            let p = match file.as_str() {
                "pyproject.toml" => pyproject_project(&root, dir, &mut notes),
                "go.mod" => go_project(&root, dir, &mut notes),
                _ => None,
            };
            if let Some(p) = p {
                found.entry(p.path.clone()).or_insert(p);
            }
        }
    }

    // 5. Declared.
    for p in declared_projects(&root, config)? {
        found.insert(p.path.clone(), p);
    }

    // 6. Nothing.
    if found.is_empty() {
        found.insert(
            String::new(),
            Project {
                name: dir_name(&root),
                path: String::new(),
                found_by: ROOT.to_string(),
            },
        );
    }

    let projects: Vec<Project> = found.into_values().collect();
    check_names(&projects)?;
    Ok(Discovery {
        projects,
        notes,
        packages,
    })
}

/// Directories holding a manifest, each with the manifest names present (sorted).
fn manifest_dirs(tree: &Tree) -> BTreeMap<String, Vec<String>> {
    const MANIFESTS: [&str; 4] = ["Cargo.toml", "go.mod", "package.json", "pyproject.toml"];
    let mut out = BTreeMap::new();
    let mut stack = vec![(String::new(), 0usize)];
    while let Some((rel, depth)) = stack.pop() {
        let mut here = Vec::new();
        for (name, kind) in tree.entries(&rel).iter().cloned() {
            match kind {
                Kind::File if MANIFESTS.contains(&name.as_str()) => here.push(name),
                Kind::Dir if depth < MAX_DEPTH && !skipped_dir(&name) && name != "target" => {
                    stack.push((join(&rel, &name), depth + 1));
                }
                _ => {}
            }
        }
        if !here.is_empty() {
            out.insert(rel, here);
        }
    }
    out
}

/// The proper ancestors of a repository-relative directory, nearest first, ending at `""`.
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(dir);
    std::iter::from_fn(move || {
        let d = cur?;
        if d.is_empty() {
            cur = None;
            return None;
        }
        let parent = d.rfind('/').map_or("", |i| &d[..i]);
        cur = Some(parent);
        Some(parent)
    })
}

fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".to_string())
}

/// The last path segment of a repository-relative directory (`""` → the root's name).
fn last_segment(root: &Path, rel: &str) -> String {
    match rel.rsplit('/').next() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => dir_name(root),
    }
}

/// `abs` relative to `root`, `/`-separated; `None` when it lies outside.
fn relative(root: &Path, abs: &Path) -> Option<String> {
    let abs = std::fs::canonicalize(abs).unwrap_or_else(|_| abs.to_path_buf());
    let rel = abs.strip_prefix(root).ok()?;
    Some(normalize(&rel.to_string_lossy()))
}

fn cargo_projects(
    root: &Path,
    dir: &str,
    cargo: Option<&Path>,
    notes: &mut Vec<String>,
) -> Result<Vec<Project>> {
    let manifest = root.join(dir).join("Cargo.toml");
    // Absolute: cargo runs from outside the repository (below).
    let manifest = std::path::absolute(&manifest).unwrap_or(manifest);
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.manifest_path(&manifest)
        .no_deps()
        .other_options(vec!["--offline".to_string()]);
    // A report reader must never run the repository's code. rustup picks the toolchain from
    // `rust-toolchain.toml` in the current directory and its parents (`[toolchain] path` can
    // name a `cargo` inside the checkout), and cargo reads `.cargo/config.toml` the same way
    // (`build.rustc`): so cargo runs from a directory outside the repository, with the
    // toolchain pinned to the one rustup resolves there.
    if let Some(outside) = outside_dir(root) {
        if let Some(tc) = pinned_toolchain(&outside) {
            cmd.env("RUSTUP_TOOLCHAIN", tc);
        }
        cmd.current_dir(outside);
    }
    if let Some(c) = cargo {
        cmd.cargo_path(c);
    }
    let md = match cmd.exec() {
        Ok(md) => md,
        Err(e) => {
            let why = e.to_string();
            let why = why.lines().next().unwrap_or("").trim();
            notes.push(format!(
                "`cargo metadata` failed for {} ({why}): workspace members were read from the manifest instead",
                manifest.display()
            ));
            return cargo_fallback(root, dir);
        }
    };
    let members = md.workspace_packages();
    let single = members.len() == 1;
    let mut out = Vec::new();
    for pkg in members {
        let Some(pkg_dir) = pkg.manifest_path.parent() else {
            continue;
        };
        let Some(path) = relative(root, pkg_dir.as_std_path()) else {
            notes.push(format!(
                "cargo package {} lies outside the repository ({pkg_dir}): not a project",
                pkg.name
            ));
            continue;
        };
        let found_by = if single && path == dir {
            CARGO_PACKAGE
        } else {
            CARGO_MEMBER
        };
        out.push(Project {
            name: pkg.name.to_string(),
            path,
            found_by: found_by.to_string(),
        });
    }
    Ok(out)
}

/// A directory outside `root` for cargo to run in: the temporary directory, else `/`.
fn outside_dir(root: &Path) -> Option<PathBuf> {
    let root = std::fs::canonicalize(root).ok()?;
    [std::env::temp_dir(), PathBuf::from("/")]
        .into_iter()
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .find(|d| !d.starts_with(&root))
}

/// The toolchain for `cargo metadata`: `RUSTUP_TOOLCHAIN` as the user set it, else the one
/// rustup resolves in `outside` (a repository can name none there). `None` without rustup, or
/// when rustup resolves a toolchain by path (the value would be a path again).
fn pinned_toolchain(outside: &Path) -> Option<String> {
    static PINNED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    PINNED
        .get_or_init(|| {
            if let Some(t) = std::env::var("RUSTUP_TOOLCHAIN")
                .ok()
                .filter(|t| !t.is_empty())
            {
                return Some(t);
            }
            let out = std::process::Command::new("rustup")
                .args(["show", "active-toolchain"])
                .current_dir(outside)
                .env_remove("RUSTUP_TOOLCHAIN")
                .stderr(std::process::Stdio::null())
                .output()
                .ok()?;
            let text = String::from_utf8(out.stdout).ok()?;
            let name = text.split_whitespace().next()?.to_string();
            (out.status.success() && !name.contains(['/', '\\'])).then_some(name)
        })
        .clone()
}

/// Reads `[package] name` and `[workspace] members` / `exclude` from the manifest at `dir`
/// (members are globs, as cargo reads them).
fn cargo_fallback(root: &Path, dir: &str) -> Result<Vec<Project>> {
    let base = root.join(dir);
    let manifest = base.join("Cargo.toml");
    let doc = read_toml(&manifest)?;
    let mut out = Vec::new();
    let ws = doc.get("workspace").and_then(|w| w.as_table());
    if let Some(name) = package_name(&doc) {
        let by = if ws.is_some() {
            CARGO_MEMBER
        } else {
            CARGO_PACKAGE
        };
        out.push(Project {
            name,
            path: dir.to_string(),
            found_by: format!("{by}{CARGO_FALLBACK}"),
        });
    }
    let Some(ws) = ws else { return Ok(out) };
    let strings = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(normalize)).collect())
            .unwrap_or_default()
    };
    let exclude = strings("exclude");
    let escaped = Pattern::escape(&base.to_string_lossy());
    let mut dirs = Vec::new();
    for member in strings("members") {
        let pattern = format!("{escaped}/{member}");
        let paths = glob::glob(&pattern)
            .map_err(|e| anyhow!("{}: workspace member {member:?}: {e}", manifest.display()))?;
        dirs.extend(paths.flatten().filter(|p| p.join("Cargo.toml").is_file()));
    }
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        let Some(path) = relative(root, &d) else {
            continue;
        };
        let within = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .trim_start_matches('/');
        if exclude.iter().any(|x| x == within) || path == dir {
            continue;
        }
        let member_manifest = d.join("Cargo.toml");
        let Some(name) = package_name(&read_toml(&member_manifest)?) else {
            continue;
        };
        out.push(Project {
            name,
            path,
            found_by: format!("{CARGO_MEMBER}{CARGO_FALLBACK}"),
        });
    }
    Ok(out)
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.message().trim()))
}

fn package_name(doc: &toml::Table) -> Option<String> {
    doc.get("package")?.get("name")?.as_str().map(String::from)
}

/// The root `package.json` (and `pnpm-workspace.yaml`): workspace directories, or the root.
fn js_projects(
    root: &Path,
    manifests: &BTreeMap<String, Vec<String>>,
    notes: &mut Vec<String>,
) -> Vec<Project> {
    let Some(pkg) = read_json(&root.join("package.json"), notes) else {
        return Vec::new();
    };
    let mut patterns: Vec<String> = match pkg.get("workspaces") {
        Some(serde_json::Value::Array(a)) => json_strings(a),
        Some(serde_json::Value::Object(o)) => match o.get("packages") {
            Some(serde_json::Value::Array(a)) => json_strings(a),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut found_by = JS_WORKSPACES;
    if patterns.is_empty() {
        if let Ok(text) = std::fs::read_to_string(root.join("pnpm-workspace.yaml")) {
            patterns = pnpm_packages(&text);
            found_by = PNPM_WORKSPACES;
        }
    }
    if patterns.is_empty() {
        let name = json_name(&pkg).unwrap_or_else(|| dir_name(root));
        return vec![Project {
            name,
            path: String::new(),
            found_by: PACKAGE_JSON.to_string(),
        }];
    }
    // `!pattern` excludes, as in npm, yarn and pnpm.
    let opts = match_options();
    let compile = |p: &str| {
        let p = normalize(p);
        Pattern::new(p.trim_end_matches('/'))
            .map_err(|e| format!("package.json workspace pattern {p:?}: {e}"))
    };
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for p in &patterns {
        let r = match p.strip_prefix('!') {
            Some(x) => compile(x).map(|c| exclude.push(c)),
            None => compile(p).map(|c| include.push(c)),
        };
        if let Err(msg) = r {
            notes.push(msg);
        }
    }
    let mut out = Vec::new();
    for (dir, files) in manifests {
        if dir.is_empty() || !files.iter().any(|f| f == "package.json") {
            continue;
        }
        let hit = |ps: &[Pattern]| ps.iter().any(|p| p.matches_with(dir, opts));
        if !hit(&include) || hit(&exclude) {
            continue;
        }
        let Some(pkg) = read_json(&root.join(dir).join("package.json"), notes) else {
            continue;
        };
        out.push(Project {
            name: json_name(&pkg).unwrap_or_else(|| last_segment(root, dir)),
            path: dir.clone(),
            found_by: found_by.to_string(),
        });
    }
    out
}

fn read_json(path: &Path, notes: &mut Vec<String>) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push(format!("{}: {e}: not read", path.display()));
            None
        }
    }
}

fn json_strings(a: &[serde_json::Value]) -> Vec<String> {
    a.iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

fn json_name(pkg: &serde_json::Value) -> Option<String> {
    pkg.get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(String::from)
}

/// The `packages:` list of a `pnpm-workspace.yaml`, read line by line (the file is a flat
/// list in practice; no YAML parser is needed for it).
fn pnpm_packages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            inside = t.starts_with("packages:");
            continue;
        }
        if inside {
            if let Some(item) = t.strip_prefix('-') {
                let item = item.split(" #").next().unwrap_or("").trim();
                let item = item.trim_matches(|c| c == '"' || c == '\'');
                if !item.is_empty() {
                    out.push(item.to_string());
                }
            }
        }
    }
    out
}

fn pyproject_project(root: &Path, dir: &str, notes: &mut Vec<String>) -> Option<Project> {
    let doc = match read_toml(&root.join(dir).join("pyproject.toml")) {
        Ok(d) => d,
        Err(e) => {
            notes.push(format!("{e:#}: not read"));
            return None;
        }
    };
    let name = doc
        .get("project")
        .and_then(|p| p.get("name"))
        .or_else(|| doc.get("tool")?.get("poetry")?.get("name"))
        .and_then(|n| n.as_str())?;
    Some(Project {
        name: name.to_string(),
        path: dir.to_string(),
        found_by: PYPROJECT.to_string(),
    })
}

fn go_project(root: &Path, dir: &str, notes: &mut Vec<String>) -> Option<Project> {
    let path = root.join(dir).join("go.mod");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("cannot read {}: {e}", path.display()));
            return None;
        }
    };
    let module = text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        rest.starts_with([' ', '\t']).then(|| {
            let m = rest.split("//").next().unwrap_or("").trim();
            m.trim_matches('"').to_string()
        })
    });
    let name = match module.as_deref() {
        Some(m) if !m.is_empty() => go_module_name(m),
        _ => last_segment(root, dir),
    };
    Some(Project {
        name,
        path: dir.to_string(),
        found_by: GO_MOD.to_string(),
    })
}

/// The last element of a module path, skipping a major-version suffix:
/// `github.com/org/tool/v2` → `tool`.
fn go_module_name(module: &str) -> String {
    let mut parts = module.rsplit('/');
    let last = parts.next().unwrap_or(module);
    let is_version =
        last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    match parts.next() {
        Some(prev) if is_version => prev.to_string(),
        _ => last.to_string(),
    }
}

fn match_options() -> MatchOptions {
    MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    }
}

/// `[[project]]` tables, globs expanded over directories. A path or glob that matches no
/// directory is an error: a typo must not silently drop a project.
fn declared_projects(root: &Path, config: &Config) -> Result<Vec<Project>> {
    let mut out = Vec::new();
    for pc in &config.project {
        let pat = normalize(&pc.path);
        let pat = pat.trim_end_matches('/');
        let dirs: Vec<String> = if pat.is_empty() {
            vec![String::new()]
        } else if pat.contains(['*', '?', '[']) {
            let full = format!("{}/{pat}", Pattern::escape(&root.to_string_lossy()));
            let paths = glob::glob_with(&full, match_options())
                .map_err(|e| anyhow!("[[project]] path {:?}: {e}", pc.path))?;
            paths
                .flatten()
                .filter(|p| p.is_dir())
                .filter_map(|p| relative(root, &p))
                // A glob never picks build output or vendored code; a literal path may.
                .filter(|rel| {
                    !rel.split('/')
                        .any(|s| s == "target" || super::SKIP_DIRS.contains(&s))
                })
                .collect()
        } else if root.join(pat).is_dir() {
            vec![pat.to_string()]
        } else {
            Vec::new()
        };
        if dirs.is_empty() {
            bail!(
                "[[project]] path {:?} matches no directory under {}",
                pc.path,
                root.display()
            );
        }
        for dir in dirs {
            let seg = last_segment(root, &dir);
            let name = match &pc.name {
                Some(n) => n.replace("{dir}", &seg),
                None => seg,
            };
            out.push(Project {
                name,
                path: dir,
                found_by: DECLARED.to_string(),
            });
        }
    }
    Ok(out)
}

/// Two projects with one name would make waivers, badges and outputs ambiguous.
fn check_names(projects: &[Project]) -> Result<()> {
    let mut seen: BTreeMap<&str, &Project> = BTreeMap::new();
    let show = |p: &Project| {
        if p.path.is_empty() {
            "the repository root".to_string()
        } else {
            p.path.clone()
        }
    };
    for p in projects {
        if let Some(first) = seen.insert(&p.name, p) {
            bail!(
                "two projects are named {:?}: {} ({}) and {} ({}); name one with a [[project]] \
                 table (path = {:?}, name = \"…\") in testcert.toml",
                p.name,
                show(first),
                first.found_by,
                show(p),
                p.found_by,
                p.path
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProjectConfig;
    use crate::discover::TempTree;

    fn summary(ps: &[Project]) -> Vec<(String, String, String)> {
        ps.iter()
            .map(|p| (p.path.clone(), p.name.clone(), p.found_by.clone()))
            .collect()
    }

    fn t(path: &str, name: &str, by: &str) -> (String, String, String) {
        (path.into(), name.into(), by.into())
    }

    fn cargo_workspace() -> TempTree {
        TempTree::new(
            "ws",
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\", \"tools/gen\"]\nexclude = [\"crates/skip\"]\nresolver = \"2\"\n",
                ),
                ("crates/core/Cargo.toml", "[package]\nname = \"ws-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
                ("crates/core/src/lib.rs", ""),
                ("crates/cli/Cargo.toml", "[package]\nname = \"ws-cli\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
                ("crates/cli/src/main.rs", "fn main() {}\n"),
                ("crates/skip/Cargo.toml", "[package]\nname = \"skipped\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n"),
                ("crates/skip/src/lib.rs", ""),
                ("tools/gen/Cargo.toml", "[package]\nname = \"gen\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
                ("tools/gen/src/lib.rs", ""),
                // Its own workspace, not listed: not a project.
                ("fuzz/Cargo.toml", "[package]\nname = \"ws-fuzz\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n"),
                ("fuzz/src/lib.rs", ""),
            ],
        )
    }

    #[test]
    fn cargo_workspace_via_cargo_metadata() {
        let tree = cargo_workspace();
        let d = discover(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            summary(&d.projects),
            vec![
                t("crates/cli", "ws-cli", CARGO_MEMBER),
                t("crates/core", "ws-core", CARGO_MEMBER),
                t("tools/gen", "gen", CARGO_MEMBER),
            ]
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
    }

    #[test]
    fn cargo_workspace_without_cargo_reads_the_manifest() {
        let tree = cargo_workspace();
        let missing = tree.path().join("no-such-cargo");
        let d = discover_with(tree.path(), &Config::default(), Some(&missing)).unwrap();
        let by = format!("{CARGO_MEMBER}{CARGO_FALLBACK}");
        assert_eq!(
            summary(&d.projects),
            vec![
                t("crates/cli", "ws-cli", &by),
                t("crates/core", "ws-core", &by),
                t("tools/gen", "gen", &by),
            ]
        );
        assert!(d.notes[0].contains("cargo metadata"), "{:?}", d.notes);
    }

    #[test]
    fn the_package_names_read_are_kept_both_ways() {
        let tree = cargo_workspace();
        let missing = tree.path().join("no-such-cargo");
        let want: BTreeMap<String, String> = [
            ("crates/cli", "ws-cli"),
            ("crates/core", "ws-core"),
            ("tools/gen", "gen"),
        ]
        .map(|(d, n)| (d.to_string(), n.to_string()))
        .into();
        let by_metadata = discover(tree.path(), &Config::default()).unwrap();
        let by_manifest = discover_with(tree.path(), &Config::default(), Some(&missing)).unwrap();
        assert_eq!(by_metadata.packages, want);
        assert_eq!(by_manifest.packages, want);
    }

    #[test]
    fn cargo_root_package_and_member() {
        let tree = TempTree::new(
            "app",
            &[
                ("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\nmembers = [\"macros\"]\n"),
                ("src/lib.rs", ""),
                ("macros/Cargo.toml", "[package]\nname = \"app-macros\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
                ("macros/src/lib.rs", ""),
            ],
        );
        let expect = |by: &str| vec![t("", "app", by), t("macros", "app-macros", by)];
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(summary(&ps), expect(CARGO_MEMBER));
        let missing = tree.path().join("no-such-cargo");
        let d = discover_with(tree.path(), &Config::default(), Some(&missing)).unwrap();
        assert_eq!(
            summary(&d.projects),
            expect(&format!("{CARGO_MEMBER}{CARGO_FALLBACK}"))
        );
    }

    #[test]
    fn single_cargo_package() {
        let tree = TempTree::new(
            "solo",
            &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"solo-crate\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("src/main.rs", "fn main() {}\n"),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(summary(&ps), vec![t("", "solo-crate", CARGO_PACKAGE)]);
    }

    #[test]
    fn broken_root_manifest_is_an_error() {
        let tree = TempTree::new("bad", &[("Cargo.toml", "[package\n")]);
        let e = projects(tree.path(), &Config::default()).unwrap_err();
        assert!(format!("{e:#}").contains("Cargo.toml"), "{e:#}");
    }

    #[test]
    fn js_workspaces() {
        let tree = TempTree::new(
            "mono",
            &[
                (
                    "package.json",
                    r#"{"name": "mono", "private": true, "workspaces": ["packages/*", "apps/web", "!packages/legacy"]}"#,
                ),
                ("packages/ui/package.json", r#"{"name": "@mono/ui"}"#),
                ("packages/utils/package.json", r#"{"name": "@mono/utils"}"#),
                (
                    "packages/legacy/package.json",
                    r#"{"name": "@mono/legacy"}"#,
                ),
                ("packages/docs/README.md", "no package.json here"),
                (
                    "packages/ui/node_modules/dep/package.json",
                    r#"{"name": "dep"}"#,
                ),
                ("apps/web/package.json", r#"{"name": "web"}"#),
                ("apps/admin/package.json", r#"{"name": "admin"}"#),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            summary(&ps),
            vec![
                t("apps/web", "web", JS_WORKSPACES),
                t("packages/ui", "@mono/ui", JS_WORKSPACES),
                t("packages/utils", "@mono/utils", JS_WORKSPACES),
            ]
        );
        // The object form, and owner() over the result.
        tree.write(
            "package.json",
            r#"{"workspaces": {"packages": ["packages/**"], "nohoist": []}}"#,
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(ps.len(), 3, "{ps:?}");
        assert_eq!(owner(&ps, "packages/ui/src/a.ts"), Some(1));
        assert_eq!(owner(&ps, "apps/web/a.ts"), None);
    }

    #[test]
    fn pnpm_workspace_and_plain_package_json() {
        let tree = TempTree::new(
            "pn",
            &[
                ("package.json", r#"{"name": "pn-root"}"#),
                (
                    "pnpm-workspace.yaml",
                    "# comment\npackages:\n  - 'libs/*'\n  - \"!libs/old\" # gone\ncatalog:\n  - x\n",
                ),
                ("libs/a/package.json", r#"{"name": "a"}"#),
                ("libs/old/package.json", r#"{"name": "old"}"#),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(summary(&ps), vec![t("libs/a", "a", PNPM_WORKSPACES)]);
        std::fs::remove_file(tree.path().join("pnpm-workspace.yaml")).unwrap();
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(summary(&ps), vec![t("", "pn-root", PACKAGE_JSON)]);
    }

    #[test]
    fn python_repo_with_two_pyprojects() {
        let tree = TempTree::new(
            "py",
            &[
                ("pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
                ("services/api/pyproject.toml", "[project]\nname = \"api\"\n"),
                (
                    "services/worker/pyproject.toml",
                    "[tool.poetry]\nname = \"worker\"\n",
                ),
                (
                    "tests/fixtures/proj/pyproject.toml",
                    "[project]\nname = \"fixture\"\n",
                ),
                (
                    ".tox/py311/pyproject.toml",
                    "[project]\nname = \"hidden\"\n",
                ),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            summary(&ps),
            vec![
                t("services/api", "api", PYPROJECT),
                t("services/worker", "worker", PYPROJECT),
            ]
        );
        // A named root pyproject makes the root a project too; owner() picks the deepest.
        tree.write("pyproject.toml", "[project]\nname = \"suite\"\n");
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            ps[0],
            Project {
                name: "suite".into(),
                path: "".into(),
                found_by: PYPROJECT.into()
            }
        );
        assert_eq!(owner(&ps, "services/api/x.py"), Some(1));
        assert_eq!(owner(&ps, "services/apix/x.py"), Some(0));
        assert_eq!(owner(&ps, "setup.py"), Some(0));
    }

    #[test]
    fn go_modules() {
        let tree = TempTree::new(
            "gorepo",
            &[
                (
                    "go.mod",
                    "// comment\nmodule github.com/acme/tool/v2\n\ngo 1.22\n",
                ),
                ("main.go", "package main\n"),
                (
                    "tools/go.mod",
                    "module \"github.com/acme/tool/tools\" // pinned tools\n",
                ),
                ("internal/testdata/x/go.mod", "module example.com/x\n"),
                ("deep/a/b/c/d/e/f/go.mod", "module example.com/too-deep\n"),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            summary(&ps),
            vec![t("", "tool", GO_MOD), t("tools", "tools", GO_MOD)]
        );
        assert_eq!(go_module_name("example.com/m"), "m");
        assert_eq!(go_module_name("v3"), "v3");
    }

    #[test]
    fn mixed_repository() {
        let tree = TempTree::new(
            "mixed",
            &[
                ("rust/Cargo.toml", "[workspace]\nmembers = [\"engine\"]\n"),
                (
                    "rust/engine/Cargo.toml",
                    "[package]\nname = \"engine\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
                ),
                ("rust/engine/src/lib.rs", ""),
                // A maturin binding next to the crate: the crate already owns the directory.
                (
                    "rust/engine/pyproject.toml",
                    "[project]\nname = \"engine-py\"\n",
                ),
                ("web/package.json", r#"{"name": "web"}"#),
                ("py/pyproject.toml", "[project]\nname = \"client\"\n"),
                ("svc/go.mod", "module example.com/svc\n"),
                ("target/debug/go.mod", "module example.com/build-output\n"),
            ],
        );
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(
            summary(&ps),
            vec![
                t("py", "client", PYPROJECT),
                t("rust/engine", "engine", CARGO_MEMBER),
                t("svc", "svc", GO_MOD),
            ]
        );
    }

    #[test]
    fn nothing_found_is_the_root() {
        let tree = TempTree::new("plain-repo", &[("README.md", "hi"), ("src/a.c", "")]);
        let ps = projects(tree.path(), &Config::default()).unwrap();
        assert_eq!(summary(&ps), vec![t("", "plain-repo", ROOT)]);
        assert_eq!(owner(&ps, "src/a.c"), Some(0));
    }

    fn declare(path: &str, name: Option<&str>) -> ProjectConfig {
        ProjectConfig {
            name: name.map(String::from),
            path: path.to_string(),
            required_level: None,
        }
    }

    #[test]
    fn declared_globs_replace_detected_projects() {
        let tree = TempTree::new(
            "decl",
            &[
                ("services/api/pyproject.toml", "[project]\nname = \"api\"\n"),
                ("services/billing/main.c", ""),
                ("services/.cache/x", ""),
                ("services/README.md", ""),
                ("tools/lint.sh", ""),
            ],
        );
        let config = Config {
            project: vec![
                declare("services/*/", Some("svc-{dir}")),
                declare("tools", None),
                declare(".", None),
            ],
            ..Config::default()
        };
        let ps = projects(tree.path(), &config).unwrap();
        assert_eq!(
            summary(&ps),
            vec![
                t("", "decl", DECLARED),
                t("services/api", "svc-api", DECLARED),
                t("services/billing", "svc-billing", DECLARED),
                t("tools", "tools", DECLARED),
            ]
        );
        let missing = Config {
            project: vec![declare("tool", None)],
            ..Config::default()
        };
        let e = projects(tree.path(), &missing).unwrap_err().to_string();
        assert!(
            e.contains("\"tool\"") && e.contains("matches no directory"),
            "{e}"
        );
    }

    #[test]
    fn name_collisions_are_errors_naming_both_paths() {
        let tree = TempTree::new(
            "dup",
            &[
                ("a/api/go.mod", "module example.com/a/api\n"),
                ("b/api/go.mod", "module example.com/b/api\n"),
            ],
        );
        let e = projects(tree.path(), &Config::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"api\"") && e.contains("a/api") && e.contains("b/api"),
            "{e}"
        );
        // Renaming one by declaration resolves it.
        let config = Config {
            project: vec![declare("b/api", Some("b-api"))],
            ..Config::default()
        };
        let ps = projects(tree.path(), &config).unwrap();
        assert_eq!(
            summary(&ps),
            vec![t("a/api", "api", GO_MOD), t("b/api", "b-api", DECLARED)]
        );
    }

    #[test]
    fn ancestors_walk_up_to_the_root() {
        assert_eq!(ancestors("a/b/c").collect::<Vec<_>>(), vec!["a/b", "a", ""]);
        assert_eq!(ancestors("").count(), 0);
    }
}
