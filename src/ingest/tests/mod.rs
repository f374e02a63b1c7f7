//! Test-result formats. Each module reads one format into [`crate::model::TestRun`].

pub mod gotest;
pub mod junit;
pub mod nunit;
pub mod trx;
mod util;
pub mod xunit;
