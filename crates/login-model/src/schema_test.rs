//! The model against the published schema (`schemas/x-apilogin.schema.json`): every member the
//! schema names is a field of the model and every field is a member of the schema, at the same
//! place; every enum has the same values on both sides.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::*;

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/x-apilogin.schema.json"
    );
    let text = std::fs::read_to_string(path).expect("the schema");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn s(text: &'static str) -> Str {
    Cow::Borrowed(text)
}

fn map<V: Clone + 'static>(name: &'static str, v: V) -> Map<V> {
    Map::from_entries(vec![(s(name), v)])
}

fn identity() -> Identity {
    Identity {
        username: Some(s("/u")),
        user_id: Some(s("/id")),
        name: Some(s("/n")),
        email: Some(s("/e")),
    }
}

fn step(token: Place) -> Description {
    let outcome = Outcome {
        status: Some(200),
        field: Some(s("/f")),
        header: Some(s("X-H")),
        equals: Some(s("x")),
        one_of: Some(Cow::Owned(vec![s("a")])),
        empty_body: Some(false),
        answering: Some(true),
        then: Then::SecondFactor,
        method: Some(s("/m")),
        methods: map("sms", Method::Sms),
        default_method: Some(Method::Totp),
        code: Some(s("/c")),
        message: Some(s("/msg")),
        by_ip: true,
    };
    let step = Step {
        operation: s("op"),
        credentials: Some(map("scheme", s("$token"))),
        body: map("field", s("$user")),
        parameters: map("p", s("$input.x")),
        identity: identity(),
        outcomes: Cow::Owned(vec![outcome]),
        types: Types::default(),
    };
    // Every member given (struct literals: a new field does not compile until it is here).
    Description {
        service: Service {
            variant: s("Demo"),
            name: s("Demo"),
            summary: s("A demo."),
            order: Some(1),
            rust_constructor: Some(s("demo")),
            aliases: Cow::Owned(vec![s("d")]),
        },
        inputs: map(
            "x",
            Input {
                label: s("x"),
                secret: true,
                required: true,
                default: Some(s("d")),
                help: Some(s("h")),
            },
        ),
        generated: map(
            "deviceId",
            Generated {
                kind: GeneratedKind::Uuid,
                doc: Some(s("d")),
            },
        ),
        login: Some(step.clone()),
        oauth: Some(OAuth {
            scheme: s("oidc"),
            client_id: Some(s("cli")),
            flow: Some(OAuthFlow::Device),
            scopes: Cow::Owned(vec![s("email")]),
            parameters: map("prompt", s("consent")),
        }),
        session: Session {
            token,
            identity: identity(),
            details: map(
                "d",
                Detail {
                    from: s("/d"),
                    kind: DetailType::String,
                    doc: s("d"),
                },
            ),
            details_doc: Some(s("d")),
            credentials: map("scheme", s("$token")),
            params: Cow::Owned(vec![Param {
                field: s("user"),
                from: ParamFrom::User,
            }]),
            lifetime_seconds: Some(60),
            expires_in: Some(s("/exp")),
        },
        verify: Some(step.clone()),
        relogin: Some(step.clone()),
        logout: Some(step),
    }
}

/// The members seen at each object schema (by its pointer in the schema), and problems.
#[derive(Default)]
struct Seen {
    members: BTreeMap<String, BTreeSet<String>>,
    problems: Vec<String>,
}

fn walk(root: &Value, at: &str, schema: &Value, value: &Value, seen: &mut Seen) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let at = target.trim_start_matches('#');
        let next = root.pointer(at).expect("a `$ref` of the schema");
        return walk(root, at, next, value, seen);
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        seen.problems
            .push(format!("{at}: the model writes {value}, not in the enum"));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let Some(members) = value.as_object() else {
            seen.problems
                .push(format!("{at}: the model has {value}, not an object"));
            return;
        };
        for (name, member) in members {
            seen.members
                .entry(at.to_owned())
                .or_default()
                .insert(name.clone());
            match props.get(name) {
                Some(p) => walk(root, &format!("{at}/properties/{name}"), p, member, seen),
                None => seen
                    .problems
                    .push(format!("{at}: the model has `{name}`, the schema does not")),
            }
        }
    } else if let Some(each) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        for member in value.as_object().into_iter().flat_map(|m| m.values()) {
            walk(
                root,
                &format!("{at}/additionalProperties"),
                each,
                member,
                seen,
            );
        }
    }
    if let Some(items) = schema.get("items") {
        for item in value.as_array().into_iter().flatten() {
            walk(root, &format!("{at}/items"), items, item, seen);
        }
    }
}

#[test]
fn every_schema_member_is_a_model_field_and_every_field_a_member() {
    let root = schema();
    let mut seen = Seen::default();
    // The token's two places: one each.
    for token in [Place::Body(s("/t")), Place::Header(s("X-Token"))] {
        let full = step(token);
        let value = serde_json::to_value(&full).expect("serializes");
        walk(&root, "", &root, &value, &mut seen);
        // What the model writes, it reads back the same.
        let back: Description = serde_json::from_value(value).expect("reads back");
        assert_eq!(back, full);
    }
    for (at, names) in &seen.members {
        let node = root.pointer(at).expect("seen in the schema");
        for name in node["properties"].as_object().expect("properties").keys() {
            if !names.contains(name) {
                seen.problems
                    .push(format!("{at}: the schema has `{name}`, the model does not"));
            }
        }
    }
    assert!(seen.problems.is_empty(), "{}", seen.problems.join("\n"));
    // Every object of the schema was reached (none only in the schema).
    assert!(seen.members.len() >= 10, "{:?}", seen.members.keys());
}

#[test]
fn every_enum_has_the_schemas_values() {
    let root = schema();
    let values = |at: &str| -> BTreeSet<String> {
        root.pointer(at)
            .and_then(|e| e["enum"].as_array())
            .unwrap_or_else(|| panic!("no enum at {at}"))
            .iter()
            .map(|v| v.as_str().expect("text").to_owned())
            .collect()
    };
    let names = |all: Vec<&'static str>| -> BTreeSet<String> {
        all.into_iter().map(str::to_owned).collect()
    };
    let pairs = [
        (
            "/properties/generated/additionalProperties/properties/kind",
            names(GeneratedKind::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/$defs/outcome/properties/then",
            names(Then::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/$defs/outcome/properties/defaultMethod",
            names(Method::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/$defs/outcome/properties/methods/additionalProperties",
            names(Method::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/properties/session/properties/details/additionalProperties/properties/type",
            names(DetailType::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/properties/session/properties/params/items/properties/from",
            names(ParamFrom::ALL.iter().map(|k| k.name()).collect()),
        ),
        (
            "/properties/oauth/properties/flow",
            names(OAuthFlow::ALL.iter().map(|k| k.name()).collect()),
        ),
    ];
    for (at, model) in pairs {
        assert_eq!(values(at), model, "{at}");
    }
    // `name()` is what serde reads.
    for then in Then::ALL {
        assert_eq!(
            serde_json::from_value::<Then>(json!(then.name())).ok(),
            Some(*then)
        );
    }
}

#[test]
fn maps_are_sorted_and_searched_by_name() {
    let m: Map<u8> = serde_json::from_value(json!({"b": 2, "a": 1, "c": 3})).expect("a map");
    assert_eq!(
        m.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(m.get("b"), Some(&2));
    assert_eq!(m.get("d"), None);
    assert!(Map::<u8>::default().is_empty());
    let unknown = serde_json::from_value::<Identity>(json!({"nick": "/n"}));
    assert!(unknown.is_err());
}
