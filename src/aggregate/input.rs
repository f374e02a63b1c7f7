//! Inputs of `aggregate`: result files, folders and globs expanded to files, and each file
//! reduced while it is read to the few fields the roll-up needs ([`Slim`]), on all cores.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::history::TESTS_PER_ENTRY;
use crate::model::Counter;
use crate::result::{Scope, Status};
use crate::stamp::Stamp;

/// A file to read, and the name its repository gets when the result carries no stamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// The path relative to the folder (or glob prefix) it was found under, without
    /// `.json`; the file stem for a file named on the command line.
    pub name: String,
    /// Found by walking a folder or a glob: a JSON file that is not a check result is skipped
    /// rather than reported.
    pub found: bool,
}

/// Expands the command line's inputs: a file is read as given, a folder is walked for
/// `*.json` (hidden entries skipped), anything else is a glob. Returns the files (sorted and
/// without repeats) and one error per input that names nothing.
pub fn expand(inputs: &[PathBuf]) -> (Vec<InputFile>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        let shown = input.display().to_string();
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found);
            for p in found {
                let name = relative_name(&p, input);
                files.push(InputFile {
                    path: p,
                    name,
                    found: true,
                });
            }
        } else if input.is_file() {
            files.push(InputFile {
                name: stem(input),
                path: input.clone(),
                found: false,
            });
        } else if shown.contains(['*', '?', '[']) {
            let prefix = glob_prefix(&shown);
            match glob::glob(&shown) {
                Ok(paths) => {
                    let before = files.len();
                    for p in paths.flatten() {
                        if p.is_dir() {
                            let mut found = Vec::new();
                            walk(&p, &mut found);
                            for f in found {
                                let name = relative_name(&f, &prefix);
                                files.push(InputFile {
                                    path: f,
                                    name,
                                    found: true,
                                });
                            }
                        } else if p.is_file() {
                            let name = relative_name(&p, &prefix);
                            files.push(InputFile {
                                path: p,
                                name,
                                found: true,
                            });
                        }
                    }
                    if files.len() == before {
                        errors.push((shown, "the glob matches no file".to_string()));
                    }
                }
                Err(e) => errors.push((shown, format!("not a valid glob: {e}"))),
            }
        } else {
            errors.push((shown, "no such file or folder".to_string()));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.path.clone()));
    (files, errors)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let p = e.path();
        // Follows symbolic links to files, not to folders (no cycles).
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            && p.is_file()
        {
            out.push(p);
        }
    }
}

/// The literal folder a glob starts from (`artifacts/*/r.json` → `artifacts`).
fn glob_prefix(glob: &str) -> PathBuf {
    let mut prefix = PathBuf::new();
    for c in Path::new(glob).components() {
        if c.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            break;
        }
        prefix.push(c);
    }
    prefix
}

fn relative_name(p: &Path, root: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_suffix(".json").unwrap_or(&s).to_string();
    if s.is_empty() {
        stem(p)
    } else {
        s
    }
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// The fields of a check result that `aggregate` reads; the rest is skipped while parsing.
#[derive(Deserialize)]
struct SlimResult<'a> {
    schema_version: u32,
    max_level: u8,
    #[serde(default)]
    stamp: Option<Stamp>,
    #[serde(borrow)]
    projects: Vec<SlimProject<'a>>,
    #[serde(default)]
    report_errors: Vec<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct SlimProject<'a> {
    name: String,
    path: String,
    level: u8,
    required_level: u8,
    #[serde(default)]
    relies_on_waiver: bool,
    #[serde(borrow)]
    criteria: Vec<SlimCriterion<'a>>,
    evidence: SlimEvidence<'a>,
}

#[derive(Deserialize)]
struct SlimCriterion<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    level: u8,
    status: Status,
}

#[derive(Deserialize)]
struct SlimEvidence<'a> {
    coverage: Option<SlimTotals>,
    #[serde(borrow)]
    incremental: SlimIncremental<'a>,
    #[serde(default)]
    flaky_tests: Capped<String>,
    #[serde(default)]
    failing_tests: Capped<SlimFailing>,
}

#[derive(Deserialize)]
struct SlimFailing {
    id: String,
}

