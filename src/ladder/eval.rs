//! One function per criterion: evidence in, status and an actionable detail out.
