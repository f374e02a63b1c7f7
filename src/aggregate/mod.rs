//! `testcert aggregate`: many `check --format json --stamp` results → one roll-up
//! ([`Aggregate`]) of where every project of an organisation stands, how that changed since
//! the last snapshot (`--history`), and what holds projects back; rendered as a
//! self-contained HTML page ([`html`]), Markdown (`markdown.rs`), a versioned JSON contract
//! and badges.
//!
//! Memory stays bounded by the number of projects, not the size of the results: each file is
//! reduced to a few fields while it is parsed (`input.rs`), and the history is streamed,
//! keeping the last entries of this snapshot's repositories only ([`history`]).

pub mod flaky;
pub mod history;
pub mod html;
pub mod input;
pub mod links;
pub mod markdown;
pub mod teams;
pub mod trends;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::render::badge::{self, Badge};
pub use flaky::Flaky;
use history::{Entry, EntryProject};
use input::{InputFile, Missing, Parsed, Read};
pub use links::Links;
pub use teams::{GroupRow, TeamSource};
pub use trends::Trends;

/// Version of the aggregate JSON contract (README, "aggregate JSON"). 2 added owners,
/// teams, links, trends, flaky tests, notices and the worst-first orders.
pub(crate) const SCHEMA_VERSION: u32 = 2;

/// What to aggregate.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub inputs: Vec<PathBuf>,
    pub history: Option<PathBuf>,
    pub now: Option<String>,
    pub title: String,
    /// `--teams`: a file mapping teams to repository globs (see [`teams`]).
    pub teams: Option<PathBuf>,
    /// The output folder, which the rows' result links are relative to (none without it).
    pub out: Option<PathBuf>,
}

/// The roll-up: the aggregate JSON contract.
#[derive(Clone, Debug, Serialize)]
pub struct Aggregate {
    pub schema_version: u32,
    pub testcert_version: &'static str,
    pub title: String,
    /// The snapshot's time (RFC 3339, UTC).
    pub snapshot: String,
    /// The highest ladder among the results (3, or 5).
    pub max_level: u8,
    pub inputs: Inputs,
    pub summary: Summary,
    /// Every criterion some project misses: the heat map, the criteria blocking the most
    /// projects first (`ladder_index` gives the ladder order).
    pub criteria: Vec<CriterionRow>,
    /// Changes since each repository's previous history entry; null without `--history`.
    pub changes: Option<Changes>,
    /// One row per owner (the `org` of `host/org/repo`), worst first.
    pub owners: Vec<GroupRow>,
    /// One row per team, worst first (see [`teams`] for where a team comes from).
    pub teams: Vec<GroupRow>,
    /// Projects per level and criteria over the snapshots of the history.
    pub trends: Trends,
    /// Tests that flip or are flaky across the history's results, worst first.
    pub flaky: Flaky,
    /// One row per project, worst first: below the required level first, then by level,
    /// then by repository, path and name.
    pub projects: Vec<Row>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Inputs {
    /// Files found.
    pub files: usize,
    /// Results read (including superseded ones).
    pub results: usize,
    /// Older results of a repository that a newer one replaced.
    pub superseded: usize,
    /// JSON files in the folders that are not check results (skipped).
    pub skipped: usize,
    /// Results without a stamp (repository from the file name).
    pub unstamped: usize,
    pub errors: Vec<InputError>,
    pub warnings: Vec<String>,
    /// The warnings and errors classified: what is information (an unstamped or superseded
    /// result) and what is an alarm (an unreadable input, a stamp from the future).
    pub notices: Vec<Notice>,
}

/// A note about the inputs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notice {
    pub severity: Severity,
    pub kind: NoticeKind,
    /// How many results or inputs it is about.
    pub count: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Expected in a working set-up; nothing to fix urgently.
    Info,
    /// Something is wrong with an input: the roll-up may not say what it should.
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// Results without a stamp (info).
    Unstamped,
    /// Older results of a repository a newer one replaced (info).
    Superseded,
    /// Results stamped more than a day after the snapshot (error).
    FutureStamp,
    /// Results whose check could not read some reports (error).
    ReportErrors,
    /// An input or history line that could not be read (error; the run exits 2).
    Unreadable,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputError {
    pub path: String,
    pub error: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub repositories: usize,
    pub projects: usize,
    /// Projects at or above their required level.
    pub meeting_required: usize,
    pub below_required: usize,
    /// Projects per level, from 0 to `max_level`.
    pub by_level: Vec<usize>,
    /// Projects whose level rose / dropped since the previous snapshot.
    pub improved: usize,
    pub regressed: usize,
    /// Of `regressed`, the drops this run is the first to record (the repository's commit
    /// was not in the history yet): what `--fail-on-regression` fails on, once.
    pub new_regressions: usize,
}

/// A criterion across the organisation.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionRow {
    pub id: Cow<'static, str>,
    pub level: u8,
    pub title: &'static str,
    /// Projects whose next level it blocks (they are at `level - 1`).
    pub blocking: usize,
    /// Projects that do not meet it (unmet or unknown), at any level.
    pub missing: usize,
    /// Of those, how many for want of evidence (unknown).
    pub unknown: usize,
    /// `missing` split by the project's current level (index = level).
    pub missing_by_level: Vec<usize>,
    /// Its place in the ladder order of this heat map (0 first).
    pub ladder_index: usize,
}

