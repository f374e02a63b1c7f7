//! Reading reports: open a file (BOM, UTF-16), sniff its format from its content, run the
//! parser for it, and locate errors precisely.
//!
//! A new format is one module under `coverage/` or `testrun/`, one [`Format`] variant and one
//! line in [`sniff`].

pub mod bounded;
pub(crate) mod coverage;
pub(crate) mod error;
pub mod sniff;
pub(crate) mod swar;
pub mod testrun;
pub(crate) mod xml;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

pub use error::{Location, ParseError};

use crate::model::{Capabilities, Coverage, TestRun};

/// Every report format testcert reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Lcov,
    Cobertura,
    Jacoco,
    Clover,
    OpenCover,
    GoCoverprofile,
    LlvmCovJson,
    IstanbulJson,
    IstanbulSummary,
    CoveragePyJson,
    GcovrJson,
    GcovrSummary,
    JacocoCsv,
    TarpaulinJson,
    Junit,
    XunitV2,
    Nunit3,
    Trx,
    GoTestJson,
    MochaJson,
    RspecJson,
    DartJson,
}

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Coverage,
    Tests,
}

impl Format {
    /// Stable name used in JSON output and in the config.
    pub fn name(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Jacoco => "jacoco",
            Format::Clover => "clover",
            Format::OpenCover => "opencover",
            Format::GoCoverprofile => "go-coverprofile",
            Format::LlvmCovJson => "llvm-cov-json",
            Format::IstanbulJson => "istanbul-json",
            Format::IstanbulSummary => "istanbul-summary",
            Format::CoveragePyJson => "coverage-py-json",
            Format::GcovrJson => "gcovr-json",
            Format::GcovrSummary => "gcovr-summary",
            Format::JacocoCsv => "jacoco-csv",
            Format::TarpaulinJson => "tarpaulin-json",
            Format::MochaJson => "mocha-json",
            Format::RspecJson => "rspec-json",
            Format::DartJson => "dart-json",
            Format::Junit => "junit",
            Format::XunitV2 => "xunit2",
            Format::Nunit3 => "nunit3",
            Format::Trx => "trx",
            Format::GoTestJson => "go-test-json",
        }
    }

    pub(crate) fn kind(self) -> Kind {
        match self {
            Format::Junit
            | Format::XunitV2
            | Format::Nunit3
            | Format::Trx
            | Format::GoTestJson
            | Format::MochaJson
            | Format::RspecJson
            | Format::DartJson => Kind::Tests,
            _ => Kind::Coverage,
        }
    }

    /// Whether the format can express branch and function coverage at all.
    pub(crate) fn capabilities(self) -> Capabilities {
        let (branches, functions) = match self {
            Format::GoCoverprofile | Format::TarpaulinJson => (false, false),
            Format::CoveragePyJson => (true, true),
            Format::Clover => (true, true),
            _ => (true, true),
        };
        Capabilities {
            branches,
            functions,
        }
    }

    /// How the bounded reader cuts the file into tokens (lines, XML markup, JSON tokens):
    /// every format says, so a new one does not build until it does.
    pub(crate) fn tokens(self) -> bounded::Mode {
        match self {
            // Dart's reporter writes one JSON event per line, JaCoCo CSV one class per line.
            Format::Lcov
            | Format::GoCoverprofile
            | Format::GoTestJson
            | Format::DartJson
            | Format::JacocoCsv => bounded::Mode::Lines,
            Format::LlvmCovJson
            | Format::IstanbulJson
            | Format::IstanbulSummary
            | Format::CoveragePyJson
            | Format::GcovrJson
            | Format::GcovrSummary
            | Format::TarpaulinJson
            | Format::MochaJson
            | Format::RspecJson => bounded::Mode::Json,
            Format::Cobertura
            | Format::Jacoco
            | Format::Clover
            | Format::OpenCover
            | Format::Junit
            | Format::XunitV2
            | Format::Nunit3
            | Format::Trx => bounded::Mode::Xml,
        }
    }

    /// Whether the format is XML (errors get an element path).
    pub(crate) fn is_xml(self) -> bool {
        self.tokens() == bounded::Mode::Xml
    }
}

