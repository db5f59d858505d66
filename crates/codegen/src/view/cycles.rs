//! Composition cycles: component schemas that reach themselves through `allOf`, `oneOf` and
//! `anyOf` alone (not through a property or an array's items, which are ordinary recursive
//! types). progenitor's type generator (typify) merges `allOf` members recursively and never
//! returns on such a cycle: regen would die of a stack overflow.
//!
//! The common one is springdoc's polymorphism: a parent lists its children in `oneOf` (with a
//! `discriminator`), and each child is `allOf: [$ref parent, {its own properties}]`. In the
//! code-generation view a child extends `<Parent>Base` instead — the parent without its
//! `oneOf`/`anyOf`/`discriminator`, i.e. the properties every child shares — with a located
//! notice; the spec file is unchanged. Any other composition cycle is refused at its pointer,
//! so no input crashes regen.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use apilogin_openapi::Spec;
use apilogin_openapi::{SpecError, escape_token};

const PREFIX: &str = "#/components/schemas/";
const COMPOSITIONS: [&str; 3] = ["allOf", "oneOf", "anyOf"];

/// The component schemas `schema` names through its compositions (and theirs, inline).
fn composed_refs(schema: &Value, out: &mut Vec<String>) {
    for key in COMPOSITIONS {
        for member in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match member.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    if let Some(name) = r.strip_prefix(PREFIX) {
                        out.push(name.to_owned());
                    }
                }
                None => composed_refs(member, out),
            }
        }
    }
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(PREFIX))
    {
        out.push(name.to_owned());
    }
}

/// Component name → the components it composes.
fn edges(doc: &Value) -> BTreeMap<String, Vec<String>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, schema)| {
            let mut to = Vec::new();
            composed_refs(schema, &mut to);
            (name.clone(), to)
        })
        .collect()
}

/// Whether `to` is reachable from `from` through compositions.
fn reaches(edges: &BTreeMap<String, Vec<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n.clone()) {
            stack.extend(edges.get(&n).into_iter().flatten().cloned());
        }
    }
    false
}

/// A component name not yet taken: `PetBase`, else `PetBase2`, ….
fn free_name(doc: &Value, base: &str) -> String {
    let taken = |n: &str| {
        doc.pointer(&format!("/components/schemas/{}", escape_token(n)))
            .is_some()
    };
    let first = format!("{base}Base");
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|i| format!("{base}Base{i}"))
        .find(|n| !taken(n))
        .expect("some name is free")
}

