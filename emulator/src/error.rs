//! The emulator's error type.

use std::fmt;

/// What can go wrong when starting or configuring the emulator.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be opened.
    Bind(String),
    /// A setting is out of range (e.g. a fault rate above 1.0).
    InvalidConfig(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind(msg) => write!(f, "cannot listen: {msg}"),
            Error::InvalidConfig(msg) => write!(f, "invalid emulator setting: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with the emulator's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
