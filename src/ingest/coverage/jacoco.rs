use std::io::BufRead;

use crate::ingest::error::{ParseError, Result};
use crate::ingest::Ctx;
use crate::model::Coverage;

pub fn parse(_input: &mut dyn BufRead, _ctx: &mut Ctx) -> Result<Coverage> {
    Err(ParseError::new("this format is not read yet"))
}
