//! The one error a spec can cause: which file, where in it, and what to do.

use std::fmt;
use std::path::PathBuf;

/// A spec that regen cannot turn into a client. `pointer` is a JSON pointer into the spec as
/// written (empty for the whole document), so a maintainer can jump straight to the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: PathBuf,
    pub pointer: String,
    pub message: String,
}

impl SpecError {
    pub fn new(
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = if self.pointer.is_empty() {
            "(document)"
        } else {
            self.pointer.as_str()
        };
        write!(f, "{} at {}: {}", self.file.display(), place, self.message)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from unescaped tokens.
pub fn pointer<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens
        .into_iter()
        .map(|t| format!("/{}", escape_token(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(
            pointer(["paths", "/api/v1/login", "post"]),
            "/paths/~1api~1v1~1login/post"
        );
        assert_eq!(pointer(["a~b"]), "/a~0b");
    }

    #[test]
    fn display_names_file_and_place() {
        let e = SpecError::new("specs/x.yaml", "/openapi", "unsupported");
        assert_eq!(e.to_string(), "specs/x.yaml at /openapi: unsupported");
        let e = SpecError::new("specs/x.yaml", "", "not YAML");
        assert_eq!(e.to_string(), "specs/x.yaml at (document): not YAML");
    }
}
