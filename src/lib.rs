//! testcert reads the coverage and test reports a repository already writes and assigns each
//! project a Test Certified level.
//!
//! Data flows one way: discover → ingest → attribute → evaluate → render. `ingest` turns every
//! report into one of two models ([`model::Coverage`], [`model::TestRun`]); `paths` maps the
//! paths reports name onto the repository.

pub mod aggregate;
pub(crate) mod attribute;
pub mod change;
pub mod check;
pub(crate) mod classify;
pub mod cli;
pub mod compare;
pub mod config;
pub mod discover;
pub mod escape;
pub mod evidence;
pub mod exit;
pub mod ingest;
pub(crate) mod init;
pub mod inspect;
pub mod ladder;
pub mod model;
pub mod output;
pub(crate) mod parallel;
pub mod paths;
pub mod progress;
pub mod render;
pub mod result;
pub(crate) mod stack;
pub mod stamp;
pub(crate) mod words;
