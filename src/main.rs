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
    std::process::exit(testcert::cli::main());
}
