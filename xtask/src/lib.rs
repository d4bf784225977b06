//! The parts of `cargo xtask` that its integration tests (`xtask/tests/`) call directly: the
//! fixture generator and the media tools. The command line itself is `main.rs`.

pub mod fixtures;
pub mod inspect;
pub mod process;
pub mod transmux;
