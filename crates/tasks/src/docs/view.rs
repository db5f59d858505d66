//! The pages as typed values, built from the bundled spec and handed to the templates
//! (`templates/`, compiled by askama with HTML escaping on). Every text from the spec is kept
//! here as a plain `String`, which the templates escape; only a `Safe<_>` is printed as it is,
//! and there are two kinds: Markdown rendered by `markdown.rs` (`Markup`) and the page's own
//! parts, each a template below.
//!
//! A recursive schema's `$ref` shows as a link to its entry in the page's "Schemas" section,
//! where each is rendered once; only a `$ref` at the top of a body, response or parameter
//! schema is followed, one hop, so building the view always ends.

use askama::Template;
use askama::filters::Safe;
use serde_json::Value;

use super::markdown::{Markup, block, inline, safe_url};
use super::read::{
    Operation, anchor_safe, component_schemas, entries, example_text, is_true, items,
    media_examples, operations, scalar_text, schema_ref, st, tag_order, top_schema, variants,
};

/// What the index page shows of one service.
pub struct Service {
    pub id: String,
    pub title: String,
    pub version: String,
    /// The first paragraph of the description, inline.
    pub summary: Safe<Markup>,
    pub operations: usize,
}

impl Service {
    pub fn of(id: &str, doc: &Value) -> Service {
        let info = doc.get("info").unwrap_or(&Value::Null);
        let description = st(info, "description").unwrap_or_default();
        let first = description.split("\n\n").next().unwrap_or_default();
        Service {
            id: id.to_string(),
            title: st(info, "title").unwrap_or(id).to_string(),
            version: st(info, "version").unwrap_or("?").to_string(),
            summary: inline(&first.split_whitespace().collect::<Vec<_>>().join(" ")),
            operations: operations(doc).len(),
        }
    }
}

/// `docs-out/index.html`.
#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage<'a> {
    pub services: &'a [Service],
}

