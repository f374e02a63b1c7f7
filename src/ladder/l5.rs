//! Level 5: a test with each nontrivial fix, analysis tools in CI (and the level 5 coverage
//! thresholds, judged as at level 4).

use super::figures::{Inputs, Judgement};
use crate::evidence::{Change, RepoFacts};
use crate::result::Status;
use crate::words::list;

pub(super) fn l5_bugfix_tests(inp: &Inputs<'_>) -> Judgement {
    let Change::Diff { commits, .. } = inp.change else {
        return (
            Status::Unknown,
            "no base revision: give --base (or run in a pull-request build) so the commits of the change can be read".to_string(),
        );
    };
    let words: Vec<String> = if inp.config.change.fix_words.is_empty() {
        ["fix", "bug", "regression", "hotfix"]
            .map(String::from)
            .to_vec()
    } else {
        inp.config
            .change
            .fix_words
            .iter()
            .map(|w| w.to_lowercase())
            .collect()
    };
    let n = inp.config.thresholds.nontrivial_lines;
    let mut fixes = 0;
    let mut missing = Vec::new();
    for c in commits {
        let subject = c.subject.to_lowercase();
        let is_fix = subject.split(|ch: char| !ch.is_alphanumeric()).any(|w| {
            words
                .iter()
                .any(|f| w == f || (f.len() > 3 && w.starts_with(f.as_str())))
        });
        if !is_fix {
            continue;
        }
        let mine: Vec<(&String, &u64)> = c
            .files
            .iter()
            .filter(|(p, _)| inp.ev.project.contains(p))
            .collect();
        let source: u64 = mine
            .iter()
            .filter(|(p, _)| !(inp.is_test_file)(p))
            .map(|(_, n)| **n)
            .sum();
        if source < n {
            continue;
        }
        fixes += 1;
        if !mine.iter().any(|(p, _)| (inp.is_test_file)(p)) {
            missing.push(format!("{} {:?}", &c.sha[..c.sha.len().min(10)], c.subject));
        }
    }
    if missing.is_empty() {
        (
            Status::Met,
            format!("{fixes} nontrivial fix commits in the change, each with a test change"),
        )
    } else {
        (
            Status::Unmet,
            format!("fix commits without a test change: {}", list(&missing, 5)),
        )
    }
}

pub(super) fn l5_analysis(repo: &RepoFacts) -> Judgement {
    if !repo.analysis_tools.is_empty() {
        (
            Status::Met,
            format!("CI calls {}", repo.analysis_tools.join(", ")),
        )
    } else if !repo.sarif_reports.is_empty() {
        (
            Status::Met,
            format!("SARIF reports: {}", list(&repo.sarif_reports, 3)),
        )
    } else if repo.ci_files.is_empty() {
        (
            Status::Unmet,
            "no CI definition to run an analyser".to_string(),
        )
    } else {
        (
            Status::Unmet,
            "no static analyser found in the CI definitions and no SARIF report".to_string(),
        )
    }
}
