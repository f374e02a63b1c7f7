//! Progress on long work. The library says how much work there is and how far it got; whether
//! a bar is drawn, and where, is the caller's choice: the command line passes
//! `cli::terminal_bar`, everything else gets hidden bars (the default).

use indicatif::ProgressBar;

/// Makes the bar for `files` inputs of `bytes` in all, described as `what`.
pub type NewBar = fn(files: usize, bytes: u64, what: &str) -> ProgressBar;

/// The caller's bar maker (hidden bars by default).
#[derive(Clone, Copy)]
pub struct Progress(pub NewBar);

impl Progress {
    /// Bars that draw nothing.
    pub const HIDDEN: Progress = Progress(|_, _, _| ProgressBar::hidden());

    pub(crate) fn bar(self, files: usize, bytes: u64, what: &str) -> ProgressBar {
        (self.0)(files, bytes, what)
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::HIDDEN
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}