/// What one report held.
#[derive(Clone, Debug)]
pub enum Data {
    Coverage(Coverage),
    Tests(TestRun),
}

/// Context a parser reports into besides its result.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    /// Things worth telling the user that did not stop the read.
    pub warnings: Vec<String>,
    /// Directories the report says its paths are relative to (Cobertura `<sources>`, a Go
    /// module path), tried in order by [`crate::paths`].
    pub roots: Vec<String>,
    /// Which test covered each line, when the report says (coverage.py per-test contexts,
    /// LCOV `TN:` sections): what small-test coverage is derived from in one run.
    pub contexts: Option<TestContexts>,
}

/// The tests (contexts) that covered each line of a coverage report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestContexts {
    /// Context names as the report spells them: a coverage.py context
    /// (`tests/unit/test_x.py::test_y|run`; `""` is code run outside any test, at import),
    /// or an LCOV test name (`TN:`).
    pub names: Vec<String>,
    /// Per file (its path as the report gives it), the covered lines with the context that
    /// covered each: (line, index into `names`), one pair per context.
    pub files: Vec<(String, Vec<(u32, u32)>)>,
}

impl TestContexts {
    /// The index of `name`, added when new (`index` speeds up the look-up).
    pub fn intern(
        &mut self,
        index: &mut std::collections::HashMap<String, u32>,
        name: &str,
    ) -> u32 {
        if let Some(&i) = index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        index.insert(name.to_string(), i);
        i
    }
}

impl Ctx {
    pub(crate) fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    /// Warns `"{n} {what}"` when `n` is not zero: how parsers report records they had to
    /// skip or correct.
    /// A warning for `n` records (none when 0), worded for one (`one`) or many (`many`):
    /// "1 method has no <line>", "3 methods have no <line>".
    pub(crate) fn warn_count(&mut self, n: impl Into<u64>, one: &str, many: &str) {
        let n = n.into();
        if n > 0 {
            let what = if n == 1 { one } else { many };
            self.warnings.push(format!("{n} {what}"));
        }
    }
}

/// A report that was read.
#[derive(Clone, Debug)]
pub struct Report {
    pub path: PathBuf,
    pub format: Format,
    pub data: Data,
    pub ctx: Ctx,
}

/// A report that could not be read.
#[derive(Debug)]
pub struct IngestError {
    pub path: PathBuf,
    /// The format, when the file was recognised before it failed.
    pub format: Option<Format>,
    pub error: ParseError,
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.path.display())?;
        if self.error.at.line.is_none() && self.error.at.offset.is_none() {
            f.write_str(" ")?;
        }
        if self.error.at.line.is_some() || self.error.at.offset.is_some() {
            // `path:12:5: msg`, as compilers print it.
            return write!(f, "{}", self.error);
        }
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for IngestError {}

/// Input text encodings we transcode to UTF-8 before parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

const READ_BUF: usize = 256 * 1024;

fn detect_encoding(head: &[u8]) -> (Encoding, usize) {
    match head {
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 0),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 0),
        // No BOM but `<?` or `{` as UTF-16 (Visual Studio and PowerShell write these).
        [b'<' | b'{', 0, c, 0, ..] if *c != 0 => (Encoding::Utf16Le, 0),
        [0, b'<' | b'{', 0, c, ..] if *c != 0 => (Encoding::Utf16Be, 0),
        _ => (Encoding::Utf8, 0),
    }
}

/// Opens a report as UTF-8 text: a UTF-8 BOM is skipped, UTF-16 is transcoded on the fly.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = File::open(path)?;
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    let (enc, skip) = detect_encoding(&head[..n]);
    // Seek rather than chain the peeked bytes back on: a chain would make the first fill of
    // the buffer return just those bytes, and the sniffer needs a real head.
    file.seek(io::SeekFrom::Start(skip as u64))?;
    let rest = file;
    Ok(match enc {
        Encoding::Utf8 => Box::new(BufReader::with_capacity(READ_BUF, rest)),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let e = if enc == Encoding::Utf16Le {
                encoding_rs::UTF_16LE
            } else {
                encoding_rs::UTF_16BE
            };
            let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .bom_sniffing(true)
                .strip_bom(true)
                .build(rest);
            Box::new(BufReader::with_capacity(READ_BUF, decoded))
        }
    })
}

