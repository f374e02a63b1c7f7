//! The report files of a repository.

use std::path::Path;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::evidence::ReportFile;

/// Report files under `root` (default globs unless `[reports] defaults = false`, plus
/// `[reports] include`, minus `exclude`), sorted, each with its `[[reports.tag]]` size.
pub fn reports(_root: &Path, _config: &Config) -> Result<Vec<ReportFile>> {
    bail!("report discovery is not written yet")
}
