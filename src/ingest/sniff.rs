//! Format detection by content, never by file name: `coverage.xml` may be Cobertura or Clover,
//! `report.xml` anything. Looks at the first `HEAD` bytes only.

use super::Format;

/// How many leading bytes the sniffer looks at.
pub(crate) const HEAD: usize = 16 * 1024;

/// The format of the report at `path`, from its first `HEAD` bytes only (BOM and UTF-16
/// handled as when it is read), or why it is not one: how discovery decides whether a file
/// that is not named like a report is one.
pub fn sniff_file(path: &std::path::Path) -> Result<Format, String> {
    use std::io::Read;
    // Reads the head itself rather than through `open`'s large buffer: discovery sniffs
    // every candidate file of the report folders.
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut head = Vec::with_capacity(HEAD);
    file.take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read: {e}"))?;
    match super::detect_encoding(&head) {
        (super::Encoding::Utf8, skip) => sniff(&head[skip..]),
        (enc, _) => {
            let e = if enc == super::Encoding::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            let (text, _, _) = e.decode(&head);
            sniff(text.as_bytes())
        }
    }
}

/// The format of a report whose text starts with `head`, or why it is not one we read.
pub fn sniff(head: &[u8]) -> Result<Format, String> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return Err("empty file: not a report".to_string());
    }
    match t.as_bytes()[0] {
        b'<' => sniff_xml(t),
        b'{' | b'[' => sniff_json(t),
        _ => sniff_text(t),
    }
}

/// The name of the root element, skipping the prolog, comments, PIs and the DOCTYPE.
pub(crate) fn xml_root(t: &str) -> Option<&str> {
    let mut rest = t;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!DOCTYPE") {
            // An internal subset may contain '>' inside its brackets.
            let end = match (r.find('['), r.find('>')) {
                (Some(open), Some(gt)) if open < gt => {
                    let close = open + r[open..].find(']')?;
                    close + r[close..].find('>')?
                }
                (_, Some(gt)) => gt,
                _ => return None,
            };
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(r.len());
            let name = &r[..end];
            // Drop a namespace prefix (`<ns2:testsuite>`).
            return Some(name.rsplit(':').next().unwrap_or(name));
        } else {
            return None;
        }
    }
}

fn sniff_xml(t: &str) -> Result<Format, String> {
    let Some(root) = xml_root(t) else {
        return Err("XML with no root element in its first 16 KiB: not a report".to_string());
    };
    let has = |s: &str| t.contains(s);
    Ok(match root {
        "testsuites" | "testsuite" => Format::Junit,
        "coverage" => {
            // Six tools write a <coverage> root. Clover has `clover=` and <project>; Cobertura
            // has `line-rate=`, <sources> or <packages>. The others are named so that they
            // are rejected, never read as an empty Cobertura report.
            if has("clover=") || (has("<project") && !has("line-rate")) {
                Format::Clover
            } else if has("line-rate") || has("<packages") || has("<sources") {
                Format::Cobertura
            } else if has("ctcreportVersion") {
                return Err(unsupported("Testwell CTC++ XML"));
            } else if has("profilerVersion") || has("<module moduleId") {
                return Err(unsupported("NCover XML"));
            } else if has("<lineToCover") {
                return Err(unsupported("SonarQube generic coverage XML"));
            } else if has("<assembly ") && has("method-count") {
                return Err(unsupported("Mono profiler (mprof) XML"));
            } else {
                return Err(
                    "XML with a <coverage> root that is neither Cobertura (line-rate, <sources>, <packages>) nor Clover (clover=, <project>)"
                        .to_string(),
                );
            }
        }
        "report" if has("JACOCO") || has("<sessioninfo") || has("<counter ") || has("<package") => {
            Format::Jacoco
        }
        "CoverageSession" => Format::OpenCover,
        // Several OpenCover sessions wrapped in one synthetic root (ReportGenerator's
        // MultiOpenCover input).
        "root" if has("<CoverageSession") => Format::OpenCover,
        "assemblies" | "assembly" => Format::XunitV2,
        // NUnit 3, NUnit 2 (`test-results`) and bare NUnit `test-suite` fragments are one
        // format: the NUnit parser reads all three (JUnit's root is `testsuite`, no hyphen).
        "test-run" | "test-results" | "test-suite" => Format::Nunit3,
        "TestRun" => Format::Trx,
        "CoverageDSPriv" | "results" if has("<modules") || has("CoverageDSPriv") => {
            return Err(unsupported("Visual Studio / Microsoft code coverage XML"))
        }
        "PartCoverReport" => return Err(unsupported("PartCover XML")),
        "scoverage" | "statements" => return Err(unsupported("scoverage XML")),
        "coverageReport" | "coverage_report" | "Root" => {
            return Err(unsupported(&format!("coverage XML with root <{root}>")))
        }
        other => {
            return Err(format!(
                "XML with root element <{other}> is not a report format testcert reads"
            ))
        }
    })
}

fn unsupported(what: &str) -> String {
    format!("{what} is not a format testcert reads (convert it to Cobertura, e.g. with ReportGenerator)")
}

