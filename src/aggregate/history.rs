//! The history file (`--history FILE`): JSON lines, one per repository result, appended at
//! each run unless the same result (repository, commit and stamp time) is already there.
//! Read as a stream: only the last `KEEP` entries of the repositories in this snapshot are
//! kept in memory.
//!
//! Version 2 lines add, per project, the criteria of its next level it does not meet and its
//! flaky and failing tests (at most [`TESTS_PER_ENTRY`] of each, with how many more there
//! were). Version 1 lines still read: they have no tests and no criteria, which the trends
//! and the flaky-test list count as unknown, never as none.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Version of the history lines this testcert writes; it reads 1 and 2, and a line of another
/// version is reported and skipped.
pub(crate) const HISTORY_VERSION: u32 = 2;

/// Entries kept per repository (the sparkline's length, the snapshots of the trend chart and
/// the results the flaky-test list looks at).
pub(crate) const KEEP: usize = 20;

/// Flaky and failing tests recorded per project and entry (each list); the rest are counted.
pub(crate) const TESTS_PER_ENTRY: usize = 50;

/// One line of the history: one repository's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub history_version: u32,
    pub repository: String,
    pub commit: Option<String>,
    /// The result's stamp time (the snapshot's when the result had none).
    pub time: String,
    /// The aggregate run that recorded it.
    pub snapshot: String,
    pub projects: Vec<EntryProject>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryProject {
    pub path: String,
    pub name: String,
    pub level: u8,
    pub required_level: u8,
    /// The criteria of the next level it does not meet (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
    /// Tests that failed and passed on a retry (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flaky_tests: Vec<String>,
    /// Flaky tests beyond [`TESTS_PER_ENTRY`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub flaky_tests_more: usize,
    /// Tests that failed (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failing_tests: Vec<String>,
    /// Failing tests beyond [`TESTS_PER_ENTRY`]: the list is then not every failure.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failing_tests_more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Entry {
    /// Seconds since the epoch (entries with an unreadable time sort first).
    pub(crate) fn secs(&self) -> i64 {
        crate::stamp::parse_rfc3339(&self.time).unwrap_or(i64::MIN)
    }

    /// Is `other` the same result (same repository, commit and stamp time)? A re-run on
    /// the same commit is another result: it is recorded, so that a test whose outcome flips
    /// on one commit can be seen.
    pub(crate) fn same_run(&self, other: &Entry) -> bool {
        self.same_commit(other) && self.time == other.time
    }

    /// Is `other` about the same commit of the same repository (without a commit, the same
    /// time)? Level changes compare entries of different commits.
    pub(crate) fn same_commit(&self, other: &Entry) -> bool {
        self.repository == other.repository
            && match (&self.commit, &other.commit) {
                (Some(a), Some(b)) => a == b,
                (None, None) => self.time == other.time,
                _ => false,
            }
    }

    /// Does the entry record criteria and tests (version 2)?
    pub(crate) fn has_details(&self) -> bool {
        self.history_version >= 2
    }

    /// Seconds since the epoch of the run that recorded it.
    pub(crate) fn snapshot_secs(&self) -> i64 {
        crate::stamp::parse_rfc3339(&self.snapshot).unwrap_or(i64::MIN)
    }

    /// The project's level in this entry: matched by path, then by name.
    pub(crate) fn level_of(&self, path: &str, name: &str) -> Option<u8> {
        self.projects
            .iter()
            .find(|p| p.path == path && p.name == name)
            .or_else(|| self.projects.iter().find(|p| p.path == path))
            .or_else(|| self.projects.iter().find(|p| p.name == name))
            .map(|p| p.level)
    }
}

/// What the history holds about the repositories of this snapshot.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// Per repository, its last entries in time order (at most [`KEEP`] after [`finish`]).
    pub entries: HashMap<String, Vec<Entry>>,
    /// Lines read, and lines that could not be read (`line N: why`).
    pub lines: usize,
    pub errors: Vec<String>,
    /// Repositories whose current entry (same repository, commit and time) is already
    /// recorded.
    pub present: std::collections::HashSet<String>,
    /// Repositories whose current commit is already recorded (by this result or another run
    /// on the same commit): a level drop on it was reported by the run that recorded it.
    pub commit_seen: std::collections::HashSet<String>,
    /// The latest snapshot before this one that recorded anything (any repository).
    pub last_snapshot: Option<String>,
    /// The file does not end with a newline (a torn last write): the next append starts one.
    pub needs_newline: bool,
}

/// Reads the history, keeping only entries of the repositories of `current` (this snapshot's
/// entries by repository). A missing file is an empty history.
pub(crate) fn load(path: &Path, current: &HashMap<String, Entry>) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let now = current
        .values()
        .next()
        .map_or(i64::MAX, Entry::snapshot_secs);
    let mut last: Option<(i64, String)> = None;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(loaded),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            break;
        }
        n += 1;
        loaded.needs_newline = !line.ends_with('\n');
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        loaded.lines += 1;
        let entry: Entry = match serde_json::from_str(text) {
            Ok(e) => e,
            Err(e) => {
                loaded.errors.push(format!("line {n}: {e}"));
                continue;
            }
        };
        if !(1..=HISTORY_VERSION).contains(&entry.history_version) {
            loaded.errors.push(format!(
                "line {n}: history version {} (this testcert reads versions 1 to {HISTORY_VERSION})",
                entry.history_version
            ));
            continue;
        }
        let snap = entry.snapshot_secs();
        if snap < now && last.as_ref().is_none_or(|(s, _)| snap > *s) {
            last = Some((snap, entry.snapshot.clone()));
        }
        let Some(cur) = current.get(&entry.repository) else {
            continue;
        };
        if cur.same_run(&entry) {
            loaded.present.insert(entry.repository.clone());
        }
        if cur.same_commit(&entry) {
            loaded.commit_seen.insert(entry.repository.clone());
        }
        let list = loaded.entries.entry(entry.repository.clone()).or_default();
        list.push(entry);
        if list.len() > 2 * KEEP {
            trim(list);
        }
    }
    for list in loaded.entries.values_mut() {
        trim(list);
    }
    loaded.last_snapshot = last.map(|(_, s)| s);
    Ok(loaded)
}

/// Sorts by time (stable: file order breaks ties) and keeps the last [`KEEP`] and one more
/// (the trend chart's first snapshot needs the state before it).
fn trim(list: &mut Vec<Entry>) {
    list.sort_by_key(Entry::secs);
    if list.len() > KEEP + 1 {
        list.drain(..list.len() - KEEP - 1);
    }
}

/// Appends `entries` to the history in one write (creating the file).
pub fn append(path: &Path, entries: &[Entry], needs_newline: bool) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut buf = Vec::new();
    if needs_newline {
        buf.push(b'\n');
    }
    for e in entries {
        serde_json::to_writer(&mut buf, e).expect("an entry serializes");
        buf.push(b'\n');
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(&buf)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot append to {}", path.display()))
}
