//! Badges: a shields.io "flat" SVG and the shields.io endpoint JSON, per project and for the
//! repository (its lowest project level).
//!
//! The SVG is laid out as shields' `badge-maker` 4.x lays out a flat badge without logo or
//! links (`lib/badge-renderers.js`, class `Flat`), so that the committed SVG and
//! `img.shields.io/endpoint?url=…` draw the same picture: 20 px high, text measured with the
//! 11px Verdana width table shields uses (vendored, see `verdana-11px-normal.NOTICE.md`), each
//! text width truncated to an integer and rounded up to an odd number, 5 px padding on each
//! side, corners rounded 3 px, a 10 % grey gradient, and every text drawn twice (a shadow one
//! pixel lower at 30 % opacity). Text is white with a dark shadow on dark backgrounds and
//! `#333` with a light shadow on light ones, by the same brightness rule badge-maker uses.
//! `tests/badges.rs` compares the output with badge-maker's byte for byte.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::OnceLock;

use crate::result::CheckResult;

/// The label of every badge.
pub const LABEL: &str = "test certified";

/// File stem of the repository's badge (`testcert.svg`, `testcert.json`).
pub const REPOSITORY_STEM: &str = "testcert";

/// A badge colour: the shields.io name (endpoint JSON) and the hex it stands for (SVG).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color {
    pub name: &'static str,
    pub hex: &'static str,
}

pub const RED: Color = Color {
    name: "red",
    hex: "#e05d44",
};
pub const ORANGE: Color = Color {
    name: "orange",
    hex: "#fe7d37",
};
pub const YELLOW: Color = Color {
    name: "yellow",
    hex: "#dfb317",
};
pub const GREEN: Color = Color {
    name: "green",
    hex: "#97ca00",
};
pub const BRIGHTGREEN: Color = Color {
    name: "brightgreen",
    hex: "#4c1",
};
pub const BLUE: Color = Color {
    name: "blue",
    hex: "#007ec6",
};
pub const LIGHTGREY: Color = Color {
    name: "lightgrey",
    hex: "#9f9f9f",
};
/// The label's background.
const LABEL_HEX: &str = "#555";

/// The colour of a level (TEST_CERTIFIED.md, "Badges"): level 3 is the top of the default
/// ladder, so it is bright green when the ladder ends there and green when 4 and 5 follow.
pub fn level_color(level: u8, max_level: u8) -> Color {
    match level {
        0 => RED,
        1 => ORANGE,
        2 => YELLOW,
        3 if max_level <= 3 => BRIGHTGREEN,
        3 => GREEN,
        4 => BRIGHTGREEN,
        _ => BLUE,
    }
}

/// What one badge says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    pub label: String,
    pub message: String,
    pub color: Color,
}

impl Badge {
    /// The badge of a level; `waived` adds the `*` of a level that relies on a waiver.
    pub fn level(level: u8, waived: bool, max_level: u8) -> Badge {
        Badge {
            label: LABEL.to_string(),
            message: super::level_label(level, waived),
            color: level_color(level, max_level),
        }
    }

    /// A project's badge: the label names the project, so that several badges side by side
    /// can be told apart (`test certified (core)`).
    pub fn project(name: &str, level: u8, waived: bool, max_level: u8) -> Badge {
        let mut b = Badge::level(level, waived, max_level);
        let name = display_text(name);
        if !name.is_empty() {
            b.label = format!("{LABEL} ({name})");
        }
        b
    }

    /// The shields.io endpoint JSON (`https://img.shields.io/endpoint?url=…` draws the same
    /// badge from it), with a final newline.
    pub fn endpoint_json(&self) -> String {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Endpoint<'a> {
            schema_version: u8,
            label: &'a str,
            message: &'a str,
            color: &'a str,
        }
        let v = Endpoint {
            schema_version: 1,
            label: &self.label,
            message: &self.message,
            color: self.color.name,
        };
        let mut s = serde_json::to_string_pretty(&v).expect("JSON");
        s.push('\n');
        s
    }

    /// The flat SVG, as badge-maker writes it (one line, no final newline).
    pub fn svg(&self) -> String {
        svg(&self.label, &self.message, self.color.hex)
    }
}

/// Text as a badge shows it: control characters (which XML 1.0 cannot carry even escaped)
/// removed, then trimmed as JavaScript's `String.prototype.trim` trims, as badge-maker does.
pub fn display_text(s: &str) -> String {
    let cleaned: String = s.chars().filter(|c| !c.is_control()).collect();
    cleaned.trim_matches(is_js_whitespace).to_string()
}

/// ECMAScript WhiteSpace and LineTerminator: what `trim()` and `\s` match.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// The 11px Verdana width table: sorted `(first, last, width)` code point ranges.
fn table() -> &'static [(u32, u32, f64)] {
    static TABLE: OnceLock<Vec<(u32, u32, f64)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(include_str!("verdana-11px-normal.json"))
            .expect("the vendored width table is valid JSON")
    })
}

