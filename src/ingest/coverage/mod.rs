//! Coverage formats. Each module reads one format into [`crate::model::Coverage`].

pub mod clover;
pub mod cobertura;
pub mod coverage_py;
pub mod gocover;
pub mod istanbul;
pub mod jacoco;
mod json;
pub mod lcov;
pub mod llvm_cov;
pub mod opencover;
mod xmlcov;
