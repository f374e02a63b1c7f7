//! Which project each covered file and each test belongs to, and why.
//!
//! **Coverage.** Every file of every coverage report is mapped onto the repository
//! ([`PathMapper::map`] with the report's roots) and goes to the *deepest* project containing
//! it. A file that maps to no repository file goes to the project containing the report file
//! (the report was written for it); when no project contains the report either, the file is
//! left out with a warning — never given to a sibling project. A file that maps into no
//! project is left out and explained. Files are moved, not copied, except once more for
//! size-tagged reports (which also feed `coverage_small` / `coverage_large`).
//!
//! **Tests**, first answer wins:
//! 1. the test's file: the report's `file` attribute, else a suite or class name that is a
//!    path of the repository (vitest writes the test file's path in both, jest-junit can with
//!    `suiteNameTemplate`/`classNameTemplate` `{filepath}`): relative to the root or to the
//!    report's project, absolute ending in a repository path, with or without `./` — when
//!    it lies in a project; the name is then the test's file for the size rules too;
//! 2. its names: a suite that is a project's (or Cargo package's) name — nextest writes
//!    `crate-name` for the library and `crate-name::target` for the others, `-` and `_` being
//!    the same; a dotted class or module (`com.example.FooTest`, `tests.test_x`,
//!    `pkg.tests.test_x.TestCls`) whose file (`com/example/FooTest.java`, `tests/test_x.py`)
//!    or simple name (`FooTest.cs`) or package directory exists in exactly one project; a Go
//!    import path (`github.com/org/repo/svc/pkg`) whose longest suffix is a directory of Go
//!    files (`svc/pkg`) in exactly one project;
//! 3. the deepest project containing the report file (the root project, when one is at the
//!    root of the repository, contains every report).
//!
//! A test no rule places is in no project, and a warning says how many and names a few:
//! giving it to a sibling project (the alphabetically first, say) would credit one package
//! with another's tests, silently.
//!
//! Explanations are given per report and per (report, suite) group, not per test case.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use crate::classify::{crate_key, Classifier, SizeCache};
use crate::config::{Config, Size};
use crate::evidence::{Evidence, Project, ReportFile, ReportRef, SizeSource, Test};
use crate::ingest::{Data, Report, TestContexts};
use crate::model::{Coverage, FileCoverage, Outcome, SharedStr, TestCase, Totals};
use crate::paths::PathMapper;
use crate::result::Explanation;
use crate::words::plural;

/// Extensions tried for a dotted class or module name, in order.
const MODULE_EXTS: [&str; 6] = [".java", ".kt", ".py", ".scala", ".groovy", ".cs"];
/// Extensions whose files are named after the class they hold (for the simple-name look-up).
const CLASS_EXTS: [&str; 5] = [".java", ".kt", ".scala", ".groovy", ".cs"];

/// How many unplaced tests a warning names.
const EXAMPLES: usize = 3;
/// How many size rules the explanations list per report.
const SIZE_REASONS: usize = 20;

/// What [`Ctx::finish`] returns: per-project evidence (same order as the projects), the
/// explanations (`--explain-attribution`), and warnings for what went nowhere.
pub struct Attributed {
    pub evidence: Vec<Evidence>,
    pub explanations: Vec<Explanation>,
    pub warnings: Vec<String>,
}

/// [`attribute_known`] knowing no package names: every project's `Cargo.toml` is read.
#[cfg(test)]
pub fn attribute(
    projects: &[Project],
    reports: Vec<(ReportFile, Report)>,
    config: &Config,
    root: &Path,
    mapper: &PathMapper,
) -> Attributed {
    attribute_known(projects, &BTreeMap::new(), reports, config, root, mapper)
}

/// Splits the reports' coverage and tests over `projects` (same order as `projects`), one
/// report after the other (`check` attributes each on the core that read it: [`Ctx`]).
#[cfg(test)]
pub fn attribute_known(
    projects: &[Project],
    packages: &BTreeMap<String, String>,
    reports: Vec<(ReportFile, Report)>,
    config: &Config,
    root: &Path,
    mapper: &PathMapper,
) -> Attributed {
    let ctx = Ctx::new(projects, packages, config, root, mapper);
    let pieces: Vec<Piece> = reports
        .into_iter()
        .map(|(file, report)| ctx.report(&file, report))
        .collect();
    ctx.finish(pieces)
}