fn char_width(c: u32) -> Option<f64> {
    if c <= 31 || c == 127 {
        return Some(0.0);
    }
    let t = table();
    let i = t.partition_point(|&(first, _, _)| first <= c);
    let (first, last, w) = *t.get(i.checked_sub(1)?)?;
    (first..=last).contains(&c).then_some(w)
}

/// Width of `text` in 11px Verdana, in pixels, as anafanafo computes it: the sum of the
/// characters' widths, left to right; a character the table lacks counts as wide as `m`.
pub fn text_width(text: &str) -> f64 {
    let em = char_width('m' as u32).expect("m has a width");
    text.chars()
        .fold(0.0, |acc, c| acc + char_width(c as u32).unwrap_or(em))
}

/// badge-maker's `preferredWidthOf`: truncated to an integer, then rounded up to an odd
/// number ("to increase chances of pixel grid alignment").
pub fn preferred_width(text: &str) -> u32 {
    let w = text_width(text).trunc() as u32;
    if w % 2 == 0 {
        w + 1
    } else {
        w
    }
}

/// badge-maker's brightness (ITU-R 601 luma, rounded to two decimals).
fn brightness(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let full: String = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    let ch = |i: usize| u32::from_str_radix(&full[i..i + 2], 16).unwrap_or(0) as f64;
    let b = (ch(0) * 299.0 + ch(2) * 587.0 + ch(4) * 114.0) / 255_000.0;
    (b * 100.0).round() / 100.0
}

/// Text and shadow colours for a background.
fn text_colors(background_hex: &str) -> (&'static str, &'static str) {
    if brightness(background_hex) <= 0.69 {
        ("#fff", "#010101")
    } else {
        ("#333", "#ccc")
    }
}

/// XML escaping as badge-maker does it (the five predefined entities), and no character
/// XML forbids.
pub use crate::escape::xml as escape_xml;

/// A flat badge. `label` may be empty (message only); both are cleaned by [`display_text`].
pub fn svg(label: &str, message: &str, color_hex: &str) -> String {
    const HEIGHT: u32 = 20;
    const PAD: u32 = 5;
    let label = display_text(label);
    let message = display_text(message);
    let has_label = !label.is_empty();
    let label_color = if has_label { LABEL_HEX } else { color_hex };
    let label_width = if has_label {
        preferred_width(&label)
    } else {
        0
    };
    let left = if has_label { label_width + 2 * PAD } else { 0 };
    let message_width = preferred_width(&message);
    // badge-maker: leftWidth - 1 with a message, + 1 without a label.
    let mut message_margin = left as i64 - i64::from(!message.is_empty());
    if !has_label {
        message_margin += 1;
    }
    let right = message_width + 2 * PAD;
    let width = left + right;
    let accessible = if has_label {
        format!("{label}: {message}")
    } else {
        message.clone()
    };
    let acc = escape_xml(&accessible);

    let mut s = String::with_capacity(1200);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" height="{HEIGHT}" role="img" aria-label="{acc}"><title>{acc}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{left}" height="{HEIGHT}" fill="{label_color}"/><rect x="{left}" width="{right}" height="{HEIGHT}" fill="{color_hex}"/><rect width="{width}" height="{HEIGHT}" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">"##
    );
    let mut text = |margin: i64, content: &str, bg: &str, text_width: u32| {
        if content.is_empty() {
            return;
        }
        let (fill, shadow) = text_colors(bg);
        // 10 × (margin + width / 2 + padding): an integer, the width being odd.
        let x = 10 * margin + 5 * i64::from(text_width) + 10 * i64::from(PAD);
        let len = 10 * text_width;
        let t = escape_xml(content);
        let _ = write!(
            s,
            r#"<text aria-hidden="true" x="{x}" y="150" fill="{shadow}" fill-opacity=".3" transform="scale(.1)" textLength="{len}">{t}</text><text x="{x}" y="140" transform="scale(.1)" fill="{fill}" textLength="{len}">{t}</text>"#
        );
    };
    text(1, &label, label_color, label_width);
    text(message_margin, &message, color_hex, message_width);
    s.push_str("</g></svg>");
    s
}

/// A file stem that is safe on every file system and in a URL: ASCII letters, digits, `-`,
/// `_` and `.` kept, anything else (`/`, `\`, spaces, control and non-ASCII characters)
/// becomes `_`; no leading dot (so no `.`, `..` or hidden file); at most 80 bytes; Windows'
/// reserved device names get a `_`.
pub fn safe_stem(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s = s.trim_start_matches('.').to_string();
    s = s.trim_end_matches(['.', ' ']).to_string();
    s.truncate(80);
    if s.is_empty() {
        s = "project".to_string();
    }
    let upper = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        s.push('_');
    }
    s
}

