//! Renderers: pure functions of a [`crate::result::CheckResult`] to bytes.

pub mod badge;
pub mod github;
mod json;
pub mod markdown;
pub mod text;

use crate::result::CheckResult;

/// The check JSON contract (README, "check JSON"), pretty-printed with a final newline.
pub fn json(result: &CheckResult) -> String {
    let mut out = Vec::new();
    json_to(&mut out, result).expect("the result serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`json`] written into `w` as it is made: a large repository's result is tens of MB,
/// which need not be held as one string besides the result.
pub fn json_to(w: &mut dyn std::io::Write, result: &CheckResult) -> std::io::Result<()> {
    json::result_to(&mut *w, result)?;
    w.write_all(b"\n")
}

/// `level 2`, `level 2*` when the level relies on a waiver.
pub(crate) fn level_label(level: u8, waived: bool) -> String {
    format!("level {level}{}", if waived { "*" } else { "" })
}
