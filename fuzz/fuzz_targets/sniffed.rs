#![no_main]
// The whole ingest path as a user hits it: sniff, then parse with whatever was detected.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(format) = testcert::ingest::sniff::sniff(data) {
        testcert::ingest::fuzz_one(format, data);
    }
});
