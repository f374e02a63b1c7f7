#![no_main]
// The check-result readers: `render --from` (the whole result, then every renderer over it)
// and `aggregate`'s slim reader of the same JSON.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = testcert::aggregate::input::parse(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = testcert::result::CheckResult::from_json(text) {
        let _ = testcert::render::json(&r);
        let _ = testcert::render::markdown::render(&r);
        let _ = testcert::render::text::render(&r, testcert::render::text::Style { color: false });
        let _ = testcert::render::github::render(&r, "");
        let _ = testcert::render::badge::files(&r);
    }
});
