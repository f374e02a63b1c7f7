//! CI definitions and the CI environment.

use std::path::Path;

use crate::evidence::RepoFacts;

/// What the repository's CI definitions say, and whether this run is inside CI (`env`
/// reads an environment variable; tests pass a map).
pub fn repo_facts(_root: &Path, _env: &dyn Fn(&str) -> Option<String>) -> RepoFacts {
    RepoFacts::default()
}
