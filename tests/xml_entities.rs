//! Every XML coverage parser warns about entity references it keeps as written, as the test
//! report parsers do: such a reference is never expanded (testcert reads no DTD), so the
//! name it stands in holds `&name;` literally and the user should know.

use testcert::ingest::{parse_as, Ctx, Format};

fn warnings(format: Format, doc: &str) -> Vec<String> {
    let mut ctx = Ctx::default();
    parse_as(format, &mut doc.as_bytes(), &mut ctx).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    ctx.warnings
}

#[test]
fn unknown_entities_in_coverage_reports_are_warned_about() {
    let cases = [
        (
            Format::Cobertura,
            r#"<coverage><packages><package name="p"><classes><class name="A" filename="src/&xxe;.py"><lines><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>"#,
        ),
        (
            Format::Jacoco,
            r#"<report name="r"><package name="p"><sourcefile name="&xxe;.java"><line nr="1" mi="0" ci="1" mb="0" cb="0"/></sourcefile></package></report>"#,
        ),
        (
            Format::Clover,
            r#"<coverage clover="4"><project><package name="p"><file path="src/&xxe;.js"><line num="1" count="1" type="stmt"/></file></package></project></coverage>"#,
        ),
        (
            Format::OpenCover,
            r#"<CoverageSession><Modules><Module><Files><File uid="1" fullPath="C:\src\&xxe;.cs"/></Files><Classes><Class><Methods><Method><SequencePoints><SequencePoint vc="1" sl="1" fileid="1"/></SequencePoints></Method></Methods></Class></Classes></Module></Modules></CoverageSession>"#,
        ),
    ];
    for (format, doc) in cases {
        let w = warnings(format, doc);
        let entity: Vec<&String> = w
            .iter()
            .filter(|w| w.contains("entity reference"))
            .collect();
        assert_eq!(entity.len(), 1, "{format:?}: {w:?}");
        assert!(
            entity[0].starts_with("1 entity reference"),
            "{format:?}: {w:?}"
        );
        // The same report without the reference: no such warning.
        let clean = doc.replace("&xxe;", "x");
        let w = warnings(format, &clean);
        assert!(
            !w.iter().any(|w| w.contains("entity reference")),
            "{format:?}: {w:?}"
        );
    }
}
