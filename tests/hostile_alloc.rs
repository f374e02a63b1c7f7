//! Peak memory of reading a report with one absurd token: bounded by the token limit, not by
//! the token. A counting allocator (this test binary's alone, one test so nothing else runs
//! beside it) records the peak of live heap bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

const MIB: usize = 1024 * 1024;

#[test]
fn an_absurd_token_is_not_buffered_whole() {
    let dir = std::env::temp_dir().join(format!("testcert-hostile-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, head) in [
        ("lcov.info", "TN:\nSF:a.c\nDA:1,"),
        (
            "junit.xml",
            "<testsuite name=\"s\"><testcase name=\"a\"><failure>",
        ),
        ("big-tag.xml", "<testsuite name=\"s\"><testcase name=\""),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, head).unwrap();
        // Sparse: 200 MiB on no disk, zeros after a valid head.
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(200 * MIB as u64).unwrap();
        drop(f);
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let r = testcert::ingest::read_report(&path);
        let peak = PEAK.load(Ordering::Relaxed) - before;
        let e = r.expect_err("refused").to_string();
        assert!(e.contains(name), "{e}");
        // A buffer growing by doubling up to the limit, and the copy as it grows: at most a
        // few times the limit; the token itself is 200 MiB.
        let bound = 4 * testcert::ingest::bounded::TOKEN_LIMIT as usize;
        assert!(peak < bound, "{name}: peak {} MiB: {e}", peak / MIB);
        std::fs::remove_file(&path).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