fn unsupported_tests(what: &str, converter: &str) -> String {
    format!(
        "{what} is not a format testcert reads (write JUnit XML instead, e.g. with {converter})"
    )
}

fn sniff_json(t: &str) -> Result<Format, String> {
    // go test -json: one object per line, each with "Action".
    let first_line = t.lines().next().unwrap_or("");
    // Go ≥ 1.24 may open the stream with a build event, which has `ImportPath` instead.
    if first_line.starts_with('{')
        && first_line.contains("\"Action\"")
        && (first_line.contains("\"Time\"")
            || first_line.contains("\"Package\"")
            || first_line.contains("\"ImportPath\""))
    {
        return Ok(Format::GoTestJson);
    }
    // JSON test reports of other tools: say what they are and how to get JUnit XML instead.
    if first_line.contains("\"protocolVersion\"") && first_line.contains("\"type\"") {
        return Ok(Format::DartJson);
    }
    // jest/vitest `--json` results may embed a coverage map (`statementMap`): named first.
    if t.contains("\"numTotalTests\"") && t.contains("\"testResults\"") {
        return Err(unsupported_tests(
            "Jest/Vitest JSON results (`--json`)",
            "jest-junit or vitest's junit reporter",
        ));
    }
    if t.contains("\"stats\"") && t.contains("\"passes\"") {
        return Ok(Format::MochaJson);
    }
    if t.contains("\"examples\"") && (t.contains("\"summary\"") || t.contains("\"version\"")) {
        return Ok(Format::RspecJson);
    }
    if t.contains("\"gcovr/format_version\"") {
        return Ok(Format::GcovrJson);
    }
    if t.contains("\"gcovr/summary_format_version\"")
        || (t.contains("\"line_total\"") && t.contains("\"line_covered\""))
    {
        return Ok(Format::GcovrSummary);
    }
    if t.contains("\"traces\"") && t.contains("\"coverable\"") {
        return Ok(Format::TarpaulinJson);
    }
    // llvm-cov writes its keys sorted, so `"type":"llvm.coverage.json.export"` comes after
    // the whole `"data"` array: in a large export only the opening is in the head.
    let opening: String = t.chars().filter(|c| !c.is_whitespace()).take(24).collect();
    if t.contains("\"llvm.coverage.json.export\"")
        || opening.starts_with("{\"data\":[{\"files\":[")
        || opening.starts_with("{\"data\":[{\"functions\":[")
    {
        return Ok(Format::LlvmCovJson);
    }
    if t.contains("\"statementMap\"") || t.contains("\"fnMap\"") {
        return Ok(Format::IstanbulJson);
    }
    if t.contains("\"meta\"")
        && (t.contains("\"executed_lines\"")
            || t.contains("\"coverage.py\"")
            || t.contains("\"show_contexts\""))
    {
        return Ok(Format::CoveragePyJson);
    }
    if t.contains("\"total\"") && t.contains("\"lines\"") && t.contains("\"pct\"") {
        return Ok(Format::IstanbulSummary);
    }
    if t.starts_with('{') && t[1..].trim_start().starts_with('}') {
        return Err("empty JSON object: not a report".to_string());
    }
    Err("JSON that is not a coverage or test report testcert reads (llvm-cov export, Istanbul, coverage.py, gcovr, tarpaulin, go test -json, Mocha, RSpec)".to_string())
}

