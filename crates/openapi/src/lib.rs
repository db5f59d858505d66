//! The one model of an apilogin spec, read by everything that reads `specs/`: regen (which
//! derives its code-generation view from it), `cargo xtask lint` and `docs`, and the contract
//! tests. What only the generator needs (the view and its adaptations) lives in
//! `apilogin-codegen`.
//!
//! * [`load`]: a spec file, parsed once with its keys in written order, checked (OpenAPI 3.0.x or 3.1.x,
//!   every `$ref` inside the file; 3.1 is read as written); errors name the file, line and JSON pointer.
//! * [`refs`]: the one `$ref` resolver.
//! * [`walk`]: the operations, schemas, examples and named fields of a document.
//! * [`schema`]: OpenAPI 3.0 schemas as JSON Schema 2020-12, and (feature `validate`) examples
//!   and wire traffic validated against them.
//! * [`bundle`]: the spec with every `$ref` inlined, as API portals import it.
//! * [`workspace_root`]: the folder that holds `specs/`, for every tool and test.

pub mod bundle;
mod error;
mod load;
pub mod locate;
pub mod names;
pub mod refs;
pub mod schema;
pub mod walk;
mod workspace;

pub use error::{SpecError, escape_token, pointer, ptr};
pub use load::{
    SPEC_EXTENSIONS, Spec, duplicate_ids, load, load_all, load_lenient, parse, parse_lenient,
    spec_files,
};
pub use workspace::workspace_root;
