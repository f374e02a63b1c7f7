//! No input makes a parser panic: arbitrary bytes, and valid-looking documents cut or
//! corrupted at random points, go through every parser and the sniffer. A parser may accept
//! or reject them; it must return.

use proptest::prelude::*;
use testcert::ingest::{parse_as, sniff, Ctx, Format};

const FORMATS: [Format; 22] = [
    Format::Lcov,
    Format::Cobertura,
    Format::Jacoco,
    Format::Clover,
    Format::OpenCover,
    Format::GoCoverprofile,
    Format::LlvmCovJson,
    Format::IstanbulJson,
    Format::IstanbulSummary,
    Format::CoveragePyJson,
    Format::Junit,
    Format::XunitV2,
    Format::Nunit3,
    Format::Trx,
    Format::GoTestJson,
    Format::GcovrJson,
    Format::GcovrSummary,
    Format::JacocoCsv,
    Format::TarpaulinJson,
    Format::MochaJson,
    Format::RspecJson,
    Format::DartJson,
];

/// A small valid-looking document per format, to corrupt.
fn seed(format: Format) -> &'static str {
    match format {
        Format::Lcov => "TN:\nSF:a.c\nFN:1,main\nFNDA:1,main\nFNL:0,1,3\nFNA:0,1,main\nDA:1,1\nDA:2,0\nBRDA:2,0,0,-\nLF:2\nLH:1\nend_of_record\n",
        Format::Cobertura => r#"<?xml version="1.0"?><coverage line-rate="0.5"><sources><source>/src</source></sources><packages><package name="p"><classes><class name="A" filename="a.py"><methods><method name="f" signature="()"><lines><line number="1" hits="1"/></lines></method></methods><lines><line number="1" hits="1"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>"#,
        Format::Jacoco => r#"<?xml version="1.0"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd"><report name="r"><package name="com/x"><class name="com/x/A" sourcefilename="A.java"><method name="f" desc="()V" line="3"><counter type="METHOD" missed="0" covered="1"/></method></class><sourcefile name="A.java"><line nr="3" mi="0" ci="2" mb="1" cb="1"/></sourcefile></package></report>"#,
        Format::Clover => r#"<?xml version="1.0"?><coverage generated="1" clover="4.4"><project><package name="p"><file name="a.php" path="/src/a.php"><line num="1" type="method" name="f" count="1"/><line num="2" type="stmt" count="0"/><line num="3" type="cond" truecount="1" falsecount="0"/></file></package></project></coverage>"#,
        Format::OpenCover => r#"<?xml version="1.0"?><CoverageSession><Modules><Module hash="h"><Files><File uid="1" fullPath="C:\a\A.cs"/></Files><Classes><Class><FullName>A</FullName><Methods><Method visited="true"><Name>f</Name><FileRef uid="1"/><SequencePoints><SequencePoint vc="1" sl="3" el="3"/></SequencePoints><BranchPoints><BranchPoint vc="0" sl="3"/></BranchPoints></Method></Methods></Class></Classes></Module></Modules></CoverageSession>"#,
        Format::GoCoverprofile => "mode: set\ngithub.com/o/r/a.go:3.10,5.2 2 1\ngithub.com/o/r/a.go:7.1,8.2 1 0\n",
        Format::LlvmCovJson => r#"{"type":"llvm.coverage.json.export","version":"2.0.1","data":[{"files":[{"filename":"a.rs","segments":[[1,1,3,true,true,false],[2,1,0,true,true,false],[3,1,0,false,false,false]],"branches":[[2,4,2,9,1,0,0,0,4]]}],"functions":[{"name":"f","count":3,"regions":[[1,1,3,1,3,0,0,0]],"filenames":["a.rs"]}]}]}"#,
        Format::IstanbulJson => r#"{"/a.js":{"path":"/a.js","statementMap":{"0":{"start":{"line":1,"column":0},"end":{"line":1,"column":5}}},"s":{"0":1},"fnMap":{"0":{"name":"f","decl":{"start":{"line":1,"column":0},"end":{"line":1,"column":1}},"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":5}},"line":1}},"f":{"0":1},"branchMap":{"0":{"loc":{"start":{"line":1,"column":0},"end":{"line":1,"column":5}},"type":"if","locations":[],"line":1}},"b":{"0":[1,0]}}}"#,
        Format::IstanbulSummary => r#"{"total":{"lines":{"total":2,"covered":1,"skipped":0,"pct":50},"statements":{"total":2,"covered":1,"skipped":0,"pct":50},"functions":{"total":1,"covered":1,"skipped":0,"pct":100},"branches":{"total":2,"covered":1,"skipped":0,"pct":50}}}"#,
        Format::CoveragePyJson => r#"{"meta":{"version":"7.6.1","timestamp":"x","branch_coverage":true,"show_contexts":false,"format":3},"files":{"a.py":{"executed_lines":[1,2],"missing_lines":[3],"excluded_lines":[],"executed_branches":[[2,3]],"missing_branches":[[2,-1]],"summary":{}}},"totals":{}}"#,
        Format::Junit => r#"<?xml version="1.0"?><testsuites><testsuite name="s" tests="2"><properties><property name="size" value="small"/></properties><testcase classname="c" name="a" time="0.1"><failure message="boom">at x.cpp:12</failure></testcase><testcase classname="c" name="b"><flakyFailure message="m"/><system-out>o</system-out></testcase><testcase classname="c" name="c"><skipped/></testcase></testsuite></testsuites>"#,
        Format::XunitV2 => r#"<?xml version="1.0"?><assemblies><assembly name="a.dll"><collection name="c"><test name="T.A" type="T" method="A" time="0.1" result="Fail"><traits><trait name="Category" value="smoke"/></traits><failure><message>m</message></failure></test><test name="T.B" type="T" method="B" time="0" result="Skip"/></collection></assembly></assemblies>"#,
        Format::Nunit3 => r#"<?xml version="1.0"?><test-run><test-suite type="Assembly" name="a.dll"><test-suite type="TestFixture" name="F" classname="N.F"><test-case name="A" fullname="N.F.A" classname="N.F" methodname="A" result="Failed" label="Error" duration="0.1"><properties><property name="Category" value="smoke"/></properties></test-case></test-suite></test-suite></test-run>"#,
        Format::Trx => r#"<?xml version="1.0"?><TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results><UnitTestResult testId="1" testName="A" outcome="Failed" duration="00:00:01.5"><Output><ErrorInfo><Message>m</Message></ErrorInfo></Output></UnitTestResult></Results><TestDefinitions><UnitTest id="1" name="A"><TestMethod className="N.C" name="A"/></UnitTest></TestDefinitions></TestRun>"#,
        Format::GcovrJson => r#"{"gcovr/format_version":"0.15","files":[{"file":"a.c","lines":[{"line_number":3,"count":1,"branches":[{"count":1},{"count":0}],"function_name":"f"}],"functions":[{"name":"f","lineno":3,"execution_count":1}]}]}"#,
        Format::GcovrSummary => r#"{"root":"..","gcovr/summary_format_version":"0.6","line_total":2,"line_covered":1,"branch_total":2,"branch_covered":1,"function_total":1,"function_covered":1,"files":[]}"#,
        Format::JacocoCsv => "GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED,COMPLEXITY_MISSED,COMPLEXITY_COVERED,METHOD_MISSED,METHOD_COVERED\ng,p,C,1,2,0,2,1,3,0,1,0,1\n",
        Format::TarpaulinJson => r#"{"files":[{"path":["/","src","lib.rs"],"content":"","traces":[{"line":1,"address":[1],"length":1,"stats":{"Line":1}}],"covered":1,"coverable":1}],"coverage":100.0,"covered":1,"coverable":1}"#,
        Format::MochaJson => r#"{"stats":{"tests":1,"passes":1},"tests":[{"title":"a","fullTitle":"s a","file":"/t.js","duration":1,"currentRetry":0,"err":{}}],"pending":[],"failures":[],"passes":[]}"#,
        Format::RspecJson => r#"{"version":"3.12.0","examples":[{"id":"./s_spec.rb[1:1]","description":"a","full_description":"S a","status":"failed","file_path":"./s_spec.rb","line_number":3,"exception":{"class":"E","message":"m"}}],"summary":{"example_count":1,"errors_outside_of_examples_count":0}}"#,
        Format::DartJson => "{\"protocolVersion\":\"0.1.1\",\"runnerVersion\":\"1.15.4\",\"type\":\"start\",\"time\":0}\n{\"suite\":{\"id\":0,\"path\":\"t.dart\"},\"type\":\"suite\"}\n{\"test\":{\"id\":1,\"name\":\"a\",\"suiteID\":0,\"line\":3},\"type\":\"testStart\",\"time\":1}\n{\"testID\":1,\"result\":\"failure\",\"skipped\":false,\"hidden\":false,\"type\":\"testDone\",\"time\":2}\n",
        Format::GoTestJson => "{\"Time\":\"2024-01-01T00:00:00Z\",\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0.1}\n{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0.1}\n",
    }
}

fn run_all(bytes: &[u8]) {
    for f in FORMATS {
        testcert::ingest::fuzz_one(f, bytes);
    }
    let _ = sniff::sniff(bytes);
}

#[test]
fn seeds_are_read() {
    for f in FORMATS {
        let mut input = seed(f).as_bytes();
        let mut ctx = Ctx::default();
        let r = parse_as(f, &mut input, &mut ctx);
        assert!(r.is_ok(), "{}: {:?}", f.name(), r.err());
        assert_eq!(
            sniff::sniff(seed(f).as_bytes()),
            Ok(f),
            "sniffing {}",
            f.name()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&bytes);
    }

    #[test]
    fn corrupted_documents(fi in 0..FORMATS.len(), cut in any::<prop::sample::Index>(),
                           edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let mut doc = seed(FORMATS[fi]).as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(doc.len());
            doc[i] = byte;
        }
        let keep = cut.index(doc.len() + 1);
        doc.truncate(keep);
        run_all(&doc);
    }
}
