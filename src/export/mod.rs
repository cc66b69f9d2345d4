//! Stage: export the compiled bundle to another deployment tool's format.
//! Each exporter reads the typed `Bundle` (never the rendered files) and
//! produces a `FileSet` that the CLI writes or checks like `render` does.

pub mod cfct;
