//! The one `$ref` resolver. Specs may only refer inside themselves (`#/components/...`); the
//! loader refuses anything else when a spec is loaded (`load.rs`), so the resolver can follow
//! references without failing. A leaf: it needs nothing else of the model.

use serde_json::Value;

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
