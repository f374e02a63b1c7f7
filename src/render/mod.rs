//! Renderers: pure functions of a [`crate::result::CheckResult`] to bytes.

pub mod badge;
pub mod github;
pub mod markdown;
pub mod text;

use crate::result::CheckResult;

/// The check JSON contract (README, "check JSON"), pretty-printed with a final newline.
pub fn json(result: &CheckResult) -> String {
    let mut s = serde_json::to_string_pretty(result).expect("the result serializes");
    s.push('\n');
    s
}

/// `level 2`, `level 2*` when the level relies on a waiver.
pub(crate) fn level_label(level: u8, waived: bool) -> String {
    format!("level {level}{}", if waived { "*" } else { "" })
}
