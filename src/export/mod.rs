//! Streamable exports (PROTOCOL 3.9): starting one ([`options`]), its task ([`task`]) and
//! reading its streams ([`stream`], [`lines`], both on the checks of [`reader`]).

pub(crate) mod json_check;
#[cfg(test)]
pub(crate) mod line_cost;
pub(crate) mod line_row;
pub(crate) mod lines;
pub(crate) mod options;
pub(crate) mod project_row;
pub(crate) mod reader;
pub(crate) mod stream;
pub(crate) mod task;
pub(crate) mod typed_row;
pub(crate) mod value_row;
