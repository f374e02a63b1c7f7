//! Where a failure says it happened: the first `path:line` in its message or text (JUnit's
//! testcases rarely carry `file`/`line` attributes; their failure texts usually do).

/// Only the first lines of a message or text are searched for a `path:line`.
const LOCATION_LINES: usize = 200;

/// The first `path:line` a failure names: a line starting with `path:line:` (`a.cpp:12: FAILED:`,
/// `tests/x.py:10: AssertionError`) or holding `at path:line` at its end or before a colon
/// (Catch2 `at /src/a.cpp:19`, Rust `panicked at src/a.rs:154:5:`).
pub(crate) fn find_location(s: &str) -> Option<(String, Option<u32>)> {
    // memchr's searcher rather than `str::find`'s two-way one: stack traces hold a lot of
    // lines with `at `, and this runs on every failure text of a testcase without `file`.
    // Built once: building it costs more than searching a short message.
    static AT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"at "));
    let at_finder = &*AT;
    for line in s.lines().take(LOCATION_LINES) {
        let line = line.trim();
        let first = first_token(line);
        if first.ends_with(':') {
            if let Some(loc) = location_token(first) {
                return Some(loc);
            }
        }
        let mut rest = line;
        while let Some(i) = at_finder.find(rest.as_bytes()) {
            let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
            rest = &rest[i + 3..];
            if !before_ok {
                continue;
            }
            let token = first_token(rest);
            let ends_line = rest.trim_start().len() == token.len();
            if ends_line || token.ends_with(':') {
                if let Some(loc) = location_token(token) {
                    return Some(loc);
                }
            }
        }
    }
    None
}

/// `s.split_whitespace().next().unwrap_or("")`, by bytes: stack traces put hundreds of lines
/// through this, and the char-by-char Unicode walk was a tenth of a JUnit file's read. A byte
/// whose whitespace-ness differs between ASCII and Unicode (non-ASCII, or U+000B, which
/// `is_ascii_whitespace` leaves out) hands the string to `split_whitespace` itself.
fn first_token(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: u8| c < 0x80 && c != 0x0B;
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    while i < b.len() && !b[i].is_ascii_whitespace() {
        if !plain(b[i]) {
            return s.split_whitespace().next().unwrap_or("");
        }
        i += 1;
    }
    &s[start..i]
}

/// `path:line`, `path:line:col`, with an optional trailing `:`.
fn location_token(token: &str) -> Option<(String, Option<u32>)> {
    let t = token.strip_suffix(':').unwrap_or(token);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (a, n1) = t.rsplit_once(':')?;
    if !digits(n1) {
        return None;
    }
    let (path, line) = match a.rsplit_once(':') {
        Some((p, n0)) if digits(n0) => (p, n0),
        _ => (a, n1),
    };
    let plausible = !path.is_empty()
        && !path.contains(['(', ')', '<', '>', '"', '\'', '[', ']', '='])
        && (path.contains('.') || path.contains('/') || path.contains('\\'))
        && !path.ends_with('.');
    if !plausible {
        return None;
    }
    let line = line.parse::<u32>().ok().filter(|&l| l > 0);
    Some((path.to_string(), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_token_is_split_whitespace_first() {
        let pieces = [
            "", " ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\u{85}", "\u{A0}", "\u{2028}", "a",
            "at", ":", "é", "x.rs:1:", "(", "1",
        ];
        // Every string of up to four pieces: 17^4 cases, each against the std definition.
        let mut s = String::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        s.clear();
                        s.push_str(a);
                        s.push_str(b);
                        s.push_str(c);
                        s.push_str(d);
                        assert_eq!(
                            first_token(&s),
                            s.split_whitespace().next().unwrap_or(""),
                            "{s:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn location_tokens() {
        assert_eq!(
            location_token("C:\\src\\a.cpp:12:"),
            Some(("C:\\src\\a.cpp".into(), Some(12)))
        );
        assert_eq!(
            location_token("src/a.rs:154:5:"),
            Some(("src/a.rs".into(), Some(154)))
        );
        assert_eq!(location_token("E:"), None);
        assert_eq!(location_token("a.B.c(B.java:20)"), None);
        assert_eq!(location_token("12:30:"), None);
    }
}
