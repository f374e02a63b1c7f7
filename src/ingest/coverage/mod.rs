//! Coverage formats. Each module reads one format into [`crate::model::Coverage`].

pub mod clover;
pub mod cobertura;
pub mod coverage_py;
pub mod gcovr_json;
pub mod gocover;
pub mod istanbul;
pub mod jacoco;
pub mod jacoco_csv;
pub(crate) mod json;
pub mod lcov;
pub mod llvm_cov;
pub mod opencover;
pub mod tarpaulin;
mod xmlcov;

/// Shared by the parsers' unit tests: parse a string with `parse` and finish the model.
#[cfg(test)]
pub(crate) fn read_with(
    parse: fn(
        &mut dyn std::io::BufRead,
        &mut crate::ingest::Ctx,
    ) -> crate::ingest::error::Result<crate::model::Coverage>,
    s: &str,
) -> crate::ingest::error::Result<(crate::model::Coverage, crate::ingest::Ctx)> {
    let mut ctx = crate::ingest::Ctx::default();
    let mut input = s.as_bytes();
    let mut c = parse(&mut input, &mut ctx)?;
    c.finish();
    Ok((c, ctx))
}
