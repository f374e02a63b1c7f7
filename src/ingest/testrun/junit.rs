//! JUnit XML, in every dialect the tools write: Ant/Maven Surefire/Gradle, pytest (xunit1 and
//! xunit2), jest-junit, mocha-junit-reporter, cargo-nextest, gotestsum/go-junit-report, Bazel,
//! Catch2, GoogleTest, PHPUnit, tst, Marathon, xUnit.net's JUnit output, …
//!
//! Read as a quick-xml event loop (no DOM), one pass:
//!
//! - Root `<testsuites>` or a bare `<testsuite>` (Surefire), prefix ignored (`<ns2:testsuite>`).
//!   Any other root is not JUnit and is an error.
//! - **Suite**: `<testsuite>` may nest (jest, Bazel, PHPUnit, …). A case's suite is the names of
//!   its enclosing testsuites joined with `/`, outermost first, unnamed ones left out
//!   (`All tests/packet/TestA`): two `TestA` suites under different parents stay distinct, and a
//!   testcase repeated in several same-named suites (gotestsum reruns) keeps one identity.
//! - **Case**: `name`, `classname` (else PHPUnit's `class`), `file`, `line`, `time` (seconds;
//!   `0,5` and `1,234.5` accepted; missing, negative or unparsable time is unknown). A testcase
//!   without `name` gets `(unnamed testcase N)`, N its position in the file, with a warning: it
//!   cannot be told apart from another run of itself, so it is never folded.
//!   pytest (suite named `pytest`, its default) writes a 0-based `line`; it is made 1-based.
//! - **Outcome**, strongest first: `<error>` ⇒ Error, `<failure>` ⇒ Failed, `<skipped>` /
//!   `<ignored>` / `<disabled>` ⇒ Skipped, then the attributes some tools write instead of
//!   elements: `status="skipped|notrun|disabled|ignored"` or GoogleTest
//!   `result="skipped|suppressed"` ⇒ Skipped, `status="failed|error|errored"` ⇒ Failed/Error;
//!   otherwise Passed. A recorded failure beats a `disabled` status (it ran).
//! - **Retries** (Surefire, Gradle, cargo-nextest): `<flakyFailure>`/`<flakyError>` in a passed
//!   testcase ⇒ Flaky; `<rerunFailure>`/`<rerunError>` keep the outcome. Either way attempts =
//!   1 + the number of those elements. Testcases written several times (gotestsum
//!   `--rerun-fails`, pytest-rerunfailures) are pushed once per occurrence and folded by
//!   [`TestRun::finish`].
//! - **Message**: the `message` attribute of the element that decided the outcome, else the
//!   first non-blank line of its text. **Location**, when the testcase has no `file`: the
//!   `file`/`line` attributes of the failure (Catch2, some C tools), else a `path:line` found in
//!   its message or text: a line starting `path:line:` (gcc style, Catch2, pytest's last
//!   traceback line, tst) or a line holding `at path:line` (Catch2, Rust panics). Java and JS
//!   stack frames (`at a.B.c(B.java:20)`) are not taken: they name library code as often as
//!   the test.
//! - **Properties** (`<property name value/>`, or the value as element text) at testcase level,
//!   and at suite level inherited by every case of the suite and of its nested suites, suite
//!   ones first. Exception: Surefire dumps the JVM system properties (`java.*`, `os.*`,
//!   `user.*`, …) at suite level; those describe the machine, not the test, and are not
//!   inherited.
//! - `<system-out>`/`<system-err>` and unknown elements are skipped without being kept.
//!   Header counts (`tests=`, `failures=`) are never used; a file whose suites declare tests
//!   but hold no testcase gets a warning.
//!
//! Safety: XML forbidden characters (`&#xFFFE;`, raw U+FFFE) are read as they are; a DTD is
//! never fetched and entities it declares are never expanded (see [`crate::ingest::xml`]).

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use crate::ingest::error::Result;
use crate::ingest::xml::{each_attr, parse_u64, unescape, Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Names, Outcome, SharedStr, TestCase, TestRun};

/// At most this much of a failure's text is kept to find its first line and location.
const TEXT_LIMIT: usize = 64 * 1024;
/// Messages are cut to this many bytes (at a char boundary).
const MESSAGE_LIMIT: usize = 1000;
/// Only the first lines of a message or text are searched for a `path:line`.
const LOCATION_LINES: usize = 200;

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let mut r = XmlReader::new(input);
    let mut p = Parser::default();
    loop {
        let (tag, start, head) = match r.event()? {
            Ev::Start(e) => {
                let tag = Tag::of(&e);
                (tag, true, Head::read(&e, tag, !p.seen_root, &mut p.names))
            }
            Ev::Empty(e) => {
                let tag = Tag::of(&e);
                (tag, false, Head::read(&e, tag, !p.seen_root, &mut p.names))
            }
            Ev::End => {
                while p.suites.last().is_some_and(|s| r.depth() < s.depth) {
                    p.close_suite();
                }
                continue;
            }
            Ev::Eof => break,
            Ev::Text(_) | Ev::Other => continue,
        };
        r.unknown_entities += head.unknown_entities;
        if !p.seen_root {
            p.seen_root = true;
            if !matches!(tag, Tag::Testsuites | Tag::Testsuite) {
                return Err(r.error(format!(
                    "root element <{}> is not JUnit XML (expected <testsuites> or <testsuite>)",
                    head.element
                )));
            }
        }
        match tag {
            Tag::Testsuite => {
                if p.suites.is_empty() {
                    p.declared += head.tests.unwrap_or(0);
                }
                if start {
                    p.open_suite(head, r.depth());
                }
            }
            Tag::Testcase => p.case(&mut r, head, start)?,
            Tag::Properties if start => {
                // Properties of the innermost suite (or of the whole file under <testsuites>).
                let mut props = Vec::new();
                read_properties(&mut r, &mut props, &mut p.names)?;
                p.suite_properties(props);
            }
            Tag::Testsuites | Tag::Other => {
                // Descended into: a wrapper element must not hide the testcases in it.
            }
            // system-out/err, stray failure or property elements: not kept.
            _ if start => r.skip()?,
            _ => {}
        }
    }
    if r.unknown_entities > 0 {
        ctx.warn(format!(
            "{} entity references kept as written: entities declared in a DTD are never expanded",
            r.unknown_entities
        ));
    }
    p.finish(ctx)
}