/// File stems for projects, in the order given: [`safe_stem`] of each name, unique without
/// regard to case (case-insensitive file systems) and distinct from the repository's
/// `testcert`. Collisions are resolved by sorted name, then path: the first keeps the stem,
/// the next get `-2`, `-3`, … — the same names always get the same files.
pub fn file_stems(projects: &[(&str, &str)]) -> Vec<String> {
    let mut order: Vec<usize> = (0..projects.len()).collect();
    order.sort_by(|&a, &b| projects[a].cmp(&projects[b]));
    let mut taken: BTreeSet<String> = BTreeSet::new();
    taken.insert(REPOSITORY_STEM.to_string());
    let mut stems = vec![String::new(); projects.len()];
    for i in order {
        let base = safe_stem(projects[i].0);
        let mut stem = base.clone();
        let mut n = 2;
        while taken.contains(&stem.to_ascii_lowercase()) {
            stem = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(stem.to_ascii_lowercase());
        stems[i] = stem;
    }
    stems
}

/// One badge file to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeFile {
    /// File name inside the badge folder (`core.svg`, `testcert.json`).
    pub name: String,
    pub contents: String,
}

/// The repository's badge: its lowest project level, with `*` when a project at that level
/// relies on a waiver; `no projects` (light grey) when there is none.
pub fn repository_badge(r: &CheckResult) -> Badge {
    if r.projects.is_empty() {
        return Badge {
            label: LABEL.to_string(),
            message: "no projects".to_string(),
            color: LIGHTGREY,
        };
    }
    let level = r.repository_level();
    let waived = r
        .projects
        .iter()
        .any(|p| p.level == level && p.relies_on_waiver);
    Badge::level(level, waived, r.max_level)
}

/// Every badge file of a result: per project `<stem>.svg` and `<stem>.json`, then the
/// repository's `testcert.svg` and `testcert.json`. Returns the project stems too (same
/// order as `r.projects`), for outputs that link the files.
pub fn files(r: &CheckResult) -> (Vec<BadgeFile>, Vec<String>) {
    let keys: Vec<(&str, &str)> = r
        .projects
        .iter()
        .map(|p| (p.name.as_str(), p.path.as_str()))
        .collect();
    let stems = file_stems(&keys);
    let mut out = Vec::with_capacity(2 * r.projects.len() + 2);
    let mut push = |stem: &str, b: &Badge| {
        out.push(BadgeFile {
            name: format!("{stem}.svg"),
            contents: b.svg(),
        });
        out.push(BadgeFile {
            name: format!("{stem}.json"),
            contents: b.endpoint_json(),
        });
    };
    for (p, stem) in r.projects.iter().zip(&stems) {
        let b = Badge::project(&p.name, p.level, p.relies_on_waiver, r.max_level);
        push(stem, &b);
    }
    push(REPOSITORY_STEM, &repository_badge(r));
    (out, stems)
}

/// Writes every badge file into `dir` (created when missing), each atomically.
pub fn write(dir: &std::path::Path, r: &CheckResult) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the badge folder {}", dir.display()))?;
    let files = files(r).0;
    crate::output::write_many(
        files
            .iter()
            .map(|f| (dir.join(&f.name), f.contents.as_bytes())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_table() {
        // From anafanafo's table: `t` 4.33, `e` 6.55, `s` 5.73.
        assert!((text_width("test") - (4.33 + 6.55 + 5.73 + 4.33)).abs() < 1e-9);
        assert_eq!(char_width(0x1f), Some(0.0));
        // A character the table lacks counts as `m`.
        assert_eq!(text_width("\u{10ffff}"), text_width("m"));
        assert_eq!(preferred_width(""), 1);
        assert_eq!(preferred_width("test certified") % 2, 1);
    }

    #[test]
    fn colours() {
        assert_eq!(level_color(3, 3), BRIGHTGREEN);
        assert_eq!(level_color(3, 5), GREEN);
        assert_eq!(level_color(5, 5), BLUE);
        assert_eq!(text_colors("#555"), ("#fff", "#010101"));
        assert_eq!(text_colors("#dfb317"), ("#fff", "#010101"));
        assert_eq!(text_colors("#ffffff"), ("#333", "#ccc"));
    }

    #[test]
    fn stems_are_safe_and_unique() {
        assert_eq!(safe_stem("../x"), "_x");
        assert_eq!(safe_stem(".."), "project");
        assert_eq!(safe_stem("a/b"), "a_b");
        assert_eq!(safe_stem("nul"), "nul_");
        assert_eq!(safe_stem("caf\u{e9}\n"), "caf__");
        let stems = file_stems(&[("a/b", "2"), ("a_b", "1"), ("A_B", "0"), ("testcert", "")]);
        assert_eq!(stems, ["a_b-2", "a_b-3", "A_B", "testcert-2"]);
        // Order of discovery does not matter.
        let again = file_stems(&[("testcert", ""), ("A_B", "0"), ("a_b", "1"), ("a/b", "2")]);
        assert_eq!(again, ["testcert-2", "A_B", "a_b-3", "a_b-2"]);
    }
}