/// One project of one repository.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub repository: String,
    pub project: String,
    pub path: String,
    pub level: u8,
    pub required_level: u8,
    pub max_level: u8,
    pub passed: bool,
    pub relies_on_waiver: bool,
    /// The criteria of the next level it does not meet (what to work on).
    pub failing: Vec<Cow<'static, str>>,
    /// Line coverage, 0..1.
    pub coverage: Option<f64>,
    /// Incremental coverage, 0..1.
    pub incremental: Option<f64>,
    pub incremental_scope: crate::result::Scope,
    pub commit: Option<String>,
    /// The result's stamp time.
    pub time: Option<String>,
    /// The result file.
    pub source: String,
    /// The `org` of `host/org/repo` (see [`teams::owner_of`]).
    pub owner: Option<String>,
    pub team: Option<String>,
    pub team_source: Option<TeamSource>,
    /// Repository, commit, CI run and result file.
    pub links: Links,
    /// Its flaky tests in this result (at most 50, the rest counted).
    pub flaky_tests: Vec<String>,
    pub flaky_tests_more: usize,
    /// Its failing tests in this result (at most 50, the rest counted).
    pub failing_tests: Vec<String>,
    pub failing_tests_more: usize,
    /// Its level in the repository's previous history entry.
    pub previous_level: Option<u8>,
    /// Level over time (the last entries of the history, this snapshot last).
    pub trend: Vec<TrendPoint>,
    #[serde(skip)]
    pub missing: Vec<Missing>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendPoint {
    pub time: String,
    pub level: u8,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Changes {
    pub up: Vec<Change>,
    pub down: Vec<Change>,
    /// Projects that the repository's previous entry did not have.
    pub new: Vec<Change>,
    /// Projects of a repository's previous entry that its current result lacks.
    pub removed: Vec<Change>,
    /// History entries appended by this run.
    pub appended: usize,
    /// The latest earlier snapshot in the history (the run before this one); each change
    /// compares with its own repository's previous entry, which may be older.
    pub since: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub repository: String,
    pub project: String,
    pub path: String,
    pub from: Option<u8>,
    pub to: Option<u8>,
    /// The previous entry's stamp time.
    pub since: Option<String>,
    /// This run records the repository's current result for the first time (its commit was
    /// not in the history): a drop with this set fails `--fail-on-regression`.
    pub first_recorded: bool,
}

/// The roll-up plus what the run must still do.
#[derive(Debug)]
pub struct Outcome {
    pub aggregate: Aggregate,
    /// History entries to append.
    pub append: Vec<Entry>,
    pub needs_newline: bool,
}

impl Aggregate {
    /// 2 when an input or history line could not be read; else 1 when `fail_on_regression`
    /// and a level drop is first recorded by this run (see [`Change::first_recorded`]);
    /// else 0.
    pub fn exit_code(&self, fail_on_regression: bool) -> i32 {
        if !self.inputs.errors.is_empty() {
            crate::exit::ERROR
        } else if fail_on_regression && self.summary.new_regressions > 0 {
            crate::exit::BELOW_LEVEL
        } else {
            crate::exit::OK
        }
    }
}

/// A result that was read, with where it came from.
struct Source {
    file: InputFile,
    parsed: Parsed,
    secs: i64,
}

/// Reads every input and the history, and builds the roll-up. `wall_clock` is the snapshot
/// time used when neither `--now` nor any stamp gives one.
pub fn build(opts: &Options, wall_clock: std::time::SystemTime) -> Result<Outcome> {
    build_with(opts, wall_clock, crate::progress::Progress::HIDDEN)
}

/// [`build`], with the caller's progress bars while the results are read.
pub fn build_with(
    opts: &Options,
    wall_clock: std::time::SystemTime,
    progress: crate::progress::Progress,
) -> Result<Outcome> {
    if let Some(now) = &opts.now {
        anyhow::ensure!(
            crate::stamp::parse_rfc3339(now).is_some(),
            "--now {now:?} is not an RFC 3339 time (2025-01-31T12:00:00Z)"
        );
    }
    let team_map = opts.teams.as_deref().map(teams::Teams::load).transpose()?;
    let (files, missing_inputs) = input::expand(&opts.inputs);
    let mut inputs = Inputs {
        files: files.len(),
        ..Default::default()
    };
    for (path, error) in missing_inputs {
        inputs.errors.push(InputError { path, error });
    }
    let bytes = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .sum();
    let pb = progress.bar(files.len(), bytes, "aggregating results");
    let reads = input::read_all(&files, &pb);
    pb.finish_and_clear();

    // The newest result of each repository wins.
    let mut by_repo: BTreeMap<String, Source> = BTreeMap::new();
    let mut unstamped = Vec::new();
    let mut superseded = Vec::new();
    let mut with_report_errors = Vec::new();
    let mut future = Vec::new();
    let latest_real = opts
        .now
        .as_deref()
        .and_then(crate::stamp::parse_rfc3339)
        .unwrap_or_else(|| {
            wall_clock
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
        .saturating_add(86_400);
    for (file, read) in files.into_iter().zip(reads) {
        let parsed = match read {
            Read::Ok(p) => p,
            Read::NotAResult => {
                inputs.skipped += 1;
                continue;
            }
            Read::Err(error) => {
                inputs.errors.push(InputError {
                    path: file.path.display().to_string(),
                    error,
                });
                continue;
            }
        };
        inputs.results += 1;
        if parsed.stamp.is_none() {
            unstamped.push(file.path.display().to_string());
        }
        if parsed.report_errors > 0 {
            with_report_errors.push(file.path.display().to_string());
        }
        let repo = parsed
            .stamp
            .as_ref()
            .map_or_else(|| file.name.clone(), |s| s.repository.clone());
        let secs = parsed
            .stamp
            .as_ref()
            .and_then(|s| crate::stamp::parse_rfc3339(&s.time))
            .unwrap_or(i64::MIN);
        // A stamp later than the snapshot can be (a day of slack for clocks and zones) was
        // not made by a run that has happened: it is named, and ranks below every real time
        // so that it never supersedes a repository's real result.
        let secs = if secs != i64::MIN && secs > latest_real {
            future.push(format!(
                "{} ({})",
                file.path.display(),
                crate::stamp::format_epoch(secs)
            ));
            FUTURE
        } else {
            secs
        };
        let src = Source { file, parsed, secs };
        match by_repo.get(&repo) {
            Some(old) if rank(old) >= rank(&src) => {
                superseded.push((src.file.path, src.secs, repo));
            }
            _ => {
                if let Some(old) = by_repo.insert(repo.clone(), src) {
                    superseded.push((old.file.path, old.secs, repo));
                }
            }
        }
    }
    inputs.unstamped = unstamped.len();
    inputs.superseded = superseded.len();
    // `one` / `many`: the sentence after the count, for 1 and for several results.
    let mut warn = |kind: NoticeKind, one: &str, many: &str, list: &[String]| {
        if !list.is_empty() {
            let message = format!(
                "{} {}: {}",
                list.len(),
                if list.len() == 1 { one } else { many },
                crate::words::list(list, 5)
            );
            let severity = match kind {
                NoticeKind::Unstamped | NoticeKind::Superseded => Severity::Info,
                _ => Severity::Error,
            };
            inputs.notices.push(Notice {
                severity,
                kind,
                count: list.len(),
                message: message.clone(),
            });
            inputs.warnings.push(message);
        }
    };
    warn(
        NoticeKind::Unstamped,
        "result carries no stamp (repository named after the file, commit and time unknown; run check with --stamp)",
        "results carry no stamp (repository named after the file, commit and time unknown; run check with --stamp)",
        &unstamped,
    );
    superseded.sort();
    // Which result replaced which, with both times: a stamp from the far future that wins is
    // seen for what it is.
    let when = |secs: i64| {
        if secs == i64::MIN {
            "no stamp time".to_string()
        } else if secs == FUTURE {
            "stamped in the future".to_string()
        } else {
            crate::stamp::format_epoch(secs)
        }
    };
    let superseded: Vec<String> = superseded
        .iter()
        .map(|(path, secs, repo)| {
            let by = by_repo.get(repo).map_or_else(String::new, |w| {
                format!(" by {} ({})", w.file.path.display(), when(w.secs))
            });
            format!("{} ({}){by}", path.display(), when(*secs))
        })
        .collect();
    warn(
        NoticeKind::Superseded,
        "result was superseded by a newer result of the same repository",
        "results were superseded by a newer result of the same repository",
        &superseded,
    );
    warn(
        NoticeKind::FutureStamp,
        "result is stamped more than a day after the snapshot time, so it does not supersede a result of its repository",
        "results are stamped more than a day after the snapshot time, so they do not supersede results of their repositories",
        &future,
    );
    warn(
        NoticeKind::ReportErrors,
        "result had reports that could not be read",
        "results had reports that could not be read",
        &with_report_errors,
    );

    let snapshot = opts.now.clone().unwrap_or_else(|| {
        by_repo
            .values()
            .filter(|s| s.secs != i64::MIN && s.secs != FUTURE)
            .max_by_key(|s| s.secs)
            .map(|s| crate::stamp::format_epoch(s.secs))
            .unwrap_or_else(|| crate::stamp::rfc3339(wall_clock))
    });

    // This snapshot's history entries, one per repository.
    let current: HashMap<String, Entry> = by_repo
        .iter()
        .map(|(repo, s)| {
            let entry = Entry {
                history_version: history::HISTORY_VERSION,
                repository: repo.clone(),
                commit: s.parsed.stamp.as_ref().and_then(|s| s.commit.clone()),
                time: s
                    .parsed
                    .stamp
                    .as_ref()
                    .map_or_else(|| snapshot.clone(), |s| s.time.clone()),
                snapshot: snapshot.clone(),
                projects: s
                    .parsed
                    .rows
                    .iter()
                    .map(|r| EntryProject {
                        path: r.path.clone(),
                        name: r.name.clone(),
                        level: r.level,
                        required_level: r.required_level,
                        failing: next_level_failing(r).map(|id| id.to_string()).collect(),
                        flaky_tests: r.flaky_tests.clone(),
                        flaky_tests_more: r.flaky_tests_more,
                        failing_tests: r.failing_tests.clone(),
                        failing_tests_more: r.failing_tests_more,
                    })
                    .collect(),
            };
            (repo.clone(), entry)
        })
        .collect();
    let loaded = match &opts.history {
        Some(path) => {
            let l = history::load(path, &current)?;
            for e in &l.errors {
                inputs.errors.push(InputError {
                    path: path.display().to_string(),
                    error: e.clone(),
                });
            }
            Some(l)
        }
        None => None,
    };

    let mut rows = Vec::new();
    let mut changes = loaded.as_ref().map(|_| Changes::default());
    // Result links are relative to the output folder, both taken from the working directory.
    let result_links = opts
        .out
        .as_deref()
        .map(|out| links::ResultLinks::new(out, &std::env::current_dir().unwrap_or_default()));
    let mut max_level = 3;
    for (repo, src) in &by_repo {
        max_level = max_level.max(src.parsed.max_level);
        let cur = &current[repo];
        // The repository's earlier entries of other commits, oldest first.
        let earlier: Vec<&Entry> = loaded
            .as_ref()
            .and_then(|l| l.entries.get(repo))
            .map(|list| {
                list.iter()
                    .filter(|e| !e.same_commit(cur) && e.secs() <= cur.secs())
                    .collect()
            })
            .unwrap_or_default();
        let prev = earlier.last().copied();
        // A drop is failed on by the run that first records the commit, and only by it.
        let first_recorded = loaded
            .as_ref()
            .is_some_and(|l| !l.commit_seen.contains(repo));
        let stamp = src.parsed.stamp.as_ref();
        let owner = teams::owner_of(repo);
        let (team, team_source) = match teams::resolve(team_map.as_ref(), repo, stamp) {
            Some((t, s)) => (Some(t), Some(s)),
            None => (None, None),
        };
        let mut links = stamp.map(links::from_stamp).unwrap_or_default();
        if let Some(r) = &result_links {
            links.result = r.link(&src.file.path);
        }
        for r in &src.parsed.rows {
            let previous_level = prev.and_then(|p| p.level_of(&r.path, &r.name));
            let mut trend: Vec<TrendPoint> = earlier
                .iter()
                .filter_map(|e| {
                    e.level_of(&r.path, &r.name).map(|level| TrendPoint {
                        time: e.time.clone(),
                        level,
                    })
                })
                .collect();
            trend.push(TrendPoint {
                time: cur.time.clone(),
                level: r.level,
            });
            if trend.len() > history::KEEP {
                trend.drain(..trend.len() - history::KEEP);
            }
            let row = Row {
                repository: repo.clone(),
                project: r.name.clone(),
                path: r.path.clone(),
                level: r.level,
                required_level: r.required_level,
                max_level: src.parsed.max_level,
                passed: r.level >= r.required_level,
                relies_on_waiver: r.waived,
                failing: r
                    .missing
                    .iter()
                    .filter(|m| m.level == r.level + 1)
                    .map(|m| m.id.clone())
                    .collect(),
                owner: owner.clone(),
                team: team.clone(),
                team_source,
                links: links.clone(),
                flaky_tests: r.flaky_tests.clone(),
                flaky_tests_more: r.flaky_tests_more,
                failing_tests: r.failing_tests.clone(),
                failing_tests_more: r.failing_tests_more,
                coverage: r.coverage,
                incremental: r.incremental,
                incremental_scope: r.incremental_scope,
                commit: src.parsed.stamp.as_ref().and_then(|s| s.commit.clone()),
                time: src.parsed.stamp.as_ref().map(|s| s.time.clone()),
                source: src.file.path.display().to_string(),
                previous_level,
                trend,
                missing: r.missing.clone(),
            };
            if let (Some(ch), Some(_)) = (changes.as_mut(), prev) {
                let c = Change {
                    repository: repo.clone(),
                    project: r.name.clone(),
                    path: r.path.clone(),
                    from: previous_level,
                    to: Some(r.level),
                    since: prev.map(|p| p.time.clone()),
                    first_recorded,
                };
                match previous_level {
                    None => ch.new.push(c),
                    Some(p) if p < r.level => ch.up.push(c),
                    Some(p) if p > r.level => ch.down.push(c),
                    Some(_) => {}
                }
            }
            rows.push(row);
        }
        if let (Some(ch), Some(p)) = (changes.as_mut(), prev) {
            for old in &p.projects {
                let still = src
                    .parsed
                    .rows
                    .iter()
                    .any(|r| r.path == old.path || r.name == old.name);
                if !still {
                    ch.removed.push(Change {
                        repository: repo.clone(),
                        project: old.name.clone(),
                        path: old.path.clone(),
                        from: Some(old.level),
                        to: None,
                        since: Some(p.time.clone()),
                        first_recorded,
                    });
                }
            }
        }
    }
    // Worst first: below the required level, then the lowest level.
    rows.sort_by(|a, b| {
        (a.passed, a.level, &a.repository, &a.path, &a.project).cmp(&(
            b.passed,
            b.level,
            &b.repository,
            &b.path,
            &b.project,
        ))
    });

    let mut append = Vec::new();
    let mut needs_newline = false;
    if let Some(l) = &loaded {
        let mut repos: Vec<&String> = current.keys().collect();
        repos.sort();
        for repo in repos {
            if !l.present.contains(repo) {
                append.push(current[repo].clone());
            }
        }
        needs_newline = l.needs_newline;
    }
    if let (Some(ch), Some(l)) = (changes.as_mut(), &loaded) {
        ch.appended = append.len();
        ch.since = l.last_snapshot.clone();
    }

    let summary = summarize(&rows, by_repo.len(), max_level, changes.as_ref());
    let criteria = heat_map(&rows, max_level);
    let (down, up) = changes
        .as_ref()
        .map_or((&[][..], &[][..]), |c| (&c.down[..], &c.up[..]));
    let owners = teams::roll_up(&rows, max_level, down, up, |r| r.owner.as_deref());
    let teams = teams::roll_up(&rows, max_level, down, up, |r| r.team.as_deref());
    // Each repository's history (entries of other results than this one) and this result.
    let no_entries = Vec::new();
    let histories: Vec<(&[Entry], &Entry)> = by_repo
        .keys()
        .map(|repo| {
            let cur = &current[repo];
            let list = loaded
                .as_ref()
                .and_then(|l| l.entries.get(repo))
                .unwrap_or(&no_entries);
            (&list[..], cur)
        })
        .collect();
    let trends = trends::build(&histories, &snapshot, max_level, &criteria);
    let flaky = flaky::build(&histories);
    for e in &inputs.errors {
        inputs.notices.push(Notice {
            severity: Severity::Error,
            kind: NoticeKind::Unreadable,
            count: 1,
            message: format!("{}: {}", e.path, e.error),
        });
    }
    Ok(Outcome {
        aggregate: Aggregate {
            schema_version: SCHEMA_VERSION,
            testcert_version: env!("CARGO_PKG_VERSION"),
            title: opts.title.clone(),
            snapshot,
            max_level,
            inputs,
            summary,
            criteria,
            changes,
            owners,
            teams,
            trends,
            flaky,
            projects: rows,
        },
        append,
        needs_newline,
    })
}

/// Which of two results of one repository is newer: stamp time, then commit, then path.
/// The rank time of a result stamped after the snapshot (see [`build_with`]): above an
/// unstamped result, below every real time.
const FUTURE: i64 = i64::MIN + 1;

fn rank(s: &Source) -> (i64, Option<&str>, &Path) {
    (
        s.secs,
        s.parsed.stamp.as_ref().and_then(|s| s.commit.as_deref()),
        &s.file.path,
    )
}

fn summarize(rows: &[Row], repositories: usize, max_level: u8, ch: Option<&Changes>) -> Summary {
    let mut by_level = vec![0; usize::from(max_level) + 1];
    for r in rows {
        let l = usize::from(r.level.min(max_level));
        by_level[l] += 1;
    }
    let meeting = rows.iter().filter(|r| r.passed).count();
    Summary {
        repositories,
        projects: rows.len(),
        meeting_required: meeting,
        below_required: rows.len() - meeting,
        by_level,
        improved: ch.map_or(0, |c| c.up.len()),
        regressed: ch.map_or(0, |c| c.down.len()),
        new_regressions: ch.map_or(0, |c| c.down.iter().filter(|d| d.first_recorded).count()),
    }
}

/// The criteria of the next level a project does not meet (what blocks it).
fn next_level_failing(r: &input::SlimRow) -> impl Iterator<Item = &str> {
    r.missing
        .iter()
        .filter(move |m| m.level == r.level + 1)
        .map(|m| &*m.id)
}

/// Per criterion: how many projects miss it, split by their level, and whose next level it
/// blocks. Those blocking the most projects first; `ladder_index` is the ladder order
/// (criteria of a newer testcert after the ladder's, by level and id).
fn heat_map(rows: &[Row], max_level: u8) -> Vec<CriterionRow> {
    let mut map: BTreeMap<(usize, u8, &str), CriterionRow> = BTreeMap::new();
    for r in rows {
        for m in &r.missing {
            let pos = crate::ladder::CRITERIA
                .iter()
                .position(|c| c.id == m.id)
                .unwrap_or(usize::MAX);
            let row = map
                .entry((pos, m.level, &m.id))
                .or_insert_with(|| CriterionRow {
                    id: m.id.clone(),
                    level: m.level,
                    title: crate::ladder::criterion(&m.id).map_or("", |c| c.title),
                    blocking: 0,
                    missing: 0,
                    unknown: 0,
                    missing_by_level: vec![0; usize::from(max_level) + 1],
                    ladder_index: 0,
                });
            row.missing += 1;
            row.unknown += usize::from(m.unknown);
            row.blocking += usize::from(m.level == r.level + 1);
            row.missing_by_level[usize::from(r.level.min(max_level))] += 1;
        }
    }
    let mut rows: Vec<CriterionRow> = map.into_values().collect();
    for (i, r) in rows.iter_mut().enumerate() {
        r.ladder_index = i;
    }
    // Stable: equal counts stay in ladder order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.blocking));
    rows
}

/// The organisation's badges: `levels` (`12 L3 · 8 L2 · 3 L1`, coloured as the median
/// project's level) and `required` (`20/23 at required level`: bright green when all are,
/// yellow from 80 %, red below).
pub(crate) fn badges(a: &Aggregate) -> Vec<(String, Badge)> {
    let s = &a.summary;
    let levels = if s.projects == 0 {
        Badge {
            label: badge::LABEL.to_string(),
            message: "no projects".to_string(),
            color: badge::LIGHTGREY,
        }
    } else {
        let message = (0..s.by_level.len())
            .rev()
            .filter(|&l| s.by_level[l] > 0)
            .map(|l| format!("{} L{l}", s.by_level[l]))
            .collect::<Vec<_>>()
            .join(" · ");
        // The median project's level: half the projects are at it or above.
        let mut seen = 0;
        let mut median = 0;
        for (l, n) in s.by_level.iter().enumerate() {
            seen += n;
            if 2 * seen >= s.projects {
                median = l as u8;
                break;
            }
        }
        Badge {
            label: badge::LABEL.to_string(),
            message,
            color: badge::level_color(median, a.max_level),
        }
    };
    let required = Badge {
        label: badge::LABEL.to_string(),
        message: format!("{}/{} at required level", s.meeting_required, s.projects),
        color: if s.meeting_required == s.projects {
            badge::BRIGHTGREEN
        } else if s.meeting_required * 5 >= s.projects * 4 {
            badge::YELLOW
        } else {
            badge::RED
        },
    };
    vec![
        ("levels".to_string(), levels),
        ("required".to_string(), required),
    ]
}

/// The aggregate JSON contract, pretty-printed with a final newline.
pub fn json(a: &Aggregate) -> String {
    let mut s = serde_json::to_string_pretty(a).expect("the aggregate serializes");
    s.push('\n');
    s
}

/// Every output file, relative to `--out`: index.html, summary.md, aggregate.json and the
/// badges under `badges/`.
pub fn outputs(a: &Aggregate) -> Vec<(String, String)> {
    let mut out = vec![
        ("index.html".to_string(), html::render(a)),
        ("summary.md".to_string(), markdown::render(a)),
        ("aggregate.json".to_string(), json(a)),
    ];
    for (stem, b) in badges(a) {
        out.push((format!("badges/{stem}.svg"), b.svg()));
        out.push((format!("badges/{stem}.json"), b.endpoint_json()));
    }
    out
}

/// Writes every output into `out` (creating it) and appends this snapshot to `history`.
pub(crate) fn write(outcome: &Outcome, out: &Path, history: Option<&Path>) -> Result<()> {
    std::fs::create_dir_all(out.join("badges"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    let outputs = outputs(&outcome.aggregate);
    crate::output::write_many(
        outputs
            .iter()
            .map(|(name, contents)| (out.join(name), contents.as_bytes())),
    )?;
    if let Some(h) = history {
        history::append(h, &outcome.append, outcome.needs_newline)?;
    }
    Ok(())
}