/// The elements the parser acts on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Testsuites,
    Testsuite,
    Testcase,
    Properties,
    Property,
    Failure,
    Error,
    Skipped,
    FlakyFailure,
    RerunFailure,
    SystemOut,
    Other,
}

impl Tag {
    fn of(e: &BytesStart<'_>) -> Tag {
        match e.local_name().as_ref() {
            b"testsuites" => Tag::Testsuites,
            b"testsuite" => Tag::Testsuite,
            b"testcase" => Tag::Testcase,
            b"properties" => Tag::Properties,
            b"property" => Tag::Property,
            b"failure" => Tag::Failure,
            b"error" => Tag::Error,
            b"skipped" | b"ignored" | b"disabled" => Tag::Skipped,
            b"flakyFailure" | b"flakyError" => Tag::FlakyFailure,
            b"rerunFailure" | b"rerunError" => Tag::RerunFailure,
            b"system-out" | b"system-err" => Tag::SystemOut,
            _ => Tag::Other,
        }
    }
}

/// What a start tag says, read in one pass over its attributes. Only the strings the model
/// keeps are allocated, and only for the elements that keep them.
#[derive(Default)]
struct Head {
    /// Element name, only kept for the root (error message).
    element: String,
    name: Option<String>,
    /// Shared through the parser's [`Names`]: every case of a class repeats it.
    class: Option<SharedStr>,
    /// PHPUnit `class=`, used when there is no `classname`.
    class_alt: Option<SharedStr>,
    file: Option<String>,
    line: Option<u32>,
    time: Option<f64>,
    message: Option<String>,
    /// `value=` of a property.
    value: Option<String>,
    /// Declared `tests=` of a testsuite (warning only).
    tests: Option<u64>,
    /// Outcome stated by a `status=`/`result=` attribute.
    status: Option<Outcome>,
    /// Entity references kept as written (declared in a DTD, never expanded).
    unknown_entities: u64,
}

impl Head {
    /// `root`: the first element of the document, whose name an error may need.
    fn read(e: &BytesStart<'_>, tag: Tag, root: bool, names: &mut Names) -> Head {
        let mut h = Head::default();
        if root {
            h.element = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        }
        if matches!(
            tag,
            Tag::Testsuites | Tag::Other | Tag::Properties | Tag::SystemOut | Tag::Skipped
        ) {
            return h;
        }
        // One hand-written pass over the attributes; a list it finds malformed is read again
        // by quick-xml's lenient iterator, as it always was (`each_attr` agrees with that
        // iterator on every well-formed list).
        if each_attr(e, |key, value| h.set(tag, key, value, names)).is_err() {
            h = Head {
                element: std::mem::take(&mut h.element),
                ..Head::default()
            };
            for a in e.attributes().with_checks(false).flatten() {
                h.set(tag, a.key.local_name().as_ref(), &a.value, names);
            }
        }
        h
    }

    /// Takes the attribute `key` (local name) = `value` (raw) of a `tag` element.
    fn set(&mut self, tag: Tag, key: &[u8], value: &[u8], names: &mut Names) {
        match (tag, key) {
            (Tag::Testsuite | Tag::Testcase | Tag::Property, b"name") => {
                self.name = Some(self.text(value).into_owned())
            }
            (Tag::Testsuite, b"tests") => self.tests = parse_u64(value),
            (Tag::Testcase, b"classname") => {
                let v = self.text(value);
                self.class = Some(names.get(&v));
            }
            (Tag::Testcase, b"class") => {
                let v = self.text(value);
                self.class_alt = Some(names.get(&v));
            }
            (Tag::Testsuite | Tag::Testcase | Tag::Failure | Tag::Error, b"file") => {
                self.file = Some(self.text(value).into_owned())
            }
            (Tag::Testcase | Tag::Failure | Tag::Error, b"line") => {
                self.line = parse_u64(value).and_then(|l| u32::try_from(l).ok())
            }
            (Tag::Testcase, b"time") => self.time = parse_time(value),
            (Tag::Testcase, b"status" | b"result") => self.status = status(value),
            (Tag::Failure | Tag::Error | Tag::FlakyFailure | Tag::RerunFailure, b"message") => {
                self.message = Some(self.text(value).into_owned())
            }
            (Tag::Property, b"value") => self.value = Some(self.text(value).into_owned()),
            _ => {}
        }
    }

    /// An attribute value as text, references resolved (unknown ones kept and counted).
    fn text<'v>(&mut self, v: &'v [u8]) -> Cow<'v, str> {
        // Fast path: no reference to resolve and valid UTF-8, borrowed.
        if memchr::memchr(b'&', v).is_none() {
            if let Ok(s) = std::str::from_utf8(v) {
                return Cow::Borrowed(s);
            }
        }
        let (s, n) = unescape(Cow::Borrowed(v));
        self.unknown_entities += n;
        s
    }
}

