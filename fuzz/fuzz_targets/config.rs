#![no_main]
// The config reader: `testcert.toml` text, parsed and validated (errors are fine, panics not).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = testcert::config::Config::from_text(text, std::path::Path::new("testcert.toml"));
    }
});
