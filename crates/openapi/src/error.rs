//! The one error a spec can cause: which file, where in it (line and JSON pointer), and what
//! to do.

use std::fmt;
use std::path::PathBuf;

/// A problem with a spec. `pointer` is a JSON pointer into the spec as written (empty for the
/// whole document) and `line` its 1-based line where the model can tell, so a maintainer can
/// jump straight to the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: PathBuf,
    pub line: Option<usize>,
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
            line: None,
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
        match self.line {
            Some(line) => write!(
                f,
                "{}:{line} at {place}: {}",
                self.file.display(),
                self.message
            ),
            None => write!(f, "{} at {place}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one unescaped reference token to a JSON pointer.
pub fn ptr(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
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
        let e = SpecError { line: Some(3), ..e };
        assert_eq!(e.to_string(), "specs/x.yaml:3 at /openapi: unsupported");
        let e = SpecError::new("specs/x.yaml", "", "not YAML");
        assert_eq!(e.to_string(), "specs/x.yaml at (document): not YAML");
    }
}