/// `docs-out/<id>/index.html`: the reference page of one service.
#[derive(Template)]
#[template(path = "service.html")]
pub struct ServicePage {
    pub title: String,
    pub version: String,
    pub openapi: String,
    pub description: Safe<Markup>,
    /// "Contact: ..." and "License: ...".
    pub parties: Vec<(&'static str, Link)>,
    pub servers: Vec<Server>,
    pub schemes: Vec<Scheme>,
    pub security: Option<Safe<Security>>,
    pub tags: Vec<Tag>,
    pub schemas: Vec<SchemaDef>,
    /// The spec's path, named in the footer.
    pub file: String,
}

/// A link to a page (clicked by the reader, never fetched by the page itself): `url` only when
/// it is safe ([`safe_url`]), else the text alone.
pub struct Link {
    pub url: Option<String>,
    pub text: String,
}

impl Link {
    fn new(url: &str, text: &str) -> Link {
        Link {
            url: safe_url(url).then(|| url.to_string()),
            text: text.to_string(),
        }
    }
}

pub struct Server {
    pub url: String,
    pub description: Safe<Markup>,
    pub variables: Vec<Variable>,
}

pub struct Variable {
    pub name: String,
    pub default: String,
    pub description: Safe<Markup>,
}

pub struct Scheme {
    pub anchor: String,
    pub name: String,
    pub kind: Safe<SchemeKind>,
    pub description: Safe<Markup>,
}

/// What kind of credential a security scheme takes.
#[derive(Template)]
#[template(path = "scheme_kind.html")]
pub enum SchemeKind {
    ApiKey { place: String, name: String },
    Http { scheme: String },
    Other { kind: String },
    Unknown,
}

/// A security requirement: any one of `alternatives`, each needing all its schemes; none at all
/// means no credentials are needed.
#[derive(Template)]
#[template(path = "security.html")]
pub struct Security {
    pub alternatives: Vec<Vec<SchemeUse>>,
}

pub struct SchemeUse {
    pub anchor: String,
    pub name: String,
    /// `None` when the spec does not declare the scheme.
    pub kind: Option<Safe<SchemeKind>>,
}

pub struct Tag {
    pub name: String,
    pub anchor: String,
    pub description: Safe<Markup>,
    pub operations: Vec<OperationView>,
}

pub struct OperationView {
    pub anchor: String,
    pub method: String,
    pub path: String,
    /// The operationId, empty when it has none.
    pub id: String,
    pub summary: String,
    /// What the side navigation calls it: its summary, or its path.
    pub nav: String,
    pub deprecated: bool,
    pub description: Safe<Markup>,
    pub security: Option<Safe<Security>>,
    pub parameters: Vec<Parameter>,
    pub request: Option<Request>,
    pub responses: Vec<Response>,
    pub code_samples: Vec<CodeSample>,
}

pub struct Parameter {
    pub name: String,
    pub place: String,
    pub required: bool,
    pub about: About,
}

/// The type and description cells of a parameter, header or field.
pub struct About {
    pub type_label: Safe<TypeLabel>,
    pub description: Safe<Markup>,
    /// Enum values and the like (not shown for headers).
    pub facts: Option<Safe<Facts>>,
    pub example: Option<String>,
}

impl About {
    /// `node` is the parameter, header or field, `schema` its schema (for a field, itself).
    fn of(node: &Value, schema: &Value, shift: usize, facts: bool) -> About {
        About {
            type_label: type_label(schema),
            description: described(node, shift),
            facts: facts.then(|| Facts::of(schema)),
            example: (node.get("example").or_else(|| schema.get("example"))).map(scalar_text),
        }
    }
}

pub struct Request {
    pub required: bool,
    pub description: Safe<Markup>,
    pub content: Vec<Media>,
}

pub struct Response {
    pub status: String,
    /// `s2`, `s4`, ...: the status's colour.
    pub class: String,
    pub description: Safe<Markup>,
    /// The schema named by `x-error-variant`: failures come with this status too.
    pub error_variant: Option<String>,
    pub headers: Vec<Header>,
    pub content: Vec<Media>,
}

pub struct Header {
    pub name: String,
    pub about: About,
}

pub struct CodeSample {
    pub lang: String,
    pub label: String,
    pub source: String,
}

/// One media type of a body: its schema and examples.
pub struct Media {
    pub media_type: String,
    pub schema: Option<Safe<SchemaView>>,
    pub examples: Vec<Example>,
    /// Examples given by `externalValue` only: links, never fetched.
    pub external: Vec<(String, Link)>,
}

pub struct Example {
    pub name: String,
    pub summary: Option<String>,
    /// As the page shows it ([`example_text`]).
    pub text: String,
}

/// A schema kept as a component (a recursive one), rendered once.
pub struct SchemaDef {
    pub anchor: String,
    pub name: String,
    pub schema: Safe<SchemaView>,
}

/// A schema as a heading line and a table of its fields (nested objects indented), or its
/// variants, each a schema again.
#[derive(Template)]
#[template(path = "schema.html")]
pub struct SchemaView {
    pub head: Safe<TypeLabel>,
    pub description: Safe<Markup>,
    pub body: SchemaBody,
}

pub enum SchemaBody {
    /// A `$ref` not followed: the heading's link is all.
    Nothing,
    Variants {
        /// "Part" (allOf) or "Variant".
        part: &'static str,
        variants: Vec<(Safe<TypeLabel>, Safe<SchemaView>)>,
    },
    Fields(Vec<Row>),
    Facts(Safe<Facts>),
}

pub enum Row {
    Field(Field),
    /// The variants of the field above.
    Variants(Safe<SchemaView>),
}

pub struct Field {
    /// `a.b`, `a[].b`: the field's place in the body.
    pub path: String,
    pub name: String,
    /// The name cell's left padding, in em.
    pub indent: String,
    pub required: bool,
    pub about: About,
}

/// The type of a schema in a few words: `string (password)`, `array of UserEmail`, ...
#[derive(Default, Template)]
#[template(path = "type_label.html")]
pub struct TypeLabel {
    pub pieces: Vec<Piece>,
}

pub enum Piece {
    Text(String),
    /// A link to a recursive schema's entry in the Schemas section.
    Ref {
        anchor: String,
        name: String,
    },
    /// The badge of a `format: password` value.
    Secret,
}

/// Enum values and the open-object note, shown under a description.
#[derive(Template)]
#[template(path = "facts.html")]
pub struct Facts {
    pub one_of: Option<Vec<String>>,
    pub open: bool,
}

impl Facts {
    fn of(schema: &Value) -> Safe<Facts> {
        Safe(Facts {
            one_of: schema
                .get("enum")
                .map(|values| items(Some(values)).iter().map(scalar_text).collect()),
            open: is_true(schema, "additionalProperties"),
        })
    }
}

/// The page of one service, from its bundled spec (`file`: the spec's path).
pub fn service_page(file: &str, id: &str, doc: &Value) -> ServicePage {
    let info = doc.get("info").unwrap_or(&Value::Null);
    let ops = operations(doc);
    let tags = tag_order(doc, &ops)
        .into_iter()
        .filter_map(|(tag, description)| {
            let operations: Vec<OperationView> = ops
                .iter()
                .filter(|o| o.first_tag() == tag.as_deref())
                .map(|o| operation(doc, o))
                .collect();
            let name = tag.unwrap_or_else(|| "other".into());
            (!operations.is_empty()).then(|| Tag {
                anchor: anchor_safe(&name),
                description: block(&description, 2),
                name,
                operations,
            })
        })
        .collect();
    let mut parties = Vec::new();
    for (label, key, fallback) in [
        ("Contact", "contact", "contact"),
        ("License", "license", "license"),
    ] {
        if let Some(party) = info.get(key) {
            let name = st(party, "name").unwrap_or(fallback);
            let link = match st(party, "url") {
                Some(url) => Link::new(url, name),
                None => Link {
                    url: None,
                    text: name.to_string(),
                },
            };
            parties.push((label, link));
        }
    }
    ServicePage {
        title: st(info, "title").unwrap_or(id).to_string(),
        version: st(info, "version").unwrap_or("?").to_string(),
        openapi: st(doc, "openapi").unwrap_or("?").to_string(),
        description: described(info, 1),
        parties,
        servers: items(doc.get("servers")).iter().map(server).collect(),
        schemes: entries(doc.pointer("/components/securitySchemes"))
            .map(|(name, scheme)| Scheme {
                anchor: anchor_safe(name),
                name: name.to_string(),
                kind: scheme_kind(scheme),
                description: described(scheme, 3),
            })
            .collect(),
        security: doc.get("security").map(|s| security(doc, s)),
        tags,
        schemas: component_schemas(doc)
            .map(|(name, schema)| SchemaDef {
                anchor: anchor_safe(name),
                name: name.to_string(),
                schema: schema_view(doc, schema, 1),
            })
            .collect(),
        file: file.to_string(),
    }
}

/// A text of the spec, empty where it has none.
fn text(node: &Value, key: &str) -> String {
    st(node, key).unwrap_or_default().to_string()
}

/// A node's description, its headings demoted by `shift`.
fn described(node: &Value, shift: usize) -> Safe<Markup> {
    block(st(node, "description").unwrap_or_default(), shift)
}

fn server(server: &Value) -> Server {
    Server {
        url: text(server, "url"),
        description: described(server, 3),
        variables: entries(server.get("variables"))
            .map(|(name, variable)| Variable {
                name: name.to_string(),
                default: variable.get("default").map(scalar_text).unwrap_or_default(),
                description: inline(st(variable, "description").unwrap_or_default()),
            })
            .collect(),
    }
}

fn scheme_kind(scheme: &Value) -> Safe<SchemeKind> {
    Safe(
        match (st(scheme, "type"), st(scheme, "in"), st(scheme, "name")) {
            (Some("apiKey"), Some(place), Some(name)) => SchemeKind::ApiKey {
                place: place.to_string(),
                name: name.to_string(),
            },
            (Some("http"), _, _) => SchemeKind::Http {
                scheme: text(scheme, "scheme"),
            },
            (Some(kind), _, _) => SchemeKind::Other {
                kind: kind.to_string(),
            },
            _ => SchemeKind::Unknown,
        },
    )
}

fn security(doc: &Value, requirements: &Value) -> Safe<Security> {
    let alternatives: Vec<Vec<SchemeUse>> = items(Some(requirements))
        .iter()
        .map(|r| {
            entries(Some(r))
                .map(|(name, _)| SchemeUse {
                    anchor: anchor_safe(name),
                    name: name.to_string(),
                    kind: doc
                        .pointer("/components/securitySchemes")
                        .and_then(|s| s.get(name))
                        .map(scheme_kind),
                })
                .collect()
        })
        .collect();
    // `[]` and `[{}]` both mean: no credentials.
    let none = alternatives.iter().all(Vec::is_empty);
    Safe(Security {
        alternatives: if none { Vec::new() } else { alternatives },
    })
}

fn operation(doc: &Value, o: &Operation<'_>) -> OperationView {
    let op = o.op;
    let summary = st(op, "summary");
    OperationView {
        anchor: o.anchor.clone(),
        method: o.method.to_string(),
        path: o.path.to_string(),
        id: o.id().unwrap_or_default().to_string(),
        summary: summary.unwrap_or_default().to_string(),
        nav: summary.unwrap_or(o.path).to_string(),
        deprecated: is_true(op, "deprecated"),
        description: described(op, 3),
        security: op
            .get("security")
            .or_else(|| doc.get("security"))
            .map(|s| security(doc, s)),
        parameters: o
            .parameters(doc)
            .into_iter()
            .map(|p| {
                let schema = p.get("schema").unwrap_or(&Value::Null);
                Parameter {
                    name: text(p, "name"),
                    place: text(p, "in"),
                    required: is_true(p, "required"),
                    about: About::of(p, schema, 4, true),
                }
            })
            .collect(),
        request: op.get("requestBody").map(|request| Request {
            required: is_true(request, "required"),
            description: described(request, 4),
            content: content(doc, request),
        }),
        responses: entries(op.get("responses"))
            .map(|(status, response)| Response {
                status: status.to_string(),
                class: status
                    .chars()
                    .next()
                    .map(|c| format!("s{c}"))
                    .unwrap_or_default(),
                description: described(response, 4),
                error_variant: st(response, "x-error-variant")
                    .map(|v| v.rsplit('/').next().unwrap_or(v).to_string()),
                headers: entries(response.get("headers"))
                    .map(|(name, header)| {
                        let schema = header.get("schema").unwrap_or(&Value::Null);
                        Header {
                            name: name.to_string(),
                            about: About::of(header, schema, 4, false),
                        }
                    })
                    .collect(),
                content: content(doc, response),
            })
            .collect(),
        code_samples: items(op.get("x-codeSamples"))
            .iter()
            .map(|sample| CodeSample {
                lang: text(sample, "lang"),
                label: text(sample, "label"),
                source: text(sample, "source"),
            })
            .collect(),
    }
}

/// The `content` map of a request body or response: per media type, the schema and examples.
fn content(doc: &Value, node: &Value) -> Vec<Media> {
    entries(node.get("content"))
        .map(|(media_type, media)| Media {
            media_type: media_type.to_string(),
            schema: media.get("schema").map(|s| schema_view(doc, s, 0)),
            examples: media_examples(media)
                .into_iter()
                .map(|(name, summary, value)| Example {
                    name: name.to_string(),
                    summary: summary.map(str::to_string),
                    text: example_text(value, media_type),
                })
                .collect(),
            external: entries(media.get("examples"))
                .filter(|(_, e)| e.get("value").is_none())
                .filter_map(|(name, e)| {
                    Some((
                        name.to_string(),
                        Link::new(st(e, "externalValue")?, st(e, "externalValue")?),
                    ))
                })
                .collect(),
        })
        .collect()
}

fn type_label(schema: &Value) -> Safe<TypeLabel> {
    let mut label = TypeLabel::default();
    label_pieces(&mut label.pieces, schema);
    Safe(label)
}

fn label_pieces(out: &mut Vec<Piece>, schema: &Value) {
    let text = |out: &mut Vec<Piece>, s: &str| out.push(Piece::Text(s.to_string()));
    if let Some(reference) = st(schema, "$ref") {
        out.push(match schema_ref(schema) {
            Some(name) => Piece::Ref {
                anchor: anchor_safe(name),
                name: name.to_string(),
            },
            None => Piece::Text(reference.to_string()),
        });
        return;
    }
    let title = st(schema, "title");
    if let Some((words, variants)) = variants(schema) {
        text(out, &format!("{words} "));
        for (i, variant) in variants.iter().enumerate() {
            if i > 0 {
                text(out, " | ");
            }
            match st(variant, "title") {
                Some(title) => text(out, title),
                None => label_pieces(out, variant),
            }
        }
    } else {
        match st(schema, "type") {
            Some("array") => {
                text(out, "array of ");
                match schema.get("items") {
                    Some(items) => label_pieces(out, items),
                    None => text(out, "any"),
                }
            }
            Some(t) => {
                let mut t = t.to_string();
                if let Some(format) = st(schema, "format") {
                    t = format!("{t} ({format})");
                }
                match title {
                    Some(title) if t == "object" => text(out, title),
                    _ => text(out, &t),
                }
            }
            None if schema.get("properties").is_some() => text(out, title.unwrap_or("object")),
            None => text(out, "any"),
        }
    }
    if is_true(schema, "nullable") {
        text(out, ", nullable");
    }
    if st(schema, "format") == Some("password") {
        out.push(Piece::Secret);
    }
}

/// A `$ref` is a link to its schema; only at depth 0 is it followed (one hop).
fn schema_view(doc: &Value, schema: &Value, depth: usize) -> Safe<SchemaView> {
    if schema.get("$ref").is_some() {
        let target = top_schema(doc, schema);
        if depth == 0 && target.get("$ref").is_none() {
            return schema_view(doc, target, 1);
        }
        return Safe(SchemaView {
            head: type_label(schema),
            description: Safe(Markup::default()),
            body: SchemaBody::Nothing,
        });
    }
    let description = if depth > 0 || schema.get("properties").is_none() {
        described(schema, 5)
    } else {
        Safe(Markup::default())
    };
    let body = if let Some((words, variants)) = variants(schema).filter(|_| depth < 6) {
        SchemaBody::Variants {
            part: if words == "all of" { "Part" } else { "Variant" },
            variants: variants
                .iter()
                .map(|variant| {
                    let title = match st(variant, "title") {
                        Some(title) => Safe(TypeLabel {
                            pieces: vec![Piece::Text(title.to_string())],
                        }),
                        None => type_label(variant),
                    };
                    (title, schema_view(doc, variant, depth + 1))
                })
                .collect(),
        }
    } else {
        let object = if st(schema, "type") == Some("array") {
            schema.get("items").unwrap_or(&Value::Null)
        } else {
            schema
        };
        if object.get("properties").is_some() {
            let mut out = Vec::new();
            rows(&mut out, doc, object, "", 0);
            SchemaBody::Fields(out)
        } else {
            SchemaBody::Facts(Facts::of(object))
        }
    };
    Safe(SchemaView {
        head: type_label(schema),
        description,
        body,
    })
}

fn rows(out: &mut Vec<Row>, doc: &Value, schema: &Value, prefix: &str, depth: usize) {
    let required: Vec<&str> = items(schema.get("required"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (name, prop) in entries(schema.get("properties")) {
        let path = format!("{prefix}{name}");
        out.push(Row::Field(Field {
            path: path.clone(),
            name: name.to_string(),
            indent: (0.5 + 1.4 * depth as f32).to_string(),
            required: required.contains(&name),
            about: About::of(prop, prop, 5, true),
        }));
        if depth >= 8 {
            continue;
        }
        if prop.get("properties").is_some() {
            rows(out, doc, prop, &format!("{path}."), depth + 1);
        } else if let Some(items) = prop.get("items").filter(|i| i.get("properties").is_some()) {
            rows(out, doc, items, &format!("{path}[]."), depth + 1);
        } else if variants(prop).is_some() {
            out.push(Row::Variants(schema_view(doc, prop, depth + 1)));
        }
    }
}
