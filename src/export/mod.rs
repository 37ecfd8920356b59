//! Streamable exports (PROTOCOL 3.9): starting one ([`options`]), its task ([`task`]) and
//! reading its streams ([`stream`]).

pub(crate) mod options;
pub(crate) mod project_row;
pub(crate) mod stream;
pub(crate) mod task;
