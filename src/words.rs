//! Small wording helpers every output shares: plurals, lists, percentages, line ranges.

/// `1 test`, `2 tests`.
pub fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", plural_s(n))
}

/// `1 entry`, `2 entries`: a word whose plural is not `word` + `s`.
pub fn plural_with(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plural ending for `n` of something: `""` for one, else `"s"`.
pub fn plural_s(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A ratio as a percentage with one decimal: `0.4567` → `45.7%`.
pub fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// [`pct`], or `–` when unknown.
pub fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_string(), pct)
}

/// `covered/total (45.7%)`, or `covered/total` when there is nothing to count.
pub fn fraction(covered: u64, total: u64) -> String {
    if total == 0 {
        return format!("{covered}/{total}");
    }
    format!("{covered}/{total} ({})", pct(covered as f64 / total as f64))
}

/// `a, b, c and 4 more`: at most `max` items, then how many were left out.
pub fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Runs of consecutive lines: `[3,4,5,9]` → `[(3,5),(9,9)]`.
pub fn line_runs(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == l => *end = l,
            _ => runs.push((l, l)),
        }
    }
    runs
}

/// `3-5,9,12-14` for at most `max` runs.
pub fn line_ranges(lines: &[u32], max: usize) -> String {
    let runs = line_runs(lines);
    let mut s = runs
        .iter()
        .take(max)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    if runs.len() > max {
        s.push_str(",…");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(plural(1, "test"), "1 test");
        assert_eq!(plural(0, "source file"), "0 source files");
        assert_eq!(percent(Some(0.4567)), "45.7%");
        assert_eq!(percent(None), "–");
        assert_eq!(fraction(1, 3), "1/3 (33.3%)");
        assert_eq!(fraction(0, 0), "0/0");
        let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(list(&items, 2), "a, b and 1 more");
        assert_eq!(list(&items, 3), "a, b, c");
    }

    #[test]
    fn line_runs_and_ranges() {
        assert_eq!(line_runs(&[3, 4, 5, 9, 11, 12]), [(3, 5), (9, 9), (11, 12)]);
        assert!(line_runs(&[]).is_empty());
        assert_eq!(line_ranges(&[1, 2, 3, 7, 9, 10], 6), "1-3,7,9-10");
        assert_eq!(line_ranges(&[1, 3, 5], 2), "1,3,…");
    }
}