/// The first [`TESTS_PER_ENTRY`] items of a list and how many it had: a result listing a
/// million failing tests costs the roll-up fifty strings, not a million.
struct Capped<T> {
    items: Vec<T>,
    total: usize,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Capped {
            items: Vec::new(),
            total: 0,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Capped<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Capped<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Capped<T>, A::Error> {
                let mut c = Capped::default();
                loop {
                    if c.items.len() < TESTS_PER_ENTRY {
                        match seq.next_element::<T>()? {
                            Some(x) => c.items.push(x),
                            None => break,
                        }
                    } else if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                        break;
                    }
                    c.total += 1;
                }
                Ok(c)
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct SlimTotals {
    lines: Counter,
}

#[derive(Deserialize)]
struct SlimIncremental<'a> {
    #[serde(borrow)]
    scope: Cow<'a, str>,
    ratio: Option<f64>,
}

/// A criterion a project does not meet (unmet, or unknown for want of evidence).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Missing {
    pub level: u8,
    pub id: Cow<'static, str>,
    pub unknown: bool,
}

/// One project of a result, reduced.
#[derive(Clone, Debug, PartialEq)]
pub struct SlimRow {
    pub name: String,
    pub path: String,
    pub level: u8,
    pub required_level: u8,
    pub waived: bool,
    pub missing: Vec<Missing>,
    /// Total line coverage (covered / executable lines).
    pub coverage: Option<f64>,
    pub incremental: Option<f64>,
    pub incremental_scope: Scope,
    /// Its flaky tests (at most [`TESTS_PER_ENTRY`]) and how many more there were.
    pub flaky_tests: Vec<String>,
    pub flaky_tests_more: usize,
    /// Its failing tests' ids (at most [`TESTS_PER_ENTRY`]) and how many more there were.
    pub failing_tests: Vec<String>,
    pub failing_tests_more: usize,
}

/// One result file, reduced.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub max_level: u8,
    pub stamp: Option<Stamp>,
    pub report_errors: usize,
    pub rows: Vec<SlimRow>,
}

/// What reading one file gave.
#[derive(Debug)]
pub enum Read {
    Ok(Parsed),
    /// Found in a folder or by a glob, and not a check result (no `testcert_version`).
    NotAResult,
    Err(String),
}

/// A criterion id: the ladder's own borrowed, another (a newer testcert's) owned.
fn criterion_id(id: &str) -> Cow<'static, str> {
    match crate::ladder::CRITERIA.iter().find(|c| c.id == id) {
        Some(c) => Cow::Borrowed(c.id),
        None => Cow::Owned(id.to_string()),
    }
}

/// Parses one result.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let r: SlimResult = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a testcert check JSON result: {e}"))?;
    if r.schema_version != crate::result::SCHEMA_VERSION {
        return Err(format!(
            "check JSON schema version {} (this testcert reads version {})",
            r.schema_version,
            crate::result::SCHEMA_VERSION
        ));
    }
    let rows = r
        .projects
        .into_iter()
        .map(|p| {
            let mut missing: Vec<Missing> = p
                .criteria
                .iter()
                .filter(|c| matches!(c.status, Status::Unmet | Status::Unknown))
                .map(|c| Missing {
                    level: c.level,
                    id: criterion_id(&c.id),
                    unknown: c.status == Status::Unknown,
                })
                .collect();
            missing.sort();
            let ratio = |c: Counter| (c.total > 0).then(|| c.covered as f64 / c.total as f64);
            let flaky = p.evidence.flaky_tests;
            let failing = p.evidence.failing_tests;
            SlimRow {
                flaky_tests_more: flaky.total - flaky.items.len(),
                flaky_tests: flaky.items,
                failing_tests_more: failing.total - failing.items.len(),
                failing_tests: failing.items.into_iter().map(|f| f.id).collect(),
                name: p.name,
                path: p.path,
                level: p.level,
                required_level: p.required_level,
                waived: p.relies_on_waiver,
                missing,
                coverage: p.evidence.coverage.and_then(|t| ratio(t.lines)),
                incremental: p.evidence.incremental.ratio,
                // Tolerant, as the rest of this reader: anything but a diff counts all lines.
                incremental_scope: if p.evidence.incremental.scope == "diff" {
                    Scope::Diff
                } else {
                    Scope::AllLines
                },
            }
        })
        .collect();
    // The stamp time orders results: one that does not parse strictly (`yesterday`,
    // `2025-02-31`) would order arbitrarily, so the result is refused.
    if let Some(s) = &r.stamp {
        if crate::stamp::parse_rfc3339(&s.time).is_none() {
            return Err(format!(
                "stamp time {:?} is not an RFC 3339 time (2025-01-31T12:00:00Z)",
                s.time
            ));
        }
    }
    Ok(Parsed {
        max_level: r.max_level,
        stamp: r.stamp,
        report_errors: r.report_errors.len(),
        rows,
    })
}

