//! `cargo xtask`: the repository's chores (matklad's xtask pattern).

fn main() {}
