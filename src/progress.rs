//! Progress on long work: an indicatif bar on a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work smaller than this finishes before a bar would be worth drawing.
const MIN_BYTES: u64 = 32 * 1024 * 1024;
const MIN_FILES: usize = 50;

/// A byte-counting bar over `files` inputs of `bytes` in all, hidden when stderr is not a
/// terminal or the work is small.
pub fn bar(files: usize, bytes: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || (bytes < MIN_BYTES && files < MIN_FILES) {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}
