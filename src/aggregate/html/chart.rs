//! The page's charts, drawn here as inline SVG so that they read without script: projects
//! per level over the history's snapshots (stacked areas, the highest level at the bottom,
//! with the count meeting its required level as a dashed line), and per criterion a small
//! line of how many projects it blocked at each snapshot.

use std::fmt::Write;

use super::{escape, pill};
use crate::aggregate::trends::SnapshotPoint;
use crate::aggregate::Aggregate;

const W: f64 = 900.0;
const H: f64 = 260.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// The date part of an RFC 3339 time.
fn day(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}

/// A round top for the y axis at or above `max` (1, 2 or 5 times a power of ten).
fn nice_top(max: usize) -> usize {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max.max(1) {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The "Levels over time" section: nothing without at least two snapshots to join.
pub(super) fn levels_over_time(out: &mut String, a: &Aggregate) {
    let snaps = &a.trends.snapshots;
    if snaps.len() < 2 {
        return;
    }
    let levels = usize::from(a.max_level) + 1;
    let top = nice_top(snaps.iter().map(|s| s.projects).max().unwrap_or(0));
    let n = snaps.len();
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64;
    let y = |v: usize| TOP + (H - TOP - BOTTOM) * (1.0 - v as f64 / top as f64);
    let _ = write!(
        out,
        r##"<section class="chart" id="levels-over-time"><h2>Projects per level over time</h2>
<div class="scroll"><svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="lot-title lot-desc"><title id="lot-title">Projects per level at each of the last {n} snapshots</title><desc id="lot-desc">From {} to {}: stacked areas, the highest level at the bottom; the dashed line is the projects at or above their required level.</desc>"##,
        escape(day(&snaps[0].snapshot)),
        escape(day(&snaps[n - 1].snapshot)),
    );
    // Grid and y axis: 0, half, top.
    for v in [0, top / 2, top] {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d1d9e0"/><text x="{}" y="{:.1}" text-anchor="end" font-size="13" fill="#59636e">{v}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            y = y(v),
        );
    }
    // One band per level, highest at the bottom: its lower edge is the levels above it.
    let below = |s: &SnapshotPoint, l: usize| -> usize {
        (l + 1..levels)
            .map(|k| s.by_level.get(k).copied().unwrap_or(0))
            .sum()
    };
    for l in (0..levels).rev() {
        let mut pts = String::new();
        for (i, s) in snaps.iter().enumerate() {
            let upper = below(s, l) + s.by_level.get(l).copied().unwrap_or(0);
            let _ = write!(pts, "{:.1},{:.1} ", x(i), y(upper));
        }
        for (i, s) in snaps.iter().enumerate().rev() {
            let _ = write!(pts, "{:.1},{:.1} ", x(i), y(below(s, l)));
        }
        let (bg, _) = pill(l as u8, a.max_level);
        let _ = write!(
            out,
            r#"<polygon class="band" data-level="{l}" points="{}" fill="{bg}" fill-opacity="0.85"/>"#,
            pts.trim_end()
        );
    }
    let meeting: Vec<String> = snaps
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:.1},{:.1}", x(i), y(s.meeting_required)))
        .collect();
    let _ = write!(
        out,
        r##"<polyline class="meeting" points="{}" fill="none" stroke="#1f2328" stroke-width="2" stroke-dasharray="6 4"/>"##,
        meeting.join(" ")
    );
    // Dates under the first, the last and a few points between; a hover title per point.
    let every = n.div_ceil(6).max(1);
    for (i, s) in snaps.iter().enumerate() {
        if i == 0 || i == n - 1 || (i % every == 0 && n - 1 - i > every / 2) {
            let anchor = if i == 0 {
                "start"
            } else if i == n - 1 {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                r##"<text x="{:.1}" y="{}" text-anchor="{anchor}" font-size="13" fill="#59636e">{}</text>"##,
                x(i),
                H - 8.0,
                escape(day(&s.snapshot))
            );
        }
        let counts: Vec<String> = (0..levels)
            .rev()
            .map(|l| format!("L{l} {}", s.by_level.get(l).copied().unwrap_or(0)))
            .collect();
        let half = (W - LEFT - RIGHT) / (n - 1) as f64 / 2.0;
        let _ = write!(
            out,
            r##"<rect class="point" x="{:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="transparent"><title>{}: {} · {} of {} at the required level</title></rect>"##,
            (x(i) - half).max(LEFT),
            (2.0 * half).min(W - RIGHT - (x(i) - half).max(LEFT)),
            H - TOP - BOTTOM,
            escape(day(&s.snapshot)),
            counts.join(", "),
            s.meeting_required,
            s.projects
        );
    }
    out.push_str("</svg></div>\n<ul class=\"legend\">");
    for l in (0..levels).rev() {
        let _ = write!(out, r#"<li><span class="sw lv{l}"></span>L{l}</li>"#);
    }
    out.push_str("<li><span class=\"sw dash\"></span>at or above the required level</li></ul>\n");
    // The figures themselves, for a screen reader or a copy into a spreadsheet.
    out.push_str("<details><summary>The figures</summary><div class=\"scroll\"><table><thead><tr><th>snapshot</th><th class=\"num\">repositories</th><th class=\"num\">projects</th>");
    for l in (0..levels).rev() {
        let _ = write!(out, "<th class=\"num\">L{l}</th>");
    }
    out.push_str("<th class=\"num\">at required</th></tr></thead><tbody>");
    for s in snaps {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            escape(day(&s.snapshot)),
            s.repositories,
            s.projects
        );
        for l in (0..levels).rev() {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                s.by_level.get(l).copied().unwrap_or(0)
            );
        }
        let _ = write!(out, "<td class=\"num\">{}</td></tr>", s.meeting_required);
    }
    out.push_str("</tbody></table></div></details></section>\n");
}

/// How many projects a criterion blocked at each snapshot whose entries record criteria, as
/// a small line; empty when fewer than two such snapshots exist.
pub(super) fn blocked_over_time(a: &Aggregate, id: &str) -> String {
    const SW: f64 = 90.0;
    const SH: f64 = 22.0;
    let Some(series) = a.trends.criteria.iter().find(|c| c.id == id) else {
        return String::new();
    };
    let points: Vec<(&str, usize)> = a
        .trends
        .snapshots
        .iter()
        .zip(&series.blocking)
        .filter(|(s, _)| s.criteria_known > 0)
        .map(|(s, &b)| (day(&s.snapshot), b))
        .collect();
    let n = points.len();
    if n < 2 {
        return String::new();
    }
    let top = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let x = |i: usize| 3.0 + (SW - 6.0) * i as f64 / (n - 1) as f64;
    let y = |v: usize| 3.0 + (SH - 6.0) * (1.0 - v as f64 / top);
    let pts: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1)))
        .collect();
    let title: Vec<String> = points
        .iter()
        .map(|(d, b)| format!("{}: {b}", escape(d)))
        .collect();
    format!(
        r##"<svg class="blocked" width="{SW}" height="{SH}" viewBox="0 0 {SW} {SH}" role="img" aria-label="projects blocked at the last {n} snapshots"><title>{}</title><polyline fill="none" stroke="#cf222e" stroke-width="1.5" points="{}"/><circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#cf222e"/></svg>"##,
        title.join("\n"),
        pts.join(" "),
        x(n - 1),
        y(points[n - 1].1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_y_axis_tops_are_round() {
        assert_eq!(nice_top(0), 1);
        assert_eq!(nice_top(7), 10);
        assert_eq!(nice_top(11), 20);
        assert_eq!(nice_top(28), 50);
        assert_eq!(nice_top(25_000), 50_000);
    }
}