/// Breaks springdoc's parent ⇄ child cycles in `doc` (notices), then refuses any composition
/// cycle that is left (errors).
pub fn break_composition_cycles(
    spec: &Spec,
    doc: &mut Value,
    notices: &mut Vec<SpecError>,
    errors: &mut Vec<SpecError>,
) {
    let graph = edges(doc);
    // child → the `allOf` members that name a parent which composes the child back.
    let mut rewrites: Vec<(String, usize, String)> = Vec::new();
    for child in graph.keys() {
        let members = doc
            .pointer(&format!(
                "/components/schemas/{}/allOf",
                escape_token(child)
            ))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, member) in members.iter().enumerate() {
            let Some(parent) = member
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(PREFIX))
            else {
                continue;
            };
            let parent_schema = doc
                .pointer(&format!("/components/schemas/{}", escape_token(parent)))
                .cloned()
                .unwrap_or(Value::Null);
            let lists_children = ["oneOf", "anyOf"]
                .iter()
                .any(|k| parent_schema.get(k).is_some());
            if lists_children && reaches(&graph, parent, child) {
                rewrites.push((child.clone(), i, parent.to_owned()));
            }
        }
    }
    let mut bases: BTreeMap<String, String> = BTreeMap::new();
    for (child, i, parent) in rewrites {
        let base = match bases.get(&parent) {
            Some(b) => b.clone(),
            None => {
                let name = free_name(doc, &parent);
                let mut schema = doc["components"]["schemas"][&parent].clone();
                if let Some(map) = schema.as_object_mut() {
                    for k in ["oneOf", "anyOf", "discriminator"] {
                        map.remove(k);
                    }
                }
                doc["components"]["schemas"][&name] = schema;
                bases.insert(parent.clone(), name.clone());
                name
            }
        };
        doc["components"]["schemas"][&child]["allOf"][i] =
            serde_json::json!({ "$ref": format!("{PREFIX}{base}") });
        notices.push(spec.error(
            format!("/components/schemas/{}/allOf/{i}", escape_token(&child)),
            format!(
                "`{child}` extends `{parent}`, whose `oneOf`/`anyOf` lists `{child}` again: a \
                 cycle progenitor's type generator cannot take; in the generated code `{child}` \
                 extends `{base}` ({parent}'s own properties, without its list of subtypes)"
            ),
        ));
    }
    // What is left cannot be generated: refuse it rather than overflow the stack.
    let graph = edges(doc);
    let mut reported = BTreeSet::new();
    for (name, to) in &graph {
        if reported.contains(name) {
            continue;
        }
        if to.iter().any(|next| reaches(&graph, next, name)) {
            let cycle: Vec<&String> = graph
                .keys()
                .filter(|other| reaches(&graph, name, other) && reaches(&graph, other, name))
                .collect();
            for c in &cycle {
                reported.insert((*c).clone());
            }
            errors.push(spec.error(
                format!("/components/schemas/{}", escape_token(name)),
                format!(
                    "the schemas {} compose each other through `allOf`/`oneOf`/`anyOf` in a \
                     cycle, which progenitor cannot generate: break it (a shared base schema \
                     that both `$ref`, or a property instead of a composition)",
                    cycle
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn spec(text: &str) -> Spec {
        apilogin_openapi::parse(Path::new("specs/pets.yaml"), text).expect("parses")
    }

    const SPRINGDOC: &str = r"openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
      discriminator:
        propertyName: kind
      oneOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
    Cat:
      allOf:
        - $ref: '#/components/schemas/Pet'
        - type: object
          properties:
            meow: {type: boolean}
    Dog:
      allOf:
        - $ref: '#/components/schemas/Pet'
        - type: object
          properties:
            bark: {type: boolean}
";

    #[test]
    fn springdoc_children_extend_the_parents_base() {
        let spec = spec(SPRINGDOC);
        let mut doc = spec.doc.clone();
        let (mut notices, mut errors) = (Vec::new(), Vec::new());
        break_composition_cycles(&spec, &mut doc, &mut notices, &mut errors);
        assert_eq!(errors, Vec::new());
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert_eq!(notices[0].pointer, "/components/schemas/Cat/allOf/0");
        assert_eq!(notices[0].line, Some(18));
        assert_eq!(
            doc["components"]["schemas"]["Dog"]["allOf"][0]["$ref"],
            "#/components/schemas/PetBase"
        );
        let base = &doc["components"]["schemas"]["PetBase"];
        assert_eq!(base["properties"]["kind"]["type"], "string");
        assert!(base.get("oneOf").is_none() && base.get("discriminator").is_none());
        // The parent keeps its subtypes; nothing composes itself any more.
        assert!(doc["components"]["schemas"]["Pet"]["oneOf"].is_array());
        let graph = edges(&doc);
        assert!(
            graph
                .keys()
                .all(|n| !graph[n].iter().any(|m| reaches(&graph, m, n)))
        );
    }

    #[test]
    fn another_composition_cycle_is_refused_at_its_pointer() {
        let spec = spec(
            r"openapi: 3.0.3
info: {title: Loop, version: 1.0.0}
paths: {}
components:
  schemas:
    A:
      allOf:
        - $ref: '#/components/schemas/B'
    B:
      allOf:
        - $ref: '#/components/schemas/A'
    Tree:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Tree'}}
",
        );
        let mut doc = spec.doc.clone();
        let (mut notices, mut errors) = (Vec::new(), Vec::new());
        break_composition_cycles(&spec, &mut doc, &mut notices, &mut errors);
        assert_eq!(notices, Vec::new());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].pointer, "/components/schemas/A");
        assert!(errors[0].message.contains("`A`, `B`"), "{errors:?}");
    }
}
