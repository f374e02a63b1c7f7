//! Escaping for every output context, one function each. Names, paths, messages and numbers in
//! reports and configs come from the repository under test (a pull request from a fork controls
//! all of them), so whatever testcert writes escapes them for where they land:
//!
//! - the terminal and the Actions log (text report, warnings, errors, `inspect`): [`text`];
//! - job summaries, comments, `summary.md`: [`markdown`];
//! - `index.html`: [`html`];
//! - badge SVGs: [`xml`];
//! - comments `init` writes into `testcert.toml`: [`toml_comment`];
//! - GitHub workflow command messages and properties: [`workflow_data`], [`workflow_property`].

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must never reach a terminal or log as itself: C0/C1 controls and DEL (line
/// breaks start a workflow command, ESC and BEL drive the terminal), the Unicode line and
/// paragraph separators, and the bidirectional overrides that make text display in another
/// order than it reads.
fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal or the Actions log: control characters are shown as Rust-style escapes
/// (`\n`, `\r`, `\t`, `\u{1b}`), never emitted, so no name can start a line, a workflow command
/// or a terminal sequence; the legacy `##[command]` form, which the runner honours mid-line,
/// is broken up as `##\[`.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) && !s.contains("##[") {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut hashes = 0;
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '[' if hashes >= 2 => out.push_str("\\["),
            c if is_hostile(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
    }
    Cow::Owned(out)
}

/// A comment line in `testcert.toml`: a line break would end the comment and make the rest a
/// live table, and TOML forbids other control characters in comments, so the text escapes.
pub fn toml_comment(s: &str) -> Cow<'_, str> {
    text(s)
}

/// Text for a Markdown table cell or line: names come from reports and configs.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_hostile(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML content and quoted attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document at all (`Char` production): not most C0 controls,
/// not U+FFFE/U+FFFF. Escaping as a character reference does not help: `&#xFFFF;` is
/// forbidden too.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Text for XML content and quoted attributes (badge SVGs): the five predefined entities, as
/// badge-maker escapes them, and U+FFFD for each character XML forbids, so the document stays
/// well-formed whatever the name.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if !xml_char(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A workflow command's message (`%`, `\r`, `\n`), as `@actions/core` escapes it.
pub fn workflow_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: the message escapes plus `:` and `,`.
pub fn workflow_property(s: &str) -> String {
    workflow_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_never_emits_controls() {
        let hostile = "a\n::stop-commands::x\r\u{1b}]0;title\u{7}\u{9b}\u{202e}b\u{2028}";
        let t = text(hostile);
        assert!(!t.chars().any(is_hostile), "{t:?}");
        assert_eq!(
            t,
            "a\\n::stop-commands::x\\r\\u{1b}]0;title\\u{7}\\u{9b}\\u{202e}b\\u{2028}"
        );
        assert_eq!(text("x ##[error]y"), "x ##\\[error]y");
        assert_eq!(text("#[a] ###[b]"), "#[a] ###\\[b]");
        assert!(matches!(text("plain/name.rs"), Cow::Borrowed(_)));
    }

    #[test]
    fn xml_is_well_formed_for_forbidden_characters() {
        assert_eq!(
            xml("a\u{fffe}b\u{ffff}\u{1}<&"),
            "a\u{fffd}b\u{fffd}\u{fffd}&lt;&amp;"
        );
        assert_eq!(xml("tab\tnl\n😀"), "tab\tnl\n😀");
    }

    #[test]
    fn markdown_and_html_escape_markup() {
        assert_eq!(markdown("<b>|x"), "\\<b\\>\\|x");
        assert_eq!(markdown("a\u{1b}b"), "a\u{fffd}b");
        assert_eq!(html("<img src=x onerror=1>"), "&lt;img src=x onerror=1&gt;");
        assert_eq!(workflow_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
