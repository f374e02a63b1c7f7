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
    // The lines before the first one that could hold a location are passed over unread
    // (most failure texts, Java and JS stack traces, have none at all).
    let b = s.as_bytes();
    let candidate = first_candidate(b)?;
    let start = memchr::memrchr(b'\n', &b[..candidate]).map_or(0, |i| i + 1);
    let before = memchr::memchr_iter(b'\n', &b[..start]).count();
    let lines = LOCATION_LINES.checked_sub(before).filter(|&n| n > 0)?;
    s[start..]
        .lines()
        .take(lines)
        .find_map(|line| in_line(line, at_finder))
}

/// The location one line names, if any (see [`find_location`]).
fn in_line(line: &str, at_finder: &memchr::memmem::Finder<'_>) -> Option<(String, Option<u32>)> {
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
    None
}

/// The offset of the first `:` in `s` that starts a possible line number: ASCII digits followed
/// by `:`, by a byte that may begin whitespace (ASCII whitespace or control, non-ASCII) or by
/// the end of `s`. Every token [`location_token`] accepts holds one: it ends `:digits:` (a
/// first token or one after `at ` that ends with `:`) or `:digits` at the end of its line (an
/// `at ` token that ends the line), and a token ends at whitespace. So no line before the one
/// holding this offset yields a location, and without one the text names none (`(B.java:20)`
/// is not one).
fn first_candidate(s: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b':', s).find(|&i| {
        let digits = s[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0
            && s.get(i + 1 + digits)
                .is_none_or(|&c| c == b':' || c <= b' ' || c >= 0x80)
    })
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

    /// [`find_location`] as it was before lines without a candidate were passed over.
    fn find_location_every_line(s: &str) -> Option<(String, Option<u32>)> {
        let at_finder = memchr::memmem::Finder::new(b"at ");
        s.lines()
            .take(LOCATION_LINES)
            .find_map(|line| in_line(line, &at_finder))
    }

    #[test]
    fn skipping_lines_finds_what_reading_every_line_finds() {
        let pieces = [
            "a.c", ":", "12", "at ", " ", "\n", "\r\n", "\u{A0}", "\u{2028}", "\u{0B}", "(", ")",
            "x/y.rs", "é", "FAILED:",
        ];
        // Every string of up to five pieces (15^5), and a seeded sample of longer ones.
        let mut s = String::new();
        let mut idx = [0usize; 5];
        loop {
            s.clear();
            for &i in &idx {
                s.push_str(pieces[i]);
            }
            assert_eq!(find_location(&s), find_location_every_line(&s), "{s:?}");
            let mut k = 0;
            while k < idx.len() {
                idx[k] += 1;
                if idx[k] < pieces.len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
            if k == idx.len() {
                break;
            }
        }
        let mut seed = 7u64;
        for _ in 0..20_000 {
            s.clear();
            for _ in 0..24 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            assert_eq!(find_location(&s), find_location_every_line(&s), "{s:?}");
        }
        // The line limit counts the lines passed over.
        for n in [LOCATION_LINES - 1, LOCATION_LINES, LOCATION_LINES + 1] {
            let s = format!("{}a.c:12: x\n", "at B.f(B.java:20)\n".repeat(n));
            assert_eq!(find_location(&s), find_location_every_line(&s), "{n}");
        }
        assert_eq!(
            find_location("\tat X.y(X.java:3)\nsrc/a.rs:154:5:\n"),
            Some(("src/a.rs".into(), Some(154)))
        );
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