/// The outcome a `status=` or `result=` attribute states, if it states one we act on.
fn status(v: &[u8]) -> Option<Outcome> {
    let v = std::str::from_utf8(v).ok()?.trim();
    let is = |s: &str| v.eq_ignore_ascii_case(s);
    if is("skipped")
        || is("skip")
        || is("notrun")
        || is("disabled")
        || is("ignored")
        || is("suppressed")
    {
        Some(Outcome::Skipped)
    } else if is("failed") || is("failure") || is("fail") {
        Some(Outcome::Failed)
    } else if is("error") || is("errored") {
        Some(Outcome::Error)
    } else {
        None
    }
}

/// Seconds: `1.5`, `1e-3`, `0,5` (a decimal comma), `1,234.5` (a thousands separator). `None`
/// when absent, negative, not finite or not a number (`<<computed>>`).
fn parse_time(v: &[u8]) -> Option<f64> {
    if let Some(t) = simple_decimal(v) {
        return Some(t);
    }
    let s = std::str::from_utf8(v).ok()?.trim();
    let t = s.parse::<f64>().ok().or_else(|| {
        if !s.contains(',') {
            None
        } else if s.contains('.') {
            s.replace(',', "").parse().ok()
        } else {
            s.replace(',', ".").parse().ok()
        }
    })?;
    (t.is_finite() && t >= 0.0).then_some(t)
}

