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
//!   1 + the number of those elements. Testcases written several times are pushed once per
//!   occurrence; they are attempts of one test ([`crate::model::Repeats::Attempts`], folded by
//!   [`TestRun::finish`]) only when the producer guarantees unique names: pytest (root
//!   `name="pytest tests"` or a suite named `pytest`), cargo-nextest (root `nextest-run`),
//!   gotestsum/go-junit-report (a `go.version` suite property). Otherwise (jest, vitest, mocha,
//!   JUnit 4 parameterized, TestNG, …) each is a distinct test, as the producer counts it.
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
//! never fetched and entities it declares are never expanded (see `ingest::xml`).

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::location::find_location;
use super::producers::{is_mocha_hook, is_system_property, node_totals, Producer};
use super::util::simple_decimal;
use crate::ingest::error::Result;
use crate::ingest::xml::{each_attr, local_name, parse_u64, unescape, Ev, XmlReader};
use crate::ingest::Ctx;
use crate::model::{Inherited, Names, Outcome, SharedStr, TestCase, TestRun};

/// At most this much of a failure's text is kept to find its first line and location.
const TEXT_LIMIT: usize = 64 * 1024;
/// Messages are cut to this many bytes (at a char boundary).
const MESSAGE_LIMIT: usize = 1000;
/// A joined suite name (nested suites) is cut at this many bytes: nesting must not make the
/// names kept grow with the square of the depth.
const SUITE_NAME_LIMIT: usize = 512;
/// At most this many suite-level properties are inherited at once (over all open suites):
/// every case carries them into classification.
const INHERITED_LIMIT: usize = 1000;

