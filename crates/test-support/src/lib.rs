//! What the workspace's tests share, in one place: running an assignment binary as a learner
//! would ([`cli`]), comparing numbers at the precision the course prints them ([`close`]) and
//! checking the figures a run writes ([`png`]), and arguments that reach every branch of a
//! function ([`probes`]). A dev-dependency of every crate; nothing here is part of the course.

#![forbid(unsafe_code)]

pub mod cli;
pub mod close;
pub mod png;
pub mod probes;
