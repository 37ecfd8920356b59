//! Label imports and model-assisted-labeling (MAL) prediction imports (PROTOCOL 3.10): the
//! annotation rows ([`row`]), their streamed NDJSON upload ([`upload`]), the import object
//! with its waits ([`import`]) and its per-annotation statuses ([`status`]).

pub(crate) mod import;
pub(crate) mod row;
pub(crate) mod status;
pub(crate) mod upload;
