#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    testcert::ingest::fuzz_one(testcert::ingest::Format::MochaJson, data);
});
