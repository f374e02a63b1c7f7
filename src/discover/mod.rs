//! Finding what a repository holds: its projects, its report files, its CI.

pub mod ci;
pub mod projects;
pub mod reports;

/// Directories never searched (for reports or projects): VCS data and vendored dependencies.
pub const SKIP_DIRS: [&str; 5] = [".git", ".hg", "node_modules", "vendor", ".venv"];
