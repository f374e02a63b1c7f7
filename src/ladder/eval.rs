//! Runs every criterion's rule (one function each in `l1.rs` … `l5.rs`), applies waivers and
//! decides the level.

use serde::Serialize;

use super::figures::{self, Judgement};
use super::{l1, l2, l3, l4, l5};
use super::{Criterion, Rule, CRITERIA};
use crate::result::{CriterionResult, Figures, Status};

/// What [`evaluate`] reads (defined beside the figures, which every rule also reads).
pub use super::figures::Inputs;

/// A project's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub level: u8,
    /// The level depends on a waived criterion (shown as `level 2*`).
    pub relies_on_waiver: bool,
    pub criteria: Vec<CriterionResult>,
    /// What to do to reach the next level.
    pub next_steps: Vec<String>,
    pub figures: Figures,
}

/// Evaluates every criterion up to the configured `max_level`, applies waivers and decides
/// the level.
pub fn evaluate(inp: &Inputs<'_>) -> Verdict {
    let figures = figures::figures(inp);
    let max = inp.config.max_level();
    let rows: Vec<&Criterion> = CRITERIA.iter().filter(|c| c.level <= max).collect();
    let mut criteria: Vec<CriterionResult> = rows
        .iter()
        .map(|c| {
            let (status, detail) = judge(c, inp, &figures);
            CriterionResult {
                id: c.id.into(),
                level: c.level,
                title: c.title.into(),
                status,
                detail,
                waiver: None,
            }
        })
        .collect();
    for r in &mut criteria {
        if r.status == Status::Met {
            continue;
        }
        if let Some(w) = inp.config.waiver.iter().find(|w| {
            w.criterion.eq_ignore_ascii_case(&r.id)
                && w.project
                    .as_deref()
                    .is_none_or(|p| glob_match(p, &inp.ev.project.name))
        }) {
            r.status = Status::Waived;
            r.waiver = Some(w.reason.clone());
        }
    }
    let ok = |r: &CriterionResult| matches!(r.status, Status::Met | Status::Waived);
    let mut level = 0;
    for l in 1..=max {
        if criteria.iter().filter(|r| r.level == l).all(ok) {
            level = l;
        } else {
            break;
        }
    }
    let relies_on_waiver = criteria
        .iter()
        .any(|r| r.level <= level && r.status == Status::Waived);
    let next_steps = if level < max {
        // `rows` and `criteria` are in the same order: each result's how-to is its row's.
        criteria
            .iter()
            .zip(&rows)
            .filter(|(r, _)| r.level <= level + 1 && !ok(r))
            .map(|(r, c)| {
                format!(
                    "{} ({}): {}. {}",
                    r.id,
                    r.title,
                    sentence(&r.detail),
                    c.how_to
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Verdict {
        level,
        relies_on_waiver,
        criteria,
        next_steps,
        figures,
    }
}

fn glob_match(pattern: &str, name: &str) -> bool {
    glob::Pattern::new(pattern).map_or(pattern == name, |p| p.matches(name))
}

/// The rule of a criterion: an exhaustive match, so that a criterion without a function
/// does not compile.
fn judge(c: &Criterion, inp: &Inputs<'_>, f: &Figures) -> Judgement {
    let t = &inp.config.thresholds;
    match c.rule {
        Rule::L1Coverage => l1::l1_coverage(f),
        Rule::L1Ci => l1::l1_ci(inp.repo),
        Rule::L1Sizes => l1::l1_sizes(inp.ev, f),
        Rule::L1Flaky => l1::l1_flaky(inp, f),
        Rule::L1Smoke => l1::l1_smoke(f),
        Rule::L2Green => l2::l2_green(f),
        Rule::L2SmokeGate => l2::l2_smoke_gate(inp, f),
        Rule::L2Incremental => l2::incremental_all(f, t.incremental),
        Rule::L2SmallIncremental => l2::incremental_small(inp.ev, f, t.small_incremental_l2),
        Rule::L2Integration => l2::l2_integration(inp.ev),
        Rule::L3TestsForChanges => l3::l3_tests_for_changes(inp, f, t),
        Rule::L3SmallIncremental => l2::incremental_small(inp.ev, f, t.small_incremental_l3),
        Rule::L3IntegrationNew => l3::l3_integration_new(inp, f, t),
        Rule::L4SmokeAutomated => l4::l4_smoke_automated(inp, f),
        Rule::L4SmokeFast => l4::l4_smoke_fast(f, t),
        Rule::L4NoFlaky => l4::l4_no_flaky(f),
        Rule::L4Total => l4::total(f.coverage.as_ref(), t.total_l4, "all"),
        Rule::L4SmallTotal => l4::total(f.coverage_small.as_ref(), t.small_total_l4, "small"),
        Rule::L4IntegrationAll => l4::l4_integration_all(inp, t),
        Rule::L5BugfixTests => l5::l5_bugfix_tests(inp),
        Rule::L5Analysis => l5::l5_analysis(inp.repo),
        Rule::L5Total => l4::total(f.coverage.as_ref(), t.total_l5, "all"),
        Rule::L5SmallTotal => l4::total(f.coverage_small.as_ref(), t.small_total_l5, "small"),
    }
}

/// A detail as the first sentence of a next step: the advice that follows starts a new
/// sentence, so the detail must end — without doubling a full stop it already has.
fn sentence(detail: &str) -> &str {
    detail.trim_end().trim_end_matches(['.', ';', ':', ','])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `L2.small-incremental` → `L2SmallIncremental`: the name its rule must have.
    fn rule_name(id: &str) -> String {
        let mut name = String::new();
        let mut upper = true;
        for ch in id.chars() {
            if ch == '.' || ch == '-' {
                upper = true;
            } else if upper {
                name.extend(ch.to_uppercase());
                upper = false;
            } else {
                name.push(ch);
            }
        }
        name
    }

    #[test]
    fn every_criterion_has_its_own_rule() {
        for c in CRITERIA {
            assert_eq!(
                format!("{:?}", c.rule),
                rule_name(c.id),
                "the row of {}",
                c.id
            );
        }
        let mut rules: Vec<String> = CRITERIA.iter().map(|c| format!("{:?}", c.rule)).collect();
        rules.sort();
        rules.dedup();
        assert_eq!(rules.len(), CRITERIA.len(), "two rows share a rule");
    }
}
