//! Trends over the history's snapshots: projects per level and, per criterion, how many
//! projects it blocks, one point per snapshot (an aggregate run that recorded something),
//! for this snapshot's repositories.
//!
//! At each snapshot a repository stands where its latest entry recorded by then put it (a
//! run that found no new result of it recorded nothing, and it stayed where it was); a
//! repository with no entry yet is not counted in that point. The last point is this
//! snapshot, from the results themselves, so it equals the summary. At most
//! [`history::KEEP`](super::history::KEEP) points.

use std::collections::BTreeMap;

use serde::Serialize;

use super::history::{Entry, KEEP};
use super::CriterionRow;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trends {
    /// One point per snapshot, oldest first; the last is this snapshot.
    pub snapshots: Vec<SnapshotPoint>,
    /// Per criterion, the projects it blocks at each snapshot (aligned with `snapshots`), in
    /// the heat map's order; criteria that block nothing now follow, in ladder order.
    pub criteria: Vec<CriterionTrend>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnapshotPoint {
    /// The snapshot's time (RFC 3339).
    pub snapshot: String,
    pub repositories: usize,
    pub projects: usize,
    /// Projects per level, index = level.
    pub by_level: Vec<usize>,
    pub meeting_required: usize,
    /// Of `projects`, those whose entry records its criteria (history version 2, and this
    /// snapshot): the criteria series count these only.
    pub criteria_known: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CriterionTrend {
    pub id: String,
    /// Its level in this testcert's ladder; null for a criterion it does not know.
    pub level: Option<u8>,
    /// Projects it blocked at each snapshot (their next level's criterion, unmet or unknown).
    pub blocking: Vec<usize>,
}

/// The trends of `repos` (each repository's history entries, in time order, and its entry
/// for this snapshot), in repository order.
pub(crate) fn build(
    repos: &[(&[Entry], &Entry)],
    snapshot: &str,
    max_level: u8,
    criteria: &[CriterionRow],
) -> Trends {
    let now = crate::stamp::parse_rfc3339(snapshot).unwrap_or(i64::MAX);
    // The earlier snapshots, newest KEEP - 1 of them (this one makes KEEP).
    let mut times: BTreeMap<i64, &str> = BTreeMap::new();
    for (list, _) in repos {
        for e in list.iter() {
            let t = e.snapshot_secs();
            if t != i64::MIN && t < now {
                times.entry(t).or_insert(&e.snapshot);
            }
        }
    }
    let skip = times.len().saturating_sub(KEEP - 1);
    let times: Vec<(i64, &str)> = times.into_iter().skip(skip).collect();

    let levels = usize::from(max_level) + 1;
    let points = times.len() + 1;
    let mut out: Vec<SnapshotPoint> = times
        .iter()
        .map(|(_, s)| (*s).to_string())
        .chain(std::iter::once(snapshot.to_string()))
        .map(|snapshot| SnapshotPoint {
            snapshot,
            repositories: 0,
            projects: 0,
            by_level: vec![0; levels],
            meeting_required: 0,
            criteria_known: 0,
        })
        .collect();
    let mut blocking: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut count = |point: usize, e: &Entry, out: &mut Vec<SnapshotPoint>| {
        let p = &mut out[point];
        p.repositories += 1;
        for proj in &e.projects {
            p.projects += 1;
            p.by_level[usize::from(proj.level.min(max_level))] += 1;
            p.meeting_required += usize::from(proj.level >= proj.required_level);
            if e.has_details() {
                p.criteria_known += 1;
            }
        }
        if e.has_details() {
            for proj in &e.projects {
                for id in &proj.failing {
                    match blocking.get_mut(id.as_str()) {
                        Some(b) => b[point] += 1,
                        None => {
                            let mut b = vec![0; points];
                            b[point] = 1;
                            blocking.insert(id.clone(), b);
                        }
                    }
                }
            }
        }
    };
    for (list, cur) in repos {
        // Entries recorded by a snapshot, in recording order (snapshot, then stamp time).
        let mut recorded: Vec<&Entry> = list
            .iter()
            .filter(|e| e.snapshot_secs() != i64::MIN && e.snapshot_secs() < now)
            .collect();
        recorded.sort_by_key(|e| (e.snapshot_secs(), e.secs()));
        let mut next = 0;
        let mut state: Option<&Entry> = None;
        for (point, (t, _)) in times.iter().enumerate() {
            while next < recorded.len() && recorded[next].snapshot_secs() <= *t {
                state = Some(recorded[next]);
                next += 1;
            }
            if let Some(e) = state {
                count(point, e, &mut out);
            }
        }
        count(points - 1, cur, &mut out);
    }
    // The heat map's order, then the rest in ladder order (unknown ids last, by id).
    let mut series = Vec::new();
    for c in criteria {
        if let Some(b) = blocking.remove(&*c.id) {
            series.push(trend(&c.id, b));
        }
    }
    let mut rest: Vec<(String, Vec<usize>)> = blocking.into_iter().collect();
    rest.sort_by_key(|(id, _)| {
        (
            crate::ladder::CRITERIA
                .iter()
                .position(|c| c.id == id.as_str())
                .unwrap_or(usize::MAX),
            id.clone(),
        )
    });
    series.extend(rest.into_iter().map(|(id, b)| trend(&id, b)));
    Trends {
        snapshots: out,
        criteria: series,
    }
}

fn trend(id: &str, blocking: Vec<usize>) -> CriterionTrend {
    CriterionTrend {
        id: id.to_string(),
        level: crate::ladder::criterion(id).map(|c| c.level),
        blocking,
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::EntryProject;
    use super::*;

    fn entry(version: u32, commit: &str, snapshot: &str, level: u8, failing: &[&str]) -> Entry {
        Entry {
            history_version: version,
            repository: "r".to_string(),
            commit: Some(commit.to_string()),
            time: snapshot.to_string(),
            snapshot: snapshot.to_string(),
            projects: vec![EntryProject {
                path: ".".to_string(),
                name: "p".to_string(),
                level,
                required_level: 1,
                failing: failing.iter().map(|s| s.to_string()).collect(),
                flaky_tests: Vec::new(),
                flaky_tests_more: 0,
                failing_tests: Vec::new(),
                failing_tests_more: 0,
            }],
        }
    }

    #[test]
    fn a_repository_stays_where_its_last_entry_put_it() {
        let a = [
            entry(1, "a1", "2025-01-01T00:00:00Z", 0, &[]),
            entry(2, "a2", "2025-01-03T00:00:00Z", 2, &["L3.coverage"]),
        ];
        let a_now = entry(2, "a3", "2025-01-04T00:00:00Z", 1, &["L2.coverage"]);
        // Another repository first recorded at the second snapshot.
        let b = [entry(2, "b1", "2025-01-02T00:00:00Z", 1, &["L2.coverage"])];
        let b_now = b[0].clone();
        let t = build(
            &[(&a[..], &a_now), (&b[..], &b_now)],
            "2025-01-04T00:00:00Z",
            3,
            &[],
        );
        let snaps: Vec<&str> = t.snapshots.iter().map(|p| p.snapshot.as_str()).collect();
        assert_eq!(
            snaps,
            [
                "2025-01-01T00:00:00Z",
                "2025-01-02T00:00:00Z",
                "2025-01-03T00:00:00Z",
                "2025-01-04T00:00:00Z"
            ]
        );
        let levels: Vec<&[usize]> = t.snapshots.iter().map(|p| &p.by_level[..]).collect();
        assert_eq!(
            levels,
            [
                &[1, 0, 0, 0][..],
                &[1, 1, 0, 0],
                &[0, 1, 1, 0],
                &[0, 2, 0, 0]
            ]
        );
        let known: Vec<usize> = t.snapshots.iter().map(|p| p.criteria_known).collect();
        assert_eq!(
            known,
            [0, 1, 2, 2],
            "the version 1 entry records no criteria"
        );
        let series: Vec<(&str, &[usize])> = t
            .criteria
            .iter()
            .map(|c| (c.id.as_str(), &c.blocking[..]))
            .collect();
        assert!(
            series.contains(&("L2.coverage", &[0, 1, 1, 2][..])),
            "{series:?}"
        );
        assert!(
            series.contains(&("L3.coverage", &[0, 0, 1, 0][..])),
            "{series:?}"
        );
    }
}