/// Reads one report: sniffs the format, parses it, and on failure says where.
pub fn read_report(path: &Path) -> Result<Report, IngestError> {
    let fail = |format, error| IngestError {
        path: path.to_path_buf(),
        format,
        error,
    };
    let mut input = open(path).map_err(|e| fail(None, ParseError::new(io_message(&e))))?;
    let head = fill_head(&mut input).map_err(|e| fail(None, ParseError::new(io_message(&e))))?;
    let format = sniff::sniff(&head).map_err(|msg| fail(None, ParseError::new(msg)))?;
    // One absurd token (a 10 GB line, a sparse tail of zeros) must not be buffered whole.
    let mode = format.tokens();
    let mut input = BufReader::with_capacity(READ_BUF, bounded::Bounded::new(input, mode));
    let mut ctx = Ctx::default();
    match parse_as(format, &mut input, &mut ctx) {
        Ok(data) => Ok(Report {
            path: path.to_path_buf(),
            format,
            data,
            ctx,
        }),
        Err(mut e) => {
            locate(path, format, &mut e);
            Err(fail(Some(format), e))
        }
    }
}

/// Reads many reports on all cores, in input order, advancing `progress` by each one's size
/// (stat'ed once, by the caller, which needs the total for the bar anyway).
pub(crate) fn read_reports(
    reports: &[(PathBuf, u64)],
    progress: &indicatif::ProgressBar,
) -> Vec<Result<Report, IngestError>> {
    crate::parallel::map(reports, |(path, size)| {
        let r = read_report(path);
        progress.inc(*size);
        r
    })
}

/// Each path with its size in bytes (0 when it cannot be stat'ed: reading it reports why).
pub(crate) fn sized(paths: impl IntoIterator<Item = PathBuf>) -> Vec<(PathBuf, u64)> {
    paths
        .into_iter()
        .map(|p| {
            let size = std::fs::metadata(&p).map_or(0, |m| m.len());
            (p, size)
        })
        .collect()
}

/// Parses `input` as `format`.
pub fn parse_as(format: Format, input: &mut dyn BufRead, ctx: &mut Ctx) -> error::Result<Data> {
    use coverage as c;
    use testrun as t;
    let cov = |r: error::Result<Coverage>, ctx: &mut Ctx| {
        r.map(|mut cov| {
            cov.finish();
            // No silent zero: a report that lists files but no executable line says so.
            if !cov.files().is_empty()
                && cov.summary_only.is_none()
                && cov.files().iter().all(|f| f.lines.is_empty())
            {
                ctx.warn(format!(
                    "the report lists {} source files but no executable line: it counts 0 lines",
                    cov.files().len()
                ));
            }
            Data::Coverage(cov)
        })
    };
    let tests = |r: error::Result<TestRun>, ctx: &mut Ctx| {
        r.map(|mut run| {
            let folds = run.finish();
            if let Some(w) = folds.warning(run.repeats) {
                ctx.warn(w);
            }
            if run.cases.is_empty() {
                ctx.warn("the report holds no test result: it counts 0 tests");
            }
            Data::Tests(run)
        })
    };
    match format {
        Format::Lcov => cov(c::lcov::parse(input, ctx), ctx),
        Format::Cobertura => cov(c::cobertura::parse(input, ctx), ctx),
        Format::Jacoco => cov(c::jacoco::parse(input, ctx), ctx),
        Format::Clover => cov(c::clover::parse(input, ctx), ctx),
        Format::OpenCover => cov(c::opencover::parse(input, ctx), ctx),
        Format::GoCoverprofile => cov(c::gocover::parse(input, ctx), ctx),
        Format::LlvmCovJson => cov(c::llvm_cov::parse(input, ctx), ctx),
        Format::IstanbulJson => cov(c::istanbul::parse(input, ctx), ctx),
        Format::IstanbulSummary => cov(c::istanbul::parse_summary(input, ctx), ctx),
        Format::CoveragePyJson => cov(c::coverage_py::parse(input, ctx), ctx),
        Format::GcovrJson => cov(c::gcovr_json::parse(input, ctx), ctx),
        Format::GcovrSummary => cov(c::gcovr_json::parse_summary(input, ctx), ctx),
        Format::JacocoCsv => cov(c::jacoco_csv::parse(input, ctx), ctx),
        Format::TarpaulinJson => cov(c::tarpaulin::parse(input, ctx), ctx),
        Format::Junit => tests(t::junit::parse(input, ctx), ctx),
        Format::XunitV2 => tests(t::xunit::parse(input, ctx), ctx),
        Format::Nunit3 => tests(t::nunit::parse(input, ctx), ctx),
        Format::Trx => tests(t::trx::parse(input, ctx), ctx),
        Format::GoTestJson => tests(t::gotest::parse(input, ctx), ctx),
        Format::MochaJson => tests(t::mocha_json::parse(input, ctx), ctx),
        Format::RspecJson => tests(t::rspec_json::parse(input, ctx), ctx),
        Format::DartJson => tests(t::dart_json::parse(input, ctx), ctx),
    }
}

