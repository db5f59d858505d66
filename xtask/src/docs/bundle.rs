//! The spec as a portal import wants it: one document with every `$ref` resolved.
//!
//! Every `$ref` is replaced by a copy of its target, so a tool that does not follow references
//! (or follows them differently) sees the same thing. Of `components` only `securitySchemes` is
//! kept: operations name them in `security`, which is not a `$ref` and cannot be inlined. The
//! other sections were reached only through `$ref`s, now inlined; kept, they would be unused
//! components, which portals that lint on import (Stoplight runs Spectral) warn about. A schema
//! inlined from `#/components/schemas/Name` gets `title: Name` unless it has a title, so the
//! model's name survives: Redoc, Swagger UI, ReadMe and the HTML pages here label `oneOf`
//! variants and nested objects by title.

use super::tree::Node;

const KEPT_COMPONENTS: &[&str] = &["securitySchemes"];

pub fn bundle(doc: &Node) -> Result<Node, String> {
    let mut out = Vec::new();
    for (key, value) in doc.entries() {
        let value = if key == "components" {
            let mut components = Vec::new();
            for (section, items) in value.entries() {
                if !KEPT_COMPONENTS.contains(&section.as_str()) && !section.starts_with("x-") {
                    continue;
                }
                components.push((section.clone(), inline(doc, items, &mut Vec::new())?));
            }
            Node::Object(components)
        } else {
            inline(doc, value, &mut Vec::new())?
        };
        out.push((key.clone(), value));
    }
    Ok(Node::Object(out))
}

/// A copy of `node` with every `$ref` replaced by its (inlined) target. `stack` holds the
/// references being expanded, to refuse a cycle instead of recursing forever.
fn inline(doc: &Node, node: &Node, stack: &mut Vec<String>) -> Result<Node, String> {
    match node {
        Node::Object(entries) => {
            if let Some(target) = node.str("$ref") {
                if stack.iter().any(|r| r == target) {
                    return Err(format!(
                        "recursive $ref {target} (through {}): a fully resolved bundle cannot \
                         hold it",
                        stack.join(" -> ")
                    ));
                }
                let resolved = target
                    .strip_prefix('#')
                    .and_then(|p| doc.pointer(p))
                    .ok_or_else(|| format!("unresolved $ref {target}"))?;
                stack.push(target.to_string());
                // OpenAPI 3.0 ignores the siblings of a `$ref`; so does the bundle.
                let mut value = inline(doc, resolved, stack)?;
                stack.pop();
                if let Some(name) = target.strip_prefix("#/components/schemas/") {
                    add_title(&mut value, name);
                }
                return Ok(value);
            }
            Ok(Node::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), inline(doc, v, stack)?)))
                    .collect::<Result<_, String>>()?,
            ))
        }
        Node::Array(items) => Ok(Node::Array(
            items
                .iter()
                .map(|v| inline(doc, v, stack))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(other.clone()),
    }
}

fn add_title(schema: &mut Node, name: &str) {
    if let Node::Object(entries) = schema
        && !entries.iter().any(|(k, _)| k == "title")
    {
        entries.insert(0, ("title".into(), Node::String(name.into())));
    }
}

/// Whether any `$ref` is left anywhere in `node`.
pub fn has_ref(node: &Node) -> bool {
    match node {
        Node::Object(entries) => entries.iter().any(|(k, v)| k == "$ref" || has_ref(v)),
        Node::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /login:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Login'}
            examples:
              password: {$ref: '#/components/examples/Password'}
      responses:
        '200':
          description: ok
          headers:
            X-Limit: {$ref: '#/components/headers/Limit'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: k}
  examples:
    Password: {value: {user: u}}
  headers:
    Limit: {schema: {type: integer}}
  schemas:
    Login:
      type: object
      properties:
        inner: {$ref: '#/components/schemas/Inner'}
    Inner: {type: string, title: Custom}
"##;

    #[test]
    fn every_ref_is_inlined_and_schemas_keep_their_names() {
        let doc = Node::parse_yaml(SPEC).unwrap();
        let b = bundle(&doc).unwrap();
        assert!(!has_ref(&b));
        let schema = b
            .pointer("/paths/~1login/post/requestBody/content/application~1json/schema")
            .unwrap();
        assert_eq!(schema.str("title"), Some("Login"));
        assert_eq!(
            schema
                .pointer("/properties/inner/title")
                .and_then(Node::as_str),
            Some("Custom")
        );
        assert_eq!(
            b.pointer("/paths/~1login/post/requestBody/content/application~1json/examples/password/value/user"),
            Some(&Node::String("u".into()))
        );
        let sections: Vec<&str> = b
            .get("components")
            .unwrap()
            .entries()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(sections, ["securitySchemes"]);
        let keys: Vec<&str> = b.entries().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["openapi", "info", "paths", "components"]);
    }

    #[test]
    fn a_recursive_schema_is_refused() {
        let doc = Node::parse_yaml(
            "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/A'}\ncomponents:\n  schemas:\n    A:\n      properties:\n        a: {$ref: '#/components/schemas/A'}\n",
        )
        .unwrap();
        let e = bundle(&doc).unwrap_err();
        assert!(e.contains("recursive $ref #/components/schemas/A"), "{e}");
    }
}