/// What one report gives the projects ([`Ctx::report`]), to be put together in report order
/// by [`Ctx::finish`]: reports are attributed on all cores, each on its own.
pub(crate) struct Piece {
    parts: BTreeMap<usize, Part>,
    explain: Vec<Explanation>,
    warnings: Vec<String>,
}

/// Which of a project's coverage views a file goes to.
#[derive(Clone, Copy)]
enum View {
    All,
    Small,
    Large,
}

/// A step of building a project's coverage, replayed in report order into its [`Acc`]: the
/// same steps in the same order as when every report was attributed in turn.
enum Op {
    /// A file, with its totals when it is finished ([`Coverage::push_kept`]).
    Push(View, FileCoverage, Option<Totals>),
    Merge(View, Coverage),
    /// The view exists (possibly empty) from then on.
    Touch(View),
}

/// What one report gives one project.
#[derive(Default)]
struct Part {
    ops: Vec<Op>,
    coverage_reports: Vec<ReportRef>,
    test_reports: Vec<ReportRef>,
    tests: Vec<Test>,
}

impl Part {
    fn push(&mut self, view: View, f: FileCoverage, clean: Option<Totals>) {
        self.ops.push(Op::Push(view, f, clean));
    }

    fn merge(&mut self, view: View, c: Coverage) {
        self.ops.push(Op::Merge(view, c));
    }

    fn touch(&mut self, view: View) {
        self.ops.push(Op::Touch(view));
    }
}

/// The [`Part`] of project `i`, made on first use.
fn part(parts: &mut BTreeMap<usize, Part>, i: usize) -> &mut Part {
    parts.entry(i).or_default()
}

impl Acc {
    fn view(&mut self, view: View) -> &mut Coverage {
        match view {
            View::All => &mut self.coverage,
            View::Small => self.small.get_or_insert_with(Coverage::new),
            View::Large => self.large.get_or_insert_with(Coverage::new),
        }
    }

    fn add(&mut self, part: Part) {
        for op in part.ops {
            match op {
                Op::Push(v, f, clean) => self.view(v).push_kept(f, clean),
                Op::Merge(v, c) => self.view(v).merge(c),
                Op::Touch(v) => {
                    self.view(v);
                }
            }
        }
        self.coverage_reports.extend(part.coverage_reports);
        for r in part.test_reports {
            if self.test_reports.last() != Some(&r) {
                self.test_reports.push(r);
            }
        }
        if self.tests.is_empty() {
            // Most projects' tests come from one report: moved, not copied.
            self.tests = part.tests;
        } else {
            let mut tests = part.tests;
            self.tests.append(&mut tests);
        }
    }
}

impl Ctx<'_> {
    /// Attributes one report (independently of the others: on any core).
    pub(crate) fn report(&self, file: &ReportFile, report: Report) -> Piece {
        let mut parts = BTreeMap::new();
        let mut explain = Vec::new();
        let mut warnings = Vec::new();
        let Report {
            format,
            data,
            ctx: rctx,
            ..
        } = report;
        let rref = ReportRef::new(file, format);
        match data {
            Data::Coverage(cov) => {
                // Per-test contexts give small/large coverage from this one run, unless a
                // `[[reports.tag]]` already says which run wrote it.
                let derived = match (&rctx.contexts, file.size) {
                    (Some(c), None) => self.sized_contexts(file, c, &rctx.roots, &mut explain),
                    _ => None,
                };
                self.coverage(
                    file,
                    rref,
                    cov,
                    &rctx.roots,
                    derived.as_ref(),
                    &mut parts,
                    &mut explain,
                    &mut warnings,
                )
            }
            Data::Tests(run) => {
                let rref = ReportRef {
                    retries: run.cases.iter().any(|c| c.attempts > 1),
                    ..rref
                };
                self.tests(
                    file,
                    rref,
                    run.cases,
                    &rctx.roots,
                    &mut parts,
                    &mut explain,
                    &mut warnings,
                )
            }
        }
        Piece {
            parts,
            explain,
            warnings,
        }
    }

    /// Puts the reports' pieces together (in report order) into per-project evidence, in
    /// the projects' order.
    pub(crate) fn finish(&self, pieces: impl IntoIterator<Item = Piece>) -> Attributed {
        let projects = self.projects;
        // Each project's parts, in report order.
        let mut parts_of: Vec<Vec<Part>> = projects.iter().map(|_| Vec::new()).collect();
        let mut explain = Vec::new();
        let mut warnings = Vec::new();
        for piece in pieces {
            for (i, part) in piece.parts {
                parts_of[i].push(part);
            }
            explain.extend(piece.explain);
            warnings.extend(piece.warnings);
        }
        // Putting a project's parts together, the cross-run rule, sorting and merging its
        // coverage and matching its tests against the quarantine list are the project's own
        // business: on all cores.
        let jobs: Vec<(&Project, Vec<Part>)> = projects.iter().zip(parts_of).collect();
        let mut evidence = crate::parallel::map_owned(jobs, |(p, parts)| {
            let mut a = Acc::default();
            for part in parts {
                a.add(part);
            }
            failed_in_another_run(&mut a.tests);
            let quarantine = self.quarantine_matched(&a.tests);
            let finish = |mut c: Coverage| {
                c.finish();
                c
            };
            Evidence {
                project: p.clone(),
                coverage_reports: a.coverage_reports,
                coverage: finish(a.coverage),
                coverage_small: a.small.map(finish),
                coverage_large: a.large.map(finish),
                test_reports: a.test_reports,
                tests: a.tests,
                quarantine,
            }
        });
        self.quarantine_unmatched(&mut evidence);
        Attributed {
            evidence,
            explanations: explain,
            warnings,
        }
    }
}