/// Reads and parses every file on all cores, in input order, advancing `progress` by bytes.
pub fn read_all(files: &[InputFile], progress: &indicatif::ProgressBar) -> Vec<Read> {
    crate::parallel::map(files, |f| match std::fs::read(&f.path) {
        Ok(bytes) => {
            progress.inc(bytes.len() as u64);
            let not_result =
                f.found && memchr::memmem::find(&bytes, b"\"testcert_version\"").is_none();
            if not_result {
                Read::NotAResult
            } else {
                match parse(&bytes) {
                    Ok(p) => Read::Ok(p),
                    Err(e) => Read::Err(e),
                }
            }
        }
        Err(e) => Read::Err(format!("cannot read: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_prefixes() {
        assert_eq!(glob_prefix("a/*/r.json"), PathBuf::from("a"));
        assert_eq!(glob_prefix("*.json"), PathBuf::new());
        assert_eq!(
            relative_name(Path::new("a/x/r.json"), Path::new("a")),
            "x/r"
        );
        assert_eq!(relative_name(Path::new("r.json"), Path::new("")), "r");
    }

    #[test]
    fn parses_the_fields_it_needs() {
        let json = include_str!("../../tests/expected/rust-workspace.diff.json");
        let p = parse(json.as_bytes()).unwrap();
        assert_eq!(p.max_level, 3);
        assert!(p.stamp.is_none());
        assert_eq!(p.rows.len(), 4);
        let cli = &p.rows[0];
        assert_eq!((cli.name.as_str(), cli.level), ("kv-cli", 2));
        assert!(cli.missing.iter().all(|m| m.level == 3));
        assert_eq!(cli.incremental_scope, Scope::Diff);
        assert_eq!(
            cli.flaky_tests,
            ["kv-cli::cli/list_while_file_is_rewritten"]
        );
        let util = &p.rows[3];
        assert_eq!(util.failing_tests, ["kv-util/tests::escape_round_trips"]);
        assert_eq!(util.failing_tests_more, 0);
        assert!(parse(b"{}").is_err());

        // Results from before the test lists: still read, with none.
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        for p in v["projects"].as_array_mut().unwrap() {
            let ev = p["evidence"].as_object_mut().unwrap();
            ev.remove("flaky_tests");
            ev.remove("failing_tests");
        }
        let old = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(old.rows.len(), 4);
        // Long lists are cut to the first TESTS_PER_ENTRY, and the rest counted.
        let ev = v["projects"][0]["evidence"].as_object_mut().unwrap();
        let many: Vec<serde_json::Value> = (0..120)
            .map(|i| serde_json::json!({"id": format!("t{i}"), "outcome": "failed", "file": null, "line": null, "message": null, "quarantined": false}))
            .collect();
        ev.insert("failing_tests".into(), many.into());
        ev.insert("flaky_tests".into(), serde_json::json!(["a", "b"]));
        let cut = parse(v.to_string().as_bytes()).unwrap();
        assert_eq!(cut.rows[0].failing_tests.len(), TESTS_PER_ENTRY);
        assert_eq!(cut.rows[0].failing_tests[0], "t0");
        assert_eq!(cut.rows[0].failing_tests_more, 120 - TESTS_PER_ENTRY);
        assert_eq!(cut.rows[0].flaky_tests, ["a", "b"]);
        assert_eq!(cut.rows[0].flaky_tests_more, 0);
        assert!(
            parse(br#"{"schema_version": 9, "max_level": 3, "projects": []}"#)
                .unwrap_err()
                .contains("schema version 9")
        );
    }
}
