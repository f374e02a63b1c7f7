//! Exit codes, in one place. README's "Exit codes" section documents the same table.

/// Every project is at or above the required level; for `inspect`, every input was read.
pub(crate) const OK: i32 = 0;
/// A project is below the required level (every output is still written).
pub(crate) const BELOW_LEVEL: i32 = 1;
/// A usage, config or input error: a report that could not be read, a bad flag.
pub const ERROR: i32 = 2;
