//! The one `$ref` resolver. Specs may only refer inside themselves (`#/components/...`);
//! [`check`] refuses anything else when a spec is loaded, so the resolver can follow
//! references without failing.

use serde_json::Value;

use crate::error::{SpecError, escape_token};
use crate::load::Spec;

/// How many references in a row are followed before giving up on a cycle of bare `$ref`s.
const MAX_HOPS: usize = 32;

/// Follows `$ref`s (and refs to refs): the node they end at and its JSON pointer. A node that
/// is not a reference is returned as is, with `at`.
pub fn resolve_at<'a>(doc: &'a Value, node: &'a Value, at: &str) -> (&'a Value, String) {
    let mut node = node;
    let mut at = at.to_string();
    for _ in 0..MAX_HOPS {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(next) = target.strip_prefix('#').and_then(|p| doc.pointer(p)) else {
            break;
        };
        node = next;
        at = target.trim_start_matches('#').to_string();
    }
    (node, at)
}

/// The node a `$ref` ends at (the node itself when it is not a reference).
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    resolve_at(doc, node, "").0
}

/// Every `$ref` that does not point inside this document, or points at nothing.
pub fn check(spec: &Spec) -> Vec<SpecError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chains_of_refs_end_at_their_target_and_cycles_stop() {
        let doc = json!({
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"type": "string"},
                "C": {"$ref": "#/components/schemas/C"}
            }}
        });
        let a = json!({"$ref": "#/components/schemas/A"});
        let (node, at) = resolve_at(&doc, &a, "/x");
        assert_eq!(node, &json!({"type": "string"}));
        assert_eq!(at, "/components/schemas/B");
        let plain = json!({"type": "integer"});
        assert_eq!(resolve_at(&doc, &plain, "/y").1, "/y");
        let c = json!({"$ref": "#/components/schemas/C"});
        assert_eq!(
            resolve(&doc, &c),
            &json!({"$ref": "#/components/schemas/C"})
        );
    }
}