/// The cross-run rule: across report files (a CI matrix running the suite on two platforms,
/// shards, several jobs) a test that failed in one run is failed, never flaky. A flaky result
/// (failed, then passed on a retry within its own run) of a test that failed or errored in
/// another report becomes failed; every result is still counted as its run counts it.
/// Returns how many results changed.
fn failed_in_another_run(tests: &mut [Test]) -> usize {
    type Id<'t> = (&'t str, &'t str, &'t str);
    if !tests.iter().any(|t| t.case.outcome == Outcome::Flaky)
        || !tests
            .windows(2)
            .any(|w| !SharedStr::ptr_eq(&w[0].report, &w[1].report))
    {
        return 0;
    }
    fn key(t: &Test) -> Id<'_> {
        (
            t.case.suite.as_str(),
            t.case.class.as_deref().unwrap_or(""),
            t.case.name.as_str(),
        )
    }
    // Identity -> (a report where it failed, whether it failed in more than one report).
    let mut failed: HashMap<Id<'_>, (&SharedStr, bool)> = HashMap::new();
    for t in tests.iter() {
        if matches!(t.case.outcome, Outcome::Failed | Outcome::Error) {
            failed
                .entry(key(t))
                .and_modify(|(r, many)| *many |= *r != &t.report)
                .or_insert((&t.report, false));
        }
    }
    let mut demote = Vec::new();
    for (i, t) in tests.iter().enumerate() {
        if t.case.outcome != Outcome::Flaky {
            continue;
        }
        if let Some((r, many)) = failed.get(&key(t)) {
            if *many || *r != &t.report {
                demote.push((i, r.to_string()));
            }
        }
    }
    drop(failed);
    for (i, other) in &demote {
        let c = &mut tests[*i].case;
        c.outcome = Outcome::Failed;
        c.message =
            Some(format!("passed on a retry in this run, failed in another run ({other})").into());
    }
    demote.len()
}

/// What one project collects while reports are split.
#[derive(Default)]
struct Acc {
    coverage: Coverage,
    small: Option<Coverage>,
    large: Option<Coverage>,
    coverage_reports: Vec<ReportRef>,
    test_reports: Vec<ReportRef>,
    tests: Vec<Test>,
}

/// How a test found its project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    File,
    Name,
    Module,
    GoPackage,
    ReportLocation,
    Nowhere,
}

/// A decision about a test: the project, the rule, and a reason.
#[derive(Clone, Debug)]
struct Decision {
    project: Option<usize>,
    rule: Rule,
    reason: String,
    /// The repository file a suite or class name turned out to be (rule 1 by name): the
    /// test's file from then on.
    file: Option<String>,
    /// The Go package directory the suite named (rule 2): the test's file is looked up in
    /// it by the test's name.
    go_dir: Option<String>,
}

/// What attribution knows of the repository, shared by the reports attributed on all cores
/// (its caches lock).
pub(crate) struct Ctx<'a> {
    projects: &'a [Project],
    mapper: &'a PathMapper,
    /// Project path → index (the first project at a path wins).
    by_path: HashMap<&'a str, usize>,
    /// Project and Cargo package names (`crate_key`) → projects.
    by_name: HashMap<String, Vec<usize>>,
    root_most: Option<usize>,
    classifier: Classifier,
    /// Directory name → (directory, holds Go files); built on first use.
    dirs: OnceLock<HashMap<String, Vec<(String, bool)>>>,
    root: &'a Path,
    /// Go package directory → test function → (its `_test.go` file, build constraint);
    /// each directory read once, on first use.
    go_tests: Mutex<HashMap<String, GoTests>>,
}

