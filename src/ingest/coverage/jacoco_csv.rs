//! JaCoCo's CSV report (`jacoco:report` with CSV output, `jacococli report --csv`): one row
//! per class, `GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,
//! BRANCH_COVERED,LINE_MISSED,LINE_COVERED,COMPLEXITY_MISSED,COMPLEXITY_COVERED,
//! METHOD_MISSED,METHOD_COVERED`.
//!
//! It has no per-line data: the LINE, BRANCH and METHOD counters summed over the rows are
//! read as **totals only** (like Istanbul's summary), which is what JaCoCo's HTML report
//! prints as its Total row. Columns are found by their header name, in any order.

use std::io::BufRead;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::{Counter, Coverage, Totals};

const COLUMNS: [&str; 6] = [
    "LINE_MISSED",
    "LINE_COVERED",
    "BRANCH_MISSED",
    "BRANCH_COVERED",
    "METHOD_MISSED",
    "METHOD_COVERED",
];

pub fn parse(input: &mut dyn BufRead, _ctx: &mut Ctx) -> Result<Coverage> {
    let mut line = String::new();
    let mut lineno = 0u64;
    let read = |input: &mut dyn BufRead, line: &mut String, lineno: u64| {
        line.clear();
        input
            .read_line(line)
            .map_err(|e| ParseError::at_line(lineno + 1, 1, format!("read error: {e}")))
    };
    read(input, &mut line, lineno)?;
    lineno += 1;
    let header: Vec<&str> = line.trim_end().split(',').map(str::trim).collect();
    let mut at = [0usize; 6];
    for (i, name) in COLUMNS.iter().enumerate() {
        at[i] = header.iter().position(|h| h == name).ok_or_else(|| {
            ParseError::at_line(1, 1, format!("JaCoCo CSV header has no {name} column"))
        })?;
    }
    let width = header.len();
    let mut sums = [0u64; 6];
    let mut rows = 0u64;
    loop {
        if read(input, &mut line, lineno)? == 0 {
            break;
        }
        lineno += 1;
        let row = line.trim_end();
        if row.is_empty() {
            continue;
        }
        // Group, package and class names never hold commas (Java names cannot), so a plain
        // split is the CSV JaCoCo writes.
        let cells: Vec<&str> = row.split(',').collect();
        if cells.len() != width {
            return Err(ParseError::at_line(
                lineno,
                1,
                format!("row has {} columns, the header {width}", cells.len()),
            ));
        }
        for (i, &col) in at.iter().enumerate() {
            let v = cells[col].trim();
            let n: u64 = v.parse().map_err(|_| {
                ParseError::at_line(lineno, 1, format!("{} {v:?} is not a number", COLUMNS[i]))
            })?;
            sums[i] = sums[i].saturating_add(n);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(ParseError::new(
            "the JaCoCo CSV has a header and no class row: it holds no coverage",
        ));
    }
    let c = |missed: u64, covered: u64| Counter::new(missed.saturating_add(covered), covered);
    let mut cov = Coverage::new();
    cov.summary_only = Some(Totals {
        lines: c(sums[0], sums[1]),
        branches: c(sums[2], sums[3]),
        functions: c(sums[4], sums[5]),
    });
    Ok(cov)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED,COMPLEXITY_MISSED,COMPLEXITY_COVERED,METHOD_MISSED,METHOD_COVERED\n";

    #[test]
    fn rows_sum_to_totals() {
        let doc = format!(
            "{HEAD}app,calc,Calc,8,27,0,6,2,9,1,6,1,3\napp,calc,Calc.Inner,1,1,1,1,1,1,0,1,0,1\n"
        );
        let (c, _) = super::super::read_with(parse, &doc).unwrap();
        let t = c.summary_only.unwrap();
        assert_eq!(
            (t.lines, t.branches, t.functions),
            (Counter::new(13, 10), Counter::new(8, 7), Counter::new(5, 4))
        );
        let e = super::super::read_with(parse, &format!("{HEAD}a,b,C,1,2,3\n")).unwrap_err();
        assert_eq!(e.at.line, Some((2, 1)), "{e}");
        assert!(super::super::read_with(parse, HEAD).is_err());
    }
}
