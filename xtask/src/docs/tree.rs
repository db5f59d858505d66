//! A JSON-like tree that keeps the order of keys as the spec's author wrote them (`openapi`,
//! `info`, `paths` ...; `username` before `password`), which `serde_json::Value` (sorted keys in
//! this workspace) does not. Serialises to JSON and YAML in that order.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    pub fn parse_yaml(text: &str) -> Result<Node, String> {
        let value: yaml_serde::Value =
            yaml_serde::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        from_yaml(value)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Object(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match self {
            Node::Array(items) => items,
            _ => &[],
        }
    }

    /// RFC 6901 pointer lookup (`/components/schemas/Login`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            node = match node {
                Node::Object(_) => node.get(&token)?,
                Node::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The value as compact, one-line text: strings as they are, the rest as JSON.
    pub fn scalar_text(&self) -> String {
        match self {
            Node::String(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        }
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn from_yaml(value: yaml_serde::Value) -> Result<Node, String> {
    use yaml_serde::Value as Y;
    Ok(match value {
        Y::Null => Node::Null,
        Y::Bool(b) => Node::Bool(b),
        Y::Number(n) => {
            let number = if let Some(i) = n.as_i64() {
                serde_json::Number::from(i)
            } else if let Some(u) = n.as_u64() {
                serde_json::Number::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .ok_or_else(|| format!("the number {n} has no JSON form"))?
            };
            Node::Number(number)
        }
        Y::String(s) => Node::String(s),
        Y::Sequence(items) => {
            Node::Array(items.into_iter().map(from_yaml).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => Node::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => return Err(format!("a mapping key that is not text: {other:?}")),
                    };
                    Ok((key, from_yaml(v)?))
                })
                .collect::<Result<_, String>>()?,
        ),
        Y::Tagged(tagged) => return Err(format!("YAML tags are not OpenAPI: {}", tagged.tag)),
    })
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(v) => s.serialize_str(v),
            Node::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_through_json_and_yaml() {
        let node = Node::parse_yaml("b: 1\na: [x, {z: true, y: null}]\n'200': ok\n").unwrap();
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            r#"{"b":1,"a":["x",{"z":true,"y":null}],"200":"ok"}"#
        );
        let yaml = yaml_serde::to_string(&node).unwrap();
        assert_eq!(Node::parse_yaml(&yaml).unwrap(), node);
        assert!(yaml.starts_with("b: 1\na:"), "{yaml}");
    }

    #[test]
    fn pointers_unescape_tokens() {
        let node = Node::parse_yaml("paths:\n  /a/b:\n    get: [1, 2]\n").unwrap();
        assert_eq!(
            node.pointer("/paths/~1a~1b/get/1"),
            Some(&Node::Number(2.into()))
        );
        assert_eq!(node.pointer("/paths/missing"), None);
    }
}
