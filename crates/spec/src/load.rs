//! Reading a spec file and the checks that must pass before anything is read from it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::SpecError;
use crate::locate::line_of;
use crate::refs;

/// One `specs/<id>.yaml`, parsed but untouched.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file stem: `remoteit` becomes the crate `remoteit-client`.
    pub id: String,
    /// Path relative to the workspace root, as shown in messages and headers.
    pub file: PathBuf,
    /// The document, keys in the order they are written.
    pub doc: Value,
    /// The file as written, to find the line of a JSON pointer.
    pub text: String,
}

impl Spec {
    pub fn crate_name(&self) -> String {
        format!("{}-client", self.id)
    }

    /// An error at `pointer`, with its line in the file where it can be found.
    pub fn error(&self, pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
        let pointer = pointer.into();
        SpecError {
            line: line_of(&self.text, &pointer),
            ..SpecError::new(&self.file, pointer, message)
        }
    }

    /// The 1-based line of the node at `pointer` (or of its closest ancestor found).
    pub fn line(&self, pointer: &str) -> Option<usize> {
        line_of(&self.text, pointer)
    }

    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.doc.pointer(pointer).and_then(Value::as_str)
    }
}

/// Lists `specs/*.yaml` under `root`, sorted so that every run sees them in the same order.
pub fn spec_files(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let dir = root.join("specs");
    let entries = std::fs::read_dir(&dir).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot read the spec folder {}: {e}", dir.display()),
        )
    })?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            files.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and checks one spec: YAML, OpenAPI 3.0.x, a usable id, and every `$ref` resolvable.
pub fn load(root: &Path, file: &Path) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(root.join(file))
        .map_err(|e| SpecError::new(file, "", format!("cannot read the file: {e}")))?;
    parse(file, &text)
}

pub fn parse(file: &Path, text: &str) -> Result<Spec, SpecError> {
    let id = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(SpecError::new(
            file,
            "",
            "the file name must be lower-case letters and digits (it names the crate `<name>-client`)",
        ));
    }
    let doc: Value = yaml_serde::from_str(text).map_err(|e| {
        SpecError::new(
            file,
            "",
            format!("not valid YAML: {e}. Fix the syntax and run `cargo xtask regen` again."),
        )
    })?;
    let spec = Spec {
        id,
        file: file.to_path_buf(),
        doc,
        text: text.to_string(),
    };
    check_version(&spec)?;
    if let Some(e) = refs::check(&spec).into_iter().next() {
        return Err(e);
    }
    Ok(spec)
}

fn check_version(spec: &Spec) -> Result<(), SpecError> {
    if !spec.doc.is_object() {
        return Err(spec.error(
            "",
            "not an OpenAPI document: the top level must be a mapping",
        ));
    }
    match spec.doc.get("openapi") {
        None => Err(spec.error("", "not an OpenAPI document: there is no `openapi` field")),
        Some(Value::String(v)) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err(spec.error(
            "/openapi",
            format!(
                "OpenAPI {} is not supported: progenitor 0.15 reads OpenAPI 3.0.x only. \
                 Write the spec as `openapi: 3.0.3`.",
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> SpecError {
        parse(Path::new("specs/demo.yaml"), text).unwrap_err()
    }

    #[test]
    fn bad_yaml_names_the_file_and_line() {
        let e = parse_err("openapi: 3.0.3\ninfo: [unclosed\n");
        assert_eq!(e.file, Path::new("specs/demo.yaml"));
        assert!(e.message.contains("not valid YAML"), "{e}");
        assert!(e.message.contains("line"), "{e}");
    }

    #[test]
    fn openapi_31_is_refused_at_the_version_field() {
        let e = parse_err("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert_eq!(e.pointer, "/openapi");
        assert!(e.message.contains("3.1.0"), "{e}");
    }

    #[test]
    fn a_document_without_openapi_is_refused() {
        let e = parse_err("swagger: '2.0'\n");
        assert!(e.message.contains("no `openapi` field"), "{e}");
    }

    #[test]
    fn unresolved_refs_are_named_by_pointer() {
        let e = parse_err(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Missing'\n",
        );
        assert_eq!(e.pointer, "/paths/~1a/get/responses/200/$ref");
        assert!(e.message.contains("#/components/responses/Missing"), "{e}");
    }

    #[test]
    fn remote_refs_are_refused() {
        let e = parse_err(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'other.yaml#/A'\n",
        );
        assert_eq!(e.pointer, "/components/schemas/A/$ref");
    }

    #[test]
    fn file_names_must_make_crate_names() {
        let e = parse(Path::new("specs/Bad_Name.yaml"), "openapi: 3.0.3").unwrap_err();
        assert!(e.message.contains("lower-case"), "{e}");
    }
}