fn sniff_text(t: &str) -> Result<Format, String> {
    let first = t
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.starts_with("GROUP,PACKAGE,CLASS,") && first.contains("LINE_COVERED") {
        return Ok(Format::JacocoCsv);
    }
    if let Some(mode) = first.strip_prefix("mode:") {
        return match mode.trim() {
            "set" | "count" | "atomic" => Ok(Format::GoCoverprofile),
            m => Err(format!("Go coverprofile with unknown mode {m:?}")),
        };
    }
    const LCOV_KEYS: [&str; 13] = [
        "TN:",
        "SF:",
        "VER:",
        "FN:",
        "FNL:",
        "FNA:",
        "FNDA:",
        "FNF:",
        "DA:",
        "BRDA:",
        "LF:",
        "LH:",
        "end_of_record",
    ];
    if LCOV_KEYS.iter().any(|k| first.starts_with(k)) {
        return Ok(Format::Lcov);
    }
    // go test -json captured with `2>&1`: build output before the first event.
    if t.lines().any(|l| {
        l.starts_with('{')
            && l.contains("\"Action\"")
            && (l.contains("\"Time\"") || l.contains("\"Package\""))
    }) {
        return Ok(Format::GoTestJson);
    }
    if first.contains(":Source:") || first.starts_with("-:") {
        return Err(unsupported("gcov text output"));
    }
    Err("not a coverage or test report: unrecognised content".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(xml_root("<?xml version='1.0'?>\n<!-- c --><a/>"), Some("a"));
        assert_eq!(
            xml_root("<!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\">"),
            Some("report")
        );
        assert_eq!(xml_root("<!DOCTYPE r [<!ENTITY a \">\">]><r>"), Some("r"));
        assert_eq!(xml_root("<ns:testsuite>"), Some("testsuite"));
    }

    #[test]
    fn formats() {
        let f = |s: &str| sniff(s.as_bytes());
        assert_eq!(f("TN:\nSF:a\n"), Ok(Format::Lcov));
        assert_eq!(f("mode: atomic\n"), Ok(Format::GoCoverprofile));
        assert_eq!(
            f("<coverage line-rate=\"1\"><sources/>"),
            Ok(Format::Cobertura)
        );
        assert_eq!(
            f("<coverage generated=\"1\" clover=\"4\"><project>"),
            Ok(Format::Clover)
        );
        assert_eq!(f("<testsuite name=\"x\">"), Ok(Format::Junit));
        assert_eq!(f("<test-run id=\"2\">"), Ok(Format::Nunit3));
        assert_eq!(f("<test-results name=\"a.dll\">"), Ok(Format::Nunit3));
        assert_eq!(
            f("\u{feff}<test-suite type=\"Assembly\">"),
            Ok(Format::Nunit3)
        );
        assert_eq!(
            f("<root>\n  <CoverageSession xmlns:xsd=\"x\">"),
            Ok(Format::OpenCover)
        );
        assert_eq!(
            f("{\"Time\":\"2024\",\"Action\":\"run\",\"Package\":\"p\"}\n"),
            Ok(Format::GoTestJson)
        );
        assert_eq!(
            f("{\"ImportPath\":\"p [p.test]\",\"Action\":\"build-output\",\"Output\":\"# p\\n\"}\n"),
            Ok(Format::GoTestJson)
        );
        assert_eq!(
            f("{\"protocolVersion\":\"0.1.1\",\"runnerVersion\":\"1\",\"type\":\"start\",\"time\":0}\n"),
            Ok(Format::DartJson)
        );
        let e = f("{\"numTotalTests\":1,\"testResults\":[],\"coverageMap\":{\"statementMap\":{}}}")
            .unwrap_err();
        assert!(e.contains("is not a format testcert reads"), "{e}");
        assert_eq!(
            f("{\n  \"stats\": {\n    \"suites\": 0,\n    \"passes\": 0\n  }, \"tests\": []\n}"),
            Ok(Format::MochaJson)
        );
        assert_eq!(
            f("{\n  \"version\": \"3.13.0\",\n  \"examples\": [],\n  \"summary\": {}\n}"),
            Ok(Format::RspecJson)
        );
        assert_eq!(
            f("{\"gcovr/format_version\":\"0.15\",\"files\":[]}"),
            Ok(Format::GcovrJson)
        );
        assert_eq!(
            f("{\"root\":\"..\",\"gcovr/summary_format_version\":\"0.6\",\"files\":[]}"),
            Ok(Format::GcovrSummary)
        );
        assert_eq!(
            f("{\"files\":[{\"path\":[\"a.rs\"],\"traces\":[],\"covered\":0,\"coverable\":0}]}"),
            Ok(Format::TarpaulinJson)
        );
        assert_eq!(
            f("GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED\n"),
            Ok(Format::JacocoCsv)
        );
        assert_eq!(
            f("# p [p.test]\n{\"Time\":\"t\",\"Action\":\"run\",\"Package\":\"p\"}\n"),
            Ok(Format::GoTestJson)
        );
        // A large llvm-cov export: "type" is past the head.
        assert_eq!(
            f("{\"data\":[{\"files\":[{\"branches\":[],\"filename\":\"a.rs\""),
            Ok(Format::LlvmCovJson)
        );
        assert_eq!(
            f("{\n  \"data\": [\n    {\n      \"files\": ["),
            Ok(Format::LlvmCovJson)
        );
        assert_eq!(
            f("{\"meta\": {\"format\": 3, \"version\": \"7.17.3\"}, \"files\": {\"a.py\": {\"executed_lines\": [1]"),
            Ok(Format::CoveragePyJson)
        );
        assert_eq!(
            f("{\"total\": {\"lines\":{\"total\":1,\"covered\":1,\"skipped\":0,\"pct\":100}}}"),
            Ok(Format::IstanbulSummary)
        );
        assert!(f("").is_err());
        assert!(f("hello").is_err());
        // <coverage> roots that are neither Cobertura nor Clover are rejected, by name.
        for (doc, name) in [
            ("<coverage ctcreportVersion=\"10\"><file>", "CTC++"),
            (
                "<coverage profilerVersion=\"1.5.8\"><module moduleId=\"2\">",
                "NCover",
            ),
            (
                "<coverage version=\"1\"><file path=\"a\"><lineToCover lineNumber=\"8\"/>",
                "SonarQube",
            ),
            (
                "<coverage version=\"0.3\"><assembly name=\"T\" method-count=\"81\"/>",
                "mprof",
            ),
            ("<coverage/>", "neither Cobertura"),
        ] {
            let e = f(doc).unwrap_err();
            assert!(e.contains(name), "{e}");
        }
        assert!(f("<html>").is_err());
    }
}