/// Parses `data` as `format` and finishes the model, discarding the result: the entry point
/// of the fuzz targets (`fuzz/`) and the never-panics property tests.
pub fn fuzz_one(format: Format, data: &[u8]) {
    let mut input = data;
    let _ = parse_as(format, &mut input, &mut Ctx::default());
}

/// The first bytes of the input, for sniffing, without consuming them.
fn fill_head(input: &mut Box<dyn BufRead + Send>) -> io::Result<Vec<u8>> {
    let buf = input.fill_buf()?;
    Ok(buf[..buf.len().min(sniff::HEAD)].to_vec())
}

fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => format!("cannot read: {e}"),
    }
}

/// Turns a byte offset into line:column and, for XML, the element path, by reading the
/// file a second time up to the offset. Runs only on errors.
fn locate(path: &Path, format: Format, e: &mut ParseError) {
    let Some(offset) = e.at.offset else { return };
    if e.at.line.is_none() {
        if let Ok(mut input) = open(path) {
            e.at.line = line_col_at(&mut input, offset).ok();
        }
    }
    if format.is_xml() && e.at.path.is_none() {
        if let Ok(input) = open(path) {
            let p = xml::element_path_at(input, offset);
            if !p.is_empty() {
                e.at.path = Some(p);
            }
        }
    }
}

/// 1-based line and column (in bytes) of `offset`.
fn line_col_at(input: &mut dyn BufRead, offset: u64) -> io::Result<(u64, u64)> {
    let mut line = 1u64;
    let mut line_start = 0u64;
    let mut pos = 0u64;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() || pos >= offset {
            break;
        }
        let take = buf.len().min((offset - pos) as usize);
        for i in memchr::memchr_iter(b'\n', &buf[..take]) {
            line += 1;
            line_start = pos + i as u64 + 1;
        }
        pos += take as u64;
        input.consume(take);
    }
    Ok((line, offset.saturating_sub(line_start) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBF<a"), (Encoding::Utf8, 3));
        assert_eq!(detect_encoding(b"\xFF\xFE<\0"), (Encoding::Utf16Le, 0));
        assert_eq!(detect_encoding(b"<\0?\0"), (Encoding::Utf16Le, 0));
        assert_eq!(detect_encoding(b"\0<\0?"), (Encoding::Utf16Be, 0));
        assert_eq!(detect_encoding(b"TN:\n"), (Encoding::Utf8, 0));
    }

    #[test]
    fn line_col() {
        let mut r: &[u8] = b"ab\ncd\nef";
        assert_eq!(line_col_at(&mut r, 4).unwrap(), (2, 2));
        let mut r: &[u8] = b"ab";
        assert_eq!(line_col_at(&mut r, 0).unwrap(), (1, 1));
    }
}
