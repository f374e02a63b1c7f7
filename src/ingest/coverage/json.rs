//! Helpers shared by the JSON coverage parsers: streaming from the reader with serde_json,
//! and errors that carry `line:column` and a path such as `data[0]/files[3]/segments[7]`.
//!
//! The path is kept by the parsers' visitors in a [`JsonPath`] they update as they descend
//! (an index is overwritten in place, so walking a large array allocates nothing); when
//! serde_json fails, the path still points where it failed.

use std::io::BufRead;

use serde::de::DeserializeSeed;

use crate::ingest::error::{ParseError, Result};

/// One step of a [`JsonPath`].
#[derive(Clone, Debug)]
enum Step {
    Field(&'static str),
    Key(String),
    Index(usize),
}

/// Where a JSON visitor is: `data[0]/files[3]/segments[7]`.
#[derive(Clone, Debug, Default)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    pub fn field(&mut self, name: &'static str) {
        self.0.push(Step::Field(name));
    }
    pub fn key(&mut self, name: &str) {
        self.0.push(Step::Key(name.to_string()));
    }
    /// Sets the index of the array just entered (pushed on the first call).
    pub fn index(&mut self, i: usize) {
        match self.0.last_mut() {
            Some(Step::Index(n)) => *n = i,
            _ => self.0.push(Step::Index(i)),
        }
    }
    /// Leaves an array (drops its index, if any).
    pub fn end_array(&mut self) {
        if let Some(Step::Index(_)) = self.0.last() {
            self.0.pop();
        }
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn render(&self) -> String {
        let mut s = String::new();
        for step in &self.0 {
            match step {
                Step::Field(f) => {
                    if !s.is_empty() {
                        s.push('/');
                    }
                    s.push_str(f);
                }
                Step::Key(k) => {
                    if !s.is_empty() {
                        s.push('/');
                    }
                    s.push_str(k);
                }
                Step::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

/// Runs `seed` over the whole input (trailing non-whitespace is an error); `what` names the
/// format in messages. Add the path with [`with_path`] once the seed's borrow has ended.
pub fn run<'de, S: DeserializeSeed<'de>>(
    input: &mut dyn BufRead,
    seed: S,
    what: &str,
) -> Result<S::Value> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let r = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    r.map_err(|e| to_parse_error(e, what, String::new()))
}

/// Puts the visitor's path on a positioned error that has none.
pub fn with_path(mut e: ParseError, path: &JsonPath) -> ParseError {
    if e.at.line.is_some() && e.at.path.is_none() {
        let p = path.render();
        if !p.is_empty() {
            e.at.path = Some(p);
        }
    }
    e
}

/// A serde_json error as a located [`ParseError`].
pub fn to_parse_error(e: serde_json::Error, what: &str, path: String) -> ParseError {
    use serde_json::error::Category;
    let (line, col) = (e.line() as u64, e.column() as u64);
    if e.classify() == Category::Eof {
        if line <= 1 && col == 0 {
            return ParseError::new(format!("empty file: not {what}"));
        }
        let err = ParseError::at_line(
            line,
            col.max(1),
            "unexpected end of file (truncated file?)".to_string(),
        );
        return if path.is_empty() {
            err
        } else {
            err.with_path(path)
        };
    }
    // serde_json appends " at line L column C"; the position is carried separately.
    let full = e.to_string();
    let msg = match full.rfind(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    let msg = match e.classify() {
        Category::Syntax => format!("malformed JSON: {msg}"),
        Category::Io => format!("read error: {msg}"),
        _ => msg,
    };
    let err = ParseError::at_line(line, col.max(1), msg);
    if path.is_empty() {
        err
    } else {
        err.with_path(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render() {
        let mut p = JsonPath::default();
        p.field("data");
        p.index(0);
        p.field("files");
        p.index(2);
        p.index(3);
        p.field("segments");
        p.index(7);
        assert_eq!(p.render(), "data[0]/files[3]/segments[7]");
        p.end_array();
        p.pop();
        p.key("src/a b.py");
        assert_eq!(p.render(), "data[0]/files[3]/src/a b.py");
    }
}
