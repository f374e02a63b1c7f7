//! Errors that say where: every parse error carries a position in the file, and the ingest
//! layer turns a byte offset into `line:column` and, for XML, the element path.

use std::fmt;

/// Where in a file something went wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// Byte offset in the (UTF-8) text of the file, when known.
    pub offset: Option<u64>,
    /// 1-based line and column, when known.
    pub line: Option<(u64, u64)>,
    /// XML element path (`testsuites/testsuite[3]/testcase[88]`, 1-based like XPath) or a
    /// JSON pointer-like path (`files/src/a.py/executed_lines[3]`).
    pub path: Option<String>,
}

/// A report that could not be read, with the reason and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub at: Location,
}

impl ParseError {
    /// An error with no position (a file that is empty, or not a report at all).
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            at: Location::default(),
        }
    }

    /// An error at a byte offset; [`crate::ingest`] resolves line, column and path later.
    pub(crate) fn at_offset(offset: u64, message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            at: Location {
                offset: Some(offset),
                ..Default::default()
            },
        }
    }

    /// An error at a known line and column.
    pub(crate) fn at_line(line: u64, col: u64, message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            at: Location {
                line: Some((line, col)),
                ..Default::default()
            },
        }
    }

    pub(crate) fn with_path(mut self, path: impl Into<String>) -> Self {
        self.at.path = Some(path.into());
        self
    }
}

impl fmt::Display for ParseError {
    /// `1204:17: testsuite[3]/testcase[88]: unclosed element` (the file name is put in front
    /// by the caller, so that this reads as a compiler diagnostic).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.at.line, self.at.offset) {
            (Some((l, c)), _) => write!(f, "{l}:{c}: ")?,
            (None, Some(o)) => write!(f, "byte {o}: ")?,
            (None, None) => {}
        }
        if let Some(p) = &self.at.path {
            if !p.is_empty() {
                write!(f, "{p}: ")?;
            }
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

pub(crate) type Result<T, E = ParseError> = std::result::Result<T, E>;
