//! Small wording helpers every output shares: plurals, lists, percentages, line ranges.

/// A ratio as a percentage with one decimal: `0.4567` → `45.7%`.
pub fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
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

/// `3-5,9,12-14` for at most `max` runs.
pub fn line_ranges(lines: &[u32], max: usize) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == l => *end = l,
            _ => runs.push((l, l)),
        }
    }
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
    fn ranges() {
        assert_eq!(line_ranges(&[1, 2, 3, 7, 9, 10], 6), "1-3,7,9-10");
        assert_eq!(line_ranges(&[1, 3, 5], 2), "1,3,…");
    }
}
