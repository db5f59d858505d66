//! The one model of an apilogin spec, read by everything that reads `specs/`: regen (through
//! [`view`]), `cargo xtask lint` and `docs`, and the contract tests.
//!
//! * [`load`]: a spec file, parsed once with its keys in written order, checked (OpenAPI 3.0.x or 3.1.x,
//!   every `$ref` inside the file; 3.1 is read as written); errors name the file, line and JSON pointer.
//! * [`refs`]: the one `$ref` resolver.
//! * [`walk`]: the operations, schemas, examples and named fields of a document.
//! * [`schema`]: OpenAPI 3.0 schemas as JSON Schema 2020-12, and (feature `validate`) examples
//!   and wire traffic validated against them.
//! * [`view`]: what progenitor is given, derived in memory from what the spec says.
//! * [`adapt`]: regen's checks (every problem of a spec, located) and the view's adaptations
//!   for what real specs contain (derived and renamed names, `default` responses, media types
//!   without schema), each with a notice.
//! * [`lenient`]: the view's adaptations for vendors' specs and typify's limits (undefined
//!   security schemes, Python regular expressions, `enum` beside `allOf`, shared enum titles).
//! * [`lower31`]: OpenAPI 3.1 lowered to 3.0 in the view, each change a notice.
//! * [`bundle`]: the spec with every `$ref` inlined, as API portals import it.
//! * [`workspace_root`]: the folder that holds `specs/`, for every tool and test.

pub mod adapt;
pub mod bundle;
pub mod cycles;
mod error;
pub mod lenient;
mod load;
pub mod locate;
pub mod lower31;
pub mod names;
pub mod refs;
pub mod schema;
pub mod view;
pub mod walk;
mod workspace;

pub use error::{SpecError, escape_token, pointer, ptr};
pub use load::{
    SPEC_EXTENSIONS, Spec, duplicate_ids, load, load_all, load_lenient, parse, parse_lenient,
    spec_files,
};
pub use workspace::workspace_root;
