//! labelbox
