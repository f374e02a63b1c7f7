// The static musl release binaries (the Action's fallback on Linux where the glibc one does
// not start) lost a third of their time to musl's allocator, one lock for all threads:
// `check` on the 146 MB monorepo took 0.59 s against the glibc build's 0.28 s. With
// jemalloc, as ripgrep's musl builds had it, 0.41 s (the rest is musl's plain memcpy and
// memcmp). x86_64 only: jemalloc is built for one page size, and aarch64 kernels with
// 64 KiB pages exist.
#[cfg(all(target_env = "musl", target_arch = "x86_64"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    keep_memory();
    std::process::exit(testcert::cli::main());
}

/// glibc's allocator, by default, hands a block of more than 128 KiB (raised to the largest
/// freed so far) back to the kernel as soon as it is freed, and the top of a heap once twice
/// that is free; the next allocation then faults in fresh zeroed pages, one at a time. A
/// command here runs for a second and keeps most of what it builds until it exits, so
/// returning memory only to take it again is pure cost: `check` took 42,000 page faults on
/// the 146 MB monorepo and 255,000 on the 1 GB one with the defaults, 33,000 and 222,000
/// with these (about its peak RSS). Blocks of 4 MiB and more are still mapped on their own:
/// a vector growing past that (a large report's test cases) is then moved by remapping, not
/// copied with both copies alive (at 32 MiB, a 50 MB JUnit report's peak went from 47 to
/// 70 MiB); at 1 MiB, the 1 GB monorepo's read buffers were mapped and unmapped again
/// (266,000 faults).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_memory() {
    // SAFETY: mallopt only sets allocator parameters; it is called before any thread
    // exists. A value it refuses leaves the default, which is only slower.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_memory() {}