/// `123`, `0.057`: at most 15 digits and one `.`, the way nearly every tool writes times. The
/// digits as an integer (exact in an f64) divided by a power of ten (exact up to 10^22) is
/// one correctly rounded operation, so the value equals what `str::parse` returns.
fn simple_decimal(v: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    if v.is_empty() || v.len() > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut digits = 0;
    let mut frac: Option<usize> = None;
    for &b in v {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(b - b'0');
                digits += 1;
                if let Some(f) = frac.as_mut() {
                    *f += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    if digits == 0 || digits > 15 {
        return None;
    }
    Some(m as f64 / POW10[frac.unwrap_or(0)])
}

/// An open `<testsuite>`.
struct Suite {
    /// Reader depth inside the element: the suite is closed when the depth drops below it.
    depth: usize,
    /// Length of the joined suite name before this suite.
    name_len: usize,
    /// Length of the inherited property list before this suite.
    props_len: usize,
    /// Index of the first case pushed inside this suite.
    first_case: usize,
    /// Named `pytest` (pytest's default): its `line` attributes are 0-based.
    pytest: bool,
    /// `file=` of the suite (mocha-junit-reporter, Playwright): its cases' file when they
    /// name none.
    file: Option<String>,
}

#[derive(Default)]
struct Parser {
    run: TestRun,
    seen_root: bool,
    suites: Vec<Suite>,
    /// Names of the open suites joined with `/`.
    suite_name: String,
    /// `suite_name`, shared by the cases of the suite.
    suite: SharedStr,
    /// Suite and class names, one copy each.
    names: Names,
    /// Properties inherited from the open suites (and the root), in order.
    props: Vec<(String, String)>,
    /// testcase elements seen (also numbers unnamed ones).
    testcases: u64,
    unnamed: u64,
    /// Sum of `tests=` of the outermost testsuites.
    declared: u64,
}

impl Parser {
    fn open_suite(&mut self, head: Head, depth: usize) {
        let name_len = self.suite_name.len();
        let name = head.name.unwrap_or_default();
        let name = name.trim();
        if !name.is_empty() {
            if !self.suite_name.is_empty() {
                self.suite_name.push('/');
            }
            self.suite_name.push_str(name);
        }
        self.suite = self.names.get(&self.suite_name);
        self.suites.push(Suite {
            depth,
            name_len,
            props_len: self.props.len(),
            first_case: self.run.cases.len(),
            pytest: name == "pytest",
            file: head.file.filter(|f| !f.trim().is_empty()),
        });
    }

    fn close_suite(&mut self) {
        if let Some(s) = self.suites.pop() {
            self.suite_name.truncate(s.name_len);
            self.suite = self.names.get(&self.suite_name);
            self.props.truncate(s.props_len);
        }
    }

    /// Suite-level properties: inherited by the cases to come and, when the tool wrote them
    /// after some testcases, by the cases of the suite already read.
    fn suite_properties(&mut self, props: Vec<(String, String)>) {
        let props: Vec<_> = props
            .into_iter()
            .filter(|(k, _)| !is_system_property(k))
            .collect();
        if props.is_empty() {
            return;
        }
        let first = self.suites.last().map_or(0, |s| s.first_case);
        for case in &mut self.run.cases[first..] {
            case.properties.extend(props.iter().cloned());
        }
        self.props.extend(props);
    }

    /// Reads one testcase (its start tag is `head`) and pushes it.
    fn case<R: BufRead>(&mut self, r: &mut XmlReader<R>, head: Head, start: bool) -> Result<()> {
        self.testcases += 1;
        let mut b = Body::default();
        if start {
            b.read(r, head.file.is_none(), &mut self.names)?;
        }
        let outcome = if b.error.is_some() {
            Outcome::Error
        } else if b.failure.is_some() {
            Outcome::Failed
        } else if b.skipped {
            Outcome::Skipped
        } else if let Some(o) = head.status {
            o
        } else if b.flaky > 0 {
            Outcome::Flaky
        } else {
            Outcome::Passed
        };
        let name = match head.name.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => {
                self.unnamed += 1;
                format!("(unnamed testcase {})", self.testcases)
            }
        };
        let mut case = TestCase::new(self.suite.clone(), name, outcome);
        case.class = head.class.or(head.class_alt).filter(|c| !c.is_empty());
        case.duration = head.time;
        case.attempts = 1 + b.flaky + b.reruns;
        let deciding = match outcome {
            Outcome::Error => b.error.take().or(b.failure.take()),
            Outcome::Failed => b.failure.take().or(b.error.take()),
            Outcome::Flaky => b.flaky_result.take(),
            _ => None,
        };
        case.file = head.file.filter(|f| !f.is_empty());
        case.line = head.line;
        if case.file.is_some() && self.suites.last().is_some_and(|s| s.pytest) {
            case.line = case.line.map(|l| l.saturating_add(1));
        }
        if let Some(res) = deciding {
            case.message = res.message;
            if case.file.is_none() {
                if let Some((f, l)) = res.location {
                    case.file = Some(f);
                    case.line = l;
                }
            }
        }
        if case.file.is_none() {
            case.file = self.suites.iter().rev().find_map(|s| s.file.clone());
        }
        let mut props = Vec::with_capacity(self.props.len() + b.props.len());
        props.extend(self.props.iter().cloned());
        props.extend(b.props);
        case.properties = props;
        self.run.push(case);
        Ok(())
    }

    fn finish(self, ctx: &mut Ctx) -> Result<TestRun> {
        ctx.warn_count(
            self.unnamed,
            "testcase elements have no name; each is counted as a distinct test",
        );
        if self.testcases == 0 && self.declared > 0 {
            ctx.warn(format!(
                "the testsuites declare tests=\"{}\" but hold no testcase element: read as 0 tests (header counts are not trusted)",
                self.declared
            ));
        }
        Ok(self.run)
    }
}

/// JVM system properties Surefire writes at suite level (machine description, not test data).
fn is_system_property(name: &str) -> bool {
    const PREFIXES: [&str; 12] = [
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "os.",
        "user.",
        "file.",
        "line.",
        "path.",
        "awt.",
        "surefire.",
        "maven.",
    ];
    const NAMES: [&str; 6] = [
        "basedir",
        "localRepository",
        "native.encoding",
        "stdout.encoding",
        "stderr.encoding",
        "idea.version",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || NAMES.contains(&name)
}

/// A `<failure>`/`<error>`/`<flakyFailure>` element: its message and the location it names.
#[derive(Default)]
struct Finding {
    message: Option<String>,
    location: Option<(String, Option<u32>)>,
}

/// What the children of a testcase say.
#[derive(Default)]
struct Body {
    failure: Option<Finding>,
    error: Option<Finding>,
    /// The first flakyFailure/flakyError, for the message of a flaky case.
    flaky_result: Option<Finding>,
    skipped: bool,
    flaky: u32,
    reruns: u32,
    props: Vec<(String, String)>,
}

impl Body {
    /// Reads the children of the testcase whose start tag was just returned, up to its end.
    /// `want_location`: the testcase has no `file`, so look for one in its failure.
    fn read<R: BufRead>(
        &mut self,
        r: &mut XmlReader<R>,
        want_location: bool,
        names: &mut Names,
    ) -> Result<()> {
        loop {
            let (tag, start, head) = match r.event()? {
                Ev::Start(e) => {
                    let tag = Tag::of(&e);
                    (tag, true, Head::read(&e, tag, false, names))
                }
                Ev::Empty(e) => {
                    let tag = Tag::of(&e);
                    (tag, false, Head::read(&e, tag, false, names))
                }
                // Children are consumed whole, so the next end tag is the testcase's.
                Ev::End | Ev::Eof => return Ok(()),
                Ev::Text(_) | Ev::Other => continue,
            };
            r.unknown_entities += head.unknown_entities;
            match tag {
                Tag::Failure | Tag::Error | Tag::FlakyFailure => {
                    let slot = match tag {
                        Tag::Failure => &mut self.failure,
                        Tag::Error => &mut self.error,
                        _ => {
                            self.flaky += 1;
                            &mut self.flaky_result
                        }
                    };
                    if slot.is_some() {
                        // Several <failure> in one testcase count once; the first speaks.
                        if start {
                            r.skip()?;
                        }
                        continue;
                    }
                    *slot = Some(read_result(r, head, start, want_location)?);
                }
                Tag::RerunFailure => {
                    self.reruns += 1;
                    if start {
                        r.skip()?;
                    }
                }
                Tag::Skipped => {
                    self.skipped = true;
                    if start {
                        r.skip()?;
                    }
                }
                Tag::Properties if start => read_properties(r, &mut self.props, names)?,
                _ if start => r.skip()?,
                _ => {}
            }
        }
    }
}

/// Reads a failure-like element: message from its attribute or first text line, location from
/// its attributes, message or text. The text is read (at most [`TEXT_LIMIT`]) only when needed.
fn read_result<R: BufRead>(
    r: &mut XmlReader<R>,
    head: Head,
    start: bool,
    want_location: bool,
) -> Result<Finding> {
    let mut res = Finding::default();
    if want_location {
        if let Some(f) = head.file.filter(|f| !f.trim().is_empty()) {
            res.location = Some((f, head.line));
        } else if let Some(m) = &head.message {
            res.location = find_location(m);
        }
    }
    let attr_message = head.message.as_deref().and_then(first_line);
    let need_text = attr_message.is_none() || (want_location && res.location.is_none());
    if start && need_text {
        let text = r.read_text(TEXT_LIMIT)?;
        if attr_message.is_none() {
            res.message = first_line(&text);
        }
        if want_location && res.location.is_none() {
            res.location = find_location(&text);
        }
    } else if start {
        r.skip()?;
    }
    if attr_message.is_some() {
        res.message = attr_message;
    }
    Ok(res)
}

/// Reads `<property>` children of the `<properties>` element just started into `out`.
fn read_properties<R: BufRead>(
    r: &mut XmlReader<R>,
    out: &mut Vec<(String, String)>,
    names: &mut Names,
) -> Result<()> {
    loop {
        let (tag, start, head) = match r.event()? {
            Ev::Start(e) => {
                let tag = Tag::of(&e);
                (tag, true, Head::read(&e, tag, false, names))
            }
            Ev::Empty(e) => {
                let tag = Tag::of(&e);
                (tag, false, Head::read(&e, tag, false, names))
            }
            Ev::End | Ev::Eof => return Ok(()),
            Ev::Text(_) | Ev::Other => continue,
        };
        r.unknown_entities += head.unknown_entities;
        if tag != Tag::Property {
            if start {
                r.skip()?;
            }
            continue;
        }
        let value = match head.value {
            Some(v) => {
                if start {
                    r.skip()?;
                }
                v
            }
            // `<property name="x">value</property>`
            None if start => r.read_text(TEXT_LIMIT)?.trim().to_string(),
            None => String::new(),
        };
        if let Some(name) = head.name.filter(|n| !n.is_empty()) {
            out.push((name, value));
        }
    }
}

/// The first non-blank line, trimmed and cut to [`MESSAGE_LIMIT`] bytes.
fn first_line(s: &str) -> Option<String> {
    let line = s.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut cut = line.len().min(MESSAGE_LIMIT);
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(line[..cut].to_string())
}

/// The first `path:line` a failure names: a line starting with `path:line:` (`a.cpp:12: FAILED:`,
/// `tests/x.py:10: AssertionError`) or holding `at path:line` at its end or before a colon
/// (Catch2 `at /src/a.cpp:19`, Rust `panicked at src/a.rs:154:5:`).
fn find_location(s: &str) -> Option<(String, Option<u32>)> {
    // memchr's searcher rather than `str::find`'s two-way one: stack traces hold a lot of
    // lines with `at `, and this runs on every failure text of a testcase without `file`.
    let at_finder = memchr::memmem::Finder::new(b"at ");
    for line in s.lines().take(LOCATION_LINES) {
        let line = line.trim();
        let first = line.split_whitespace().next().unwrap_or("");
        if first.ends_with(':') {
            if let Some(loc) = location_token(first) {
                return Some(loc);
            }
        }
        let mut rest = line;
        while let Some(i) = at_finder.find(rest.as_bytes()) {
            let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
            rest = &rest[i + 3..];
            if !before_ok {
                continue;
            }
            let token = rest.split_whitespace().next().unwrap_or("");
            let ends_line = rest.trim_start().len() == token.len();
            if ends_line || token.ends_with(':') {
                if let Some(loc) = location_token(token) {
                    return Some(loc);
                }
            }
        }
    }
    None
}

/// `path:line`, `path:line:col`, with an optional trailing `:`.
fn location_token(token: &str) -> Option<(String, Option<u32>)> {
    let t = token.strip_suffix(':').unwrap_or(token);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (a, n1) = t.rsplit_once(':')?;
    if !digits(n1) {
        return None;
    }
    let (path, line) = match a.rsplit_once(':') {
        Some((p, n0)) if digits(n0) => (p, n0),
        _ => (a, n1),
    };
    let plausible = !path.is_empty()
        && !path.contains(['(', ')', '<', '>', '"', '\'', '[', ']', '='])
        && (path.contains('.') || path.contains('/') || path.contains('\\'))
        && !path.ends_with('.');
    if !plausible {
        return None;
    }
    let line = line.parse::<u32>().ok().filter(|&l| l > 0);
    Some((path.to_string(), line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TestTotals;

    fn read(s: &str) -> Result<(TestRun, Ctx)> {
        super::super::read_with(parse, s)
    }

    fn totals(s: &str) -> TestTotals {
        read(s).unwrap().0.totals()
    }

    fn t(
        tests: u64,
        passed: u64,
        failed: u64,
        errors: u64,
        skipped: u64,
        flaky: u64,
    ) -> TestTotals {
        TestTotals {
            tests,
            passed,
            failed,
            errors,
            skipped,
            flaky,
        }
    }

    #[test]
    fn simple_times_parse_like_str_parse() {
        for s in [
            "0",
            "0.0",
            "0.057",
            "1.",
            ".5",
            "123456789012345",
            "0.1",
            "0.3",
            "2.675",
            "999999999999.999",
            "0.00000000000001",
            "19.991",
            "276900.074",
        ] {
            assert_eq!(simple_decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        for s in [
            "",
            ".",
            "1.2.3",
            "-1",
            "1e3",
            "1234567890123456",
            " 1",
            "1,5",
        ] {
            assert_eq!(simple_decimal(s.as_bytes()), None, "{s}");
        }
        assert_eq!(parse_time(b"1,5"), Some(1.5));
        assert_eq!(parse_time(b" 2 "), Some(2.0));
    }

    #[test]
    fn surefire_bare_testsuite_with_outcomes() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="a.BTest" tests="99" failures="0" time="1">
  <properties><property name="java.version" value="17"/><property name="size" value="small"/></properties>
  <testcase name="ok" classname="a.BTest" time="0.5"/>
  <testcase name="fails" classname="a.BTest" time="1,234.5"><failure message="expected:&lt;1&gt;" type="AssertionError">trace</failure></testcase>
  <testcase name="errs" classname="a.BTest"><error type="NPE">java.lang.NullPointerException
	at a.B.c(B.java:20)</error><system-out>lots</system-out></testcase>
  <testcase name="skips" classname="a.BTest"><skipped/></testcase>
</testsuite>"#;
        let (run, ctx) = read(doc).unwrap();
        assert!(ctx.warnings.is_empty(), "{:?}", ctx.warnings);
        assert_eq!(run.totals(), t(4, 1, 1, 1, 1, 0));
        let c = |n: &str| run.cases.iter().find(|c| c.name == n).unwrap();
        assert_eq!(c("ok").suite, "a.BTest");
        assert_eq!(c("ok").class.as_deref(), Some("a.BTest"));
        assert_eq!(c("ok").duration, Some(0.5));
        assert_eq!(c("fails").duration, Some(1234.5));
        assert_eq!(c("fails").message.as_deref(), Some("expected:<1>"));
        assert_eq!(
            c("errs").message.as_deref(),
            Some("java.lang.NullPointerException")
        );
        // A Java stack frame is not taken as the test's location.
        assert_eq!(c("errs").file, None);
        // JVM system properties are not inherited, the others are.
        assert_eq!(c("ok").properties, vec![("size".into(), "small".into())]);
        assert_eq!(c("skips").duration, None);
    }

    #[test]
    fn surefire_and_nextest_retries() {
        let doc = r#"<testsuites><testsuite name="s">
  <testcase name="flaky" classname="C" time="2"><flakyFailure message="&#10;Expected: &lt;false&gt;&#10;but"><stackTrace>x</stackTrace><system-err>e</system-err></flakyFailure><flakyError type="E"/></testcase>
  <testcase name="broken" classname="C"><failure message="boom"/><rerunFailure message="boom again"/><rerunError/></testcase>
  <testcase name="nextest-flaky"><flakyFailure type="test failure">thread 'x' panicked at src/lib.rs:12:5:
oops</flakyFailure></testcase>
</testsuite></testsuites>"#;
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.totals(), t(3, 0, 1, 0, 0, 2));
        let c = |n: &str| run.cases.iter().find(|c| c.name == n).unwrap();
        assert_eq!(
            (c("flaky").outcome, c("flaky").attempts),
            (Outcome::Flaky, 3)
        );
        assert_eq!(c("flaky").message.as_deref(), Some("Expected: <false>"));
        assert_eq!(
            (c("broken").outcome, c("broken").attempts),
            (Outcome::Failed, 3)
        );
        assert_eq!(c("broken").message.as_deref(), Some("boom"));
        let n = c("nextest-flaky");
        assert_eq!((n.outcome, n.attempts), (Outcome::Flaky, 2));
        assert_eq!(n.file.as_deref(), Some("src/lib.rs"));
        assert_eq!(n.line, Some(12));
    }

    #[test]
    fn repeated_testcases_fold_into_one_flaky_test() {
        // gotestsum --rerun-fails writes the failed run and the rerun as two testcases.
        let doc = r#"<testsuites>
<testsuite name="pkg/a" tests="2"><testcase classname="pkg/a" name="TestX" time="1.5"><failure message="Failed">--- FAIL</failure></testcase><testcase classname="pkg/a" name="TestY" time="0"/></testsuite>
<testsuite name="pkg/a" tests="1"><testcase classname="pkg/a" name="TestX" time="0.5"/></testsuite>
</testsuites>"#;
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.totals(), t(2, 1, 0, 0, 0, 1));
        let x = &run.cases[0];
        assert_eq!((x.name.as_str(), x.attempts), ("TestX", 2));
        assert_eq!(x.duration, Some(2.0));
    }

    #[test]
    fn skip_elements_and_status_attributes() {
        let doc = r#"<testsuites><testsuite name="s">
  <testcase name="a"><skipped message="no"/></testcase>
  <testcase name="b"><ignored/></testcase>
  <testcase name="c"><disabled/></testcase>
  <testcase name="d" status="notrun"/>
  <testcase name="e" status='disabled'/>
  <testcase name="f" status="skipped"/>
  <testcase name="g" status="run" result="suppressed"/>
  <testcase name="h" status="run" result="completed"/>
  <testcase name="i" status="disabled"><failure>Assert failed</failure></testcase>
  <testcase name="j" status="passed"/>
  <testcase name="k" status="errored"/>
</testsuite></testsuites>"#;
        assert_eq!(totals(doc), t(11, 2, 1, 1, 7, 0));
    }

    #[test]
    fn several_results_in_one_testcase_count_once_strongest_wins() {
        let doc = r#"<testsuites><testsuite name="test suite">
  <testcase classname="k" name="errors"><skipped/><failure message="test failure">x</failure><error message="teardown">stdout</error></testcase>
  <testcase classname="k" name="fails"><skipped/><failure message="first"/><failure message="second"/></testcase>
  <testcase classname="k" name="skipped"><skipped/></testcase>
  <testcase classname="k" name="ok"></testcase>
</testsuite></testsuites>"#;
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.totals(), t(4, 1, 1, 1, 1, 0));
        assert_eq!(run.cases[0].message.as_deref(), Some("teardown"));
        assert_eq!(run.cases[1].message.as_deref(), Some("first"));
    }

    #[test]
    fn nested_suites_join_names() {
        let doc = r#"<testsuites><testsuite name="All">
  <properties><property name="tier" value="unit"/></properties>
  <testsuite name="TestA"><testcase name="A"><failure/></testcase><testcase name="B"/></testsuite>
  <testsuite name="TestB"><testsuite><testcase name="A"/></testsuite><testcase name="B"><failure/></testcase></testsuite>
  <testcase name="A"/>
</testsuite></testsuites>"#;
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.totals(), t(5, 3, 2, 0, 0, 0));
        let suites: Vec<_> = run.cases.iter().map(|c| c.suite.as_str()).collect();
        assert_eq!(
            suites,
            ["All", "All/TestA", "All/TestA", "All/TestB", "All/TestB"]
        );
        assert!(run.cases.iter().all(|c| c.property("tier") == Some("unit")));
    }

    #[test]
    fn properties_at_case_and_suite_level() {
        let doc = r#"<ns2:testsuite xmlns:ns2="urn:x" name="s">
  <ns2:testcase name="a">
    <ns2:properties><ns2:property name="TEST_SIZE" value="medium"/><property name="tag">slow</property></ns2:properties>
  </ns2:testcase>
  <testcase name="b"/>
  <properties><property name="owner" value="team-x"/></properties>
</ns2:testsuite>"#;
        let (run, _) = read(doc).unwrap();
        let a = &run.cases[0];
        assert_eq!(a.property("test_size"), Some("medium"));
        assert_eq!(a.property("tag"), Some("slow"));
        // Suite properties written after the testcases still reach them.
        assert_eq!(a.property("owner"), Some("team-x"));
        assert_eq!(run.cases[1].property("owner"), Some("team-x"));
    }

    #[test]
    fn file_and_line_from_attributes_and_failures() {
        let doc = r#"<testsuites>
<testsuite name="pytest"><testcase classname="t.test_a" name="test_x" file="t/test_a.py" line="9" time="0.1"/></testsuite>
<testsuite name="jest"><testcase classname="c" name="x" file="src/a.test.js"/></testsuite>
<testsuite name="catch2">
  <testcase name="attr"><failure file="test/u.cpp" line="19" message="REQUIRE(v == 1)">FAILED
at /w/test/u.cpp:19</failure></testcase>
  <testcase name="text"><failure message="REQUIRE( v == 1 )">FAILED:
  REQUIRE( v == 1 )
at /w/test/v.cpp:23
</failure></testcase>
  <testcase name="msg"><failure message="/home/i/main.cpp:72: error: check_eq(1, 2)"/></testcase>
  <testcase name="pytest2"><failure message="AssertionError: x">def test():
&gt;  assert 1 == 2
E  assert 1 == 2

tests/test_b.py:10: AssertionError</failure></testcase>
  <testcase name="url"><failure message="see http://host:8080/x">at http://host:8080/x</failure></testcase>
</testsuite>
<testsuite name="mocha" file="/ci/test/math.test.js"><testcase classname="adds" name="math adds"/>
  <testcase name="own" file="test/own.test.js"/></testsuite>
</testsuites>"#;
        let (run, _) = read(doc).unwrap();
        let c = |n: &str| run.cases.iter().find(|c| c.name == n).unwrap();
        let loc = |n: &str| (c(n).file.as_deref(), c(n).line);
        // pytest writes a 0-based line.
        assert_eq!(loc("test_x"), (Some("t/test_a.py"), Some(10)));
        assert_eq!(loc("x"), (Some("src/a.test.js"), None));
        assert_eq!(loc("attr"), (Some("test/u.cpp"), Some(19)));
        assert_eq!(loc("text"), (Some("/w/test/v.cpp"), Some(23)));
        assert_eq!(loc("msg"), (Some("/home/i/main.cpp"), Some(72)));
        assert_eq!(loc("pytest2"), (Some("tests/test_b.py"), Some(10)));
        assert_eq!(loc("url"), (None, None));
        // mocha-junit-reporter names the file on the suite.
        assert_eq!(loc("math adds"), (Some("/ci/test/math.test.js"), None));
        assert_eq!(loc("own"), (Some("test/own.test.js"), None));
        assert_eq!(c("text").message.as_deref(), Some("REQUIRE( v == 1 )"));
    }

    #[test]
    fn location_tokens() {
        assert_eq!(
            location_token("C:\\src\\a.cpp:12:"),
            Some(("C:\\src\\a.cpp".into(), Some(12)))
        );
        assert_eq!(
            location_token("src/a.rs:154:5:"),
            Some(("src/a.rs".into(), Some(154)))
        );
        assert_eq!(location_token("E:"), None);
        assert_eq!(location_token("a.B.c(B.java:20)"), None);
        assert_eq!(location_token("12:30:"), None);
    }

    #[test]
    fn times() {
        assert_eq!(parse_time(b"1.5"), Some(1.5));
        assert_eq!(parse_time(b" 0,25 "), Some(0.25));
        assert_eq!(parse_time(b"1,234.5"), Some(1234.5));
        assert_eq!(parse_time(b"1e-3"), Some(0.001));
        assert_eq!(parse_time(b"<<computed>>"), None);
        assert_eq!(parse_time(b"-1"), None);
        assert_eq!(parse_time(b"NaN"), None);
        assert_eq!(parse_time(b""), None);
    }

    #[test]
    fn empty_runs_and_unnamed_cases() {
        assert_eq!(totals("<testsuites/>"), t(0, 0, 0, 0, 0, 0));
        assert_eq!(
            totals("<testsuites name='x' tests='0'>\n</testsuites>"),
            t(0, 0, 0, 0, 0, 0)
        );
        assert_eq!(
            totals(r#"<testsuite name="jest" tests="0"><testsuite/></testsuite>"#),
            t(0, 0, 0, 0, 0, 0)
        );
        let (run, ctx) =
            read(r#"<testsuites><testsuite tests="6" failures="1"></testsuite></testsuites>"#)
                .unwrap();
        assert_eq!(run.totals().tests, 0);
        assert!(
            ctx.warnings[0].contains("tests=\"6\""),
            "{:?}",
            ctx.warnings
        );
        let (run, ctx) = read(
            "<testsuites><testsuite><testcase/><testcase><skipped/></testcase><testcase><failure/></testcase><testcase><error/></testcase></testsuite></testsuites>",
        )
        .unwrap();
        assert_eq!(run.totals(), t(4, 1, 1, 1, 1, 0));
        assert_eq!(ctx.warnings.len(), 1);
    }

    #[test]
    fn forbidden_characters_do_not_break_the_read() {
        let doc = "<testsuite name=\"s\"><testcase name=\"a&#xFFFE;b\" classname=\"c\u{FFFE}\"><failure message=\"x&#1;y\">\u{FFFE}</failure><system-out>&#xFFFF;\u{FFFF}</system-out></testcase></testsuite>";
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.cases[0].name, "a\u{FFFE}b");
        assert_eq!(run.cases[0].class.as_deref(), Some("c\u{FFFE}"));
        assert_eq!(run.totals().failed, 1);
    }

    #[test]
    fn not_junit_and_malformed_are_errors() {
        let e = read("<suites><suite><case name='x'/></suite></suites>").unwrap_err();
        assert!(e.message.contains("root element <suites>"), "{e}");
        assert!(e.at.offset.is_some());
        let e = read("<testsuites><testsuite name='a'><testcase name='x'>").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
        let e = read("<testsuite><testcase name='x'></testsuite>").unwrap_err();
        assert!(e.message.contains("does not match"), "{e}");
        assert!(read("").is_err());
    }

    #[test]
    fn doctype_entities_are_not_expanded() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>
<testsuite name="s"><testcase name="&xxe;" classname="&b;"><failure message="&xxe;"/></testcase></testsuite>"#;
        let e = read(doc).unwrap_err();
        assert!(e.message.contains("declares entities"), "{e}");
        // Undeclared references (no DTD) are kept literally, with one warning.
        let doc = r#"<testsuite name="s"><testcase name="&xxe;" classname="&b;"><failure message="&xxe;"/></testcase></testsuite>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(ctx.warnings.len(), 1, "{:?}", ctx.warnings);
        assert_eq!(run.cases[0].name, "&xxe;");
        assert_eq!(run.cases[0].class.as_deref(), Some("&b;"));
        assert_eq!(run.cases[0].message.as_deref(), Some("&xxe;"));
    }

    #[test]
    fn large_system_out_and_small_buffers() {
        let mut s = String::from("<testsuites><testsuite name=\"s\">");
        for i in 0..2000 {
            s.push_str(&format!(
                "<testcase name=\"t{i}\" classname=\"C\" time=\"0.001\"><system-out>{}</system-out></testcase>",
                "x".repeat(100)
            ));
        }
        s.push_str("</testsuite></testsuites>");
        let mut ctx = Ctx::default();
        let mut input = std::io::BufReader::with_capacity(100, s.as_bytes());
        let mut run = parse(&mut input, &mut ctx).unwrap();
        run.finish();
        assert_eq!(run.totals(), t(2000, 2000, 0, 0, 0, 0));
    }
    /// A file under the system temp dir, removed on drop.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str, content: &str) -> TempFile {
            let p =
                std::env::temp_dir().join(format!("testcert-junit-{}-{name}", std::process::id()));
            std::fs::write(&p, content).unwrap();
            TempFile(p)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn truncated_file_error_is_located_end_to_end() {
        let mut doc = String::from("<?xml version=\"1.0\"?>\n<testsuites>\n<testsuite name=\"a\"><testcase name=\"x\"/></testsuite>\n<testsuite name=\"b\">\n");
        for i in 1..=4 {
            doc.push_str(&format!("  <testcase name=\"t{i}\"/>\n"));
        }
        doc.push_str("  <testcase name=\"t5\" time=\"0.1\">\n    <failure message=\"boom\">trace");
        let f = TempFile::new("truncated.xml", &doc);
        let e = crate::ingest::read_report(&f.0).unwrap_err();
        let msg = e.to_string();
        let expected = format!(
            "{}:10:34: testsuites/testsuite[2]/testcase[5]/failure[1]: unexpected end of file",
            f.0.display()
        );
        assert!(msg.starts_with(&expected), "{msg}");
        assert!(msg.contains("truncated"), "{msg}");
    }

    #[test]
    fn xxe_probe_never_reads_the_file() {
        let secret = TempFile::new("secret.txt", "TOP-SECRET-VALUE");
        let doc = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuites [<!ENTITY xxe SYSTEM \"file://{}\">]>\n<testsuites><testsuite name=\"&xxe;\"><testcase name=\"&xxe;\"><failure message=\"&xxe;\">&xxe;</failure></testcase></testsuite></testsuites>",
            secret.0.display()
        );
        let f = TempFile::new("xxe.xml", &doc);
        let e = crate::ingest::read_report(&f.0).unwrap_err().to_string();
        assert!(e.contains("declares entities"), "{e}");
        assert!(!e.contains("TOP-SECRET"), "{e}");
    }
}