/// The test functions of one Go package directory: name → (file, `//go:build` expression).
type GoTests = HashMap<String, (String, Option<String>)>;

impl<'a> Ctx<'a> {
    /// What splitting reports over `projects` needs.
    ///
    /// Cargo package names may differ from project names declared in the config: `packages`
    /// holds those discovery already read (directory → `[package] name`, as in
    /// `Discovery::packages`), and `root` is used to read the other projects' `Cargo.toml`.
    pub(crate) fn new(
        projects: &'a [Project],
        packages: &BTreeMap<String, String>,
        config: &Config,
        root: &'a Path,
        mapper: &'a PathMapper,
    ) -> Self {
        let mut by_path = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut rust = Vec::new();
        for (i, p) in projects.iter().enumerate() {
            by_path.entry(p.path.as_str()).or_insert(i);
            let mut names = vec![crate_key(&p.name)];
            let manifest = if p.path.is_empty() {
                "Cargo.toml".to_string()
            } else {
                format!("{}/Cargo.toml", p.path)
            };
            if mapper.contains(&manifest) {
                rust.push(p.name.clone());
                let known = packages.get(&p.path).cloned();
                if let Some(pkg) = known.or_else(|| cargo_package_name(&root.join(&manifest))) {
                    rust.push(pkg.clone());
                    names.push(crate_key(&pkg));
                }
            }
            names.sort();
            names.dedup();
            for n in names {
                by_name.entry(n).or_default().push(i);
            }
        }
        let root_most = (0..projects.len()).min_by_key(|&i| {
            let p = &projects[i].path;
            (!p.is_empty(), p.matches('/').count(), i)
        });
        Ctx {
            projects,
            mapper,
            by_path,
            by_name,
            root_most,
            classifier: Classifier::new(config, rust),
            dirs: OnceLock::new(),
            root,
            go_tests: Mutex::default(),
        }
    }

    fn name(&self, i: usize) -> String {
        self.projects[i].name.clone()
    }

    /// The deepest project containing the repository-relative `file`.
    fn owner(&self, file: &str) -> Option<usize> {
        let mut end = file.len();
        while let Some(slash) = file[..end].rfind('/') {
            if let Some(&i) = self.by_path.get(&file[..slash]) {
                return Some(i);
            }
            end = slash;
        }
        self.by_path.get("").copied()
    }