pub fn parse(input: &mut dyn BufRead, ctx: &mut Ctx) -> Result<TestRun> {
    let mut r = XmlReader::new(input);
    let mut p = Parser::default();
    // The file-level properties (under `<testsuites>`): the root of every suite's.
    p.nodes.push(PropsNode::default());
    // One head for every element, filled in place (see [`Head::read`]).
    let mut head = Head::default();
    // The root element's name, for the error when it is not JUnit.
    let mut root = String::new();
    loop {
        let (e, start) = match r.event()? {
            Ev::Start(e) => (e, true),
            Ev::Empty(e) => (e, false),
            Ev::End => {
                while p.suites.last().is_some_and(|s| r.depth() < s.depth) {
                    p.close_suite();
                }
                continue;
            }
            Ev::Eof => break,
            Ev::Text(_) | Ev::Other => continue,
        };
        let tag = Tag::of(&e);
        if !p.seen_root {
            root = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        }
        head.read(&e, tag, &mut p.names);
        r.unknown_entities += head.unknown_entities;
        if !p.seen_root {
            p.seen_root = true;
            if !matches!(tag, Tag::Testsuites | Tag::Testsuite) {
                return Err(r.error(format!(
                    "root element <{root}> is not JUnit XML (expected <testsuites> or <testsuite>)"
                )));
            }
        }
        match tag {
            Tag::Testsuites if p.suites.is_empty() => {
                // The producers' root names (their defaults) say who wrote the file.
                let by_root = match head.name.as_deref() {
                    Some("pytest tests") => Producer::Pytest,
                    Some("nextest-run") => Producer::Nextest,
                    Some("vitest tests") => Producer::Vitest,
                    Some("jest tests") => Producer::Jest,
                    Some("Mocha Tests") => Producer::Mocha,
                    _ => Producer::Unknown,
                };
                if by_root != Producer::Unknown {
                    p.producer = by_root;
                }
                p.declared_skipped += head.skipped.unwrap_or(0);
                p.declared_errors += head.errors.unwrap_or(0);
            }
            Tag::Testsuite => {
                if p.suites.is_empty() {
                    p.declared += head.tests.unwrap_or(0);
                }
                if start {
                    p.open_suite(&mut head, r.depth());
                }
            }
            Tag::Testcase => p.case(&mut r, &mut head, start)?,
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
    let stated = node_totals(&r.root_comments);
    let run = p.finish(ctx)?;
    if let Some(w) = stated.and_then(|s| s.disagreement(&run)) {
        ctx.warn(w);
    }
    Ok(run)
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
        // The whole name first: no name below holds a ':', so a name that matches is its own
        // local name, and only the others (prefixed, unknown) pay for the search of a prefix.
        match Tag::named(e.name().into_inner()) {
            Tag::Other => Tag::named(local_name(e)),
            tag => tag,
        }
    }

    fn named(name: &[u8]) -> Tag {
        match name {
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
    /// Inline when short (most test names): no allocation per testcase.
    name: Option<compact_str::CompactString>,
    /// `name` may hold a '"': false when it was read as plain ASCII without one, which rules
    /// out a mocha hook (quoted) without a second pass over the name.
    name_quote: bool,
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
    /// `skipped=`/`errors=` of the root `<testsuites>` (warnings only).
    skipped: Option<u64>,
    errors: Option<u64>,
    /// `type=` of a `<skipped>`/`<error>` that marks an expected failure (`pytest.xfail`,
    /// unittest's `XFAIL`), a node:test todo, or an unexpected success (`UnexpectedSuccess`).
    special: Option<Special>,
    /// Declared `tests=` of a testsuite (warning only).
    tests: Option<u64>,
    /// Outcome stated by a `status=`/`result=` attribute.
    status: Option<Outcome>,
    /// Entity references kept as written (declared in a DTD, never expanded).
    unknown_entities: u64,
}

impl Head {
    /// Reads the attributes of `e`, a `tag` element, into `self`, cleared first. A head is
    /// reused from element to element and filled in place, its strings taken out by whoever
    /// keeps them: built and returned by value, its ~200 bytes were copied two or three
    /// times per element (~3 M instructions in 35,000 testcases).
    fn read(&mut self, e: &BytesStart<'_>, tag: Tag, names: &mut Classes) {
        self.clear();
        if matches!(tag, Tag::Other | Tag::Properties | Tag::SystemOut) {
            return;
        }
        // One hand-written pass over the attributes; a list it finds malformed is read again
        // by quick-xml's lenient iterator, as it always was (`each_attr` agrees with that
        // iterator on every well-formed list).
        if each_attr(e, |key, value| self.set(tag, key, value, names)).is_err() {
            self.clear();
            for a in e.attributes().with_checks(false).flatten() {
                self.set(tag, a.key.local_name().as_ref(), &a.value, names);
            }
        }
    }

    /// Back to [`Head::default`], field by field: the strings are mostly taken already, and
    /// each field's drop check inlined here costs less than a call to the drop of the whole
    /// head per element. The pattern names every field, so a new one cannot be forgotten.
    fn clear(&mut self) {
        let Head {
            name,
            name_quote,
            class,
            class_alt,
            file,
            line,
            time,
            message,
            value,
            skipped,
            errors,
            special,
            tests,
            status,
            unknown_entities,
        } = self;
        *name = None;
        *name_quote = false;
        *class = None;
        *class_alt = None;
        *file = None;
        *line = None;
        *time = None;
        *message = None;
        *value = None;
        *skipped = None;
        *errors = None;
        *special = None;
        *tests = None;
        *status = None;
        *unknown_entities = 0;
    }

    /// Takes the attribute `key` (local name) = `value` (raw) of a `tag` element.
    fn set(&mut self, tag: Tag, key: &[u8], value: &[u8], names: &mut Classes) {
        match (tag, key) {
            (Tag::Testsuites | Tag::Testsuite | Tag::Testcase | Tag::Property, b"name") => {
                self.name = Some(self.compact_text(value, &mut names.scratch))
            }
            (Tag::Testsuite, b"tests") => self.tests = parse_u64(value),
            (Tag::Testcase, b"classname") => self.class = Some(self.class_name(value, names)),
            (Tag::Testcase, b"class") => self.class_alt = Some(self.class_name(value, names)),
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
            (Tag::Testsuites, b"skipped") => self.skipped = parse_u64(value),
            (Tag::Testsuites, b"errors") => self.errors = parse_u64(value),
            (Tag::Skipped | Tag::Error, b"type") => {
                self.special = match value {
                    b"pytest.xfail" | b"XFAIL" => Some(Special::ExpectedFailure),
                    b"UnexpectedSuccess" => Some(Special::UnexpectedSuccess),
                    b"todo" => Some(Special::Todo),
                    b"PHPUnit\\Framework\\RiskyTestError" => Some(Special::Risky),
                    _ => None,
                }
            }
            _ => {}
        }
    }

    /// The shared copy of the class named by the raw attribute value `v`: a repeat of the
    /// last one (every testcase of a class repeats it byte for byte) is known before it is
    /// decoded, and its unknown references are counted again as they would be.
    fn class_name(&mut self, v: &[u8], c: &mut Classes) -> SharedStr {
        if let Some((name, unknown)) = &c.last {
            if c.raw == v {
                self.unknown_entities += unknown;
                return name.clone();
            }
        }
        let before = self.unknown_entities;
        let name = {
            let text = self.text(v);
            c.names.get(&text)
        };
        c.raw.clear();
        c.raw.extend_from_slice(v);
        c.last = Some((name.clone(), self.unknown_entities - before));
        name
    }

    /// [`Head::text`] as a `CompactString`: a value with a reference (`testEdge&lt;case&gt;`)
    /// is decoded into `scratch` and copied once, no `String` allocated and dropped per name.
    fn compact_text(&mut self, v: &[u8], scratch: &mut String) -> compact_str::CompactString {
        if let Some((s, quote)) = crate::ingest::xml::plain_text_quoted(v) {
            self.name_quote = quote;
            return compact_str::CompactString::from(s);
        }
        self.name_quote = true;
        // Not ASCII (`testUnicode_é`) but nothing to resolve: checked and copied once.
        if memchr::memchr(b'&', v).is_none() {
            if let Ok(s) = std::str::from_utf8(v) {
                return compact_str::CompactString::from(s);
            }
        }
        scratch.clear();
        self.unknown_entities += crate::ingest::xml::unescape_into(v, scratch);
        compact_str::CompactString::from(scratch.as_str())
    }

    /// An attribute value as text, references resolved (unknown ones kept and counted).
    fn text<'v>(&mut self, v: &'v [u8]) -> Cow<'v, str> {
        // Fast path: no reference to resolve and valid UTF-8, borrowed.
        if let Some(s) = crate::ingest::xml::plain_text(v) {
            return Cow::Borrowed(s);
        }
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

/// What a `type=` says that changes the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    /// `<skipped type="pytest.xfail">` (pytest), `<skipped type="XFAIL">`
    /// (unittest-xml-reporting): the test failed as expected. Both producers count it apart
    /// from skipped and it does not fail the run: passed.
    ExpectedFailure,
    /// `<error type="UnexpectedSuccess">` (unittest-xml-reporting): an expected failure that
    /// passed. unittest counts it apart from errors, and it fails the run: failed.
    UnexpectedSuccess,
    /// `<skipped type="todo">` (node:test): a todo test, skipped even when it threw (node
    /// then writes a `<failure>` too, and counts it under todo, not fail).
    Todo,
    /// `<error type="PHPUnit\Framework\RiskyTestError">`: a test PHPUnit calls risky (no
    /// assertion, output, …). PHPUnit prints it apart (`Risky: 1`), not among errors, and it
    /// does not fail the run by itself: passed, with a warning.
    Risky,
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
#[inline]
fn parse_time(v: &[u8]) -> Option<f64> {
    // Nearly every time is a plain decimal, read inline; the rest is not worth inlining.
    simple_decimal(v).or_else(|| parse_time_otherwise(v))
}

/// [`parse_time`] for what is not a plain decimal.
#[inline(never)]
fn parse_time_otherwise(v: &[u8]) -> Option<f64> {
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

/// An open `<testsuite>`.
struct Suite {
    /// Reader depth inside the element: the suite is closed when the depth drops below it.
    depth: usize,
    /// Length of the joined suite name before this suite.
    name_len: usize,
    /// Index of the suite's properties node in [`Parser::nodes`].
    node: usize,
    /// Named `pytest` (pytest's default): its `line` attributes are 0-based.
    pytest: bool,
    /// `file=` of the suite (mocha-junit-reporter, Playwright): its cases' file when they
    /// name none. Shared by those cases.
    file: Option<SharedStr>,
}

#[derive(Default)]
struct Parser {
    run: TestRun,
    seen_root: bool,
    suites: Vec<Suite>,
    /// Names of the open suites joined with `/`.
    suite_name: String,
    /// `suite_name`, shared by the cases of the suite; `None` when the name changed since it
    /// was last made (it is made when a case needs it, not per suite opened).
    suite: Option<SharedStr>,
    /// Suite and class names, one copy each.
    names: Classes,
    /// File names, one copy each (pytest, jest, … name the file in every testcase).
    files: Names,
    /// Suite-level properties, one node per suite (0: the file's), each linked to its parent:
    /// stored once, shared by the cases below (see [`crate::model::Inherited`]).
    nodes: Vec<PropsNode>,
    /// Properties in the open suites' nodes, for [`INHERITED_LIMIT`].
    open_props: usize,
    /// Properties left out by [`INHERITED_LIMIT`].
    dropped_props: u64,
    /// Index in `nodes` of the innermost open suite's node, for each case pushed.
    case_nodes: Vec<u32>,
    /// testcase elements seen (also numbers unnamed ones).
    testcases: u64,
    unnamed: u64,
    /// Sum of `tests=` of the outermost testsuites.
    declared: u64,
    /// Who wrote the file, when it says (see [`Producer`]).
    producer: Producer,
    /// `skipped=` and `errors=` of the root `<testsuites>` (warnings only).
    declared_skipped: u64,
    declared_errors: u64,
    /// Producer quirks met: jest-junit suites that failed to run (two pseudo-testcases each,
    /// counted as one error), vitest files that failed to import (one pseudo-testcase, an
    /// error), mocha hook failures (pseudo-testcases, counted failed as mocha does).
    jest_suite_errors: u64,
    vitest_import_errors: u64,
    mocha_hooks: u64,
    /// Expected failures (pytest xfail, unittest expectedFailure) read as passed, and
    /// unexpected successes (unittest, written as `<error>`) read as failed.
    xfail: u64,
    unexpected_successes: u64,
    /// PHPUnit risky tests read as passed.
    risky: u64,
    /// Index of the last jest-junit suite-failure pseudo-case pushed (its pair is skipped).
    jest_pseudo: Option<usize>,
}

impl Parser {
    fn open_suite(&mut self, head: &mut Head, depth: usize) {
        let name_len = self.suite_name.len();
        let name = head.name.take().unwrap_or_default();
        let name = name.trim();
        if !name.is_empty() && self.suite_name.len() < SUITE_NAME_LIMIT {
            if !self.suite_name.is_empty() {
                self.suite_name.push('/');
            }
            self.suite_name.push_str(name);
            if self.suite_name.len() > SUITE_NAME_LIMIT {
                let mut end = SUITE_NAME_LIMIT;
                while !self.suite_name.is_char_boundary(end) {
                    end -= 1;
                }
                self.suite_name.truncate(end);
            }
            self.suite = None;
        }
        let parent = self.current_node();
        self.nodes.push(PropsNode {
            parent: Some(parent),
            props: Vec::new(),
        });
        self.suites.push(Suite {
            depth,
            name_len,
            node: self.nodes.len() - 1,
            pytest: name == "pytest",
            file: head
                .file
                .take()
                .filter(|f| !f.trim().is_empty())
                .map(SharedStr::from),
        });
        if name == "pytest" {
            self.producer = Producer::Pytest;
        }
    }

    fn close_suite(&mut self) {
        if let Some(s) = self.suites.pop() {
            if self.suite_name.len() != s.name_len {
                self.suite_name.truncate(s.name_len);
                self.suite = None;
            }
            self.open_props -= self.nodes[s.node].props.len();
        }
    }

    fn current_node(&self) -> usize {
        self.suites.last().map_or(0, |s| s.node)
    }

    /// Suite-level properties: inherited by the cases to come and, when the tool wrote them
    /// after some testcases, by the cases of the suite already read (they share its node).
    fn suite_properties(&mut self, props: Vec<(String, String)>) {
        // gotestsum and go-junit-report write the Go version as a suite property.
        if props.iter().any(|(k, _)| k == "go.version") {
            self.producer = Producer::Go;
        }
        let node = self.current_node();
        for p in props.into_iter().filter(|(k, _)| !is_system_property(k)) {
            if self.open_props >= INHERITED_LIMIT {
                self.dropped_props += 1;
                continue;
            }
            self.open_props += 1;
            self.nodes[node].props.push(p);
        }
    }

    /// Reads one testcase (its start tag is `head`) and pushes it.
    fn case<R: BufRead>(
        &mut self,
        r: &mut XmlReader<R>,
        head: &mut Head,
        start: bool,
    ) -> Result<()> {
        self.testcases += 1;
        let mut b = Body::default();
        if start {
            b.read(r, head.file.is_none(), &mut self.names)?;
        }
        let mut outcome = if b.todo {
            Outcome::Skipped
        } else if b.error.is_some() {
            Outcome::Error
        } else if b.failure.is_some() {
            Outcome::Failed
        } else if b.skipped && b.xfail {
            self.xfail += 1;
            Outcome::Passed
        } else if b.skipped {
            Outcome::Skipped
        } else if let Some(o) = head.status {
            o
        } else if b.flaky > 0 {
            Outcome::Flaky
        } else {
            Outcome::Passed
        };
        let name = match head.name.take().filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => {
                self.unnamed += 1;
                compact_str::format_compact!("(unnamed testcase {})", self.testcases)
            }
        };
        let suite = match &self.suite {
            Some(s) => s.clone(),
            None => {
                let s = self.names.names.get(&self.suite_name);
                self.suite = Some(s.clone());
                s
            }
        };
        if b.unexpected_success && outcome == Outcome::Failed {
            self.unexpected_successes += 1;
        }
        if b.risky && outcome == Outcome::Passed {
            self.risky += 1;
        }
        let class = head
            .class
            .take()
            .or(head.class_alt.take())
            .filter(|c| !c.is_empty());
        // Pseudo-testcases some producers write for what is not a test.
        let class_str = class.as_deref().unwrap_or("");
        let failed_to_run = |f: &Option<Finding>| {
            f.as_ref()
                .and_then(|f| f.message.as_deref())
                .is_some_and(|m| m.trim_start_matches('●').trim() == "Test suite failed to run")
        };
        let jest_pseudo = outcome != Outcome::Passed
            && (class_str == "Test suite failed to run"
                || failed_to_run(&b.error)
                || name.starts_with("Test execution failure: could be caused by test hooks"));
        if jest_pseudo {
            // jest-junit (reportTestSuiteErrors): a suite that failed to run is two testcases,
            // one <error> and one <failure> (named after the file by default, by the
            // configured templates otherwise): one error.
            let again = self
                .jest_pseudo
                .is_some_and(|i| i + 1 == self.run.cases.len() && self.run.cases[i].suite == suite);
            if again {
                return Ok(());
            }
            self.jest_suite_errors += 1;
            self.jest_pseudo = Some(self.run.cases.len());
            outcome = Outcome::Error;
        } else if self.producer == Producer::Vitest
            && outcome == Outcome::Failed
            && class_str == name
            && suite.ends_with(name.as_str())
        {
            // vitest: a file that failed to import is a testcase named after the file.
            self.vitest_import_errors += 1;
            outcome = Outcome::Error;
        } else if head.name_quote && is_mocha_hook(&name) {
            self.mocha_hooks += 1;
        }
        let mut case = TestCase::new(suite, name, outcome);
        case.class = class;
        case.duration = head.time.into();
        case.attempts = 1 + b.flaky + b.reruns;
        if self.producer == Producer::Vitest && b.failures > 1 {
            // vitest writes one <failure> per attempt of a test that failed every retry.
            case.attempts = b.failures;
        }
        let deciding = match outcome {
            Outcome::Error => b.error.take().or(b.failure.take()),
            Outcome::Failed => b.failure.take().or(b.error.take()),
            Outcome::Flaky => b.flaky_result.take(),
            _ => None,
        };
        case.file = head
            .file
            .take()
            .filter(|f| !f.is_empty())
            .map(|f| self.files.get(&f));
        case.line = head.line;
        if case.file.is_some() && self.suites.last().is_some_and(|s| s.pytest) {
            case.line = case.line.map(|l| l.saturating_add(1));
        }
        if let Some(res) = deciding {
            case.message = res.message.map(Into::into);
            if case.file.is_none() {
                if let Some((f, l)) = res.location {
                    case.file = Some(f.into());
                    case.line = l;
                }
            }
        }
        if case.file.is_none() {
            case.file = self.suites.iter().rev().find_map(|s| s.file.clone());
        }
        case.properties = b.props.into();
        // The suite's properties are attached in `finish`: some come after the cases.
        self.case_nodes
            .push(u32::try_from(self.current_node()).unwrap_or(u32::MAX));
        self.run.push(case);
        Ok(())
    }

    fn finish(mut self, ctx: &mut Ctx) -> Result<TestRun> {
        // Parents come before their children in `nodes`: one pass links them all.
        let mut shared: Vec<Inherited> = Vec::with_capacity(self.nodes.len());
        for n in std::mem::take(&mut self.nodes) {
            let parent = n
                .parent
                .map_or_else(Inherited::default, |p| shared[p].clone());
            shared.push(Inherited::child(&parent, n.props));
        }
        for (case, &node) in self.run.cases.iter_mut().zip(&self.case_nodes) {
            if let Some(s) = shared.get(node as usize) {
                case.inherited = s.clone();
            }
        }
        ctx.warn_count(
            self.dropped_props,
            "suite-level property is beyond the first 1000 of the open suites and is not inherited",
            "suite-level properties are beyond the first 1000 of the open suites and are not inherited",
        );
        ctx.warn_count(
            self.unnamed,
            "testcase element has no name; it is counted as a distinct test",
            "testcase elements have no name; each is counted as a distinct test",
        );
        if self.testcases == 0 && self.declared > 0 {
            ctx.warn(format!(
                "the testsuites declare tests=\"{}\" but hold no testcase element: read as 0 tests (header counts are not trusted)",
                self.declared
            ));
        }
        ctx.warn_count(
            self.jest_suite_errors,
            "test suite failed to run (jest-junit writes two pseudo-testcases for it): counted as one error, which jest leaves out of its Tests line",
            "test suites failed to run (jest-junit writes two pseudo-testcases for each): each counted as one error, which jest leaves out of its Tests line",
        );
        ctx.warn_count(
            self.vitest_import_errors,
            "test file failed to import (vitest writes a testcase named after the file): counted as one error, which vitest leaves out of its Tests line",
            "test files failed to import (vitest writes a testcase named after the file): each counted as one error, which vitest leaves out of its Tests line",
        );
        ctx.warn_count(
            self.mocha_hooks,
            "hook failure (mocha-junit-reporter writes it as a testcase) counted as a failed test, as mocha counts it; the tests it kept from running have no record",
            "hook failures (mocha-junit-reporter writes each as a testcase) counted as failed tests, as mocha counts them; the tests they kept from running have no record",
        );
        ctx.warn_count(
            self.xfail,
            "expected failure (xfail) counted as passed: the producer counts it apart from skipped and it does not fail the run",
            "expected failures (xfail) counted as passed: the producer counts them apart from skipped and they do not fail the run",
        );
        ctx.warn_count(
            self.risky,
            "risky test (PHPUnit writes it as <error type=\"PHPUnit\\Framework\\RiskyTestError\">) counted as passed: PHPUnit prints it apart from errors and it does not fail the run",
            "risky tests (PHPUnit writes them as <error type=\"PHPUnit\\Framework\\RiskyTestError\">) counted as passed: PHPUnit prints them apart from errors and they do not fail the run",
        );
        ctx.warn_count(
            self.unexpected_successes,
            "unexpected success (written as <error type=\"UnexpectedSuccess\">) counted as failed: unittest counts it apart from errors, and it fails the run",
            "unexpected successes (written as <error type=\"UnexpectedSuccess\">) counted as failed: unittest counts them apart from errors, and they fail the run",
        );
        let mut run = self.run;
        let (skipped, errors) = run.cases.iter().fold((0u64, 0u64), |(s, e), c| {
            (
                s + u64::from(c.outcome == Outcome::Skipped),
                e + u64::from(c.outcome == Outcome::Error),
            )
        });
        if self.declared_skipped > skipped {
            ctx.warn(format!(
                "the file declares skipped=\"{}\" but holds {skipped} skipped testcases: the producer left skipped tests out (mocha-junit-reporter does unless includePending is set); they are not counted",
                self.declared_skipped
            ));
        }
        if self.declared_errors > errors {
            ctx.warn(format!(
                "the file declares errors=\"{}\" but holds {errors} testcases with an error: errors without a testcase (a package that failed to build, …) are not counted",
                self.declared_errors
            ));
        }
        run.repeats = self.producer.repeats();
        Ok(run)
    }
}

/// Suite and class names, one copy each ([`Names`]), and the raw `classname` last decoded with
/// what it gave (the name, its unknown references).
#[derive(Default)]
struct Classes {
    names: Names,
    raw: Vec<u8>,
    last: Option<(SharedStr, u64)>,
    /// Where a test name with a reference is decoded before it is copied into its
    /// `CompactString` (whose `push` costs ~65 instructions a piece), reused.
    scratch: String,
}

/// A suite's properties while the file is read.
#[derive(Default)]
struct PropsNode {
    parent: Option<usize>,
    props: Vec<(String, String)>,
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
    /// The `<skipped>` marked an expected failure.
    xfail: bool,
    /// The `<skipped>` marked a todo (node:test).
    todo: bool,
    /// A PHPUnit risky-test `<error>` (not kept as an error).
    risky: bool,
    /// An `<error>` was an unexpected success (read into `failure`).
    unexpected_success: bool,
    /// `<failure>` elements (vitest writes one per attempt).
    failures: u32,
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
        names: &mut Classes,
    ) -> Result<()> {
        let mut head = Head::default();
        loop {
            // Children are consumed whole, so the next end tag is the testcase's.
            let Some((tag, start)) = next_child(r, names, &mut head)? else {
                return Ok(());
            };
            match tag {
                Tag::Failure | Tag::Error | Tag::FlakyFailure => {
                    let unexpected = head.special == Some(Special::UnexpectedSuccess);
                    self.unexpected_success |= tag == Tag::Error && unexpected;
                    if tag == Tag::Error && head.special == Some(Special::Risky) {
                        self.risky = true;
                        if start {
                            r.skip()?;
                        }
                        continue;
                    }
                    if tag == Tag::Failure {
                        self.failures += 1;
                    }
                    let slot = match tag {
                        Tag::Failure => &mut self.failure,
                        Tag::Error if unexpected => &mut self.failure,
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
                    *slot = Some(read_result(r, &mut head, start, want_location)?);
                }
                Tag::RerunFailure => {
                    self.reruns += 1;
                    if start {
                        r.skip()?;
                    }
                }
                Tag::Skipped => {
                    self.skipped = true;
                    self.xfail |= head.special == Some(Special::ExpectedFailure);
                    self.todo |= head.special == Some(Special::Todo);
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
    head: &mut Head,
    start: bool,
    want_location: bool,
) -> Result<Finding> {
    let mut res = Finding::default();
    if want_location {
        if let Some(f) = head.file.take().filter(|f| !f.trim().is_empty()) {
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

/// The next child element of the element being read: its tag and whether it has content (a
/// start tag, not an empty one), its attributes read into `head`, with the unknown entities
/// in them counted; text and other events are passed over. `None` at the parent's end tag or
/// at the end of the file.
fn next_child<R: BufRead>(
    r: &mut XmlReader<R>,
    names: &mut Classes,
    head: &mut Head,
) -> Result<Option<(Tag, bool)>> {
    loop {
        let (e, start) = match r.event()? {
            Ev::Start(e) => (e, true),
            Ev::Empty(e) => (e, false),
            Ev::End | Ev::Eof => return Ok(None),
            Ev::Text(_) | Ev::Other => continue,
        };
        let tag = Tag::of(&e);
        head.read(&e, tag, names);
        r.unknown_entities += head.unknown_entities;
        return Ok(Some((tag, start)));
    }
}

/// Reads `<property>` children of the `<properties>` element just started into `out`.
fn read_properties<R: BufRead>(
    r: &mut XmlReader<R>,
    out: &mut Vec<(String, String)>,
    names: &mut Classes,
) -> Result<()> {
    let mut head = Head::default();
    loop {
        let Some((tag, start)) = next_child(r, names, &mut head)? else {
            return Ok(());
        };
        if tag != Tag::Property {
            if start {
                r.skip()?;
            }
            continue;
        }
        let value = match head.value.take() {
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
        if let Some(name) = head.name.take().filter(|n| !n.is_empty()) {
            out.push((name.into_string(), value));
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
            "0.000",
            "9.999",
            "1.005",
            "0.1.2",
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
        // Every time of the shape read without the loop (`0.057`).
        for n in 0..10_000 {
            let s = format!("{}.{:03}", n / 1000, n % 1000);
            assert_eq!(simple_decimal(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
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
        assert_eq!(
            c("ok").all_properties().cloned().collect::<Vec<_>>(),
            vec![("size".into(), "small".into())]
        );
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
        // gotestsum --rerun-fails writes the failed run and the rerun as two testcases; its
        // go.version property says go test wrote it (names unique within a package).
        let doc = r#"<testsuites>
<testsuite name="pkg/a" tests="2"><properties><property name="go.version" value="go1.22.1"/></properties><testcase classname="pkg/a" name="TestX" time="1.5"><failure message="Failed">--- FAIL</failure></testcase><testcase classname="pkg/a" name="TestY" time="0"/></testsuite>
<testsuite name="pkg/a" tests="1"><testcase classname="pkg/a" name="TestX" time="0.5"/></testsuite>
</testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(2, 1, 0, 0, 0, 1));
        let x = &run.cases[0];
        assert_eq!((x.name.as_str(), x.attempts), ("TestX", 2));
        assert_eq!(x.duration, Some(2.0));
        assert_eq!(
            ctx.warnings,
            ["1 rerun folded: 1 failed then passed (flaky), 0 failed on every attempt"]
        );
        // Without a producer that makes names unique, the same file is three tests: the
        // failure is not hidden by a namesake that passed.
        let (run, ctx) = read(&doc.replace("go.version", "other")).unwrap();
        assert_eq!(run.totals(), t(3, 2, 1, 0, 0, 0));
        assert_eq!(run.distinct(), 2);
        assert_eq!(run.runs(), 3);
        assert!(ctx.warnings[0].starts_with("1 repeated name kept as distinct tests"));
        // pytest and nextest guarantee unique names too.
        for root in [
            r#"<testsuites name="pytest tests">"#,
            r#"<testsuites name="nextest-run">"#,
        ] {
            let (run, _) = read(&doc.replace("go.version", "other").replacen(
                "<testsuites>",
                root,
                1,
            ))
            .unwrap();
            assert_eq!(run.totals(), t(2, 1, 0, 0, 0, 1), "{root}");
        }
    }

    #[test]
    fn producer_quirks() {
        // jest-junit (reportTestSuiteErrors): a suite that failed to run is two pseudo-cases.
        let doc = r#"<testsuites name="jest tests"><testsuite name="test/broken.test.js" tests="0">
<testcase classname="Test suite failed to run" name="test/broken.test.js"><error>Cannot find module</error></testcase>
<testcase classname="Test suite failed to run" name="test/broken.test.js"><failure>{"code":"MODULE_NOT_FOUND"}</failure></testcase>
</testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(1, 0, 0, 1, 0, 0));
        assert!(ctx.warnings[0].starts_with("1 test suite failed to run"));
        // The same with jest-junit's classname/title templates: "" / "undefined", then
        // "Test execution failure: …".
        let doc = r#"<testsuites name="jest tests"><testsuite name="test/broken.test.js" tests="0">
<testcase classname="" name="undefined"><error>  ● Test suite failed to run

    Cannot find module</error></testcase>
<testcase classname="" name="Test execution failure: could be caused by test hooks like &apos;afterAll&apos;."><failure>{}</failure></testcase>
</testsuite></testsuites>"#;
        let (run, _) = read(doc).unwrap();
        assert_eq!(run.totals(), t(1, 0, 0, 1, 0, 0));
        // PHPUnit: a risky test is written as an <error>; PHPUnit counts it apart: passed.
        let doc = r#"<testsuites><testsuite name="Real\Tests\CalcTest">
<testcase name="testRisky" class="Real\Tests\CalcTest"><error type="PHPUnit\Framework\RiskyTestError">This test did not perform any assertions</error></testcase>
<testcase name="testError" class="Real\Tests\CalcTest"><error type="RuntimeException">boom</error></testcase>
</testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(2, 1, 0, 1, 0, 0));
        assert!(
            ctx.warnings[0].starts_with("1 risky test"),
            "{:?}",
            ctx.warnings
        );
        // vitest: a file that failed to import, and one <failure> per attempt of a test that
        // failed every retry (one failed test of 3 attempts).
        let doc = r#"<testsuites name="vitest tests"><testsuite name="test/broken.test.js"><testcase classname="test/broken.test.js" name="test/broken.test.js"><failure message="Cannot find module"/></testcase></testsuite>
<testsuite name="test/math.test.js"><testcase classname="test/math.test.js" name="retried &gt; fails every attempt"><failure message="a"/><failure message="b"/><failure message="c"/></testcase></testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(2, 0, 1, 1, 0, 0));
        let failed = run
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Failed)
            .unwrap();
        assert_eq!((failed.attempts, failed.message.as_deref()), (3, Some("a")));
        assert!(ctx.warnings[0].starts_with("1 test file failed to import"));
        // mocha-junit-reporter: a hook failure is a failed pseudo-case (mocha counts it among
        // the failing); pending tests declared but not written.
        let doc = r#"<testsuites name="Mocha Tests" tests="4" failures="1" skipped="2"><testsuite name="hook fails" tests="2">
<testcase name="hook fails &quot;before all&quot; hook for &quot;never runs 1&quot;" classname="&quot;before all&quot; hook for &quot;never runs 1&quot;"><failure message="boom"/></testcase></testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(1, 0, 1, 0, 0, 0));
        assert!(
            ctx.warnings[0].starts_with("1 hook failure"),
            "{:?}",
            ctx.warnings
        );
        assert!(ctx.warnings[1].starts_with("the file declares skipped=\"2\" but holds 0"));
        // node:test: top-level testcases under <testsuites>, a todo that threw, run totals in
        // comments (a test with subtests is a <testsuite> node counts as a test).
        let doc = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites>
	<testcase name="adds" time="0.1" classname="test"/>
	<testcase name="todo" time="0.1" classname="test" failure="boom"><skipped type="todo" message="true"/><failure type="testCodeFailure" message="boom"/></testcase>
	<testsuite name="parent" tests="1" failures="1"><testcase name="child" classname="test"><failure message="x"/></testcase></testsuite>
	<!-- tests 4 -->
	<!-- pass 1 -->
	<!-- fail 2 -->
	<!-- skipped 0 -->
	<!-- todo 1 -->
</testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(3, 1, 1, 0, 1, 0));
        assert!(
            ctx.warnings[0].contains("node:test comments: tests 4, fail 2"),
            "{:?}",
            ctx.warnings
        );
        // pytest xfail and unittest's expected failure / unexpected success.
        let doc = r#"<testsuites><testsuite name="t">
<testcase classname="a" name="xf"><skipped type="pytest.xfail" message="reason"/></testcase>
<testcase classname="a" name="uxf"><skipped type="XFAIL" message="x"/></testcase>
<testcase classname="a" name="us"><error type="UnexpectedSuccess" message="Unexpected success: a.us"/></testcase>
<testcase classname="a" name="skip"><skipped type="skip"/></testcase>
</testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(4, 2, 1, 0, 1, 0));
        assert_eq!(ctx.warnings.len(), 2, "{:?}", ctx.warnings);
        // pytest-rerunfailures: failed attempts are empty testcases before the last one.
        let doc = r#"<testsuites name="pytest tests"><testsuite name="pytest">
<testcase classname="tests.t" name="test_flaky"/><testcase classname="tests.t" name="test_always"/>
<testcase classname="tests.t" name="test_flaky"/><testcase classname="tests.t" name="test_always"/>
<testcase classname="tests.t" name="test_always"><failure message="assert 1 == 2"/></testcase>
</testsuite></testsuites>"#;
        let (run, ctx) = read(doc).unwrap();
        assert_eq!(run.totals(), t(2, 0, 1, 0, 0, 1));
        assert_eq!(
            ctx.warnings,
            ["3 reruns folded: 1 failed then passed (flaky), 1 failed on every attempt"]
        );
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

    /// Nested suites: the joined names kept grow with the input, not with the square of the
    /// depth (each level used to keep its own full copy of the joined name).
    #[test]
    fn deep_nesting_keeps_names_linear() {
        let depth = 3000;
        let mut doc = String::from("<testsuites>");
        for i in 0..depth {
            doc.push_str(&format!(
                "<testsuite name=\"suite-level-{i}\"><testcase name=\"t{i}\"/>"
            ));
        }
        doc.push_str(&"</testsuite>".repeat(depth));
        doc.push_str("</testsuites>");
        let (run, _) = read(&doc).unwrap();
        assert_eq!(run.cases.len(), depth);
        let mut seen = std::collections::HashSet::new();
        let kept: usize = run
            .cases
            .iter()
            .filter(|c| seen.insert(c.suite.as_str()))
            .map(|c| c.suite.len())
            .sum();
        assert!(run.cases.iter().all(|c| c.suite.len() <= SUITE_NAME_LIMIT));
        assert!(
            kept <= 10 * doc.len(),
            "{kept} bytes of suite names kept from {} bytes of input",
            doc.len()
        );
        // Shallow names are whole.
        assert_eq!(run.cases[1].suite, "suite-level-0/suite-level-1");
    }

    /// Suite properties are stored once and shared by the cases, not copied into each.
    #[test]
    fn suite_properties_are_shared_not_copied() {
        let props: String = (0..500)
            .map(|i| format!("<property name=\"p{i}\" value=\"v\"/>"))
            .collect();
        let cases: String = (0..2000)
            .map(|i| format!("<testcase name=\"t{i}\"/>"))
            .collect();
        let doc = format!(
            "<testsuites><properties><property name=\"root\" value=\"r\"/></properties>\
             <testsuite name=\"s\"><properties>{props}</properties>{cases}\
             <testsuite name=\"inner\"><testcase name=\"u\"/></testsuite>\
             <properties><property name=\"late\" value=\"l\"/></properties></testsuite></testsuites>"
        );
        let (run, _) = read(&doc).unwrap();
        assert_eq!(run.cases.len(), 2001);
        // Every case sees every property, the file's first, and those written late...
        for c in &run.cases {
            assert_eq!(c.all_properties().count(), 502);
            assert_eq!(c.all_properties().next().unwrap().0, "root");
            assert_eq!(c.property("late"), Some("l"));
            assert!(
                c.properties.is_empty(),
                "nothing copied into the case itself"
            );
        }
        // ...from one shared list per suite.
        assert!(run.cases[..2000]
            .iter()
            .all(|c| Inherited::ptr_eq(&c.inherited, &run.cases[0].inherited)));
    }

    #[test]
    fn inherited_properties_are_capped() {
        let props: String = (0..INHERITED_LIMIT + 5)
            .map(|i| format!("<property name=\"p{i}\" value=\"v\"/>"))
            .collect();
        let doc = format!(
            "<testsuite name=\"s\"><properties>{props}</properties><testcase name=\"t\"/></testsuite>"
        );
        let (run, ctx) = read(&doc).unwrap();
        assert_eq!(run.cases[0].all_properties().count(), INHERITED_LIMIT);
        assert!(
            ctx.warnings
                .iter()
                .any(|w| w.starts_with("5 suite-level properties")),
            "{:?}",
            ctx.warnings
        );
    }
}
