#![no_main]
// The unified-diff parser behind the changed lines (`git diff` output).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = testcert::change::parse_unified_diff(text);
    }
});