    /// The single project holding all of `files` (with the first file), if there is one.
    fn sole_owner<S: AsRef<str>>(
        &self,
        files: impl IntoIterator<Item = S>,
    ) -> Option<(usize, String)> {
        let mut found: Option<(usize, String)> = None;
        for f in files {
            let f = f.as_ref();
            let o = self.owner(f)?;
            match &found {
                Some((i, _)) if *i != o => return None,
                Some(_) => {}
                None => found = Some((o, f.to_string())),
            }
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn coverage(
        &self,
        file: &ReportFile,
        rref: ReportRef,
        cov: Coverage,
        roots: &[String],
        derived: Option<&SizedContexts>,
        acc: &mut BTreeMap<usize, Part>,
        explain: &mut Vec<Explanation>,
        warnings: &mut Vec<String>,
    ) {
        let fallback = self.owner(&file.path);
        let fallback_why = "the project containing the report";
        let (files, summary) = cov.into_parts();
        let totals_only = summary.is_some();
        // Per project: (files by location, unmapped files, first unmapped).
        let mut got: BTreeMap<usize, (usize, usize, Option<String>)> = BTreeMap::new();
        let mut outside = (0usize, None::<String>);
        // Files that map to no repository file, from a report no project contains.
        let mut unplaced = (0usize, None::<String>);
        for (mut f, clean) in files {
            let m = self.mapper.map(&f.path, roots);
            let target = if m.found {
                self.owner(&m.path)
            } else {
                fallback
            };
            let Some(i) = target else {
                let n = if m.found { &mut outside } else { &mut unplaced };
                n.0 += 1;
                n.1.get_or_insert_with(|| m.path.clone());
                continue;
            };
            let g = got.entry(i).or_default();
            if m.found {
                g.0 += 1;
            } else {
                g.1 += 1;
                g.2.get_or_insert_with(|| m.path.clone());
            }
            let a = part(acc, i);
            if let Some(d) = derived {
                let (small, large) = d.split(&f, &m.path);
                if d.any_small {
                    a.push(View::Small, small, None);
                }
                if d.any_large {
                    a.push(View::Large, large, None);
                }
            }
            f.path = m.path;
            match file.size {
                Some(Size::Small) => a.push(View::Small, f.clone(), clean),
                Some(Size::Medium | Size::Large) => a.push(View::Large, f.clone(), clean),
                None => {}
            }
            a.push(View::All, f, clean);
        }
        if let Some(totals) = summary {
            if fallback.is_none() {
                warnings.push(format!(
                    "{}: totals only (no per-file data), and no project contains the report: \
                     left out (declare the project with [[project]], or write the report into \
                     its directory)",
                    file.path
                ));
            }
            if let Some(i) = fallback {
                let mut c = Coverage::new();
                c.summary_only = Some(totals);
                let a = part(acc, i);
                match file.size {
                    Some(Size::Small) => a.merge(View::Small, c.clone()),
                    Some(Size::Medium | Size::Large) => a.merge(View::Large, c.clone()),
                    None => {}
                }
                a.merge(View::All, c);
                got.entry(i).or_default();
                explain.push(Explanation {
                    subject: file.path.clone(),
                    project: Some(self.name(i)),
                    reason: format!("totals only (no per-file data): {fallback_why}"),
                });
            }
        }
        for (&i, (by_location, unmapped, first)) in &got {
            let a = part(acc, i);
            // Keep the tagged views present (possibly empty) for every project the report
            // touched.
            match file.size {
                Some(Size::Small) => a.touch(View::Small),
                Some(Size::Medium | Size::Large) => a.touch(View::Large),
                None => {}
            }
            a.coverage_reports.push(rref.clone());
            let mut parts = Vec::new();
            if *by_location > 0 {
                parts.push(format!(
                    "{} in the project's directory {}",
                    plural(*by_location as u64, "source file"),
                    display_dir(&self.projects[i].path)
                ));
            }
            if *unmapped > 0 {
                parts.push(format!(
                    "{} that map to no file under the root (first: {}), given to {fallback_why}",
                    plural(*unmapped as u64, "source file"),
                    first.as_deref().unwrap_or("?")
                ));
            }
            if !parts.is_empty() {
                explain.push(Explanation {
                    subject: file.path.clone(),
                    project: Some(self.name(i)),
                    reason: parts.join("; "),
                });
            }
        }
        if outside.0 > 0 {
            explain.push(Explanation {
                subject: file.path.clone(),
                project: None,
                reason: format!(
                    "{} in no project's directory (first: {}): left out",
                    plural(outside.0 as u64, "source file"),
                    outside.1.as_deref().unwrap_or("?")
                ),
            });
        }
        if unplaced.0 > 0 {
            let first = unplaced.1.as_deref().unwrap_or("?");
            explain.push(Explanation {
                subject: file.path.clone(),
                project: None,
                reason: format!(
                    "{} that map to no file under the root (first: {first}), and no project \
                     contains the report: left out",
                    plural(unplaced.0 as u64, "source file"),
                ),
            });
            warnings.push(format!(
                "{}: {} {} no file under the repository and no project contains the report, \
                 so {} for no project (first: {first}); map paths with [paths] strip_prefix \
                 / path_prefix, or declare the project with [[project]]",
                file.path,
                plural(unplaced.0 as u64, "source file"),
                if unplaced.0 == 1 { "maps to" } else { "map to" },
                if unplaced.0 == 1 {
                    "it counts"
                } else {
                    "they count"
                },
            ));
        }
        if got.is_empty() && outside.0 == 0 && unplaced.0 == 0 && !totals_only {
            explain.push(Explanation {
                subject: file.path.clone(),
                project: None,
                reason: "no source files".to_string(),
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn tests(
        &self,
        file: &ReportFile,
        rref: ReportRef,
        cases: Vec<TestCase>,
        roots: &[String],
        acc: &mut BTreeMap<usize, Part>,
        explain: &mut Vec<Explanation>,
        warnings: &mut Vec<String>,
    ) {
        let report_owner = self.owner(&file.path);
        let report_path = SharedStr::from(file.path.as_str());
        // Where a relative path in a suite or class name may start: the report's own roots,
        // the directory of the project holding the report (vitest run inside a package
        // writes package-relative paths), the report's directory.
        let mut name_roots: Vec<String> = roots.to_vec();
        if let Some(i) = report_owner {
            name_roots.push(self.projects[i].path.clone());
        }
        name_roots.push(parent(&file.path).to_string());
        name_roots.retain(|r| !r.is_empty());
        // (suite, class) → its decision in `decisions`; `last` is the previous case's, as
        // cases come grouped by suite and class (the same shared strings).
        let mut by_names: HashMap<(SharedStr, Option<SharedStr>), usize> = HashMap::new();
        let mut decisions: Vec<Decision> = Vec::new();
        let mut last: Option<(SharedStr, Option<SharedStr>, usize)> = None;
        // (suite, project, rule) → (count, first reason). Keys share the suite's string: this
        // runs for every test case.
        let mut groups: Runs<(SharedStr, Option<usize>, Rule), String> = Runs::default();
        // Tests per project; index 0 is no project, i + 1 project i.
        let mut per_project: Vec<usize> = vec![0; self.projects.len() + 1];
        let mut unplaced: Vec<String> = Vec::new();
        let mut unplaced_count = 0usize;
        // (project, size, rule) → tests; and the tests over their size's timeout.
        let mut sizes: Runs<(Option<usize>, Option<Size>, SharedStr), ()> = Runs::default();
        let mut slow: Vec<String> = Vec::new();
        let mut slow_count = 0usize;
        let mut reasons = SizeReasons::default();
        let mut size_cache = SizeCache::default();
        let total = cases.len();
        for mut case in cases {
            let mut decision = None;
            if let Some(f) = case.file.as_deref() {
                let m = self.mapper.map(f, roots);
                if m.found {
                    if let Some(i) = self.owner(&m.path) {
                        decision = Some(Decision {
                            project: Some(i),
                            rule: Rule::File,
                            reason: format!("the test file {} lies in it", m.path),
                            file: None,
                            go_dir: None,
                        });
                    }
                    case.file = Some(m.path.into());
                }
            }
            let d: &Decision = match &decision {
                Some(d) => d,
                None => {
                    let same = |(suite, class, _): &&(SharedStr, Option<SharedStr>, usize)| {
                        case.in_group(suite, class)
                    };
                    let i = match last.as_ref().filter(same) {
                        Some(&(_, _, i)) => i,
                        None => {
                            let i = *by_names
                                .entry((case.suite.clone(), case.class.clone()))
                                .or_insert_with(|| {
                                    decisions.push(
                                        self.by_name_as_file(&case, &name_roots)
                                            .or_else(|| self.by_test_names(&case))
                                            .unwrap_or_else(|| self.by_location(report_owner)),
                                    );
                                    decisions.len() - 1
                                });
                            last = Some((case.suite.clone(), case.class.clone(), i));
                            i
                        }
                    };
                    &decisions[i]
                }
            };
            if case.file.is_none() {
                case.file = d.file.as_deref().map(SharedStr::from);
            }
            if let (None, Some(dir)) = (&case.file, &d.go_dir) {
                if let Some((f, constraint)) = self.go_test_file(dir, &case.name) {
                    case.file = Some(f.into());
                    if let Some(c) = constraint {
                        case.properties
                            .push((crate::classify::GO_BUILD_PROPERTY.to_string(), c));
                    }
                }
            }
            groups.add(
                |(suite, p, r)| *suite == case.suite && *p == d.project && *r == d.rule,
                || (case.suite.clone(), d.project, d.rule),
                || d.reason.clone(),
            );
            per_project[d.project.map_or(0, |i| i + 1)] += 1;
            match d.project {
                Some(i) => {
                    let a = part(acc, i);
                    if a.test_reports.last() != Some(&rref) {
                        a.test_reports.push(rref.clone());
                    }
                    let t = self
                        .classifier
                        .classify(case, &report_path, &mut size_cache);
                    let why = reasons.of(&t.size_source);
                    sizes.add(
                        |(p, size, w)| *p == Some(i) && *size == t.size && w == why,
                        || (Some(i), t.size, why.clone()),
                        || (),
                    );
                    if let (Some(size), Some(secs)) = (t.size, t.case.duration.get()) {
                        if secs > size.timeout_secs() {
                            slow_count += 1;
                            if slow.len() < EXAMPLES {
                                slow.push(format!("{} ({size}, {secs:.1} s)", t.id()));
                            }
                        }
                    }
                    a.tests.push(t);
                }
                None => {
                    unplaced_count += 1;
                    if unplaced.len() < EXAMPLES {
                        unplaced.push(case.id());
                    }
                }
            }
        }
        if total == 0 {
            explain.push(Explanation {
                subject: file.path.clone(),
                project: None,
                reason: "no test cases".to_string(),
            });
        }
        if unplaced_count > 0 && !self.projects.is_empty() {
            warnings.push(format!(
                "{}: {} in no project (no test file, suite or class name points into one, and \
                 no project contains the report), e.g. {}{}: they count for no project; write \
                 the test file into the report (jest-junit addFileAttribute, vitest does by \
                 default), put the report in the project's directory, or declare the \
                 projects with [[project]]",
                file.path,
                plural(unplaced_count as u64, "test"),
                unplaced.join(", "),
                if unplaced_count > unplaced.len() {
                    format!(" and {} more", unplaced_count - unplaced.len())
                } else {
                    String::new()
                },
            ));
        }
        let per_project = per_project
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| (p.checked_sub(1), *n));
        for (p, n) in per_project {
            explain.push(Explanation {
                subject: file.path.clone(),
                project: p.map(|i| self.name(i)),
                reason: format!("{n} of {}", plural(total as u64, "test")),
            });
        }
        if slow_count > 0 {
            warnings.push(format!(
                "{}: {} ran longer than {} size's timeout (small 1 min, medium 5 min, large \
                 15 min): {}{}; a test that slow is a bigger test than its size says",
                file.path,
                plural(slow_count as u64, "test"),
                if slow_count == 1 { "its" } else { "their" },
                slow.join(", "),
                if slow_count > slow.len() {
                    format!(" and {} more", slow_count - slow.len())
                } else {
                    String::new()
                },
            ));
        }
        // Which rule sized the tests: one line per (project, size, rule), the commonest
        // first within a project, at most SIZE_REASONS per report.
        let mut by_rule: Vec<_> = sizes
            .into_map()
            .into_iter()
            .map(|(k, (n, ()))| (k, n))
            .collect();
        by_rule.sort_by_key(|((p, _, _), n)| (*p, std::cmp::Reverse(*n)));
        let shown = by_rule.len().min(SIZE_REASONS);
        for ((p, size, why), n) in by_rule.iter().take(shown) {
            let size = size.map_or("unsized", Size::name);
            explain.push(Explanation {
                subject: format!("{} :: sizes", file.path),
                project: p.map(|i| self.name(i)),
                reason: format!("{} {size}: {why}", plural(*n as u64, "test")),
            });
        }
        if by_rule.len() > shown {
            let rest: usize = by_rule[shown..].iter().map(|(_, n)| n).sum();
            explain.push(Explanation {
                subject: format!("{} :: sizes", file.path),
                project: None,
                reason: format!(
                    "{} sized by {} more rules",
                    plural(rest as u64, "test"),
                    by_rule.len() - shown
                ),
            });
        }
        for ((suite, p, _), (n, reason)) in groups.into_map() {
            explain.push(Explanation {
                subject: format!("{} :: {suite}", file.path),
                project: p.map(|i| self.name(i)),
                reason: format!("{}: {reason}", plural(n as u64, "test")),
            });
        }
    }

    fn by_location(&self, report_owner: Option<usize>) -> Decision {
        match report_owner {
            Some(i) => Decision {
                project: Some(i),
                rule: Rule::ReportLocation,
                reason: "neither file nor names point elsewhere: the project containing the \
                         report"
                    .to_string(),
                file: None,
                go_dir: None,
            },
            None if self.projects.is_empty() => Decision {
                project: None,
                rule: Rule::Nowhere,
                reason: "there are no projects".to_string(),
                file: None,
                go_dir: None,
            },
            None => Decision {
                project: None,
                rule: Rule::Nowhere,
                reason: "no test file, suite or class name points into a project, and no \
                         project contains the report: in no project"
                    .to_string(),
                file: None,
                go_dir: None,
            },
        }
    }

    /// The quarantine entries matching at least one of a project's tests, in the list's
    /// order (see [`Ctx::quarantine_unmatched`] for the others).
    fn quarantine_matched(&self, tests: &[Test]) -> Vec<String> {
        let listed = self.classifier.quarantine_entries();
        if listed.is_empty() {
            // No list: nothing to match (and no test id to build per test).
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for t in tests {
            for e in self.classifier.quarantine_matches(t) {
                if !out.iter().any(|x| x == e) {
                    out.push(e.to_string());
                }
            }
        }
        out.sort_by_key(|e| listed.iter().position(|l| l == e));
        out
    }

    /// Entries that match no test at all go to the root-most project, after its own, so
    /// that the list is never lost (L1.flaky counts it as tracking, L4.no-flaky wants it
    /// empty).
    fn quarantine_unmatched(&self, evidence: &mut [Evidence]) {
        let Some(r) = self.root_most else { return };
        let listed = self.classifier.quarantine_entries();
        let unmatched: Vec<&str> = listed
            .into_iter()
            .filter(|e| {
                !evidence
                    .iter()
                    .any(|ev| ev.quarantine.iter().any(|q| q == e))
            })
            .collect();
        let root = &mut evidence[r].quarantine;
        for e in unmatched {
            if !root.iter().any(|q| q == e) {
                root.push(e.to_string());
            }
        }
    }
}

/// The rule a size came from, as the explanations name it; one string per rule, shared by
/// the tests it sized (this runs for every test case).
#[derive(Default)]
struct SizeReasons {
    report: Option<SharedStr>,
    none: Option<SharedStr>,
    config: HashMap<String, SharedStr>,
}

impl SizeReasons {
    fn of<'s>(&'s mut self, source: &'s SizeSource) -> &'s SharedStr {
        match source {
            SizeSource::Report => self.report.get_or_insert_with(|| {
                SharedStr::from("the report's size, category or trait property")
            }),
            SizeSource::Config(glob) => {
                // Looked up before it is inserted: no key built per case.
                if !self.config.contains_key(glob) {
                    let r = SharedStr::from(format!("the [[size]] rule {glob}"));
                    self.config.insert(glob.clone(), r);
                }
                &self.config[glob]
            }
            SizeSource::Default(why) => why,
            SizeSource::None => self
                .none
                .get_or_insert_with(|| SharedStr::from("no size rule applies")),
        }
    }
}

/// Counts by key, with the value given by a key's first occurrence, adding runs of equal
/// consecutive keys at once: this runs for every test case, cases come grouped by suite,
/// and the keys hold strings, so most cases cost one comparison instead of a tree search.
struct Runs<K, V> {
    map: BTreeMap<K, (usize, V)>,
    run: Option<(K, usize, V)>,
}

impl<K, V> Default for Runs<K, V> {
    fn default() -> Self {
        Runs {
            map: BTreeMap::new(),
            run: None,
        }
    }
}

impl<K: Ord, V> Runs<K, V> {
    /// Counts the key `is_key` tells, built by `key` only when a run starts: the keys hold
    /// shared strings, and a clone and drop per case would be two atomic operations each.
    fn add(
        &mut self,
        is_key: impl FnOnce(&K) -> bool,
        key: impl FnOnce() -> K,
        value: impl FnOnce() -> V,
    ) {
        if let Some((k, n, _)) = &mut self.run {
            if is_key(k) {
                *n += 1;
                return;
            }
        }
        self.flush();
        self.run = Some((key(), 1, value()));
    }

    fn flush(&mut self) {
        if let Some((k, n, v)) = self.run.take() {
            // The first run of a key brought its value; a later run only adds its count.
            self.map.entry(k).or_insert((0, v)).0 += n;
        }
    }

    fn into_map(mut self) -> BTreeMap<K, (usize, V)> {
        self.flush();
        self.map
    }
}

/// What a context stands for, size-wise.
/// `dir/x`: a stand-in file in `dir` for [`Ctx::sole_owner`].
fn child(dir: &str) -> String {
    format!("{dir}/x")
}

fn parent(f: &str) -> &str {
    f.rsplit_once('/').map_or("", |(d, _)| d)
}

/// ` (and 2 more)` for `n` = 3 matches.
fn more(n: usize) -> String {
    if n > 1 {
        format!(" (and {} more)", n - 1)
    } else {
        String::new()
    }
}

fn display_dir(p: &str) -> &str {
    if p.is_empty() {
        "(the root)"
    } else {
        p
    }
}

/// `[package] name` of a `Cargo.toml`, when it has one.
fn cargo_package_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: toml::Table = toml::from_str(&text).ok()?;
    doc.get("package")?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

mod contexts;
mod names;

use contexts::SizedContexts;

#[cfg(test)]
mod tests;
