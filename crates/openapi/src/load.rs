//! Reading a spec file and the checks that must pass before anything is read from it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::SpecError;
use crate::error::escape_token;
use crate::locate::line_of;

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

/// The extensions a spec file may have (rule F): YAML as `.yaml` or `.yml`, or JSON.
pub const SPEC_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Lists `specs/*.yaml`, `*.yml` and `*.json` under `root`, sorted so that every run sees them
/// in the same order. Two files with the same stem are reported by [`duplicate_ids`].
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
        if path.is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SPEC_EXTENSIONS.contains(&e))
        {
            files.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    files.sort();
    Ok(files)
}

/// Two spec files with the same stem (`specs/x.yaml` and `specs/x.json`) would make the same
/// crate: one error naming both, at the later file.
pub fn duplicate_ids(files: &[PathBuf]) -> Vec<SpecError> {
    let mut errors = Vec::new();
    let mut seen: std::collections::BTreeMap<&std::ffi::OsStr, &PathBuf> = Default::default();
    for file in files {
        let Some(stem) = file.file_stem() else {
            continue;
        };
        if let Some(first) = seen.get(stem) {
            errors.push(SpecError::new(
                file,
                "",
                format!(
                    "`{}` and `{}` both name the spec `{}` (crate `{}-client`); keep one of them \
                     or rename the other",
                    first.display().to_string().replace('\\', "/"),
                    file.display().to_string().replace('\\', "/"),
                    stem.to_string_lossy(),
                    stem.to_string_lossy()
                ),
            ));
        } else {
            seen.insert(stem, file);
        }
    }
    errors
}

/// Reads and checks one spec: YAML, OpenAPI 3.0.x or 3.1.x, a usable id, and every `$ref` resolvable.
pub fn load(root: &Path, file: &Path) -> Result<Spec, SpecError> {
    load_all(root, file).map_err(|mut errors| errors.remove(0))
}

/// Like [`load`], with every problem found instead of the first one.
pub fn load_all(root: &Path, file: &Path) -> Result<Spec, Vec<SpecError>> {
    let (spec, errors) = load_lenient(root, file).map_err(|e| vec![e])?;
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// Reads and parses a spec as [`parse_lenient`] does: the spec and the problems that do not
/// stop reading it, so that later checks can report theirs in the same run.
pub fn load_lenient(root: &Path, file: &Path) -> Result<(Spec, Vec<SpecError>), SpecError> {
    let text = std::fs::read_to_string(root.join(file))
        .map_err(|e| SpecError::new(file, "", format!("cannot read the file: {e}")))?;
    parse_lenient(file, &text)
}

pub fn parse(file: &Path, text: &str) -> Result<Spec, SpecError> {
    let (spec, mut errors) = parse_lenient(file, text)?;
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors.remove(0))
    }
}

/// Parses a spec; `Err` when nothing more can be read from it (not YAML/JSON, not OpenAPI
/// 3.0), otherwise the spec and the problems that do not stop reading it (unresolved `$ref`s),
/// so that later checks can report theirs in the same run.
pub fn parse_lenient(file: &Path, text: &str) -> Result<(Spec, Vec<SpecError>), SpecError> {
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
    let json = file.extension().is_some_and(|e| e == "json");
    let doc: Value = if json {
        serde_json::from_str(text).map_err(|e| SpecError {
            line: Some(e.line()),
            ..SpecError::new(
                file,
                "",
                format!("not valid JSON: {e}. Fix the syntax and run `cargo xtask regen` again."),
            )
        })?
    } else {
        yaml_serde::from_str(text).map_err(|e| {
            SpecError::new(
                file,
                "",
                format!("not valid YAML: {e}. Fix the syntax and run `cargo xtask regen` again."),
            )
        })?
    };
    let spec = Spec {
        id,
        file: file.to_path_buf(),
        doc,
        text: text.to_string(),
    };
    check_version(&spec)?;
    let errors = check_refs(&spec);
    Ok((spec, errors))
}

/// Every `$ref` that does not point inside this document, or points at nothing.
fn check_refs(spec: &Spec) -> Vec<SpecError> {
    let mut errors = Vec::new();
    check_node(spec, &spec.doc, &mut String::new(), &mut errors);
    errors
}

fn check_node(spec: &Spec, node: &Value, at: &mut String, errors: &mut Vec<SpecError>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
                let target = reference.as_str().unwrap_or_default();
                let resolves = target
                    .strip_prefix('#')
                    .is_some_and(|p| p.is_empty() || spec.doc.pointer(p).is_some());
                if !resolves {
                    errors.push(spec.error(
                        format!("{at}/$ref"),
                        format!(
                            "unresolved $ref `{target}`: only references inside this file \
                             (`#/components/...`) are supported, and the target must exist"
                        ),
                    ));
                }
            }
            for (key, value) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&escape_token(key));
                check_node(spec, value, at, errors);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                check_node(spec, value, at, errors);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

fn check_version(spec: &Spec) -> Result<(), SpecError> {
    if !spec.doc.is_object() {
        return Err(spec.error(
            "",
            "not an OpenAPI document: the top level must be a mapping",
        ));
    }
    if let Some(v) = spec.doc.get("swagger") {
        return Err(spec.error(
            "/swagger",
            format!(
                "Swagger (OpenAPI) {} is not supported: regen reads OpenAPI 3.0.x and 3.1.x. Convert \
                 the document to OpenAPI 3.0 (for example with swagger2openapi, or \
                 https://converter.swagger.io) and save it as `openapi: 3.0.3`.",
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            ),
        ));
    }
    match spec.doc.get("openapi") {
        None => Err(spec.error("", "not an OpenAPI document: there is no `openapi` field")),
        // 3.1 is read as written; regen's view lowers it to 3.0 (`lower31.rs`).
        Some(Value::String(v)) if v.starts_with("3.0.") || v.starts_with("3.1.") => Ok(()),
        Some(v) => Err(spec.error(
            "/openapi",
            format!(
                "OpenAPI {} is not supported: regen reads OpenAPI 3.0.x and 3.1.x. \
                 Write the spec as `openapi: 3.0.3` or `3.1.1`.",
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
    fn openapi_31_is_read_and_other_versions_are_refused_at_the_version_field() {
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";
        let spec = parse(Path::new("specs/demo.yaml"), text).unwrap();
        assert_eq!(spec.doc["openapi"], "3.1.0");
        let e = parse_err("openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
        assert_eq!(e.pointer, "/openapi");
        assert!(e.message.contains("3.2.0"), "{e}");
    }

    #[test]
    fn a_document_without_openapi_is_refused() {
        let e = parse_err("info: {}\n");
        assert!(e.message.contains("no `openapi` field"), "{e}");
        let e = parse_err("swagger: '2.0'\n");
        assert_eq!(e.pointer, "/swagger");
        assert!(e.message.contains("2.0"), "{e}");
    }

    #[test]
    fn json_specs_parse_and_duplicate_ids_are_one_error() {
        let spec = parse(
            Path::new("specs/j.json"),
            r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1.0.0"}, "paths": {}}"#,
        )
        .unwrap();
        assert_eq!(spec.id, "j");
        let errors = duplicate_ids(&[
            PathBuf::from("specs/a.json"),
            PathBuf::from("specs/a.yaml"),
            PathBuf::from("specs/b.yml"),
        ]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("specs/a.json"), "{}", errors[0]);
        assert!(errors[0].message.contains("specs/a.yaml"), "{}", errors[0]);
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
