//! The heavy chores behind `cargo xtask plots` and `cargo xtask bench`: they train the
//! assignments and read the course data, so they live in this crate, which xtask builds in
//! release mode and runs as a child process (`course-tools figures`, `course-tools export-cat`);
//! xtask itself depends on no crate of the course and builds in seconds.

#![forbid(unsafe_code)]

pub mod export;
pub mod figures;
