//! Test-result formats. Each module reads one format into [`crate::model::TestRun`].

pub mod dart_json;
pub mod gotest;
pub mod junit;
mod location;
pub mod mocha_json;
pub mod nunit;
mod producers;
pub mod rspec_json;
pub mod trx;
mod util;
pub mod xunit;

/// Shared by the parsers' unit tests: parse a string with `parse` and finish the run.
#[cfg(test)]
pub(crate) fn read_with(
    parse: fn(
        &mut dyn std::io::BufRead,
        &mut crate::ingest::Ctx,
    ) -> crate::ingest::error::Result<crate::model::TestRun>,
    s: &str,
) -> crate::ingest::error::Result<(crate::model::TestRun, crate::ingest::Ctx)> {
    let mut ctx = crate::ingest::Ctx::default();
    let mut input = s.as_bytes();
    let mut run = parse(&mut input, &mut ctx)?;
    if let Some(w) = run.finish().warning(run.repeats) {
        ctx.warn(w);
    }
    Ok((run, ctx))
}

/// Shared by the parsers' unit tests: (tests, passed, failed, errors, skipped, flaky).
#[cfg(test)]
pub(crate) fn totals(run: &crate::model::TestRun) -> (u64, u64, u64, u64, u64, u64) {
    let t = run.totals();
    (t.tests, t.passed, t.failed, t.errors, t.skipped, t.flaky)
}
