//! The projects of a repository.

use std::path::Path;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::evidence::Project;

/// Every project under `root`, sorted by path, never empty (the root is one project when
/// nothing else is found). Cargo workspace members via `cargo metadata`; `[[project]]`
/// tables (globs allowed); `package.json` workspaces, `pyproject.toml`, `go.mod` manifests.
pub fn projects(_root: &Path, _config: &Config) -> Result<Vec<Project>> {
    bail!("project discovery is not written yet")
}
