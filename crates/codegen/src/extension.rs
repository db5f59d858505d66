//! The `x-apilogin` extension as Rust types, generated when this crate is compiled from its
//! JSON Schema (`schemas/x-apilogin.schema.json`) by typify, so the schema stays its one
//! description. Reading a spec's extension into them checks its shape: required members,
//! unknown members, enums and patterns. The whole schema (lengths, `propertyNames`, …) is
//! validated by Spectral in `cargo xtask lint` (tools/spectral/x-apilogin.js).

use serde_json::Value;

#[allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    missing_docs,
    unreachable_pub,
    reason = "typify's output"
)]
mod types {
    typify::import_types!(schema = "../../schemas/x-apilogin.schema.json");
}

/// Reads `ext` (a spec's `x-apilogin`) into the schema's types: the first problem, as a JSON
/// pointer below the extension and a message.
pub fn check(ext: &Value) -> Result<(), (String, String)> {
    serde_path_to_error::deserialize::<_, types::XApilogin>(ext)
        .map(drop)
        .map_err(|e| {
            let tokens: Vec<String> = e
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
            (
                apilogin_spec::pointer(tokens.iter().map(String::as_str)),
                e.into_inner().to_string(),
            )
        })
}
