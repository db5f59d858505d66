//! Self-contained HTML reference pages, rendered from the bundled spec: inline CSS, no script,
//! no font, no image, nothing fetched at view time (a Content-Security-Policy of
//! `default-src 'none'` makes sure of it), no telemetry. Every text from the spec is escaped.
//!
//! The bundle has every `$ref` inlined but those of recursive schemas (a tree, a linked list),
//! which stay in `components/schemas`. Such a `$ref` shows as a link to the schema's entry in
//! the page's "Schemas" section, where each is rendered once; only a `$ref` at the top of a
//! body, response or parameter schema is followed, one hop, so rendering always ends.

use std::collections::HashSet;
use std::fmt::Write as _;

use apilogin_openapi::{refs::resolve, walk::METHODS};
use serde_json::Value;

use super::markdown::{block, esc, inline, safe_url};

const SCHEMAS: &str = "#/components/schemas/";

fn st<'a>(node: &'a Value, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Value::as_str)
}

fn entries(node: Option<&Value>) -> impl Iterator<Item = (&str, &Value)> {
    node.and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
}

fn items(node: Option<&Value>) -> &[Value] {
    node.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn is_true(node: &Value, key: &str) -> bool {
    node.get(key) == Some(&Value::Bool(true))
}

/// The value as compact, one-line text: strings as they are, the rest as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What the index page shows of one service.
pub struct Service {
    pub id: String,
    pub title: String,
    pub version: String,
    pub summary: String,
    pub operations: usize,
}

impl Service {
    pub fn of(id: &str, doc: &Value) -> Service {
        let info = doc.get("info").unwrap_or(&Value::Null);
        let description = st(info, "description").unwrap_or_default();
        Service {
            id: id.to_string(),
            title: st(info, "title").unwrap_or(id).to_string(),
            version: st(info, "version").unwrap_or("?").to_string(),
            // The first paragraph of the description.
            summary: description
                .split("\n\n")
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            operations: operations(doc).len(),
        }
    }
}

pub struct Operation<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub op: &'a Value,
    /// The `id` of the operation's `<section>`: from the operationId, unique on the page.
    pub anchor: String,
}

impl Operation<'_> {
    pub fn id(&self) -> Option<&str> {
        st(self.op, "operationId").filter(|id| !id.is_empty())
    }

    /// The operation's parameters, then those of its path item that it does not override.
    pub fn parameters<'d>(&'d self, doc: &'d Value) -> Vec<&'d Value> {
        let mut params: Vec<&Value> = items(self.op.get("parameters")).iter().collect();
        let item = doc.get("paths").and_then(|p| p.get(self.path));
        for p in items(item.and_then(|i| i.get("parameters"))) {
            if !params
                .iter()
                .any(|q| st(q, "name") == st(p, "name") && st(q, "in") == st(p, "in"))
            {
                params.push(p);
            }
        }
        params
    }
}

/// The operations in document order.
pub fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    let mut anchors = HashSet::new();
    for (path, item) in entries(doc.get("paths")) {
        for (method, op) in entries(Some(item)) {
            if !METHODS.contains(&method) || !op.is_object() {
                continue;
            }
            let base = match st(op, "operationId") {
                Some(id) if !id.is_empty() => format!("op-{}", anchor_safe(id)),
                _ => format!("op-{method}-{}", anchor_safe(path.trim_start_matches('/'))),
            };
            let mut anchor = base.clone();
            let mut n = 1;
            while !anchors.insert(anchor.clone()) {
                n += 1;
                anchor = format!("{base}-{n}");
            }
            out.push(Operation {
                path,
                method,
                op,
                anchor,
            });
        }
    }
    out
}

pub fn anchor_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The name of a `#/components/schemas/<name>` reference.
pub fn schema_ref(schema: &Value) -> Option<&str> {
    st(schema, "$ref")?.strip_prefix(SCHEMAS)
}

/// The schemas kept as components in the bundle (the recursive ones), in order.
pub fn component_schemas(doc: &Value) -> impl Iterator<Item = (&str, &Value)> {
    entries(doc.pointer("/components/schemas"))
}

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                   base-uri 'none'; form-action 'none'";

const CSS: &str = r#"
:root { --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --bg: #ffffff; --side: #f5f7fa;
  --code: #f3f5f8; --accent: #2457c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
code { background: var(--code); padding: 1px 4px; border-radius: 3px; }
pre { background: #1f2430; color: #e6e9ef; padding: 12px 14px; border-radius: 6px; overflow-x: auto; line-height: 1.45; }
pre code { background: none; padding: 0; color: inherit; }
.layout { display: flex; align-items: flex-start; }
nav.side { position: sticky; top: 0; width: 270px; flex: none; height: 100vh; overflow-y: auto;
  background: var(--side); border-right: 1px solid var(--line); padding: 18px 14px; font-size: 14px; }
nav.side h2 { font-size: 15px; margin: 0 0 4px; }
nav.side h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 18px 0 6px; }
nav.side ul { list-style: none; margin: 0; padding: 0; }
nav.side li { margin: 3px 0; }
nav.side a { text-decoration: none; color: var(--fg); display: flex; gap: 6px; align-items: baseline; }
nav.side a:hover { color: var(--accent); }
main { flex: 1; min-width: 0; max-width: 1020px; padding: 24px 40px 80px; }
h1 { font-size: 28px; margin: 0 0 6px; }
h2 { font-size: 22px; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 18px; margin: 24px 0 8px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
h5 { font-size: 14px; margin: 14px 0 6px; }
.meta { color: var(--muted); margin: 0 0 14px; }
.method { display: inline-block; min-width: 52px; text-align: center; font: 700 11px/18px ui-monospace, monospace;
  text-transform: uppercase; color: #fff; border-radius: 3px; padding: 0 5px; }
.method.get { background: #1f8a4c; } .method.post { background: #2457c5; } .method.put { background: #a35f00; }
.method.delete { background: #b42318; } .method.patch { background: #6941c6; } .method.head, .method.options, .method.trace { background: #5b6475; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; border-radius: 10px; padding: 0 8px; margin-left: 6px;
  vertical-align: middle; border: 1px solid currentColor; }
.badge.deprecated { color: #b42318; } .badge.secret { color: #6941c6; } .badge.required { color: #a35f00; }
section.operation { border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 14px; margin: 18px 0 28px; }
section.operation.deprecated { opacity: .85; }
section.operation > h3 { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.path { font-size: 15px; background: none; }
.summary { font-weight: 600; margin: 0 0 4px; }
.opid { color: var(--muted); font-size: 13px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 6px 8px; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.name { white-space: nowrap; }
td.type { color: var(--muted); white-space: nowrap; font-size: 13px; }
td p { margin: 0 0 4px; }
.enum, .example-value { font-size: 13px; color: var(--muted); }
.schema-head { margin: 6px 0; color: var(--muted); }
.variants { border-left: 3px solid var(--line); padding-left: 12px; }
.response { margin: 10px 0 16px; }
.status { display: inline-block; font: 700 13px/20px ui-monospace, monospace; border-radius: 3px; padding: 0 6px; color: #fff; background: #5b6475; }
.status.s2 { background: #1f8a4c; } .status.s4 { background: #a35f00; } .status.s5 { background: #b42318; }
.media { font: 600 12px ui-monospace, monospace; color: var(--muted); margin: 8px 0 2px; }
figure.example { margin: 8px 0; }
figure.example figcaption { font-size: 13px; color: var(--muted); }
.note { background: #fff8e6; border: 1px solid #f0d9a0; border-radius: 6px; padding: 6px 10px; font-size: 14px; }
details.code-sample summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; }
.services { list-style: none; padding: 0; }
.services li { border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 12px 0; }
.services h2 { border: none; margin: 0 0 4px; padding: 0; font-size: 20px; }
.schema-def { border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 10px; margin: 18px 0; }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cargo xtask docs\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// `docs-out/index.html`: the services, their versions, and links to each.
pub fn index(services: &[Service]) -> String {
    let mut body = String::from(
        "<main>\n<h1>API reference</h1>\n<p class=\"meta\">The login APIs described by apilogin's \
         OpenAPI 3.0 specs. Each service has an HTML reference and its spec, bundled \
         (every <code>$ref</code> resolved) as JSON and YAML for import into an API portal.</p>\n\
         <ul class=\"services\">\n",
    );
    for s in services {
        let id = esc(&s.id);
        let _ = write!(
            body,
            "<li data-service=\"{id}\">\n<h2><a href=\"{id}/index.html\">{}</a></h2>\n\
             <p class=\"meta\">version <span class=\"version\">{}</span> · {} operation(s) · \
             <a href=\"{id}/openapi.json\">openapi.json</a> · \
             <a href=\"{id}/openapi.yaml\">openapi.yaml</a></p>\n<p>{}</p>\n</li>\n",
            esc(&s.title),
            esc(&s.version),
            s.operations,
            inline(&s.summary)
        );
    }
    body.push_str(
        "</ul>\n<footer>Generated by <code>cargo xtask docs</code> from <code>specs/</code>.\
         </footer>\n</main>\n",
    );
    page("API reference", &body)
}

/// `docs-out/<id>/index.html`: the reference page of one service, from its bundled spec
/// (`file`: the spec's path, named in the footer).
pub fn service(id: &str, file: &str, doc: &Value) -> String {
    let info = doc.get("info").unwrap_or(&Value::Null);
    let title = st(info, "title").unwrap_or(id);
    let version = st(info, "version").unwrap_or("?");
    let ops = operations(doc);
    let tags = tag_order(doc, &ops);

    let mut nav = format!(
        "<nav class=\"side\">\n<p><a href=\"../index.html\">&larr; All services</a></p>\n\
         <h2>{}</h2>\n<p class=\"meta\">version {}</p>\n<ul>\n\
         <li><a href=\"#servers\">Servers</a></li>\n<li><a href=\"#authentication\">Authentication</a></li>\n</ul>\n",
        esc(title),
        esc(version)
    );
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1>\n<p class=\"meta\">version <span class=\"version\">{}</span> · OpenAPI {} · \
         <a href=\"openapi.json\">openapi.json</a> · <a href=\"openapi.yaml\">openapi.yaml</a></p>\n",
        esc(title),
        esc(version),
        esc(st(doc, "openapi").unwrap_or("?"))
    );
    body.push_str(&block(st(info, "description").unwrap_or_default(), 1));
    contact_and_license(&mut body, info);
    servers(&mut body, doc);
    security_schemes(&mut body, doc);

    for (tag, description) in &tags {
        let in_tag: Vec<&Operation<'_>> = ops
            .iter()
            .filter(|o| first_tag(o.op) == tag.as_deref())
            .collect();
        if in_tag.is_empty() {
            continue;
        }
        let name = tag.as_deref().unwrap_or("other");
        let _ = write!(nav, "<h3>{}</h3>\n<ul>\n", esc(name));
        let _ = write!(
            body,
            "<h2 id=\"tag-{}\">{}</h2>\n{}",
            anchor_safe(name),
            esc(name),
            block(description, 2)
        );
        for o in in_tag {
            let _ = writeln!(
                nav,
                "<li><a href=\"#{}\"><span class=\"method {m}\">{m}</span> <span>{}</span></a></li>",
                o.anchor,
                esc(st(o.op, "summary").unwrap_or(o.path)),
                m = o.method
            );
            operation(&mut body, doc, o);
        }
        nav.push_str("</ul>\n");
    }
    schemas(&mut body, &mut nav, doc);
    nav.push_str("</nav>\n");
    let _ = writeln!(
        body,
        "<footer>Generated by <code>cargo xtask docs</code> from <code>{}</code>. \
         The bundled spec (every <code>$ref</code> resolved): \
         <a href=\"openapi.json\">openapi.json</a>, <a href=\"openapi.yaml\">openapi.yaml</a>.</footer>",
        esc(file)
    );
    page(
        &format!("{title} {version} — API reference"),
        &format!("<div class=\"layout\">\n{nav}<main>\n{body}</main>\n</div>\n"),
    )
}

/// The recursive schemas, each rendered once; the `$ref`s to them link here.
fn schemas(body: &mut String, nav: &mut String, doc: &Value) {
    let mut defs = component_schemas(doc).peekable();
    if defs.peek().is_none() {
        return;
    }
    body.push_str(
        "<h2 id=\"schemas\">Schemas</h2>\n<p>Schemas that contain themselves, \
         referred to by name above.</p>\n",
    );
    nav.push_str("<h3>Schemas</h3>\n<ul>\n");
    for (name, schema) in defs {
        let _ = writeln!(
            nav,
            "<li><a href=\"#schema-{}\"><span>{}</span></a></li>",
            anchor_safe(name),
            esc(name)
        );
        let _ = write!(
            body,
            "<div class=\"schema-def\" id=\"schema-{}\" data-schema=\"{}\">\n<h3>{}</h3>\n{}</div>\n",
            anchor_safe(name),
            esc(name),
            esc(name),
            schema_html(doc, schema, 1)
        );
    }
    nav.push_str("</ul>\n");
}

/// The declared tags in order, then any undeclared ones, then untagged operations (`None`).
fn tag_order(doc: &Value, ops: &[Operation<'_>]) -> Vec<(Option<String>, String)> {
    let mut tags: Vec<(Option<String>, String)> = items(doc.get("tags"))
        .iter()
        .filter_map(|t| {
            Some((
                Some(st(t, "name")?.to_string()),
                st(t, "description").unwrap_or_default().to_string(),
            ))
        })
        .collect();
    for o in ops {
        let tag = first_tag(o.op).map(str::to_string);
        if !tags.iter().any(|(t, _)| *t == tag) {
            tags.push((tag, String::new()));
        }
    }
    tags
}

fn first_tag(op: &Value) -> Option<&str> {
    items(op.get("tags")).first()?.as_str()
}

fn contact_and_license(body: &mut String, info: &Value) {
    let mut parts = Vec::new();
    if let Some(contact) = info.get("contact") {
        let name = st(contact, "name").unwrap_or("contact");
        parts.push(match st(contact, "url") {
            Some(url) => format!("Contact: {}", link(url, name)),
            None => format!("Contact: {}", esc(name)),
        });
    }
    if let Some(license) = info.get("license") {
        let name = st(license, "name").unwrap_or("license");
        parts.push(match st(license, "url") {
            Some(url) => format!("License: {}", link(url, name)),
            None => format!("License: {}", esc(name)),
        });
    }
    if !parts.is_empty() {
        let _ = writeln!(body, "<p class=\"meta\">{}</p>", parts.join(" · "));
    }
}

/// A link to a page (clicked by the reader, never fetched by the page itself); only to a
/// safe URL ([`safe_url`]), else the text alone.
fn link(url: &str, text: &str) -> String {
    if safe_url(url) {
        format!(
            "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
            esc(url),
            esc(text)
        )
    } else {
        esc(text)
    }
}

fn servers(body: &mut String, doc: &Value) {
    body.push_str(
        "<h2 id=\"servers\">Servers</h2>\n<table>\n<tr><th>URL</th><th>Description</th></tr>\n",
    );
    for server in items(doc.get("servers")) {
        let mut description = block(st(server, "description").unwrap_or_default(), 3);
        for (name, variable) in entries(server.get("variables")) {
            let _ = write!(
                description,
                "<p>Variable <code>{}</code>, default <code>{}</code>: {}</p>",
                esc(name),
                esc(&variable.get("default").map(scalar_text).unwrap_or_default()),
                inline(st(variable, "description").unwrap_or_default())
            );
        }
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{description}</td></tr>",
            esc(st(server, "url").unwrap_or_default())
        );
    }
    body.push_str("</table>\n");
}

fn security_schemes(body: &mut String, doc: &Value) {
    body.push_str("<h2 id=\"authentication\">Authentication</h2>\n");
    let schemes: Vec<_> = entries(doc.pointer("/components/securitySchemes")).collect();
    if schemes.is_empty() {
        body.push_str("<p>The spec declares no security schemes.</p>\n");
    } else {
        body.push_str("<table>\n<tr><th>Scheme</th><th>Type</th><th>Description</th></tr>\n");
        for (name, scheme) in schemes {
            let _ = writeln!(
                body,
                "<tr id=\"scheme-{}\" data-scheme=\"{}\"><td class=\"name\"><code>{}</code></td>\
                 <td class=\"type\">{}</td><td>{}</td></tr>",
                anchor_safe(name),
                esc(name),
                esc(name),
                scheme_kind(scheme),
                block(st(scheme, "description").unwrap_or_default(), 3)
            );
        }
        body.push_str("</table>\n");
    }
    if let Some(global) = doc.get("security") {
        let _ = writeln!(
            body,
            "<p>Unless an operation says otherwise: {}</p>",
            security_text(doc, global)
        );
    }
}

fn scheme_kind(scheme: &Value) -> String {
    match (st(scheme, "type"), st(scheme, "in"), st(scheme, "name")) {
        (Some("apiKey"), Some(place), Some(name)) => {
            format!("API key in {} <code>{}</code>", esc(place), esc(name))
        }
        (Some("http"), _, _) => format!("HTTP {}", esc(st(scheme, "scheme").unwrap_or_default())),
        (Some(kind), _, _) => esc(kind),
        _ => "?".into(),
    }
}

fn security_text(doc: &Value, requirements: &Value) -> String {
    let requirements = items(Some(requirements));
    if requirements.is_empty()
        || requirements
            .iter()
            .all(|r| entries(Some(r)).next().is_none())
    {
        return "no credentials needed.".into();
    }
    requirements
        .iter()
        .map(|r| {
            entries(Some(r))
                .map(|(name, _)| {
                    let scheme = doc
                        .pointer("/components/securitySchemes")
                        .and_then(|s| s.get(name));
                    let kind = scheme.map(scheme_kind).unwrap_or_default();
                    format!(
                        "<a href=\"#scheme-{}\"><code>{}</code></a> ({kind})",
                        anchor_safe(name),
                        esc(name)
                    )
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(", or ")
}

fn example_value(description: &mut String, example: Option<&Value>) {
    if let Some(example) = example {
        let _ = write!(
            description,
            "<p class=\"example-value\">Example: <code>{}</code></p>",
            esc(&scalar_text(example))
        );
    }
}

fn operation(body: &mut String, doc: &Value, o: &Operation<'_>) {
    let op = o.op;
    let deprecated = is_true(op, "deprecated");
    let id = o.id().unwrap_or_default();
    let _ = write!(
        body,
        "<section class=\"operation{}\" id=\"{}\" data-operation-id=\"{}\">\n\
         <h3><span class=\"method {m}\">{m}</span> <code class=\"path\">{}</code>{}</h3>\n\
         <p class=\"summary\">{}</p>\n{}{}",
        if deprecated { " deprecated" } else { "" },
        o.anchor,
        esc(id),
        esc(o.path),
        if deprecated {
            "<span class=\"badge deprecated\">deprecated</span>"
        } else {
            ""
        },
        esc(st(op, "summary").unwrap_or_default()),
        if id.is_empty() {
            String::new()
        } else {
            format!(
                "<p class=\"opid\">operationId <code>{}</code></p>\n",
                esc(id)
            )
        },
        block(st(op, "description").unwrap_or_default(), 3),
        m = o.method
    );
    let security = op.get("security").or_else(|| doc.get("security"));
    if let Some(security) = security {
        let _ = writeln!(
            body,
            "<p><strong>Authentication:</strong> {}</p>",
            security_text(doc, security)
        );
    }

    let params = o.parameters(doc);
    if !params.is_empty() {
        body.push_str(
            "<h4>Parameters</h4>\n<table class=\"parameters\">\n\
             <tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>\n",
        );
        for p in params {
            let name = st(p, "name").unwrap_or_default();
            let schema = p.get("schema").unwrap_or(&Value::Null);
            let mut description = block(st(p, "description").unwrap_or_default(), 4);
            facts(&mut description, schema);
            example_value(
                &mut description,
                p.get("example").or_else(|| schema.get("example")),
            );
            let _ = writeln!(
                body,
                "<tr data-param=\"{}\"><td class=\"name\"><code>{}</code>{}</td><td>{}</td>\
                 <td class=\"type\">{}</td><td>{description}</td></tr>",
                esc(name),
                esc(name),
                if is_true(p, "required") {
                    "<span class=\"badge required\">required</span>"
                } else {
                    ""
                },
                esc(st(p, "in").unwrap_or_default()),
                type_label(schema)
            );
        }
        body.push_str("</table>\n");
    }

    if let Some(request) = op.get("requestBody") {
        let _ = write!(
            body,
            "<h4>Request body{}</h4>\n{}",
            if is_true(request, "required") {
                " <span class=\"badge required\">required</span>"
            } else {
                ""
            },
            block(st(request, "description").unwrap_or_default(), 4)
        );
        content(body, doc, request);
    }

    body.push_str("<h4>Responses</h4>\n");
    for (status, response) in entries(op.get("responses")) {
        let class = status
            .chars()
            .next()
            .map(|c| format!("s{c}"))
            .unwrap_or_default();
        let _ = write!(
            body,
            "<div class=\"response\" data-status=\"{}\">\n<h5><span class=\"status {class}\">{}</span></h5>\n{}",
            esc(status),
            esc(status),
            block(st(response, "description").unwrap_or_default(), 4)
        );
        if let Some(variant) = st(response, "x-error-variant") {
            let name = variant.rsplit('/').next().unwrap_or(variant);
            let _ = writeln!(
                body,
                "<p class=\"note\">Failures are answered with this status too: the body is then the \
                 error variant <code>{}</code>.</p>",
                esc(name)
            );
        }
        let headers: Vec<_> = entries(response.get("headers")).collect();
        if !headers.is_empty() {
            body.push_str(
                "<table class=\"headers\">\n<tr><th>Header</th><th>Type</th><th>Description</th></tr>\n",
            );
            for (name, header) in headers {
                let schema = header.get("schema").unwrap_or(&Value::Null);
                let mut description = block(st(header, "description").unwrap_or_default(), 4);
                example_value(
                    &mut description,
                    header.get("example").or_else(|| schema.get("example")),
                );
                let _ = writeln!(
                    body,
                    "<tr data-header=\"{}\"><td class=\"name\"><code>{}</code></td>\
                     <td class=\"type\">{}</td><td>{description}</td></tr>",
                    esc(name),
                    esc(name),
                    type_label(schema)
                );
            }
            body.push_str("</table>\n");
        }
        content(body, doc, response);
        body.push_str("</div>\n");
    }

    for sample in items(op.get("x-codeSamples")) {
        let _ = writeln!(
            body,
            "<details class=\"code-sample\"><summary>Code sample: {} ({})</summary>\
             <pre><code>{}</code></pre></details>",
            esc(st(sample, "lang").unwrap_or_default()),
            esc(st(sample, "label").unwrap_or_default()),
            esc(st(sample, "source").unwrap_or_default())
        );
    }
    body.push_str("</section>\n");
}

/// The examples of one media type, as `(name, summary, value)`: `example`, then `examples`
/// that have a `value`.
pub fn media_examples(media: &Value) -> Vec<(&str, Option<&str>, &Value)> {
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push(("example", None, example));
    }
    for (name, example) in entries(media.get("examples")) {
        if let Some(value) = example.get("value") {
            out.push((name, st(example, "summary"), value));
        }
    }
    out
}

/// The `content` map of a request body or response: per media type, the schema and examples.
fn content(body: &mut String, doc: &Value, node: &Value) {
    for (media_type, media) in entries(node.get("content")) {
        let _ = writeln!(
            body,
            "<p class=\"media\" data-media-type=\"{}\">{}</p>",
            esc(media_type),
            esc(media_type)
        );
        if let Some(schema) = media.get("schema") {
            body.push_str(&schema_html(doc, schema, 0));
        }
        for (name, summary, value) in media_examples(media) {
            let _ = writeln!(
                body,
                "<figure class=\"example\" data-example=\"{}\"><figcaption>Example <code>{}</code>{}</figcaption>\
                 <pre class=\"example\"><code>{}</code></pre></figure>",
                esc(name),
                esc(name),
                summary.map(|s| format!(": {}", esc(s))).unwrap_or_default(),
                esc(&example_text(value, media_type))
            );
        }
        for (name, example) in entries(media.get("examples")) {
            if let (None, Some(url)) = (example.get("value"), st(example, "externalValue")) {
                let _ = writeln!(
                    body,
                    "<p>Example <code>{}</code>: {}</p>",
                    esc(name),
                    link(url, url)
                );
            }
        }
    }
}

/// An example as the page shows it: a string as is, a form as it is sent, the rest as JSON.
pub fn example_text(value: &Value, media_type: &str) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(fields) if media_type == "application/x-www-form-urlencoded" => {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                form.append_pair(k, &scalar_text(v));
            }
            form.finish()
        }
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// A link to a recursive schema's entry in the Schemas section.
fn ref_link(name: &str) -> String {
    format!(
        "<a class=\"schema-ref\" href=\"#schema-{}\">{}</a>",
        anchor_safe(name),
        esc(name)
    )
}

fn variants(schema: &Value) -> Option<(&'static str, &[Value])> {
    [
        ("one of", "oneOf"),
        ("any of", "anyOf"),
        ("all of", "allOf"),
    ]
    .into_iter()
    .find_map(|(words, key)| Some((words, schema.get(key)?.as_array()?.as_slice())))
}

/// The type of a schema in a few words: `string (password)`, `array of UserEmail`, ...
fn type_label(schema: &Value) -> String {
    if let Some(reference) = st(schema, "$ref") {
        return schema_ref(schema).map_or_else(|| esc(reference), ref_link);
    }
    let title = st(schema, "title");
    let mut label = if let Some((words, variants)) = variants(schema) {
        let names: Vec<String> = variants
            .iter()
            .map(|v| st(v, "title").map(esc).unwrap_or_else(|| type_label(v)))
            .collect();
        format!("{words} {}", names.join(" | "))
    } else {
        match st(schema, "type") {
            Some("array") => format!(
                "array of {}",
                schema
                    .get("items")
                    .map(type_label)
                    .unwrap_or_else(|| "any".into())
            ),
            Some(t) => {
                let mut t = esc(t);
                if let Some(format) = st(schema, "format") {
                    let _ = write!(t, " ({})", esc(format));
                }
                if let (Some(title), "object") = (title, t.as_str()) {
                    t = esc(title);
                }
                t
            }
            None if schema.get("properties").is_some() => {
                title.map(esc).unwrap_or_else(|| "object".into())
            }
            None => "any".into(),
        }
    };
    if is_true(schema, "nullable") {
        label.push_str(", nullable");
    }
    if st(schema, "format") == Some("password") {
        label.push_str("<span class=\"badge secret\" title=\"a secret: mask it\">secret</span>");
    }
    label
}

/// Enum values, the open-object note and the like, appended to a description cell.
fn facts(out: &mut String, schema: &Value) {
    if let Some(values) = schema.get("enum") {
        let values: Vec<String> = items(Some(values))
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&scalar_text(v))))
            .collect();
        let _ = write!(out, "<p class=\"enum\">One of: {}</p>", values.join(", "));
    }
    if is_true(schema, "additionalProperties") {
        out.push_str("<p class=\"enum\">Open object: other fields may appear.</p>");
    }
}

/// The schema a body or response shows: a `$ref` at its top (to a recursive schema) is followed
/// once, so its fields are listed there too.
pub fn top_schema<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    let resolved = resolve(doc, schema);
    if resolved.get("$ref").is_some() {
        schema
    } else {
        resolved
    }
}

/// A schema as a heading line and a table of its fields (nested objects indented), or its
/// variants. A `$ref` is a link to its schema; only at depth 0 is it followed (one hop).
fn schema_html(doc: &Value, schema: &Value, depth: usize) -> String {
    let mut out = String::new();
    if schema.get("$ref").is_some() {
        let target = top_schema(doc, schema);
        if depth == 0 && target.get("$ref").is_none() {
            return schema_html(doc, target, 1);
        }
        let _ = writeln!(
            out,
            "<div class=\"schema\"><p class=\"schema-head\">Schema: <strong>{}</strong></p></div>",
            type_label(schema)
        );
        return out;
    }
    let _ = write!(
        out,
        "<div class=\"schema\"><p class=\"schema-head\">Schema: <strong>{}</strong></p>",
        type_label(schema)
    );
    if depth > 0 || schema.get("properties").is_none() {
        out.push_str(&block(st(schema, "description").unwrap_or_default(), 5));
    }
    if let Some((words, variants)) = variants(schema).filter(|_| depth < 6) {
        let part = if words == "all of" { "Part" } else { "Variant" };
        out.push_str("<div class=\"variants\">");
        for (i, variant) in variants.iter().enumerate() {
            let _ = write!(
                out,
                "<div class=\"variant\"><h5>{part} {}: {}</h5>{}</div>",
                i + 1,
                st(variant, "title")
                    .map(esc)
                    .unwrap_or_else(|| type_label(variant)),
                schema_html(doc, variant, depth + 1)
            );
        }
        out.push_str("</div>");
    } else {
        let object = if st(schema, "type") == Some("array") {
            schema.get("items").unwrap_or(&Value::Null)
        } else {
            schema
        };
        if object.get("properties").is_some() {
            out.push_str(
                "<table class=\"fields\">\n<tr><th>Field</th><th>Type</th><th>Description</th></tr>\n",
            );
            rows(&mut out, doc, object, "", 0);
            out.push_str("</table>\n");
        } else {
            facts(&mut out, object);
        }
    }
    out.push_str("</div>\n");
    out
}

fn rows(out: &mut String, doc: &Value, schema: &Value, prefix: &str, depth: usize) {
    let required: Vec<&str> = items(schema.get("required"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for (name, prop) in entries(schema.get("properties")) {
        let path = format!("{prefix}{name}");
        let mut description = block(st(prop, "description").unwrap_or_default(), 5);
        facts(&mut description, prop);
        example_value(&mut description, prop.get("example"));
        let _ = writeln!(
            out,
            "<tr data-field=\"{}\"><td class=\"name\" style=\"padding-left: {}em\"><code>{}</code>{}</td>\
             <td class=\"type\">{}</td><td>{description}</td></tr>",
            esc(&path),
            0.5 + 1.4 * depth as f32,
            esc(name),
            if required.contains(&name) {
                "<span class=\"badge required\">required</span>"
            } else {
                ""
            },
            type_label(prop)
        );
        if depth >= 8 {
            continue;
        }
        if prop.get("properties").is_some() {
            rows(out, doc, prop, &format!("{path}."), depth + 1);
        } else if let Some(items) = prop.get("items").filter(|i| i.get("properties").is_some()) {
            rows(out, doc, items, &format!("{path}[]."), depth + 1);
        } else if variants(prop).is_some() {
            let _ = writeln!(
                out,
                "<tr><td></td><td colspan=\"2\">{}</td></tr>",
                schema_html(doc, prop, depth + 1)
            );
        }
    }
}

/// Every way a page could make the browser fetch something at view time. The pages must have
/// none of them (tested here and, in a real browser, by `cargo xtask docs`).
pub fn external_fetches(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for needle in [
        "<script", "<link", "<img", "<iframe", "<object", "<embed", "<video", "<audio", "<source",
        "@import", "url(", " src=", "srcset=",
    ] {
        if lower.contains(needle) {
            found.push(needle.trim().to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info:
  title: Demo <API>
  version: 2.0.0
  description: "A **demo**. <script>alert(1)</script> [x](javascript:alert(1))"
servers:
  - url: https://api.example.test
tags:
  - name: authentication
paths:
  /login:
    post:
      operationId: login
      summary: Log in
      tags: [authentication]
      security: []
      parameters:
        - name: client
          in: query
          schema: {type: string}
          example: cli
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              title: LoginForm
              type: object
              required: [user]
              properties:
                user: {type: string, description: The user.}
                pass: {type: string, format: password}
            example: {user: demo user, pass: p&w}
      responses:
        '200':
          description: ok
          x-error-variant: '#/components/schemas/ServiceError'
          content:
            application/json:
              schema:
                oneOf:
                  - {title: Ok, type: object, properties: {token: {type: string, format: password}}}
                  - {title: ServiceError, type: object, properties: {error: {type: string, enum: [NOPE]}}}
"##;

    fn doc(yaml: &str) -> Value {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn render() -> String {
        service("demo", "specs/demo.yaml", &doc(SPEC))
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_the_spec() {
        let html = render();
        assert_eq!(external_fetches(&html), Vec::<String>::new());
        assert!(html.contains("Content-Security-Policy"));
        assert!(html.contains("Demo &lt;API&gt;"), "title escaped");
        assert!(!html.contains("<script"), "raw HTML dropped");
        assert!(!html.contains("javascript:"), "unsafe link dropped");
        assert!(html.contains("<strong>demo</strong>"));
        assert!(html.contains("from <code>specs/demo.yaml</code>"));
    }

    #[test]
    fn the_operation_parameters_body_and_examples_are_rendered() {
        let html = render();
        assert!(html.contains("id=\"op-login\""));
        assert!(html.contains("<code class=\"path\">/login</code>"));
        assert!(html.contains("data-param=\"client\""));
        assert!(html.contains("data-field=\"user\""));
        assert!(html.contains("data-field=\"pass\""));
        assert!(
            html.contains(">secret</span>"),
            "password fields are marked"
        );
        // The form example is shown form-encoded.
        assert!(html.contains("user=demo+user&amp;pass=p%26w"), "{html}");
        assert!(html.contains("Variant 2: ServiceError"));
        assert!(html.contains("error variant <code>ServiceError</code>"));
        assert!(html.contains("no credentials needed"));
    }

    #[test]
    fn operations_without_ids_get_unique_anchors() {
        let doc = doc(
            "paths:\n  /a.b:\n    get: {responses: {}}\n  /a-b:\n    get: {responses: {}}\n    \
             x-note: {}\n  /c:\n    post: {operationId: a.b}\n    put: {operationId: a-b}\n",
        );
        let anchors: Vec<String> = operations(&doc).into_iter().map(|o| o.anchor).collect();
        assert_eq!(
            anchors,
            ["op-get-a-b", "op-get-a-b-2", "op-a-b", "op-a-b-2"]
        );
    }

    #[test]
    fn a_recursive_schema_links_to_its_one_rendering() {
        let spec = doc(r##"
openapi: 3.0.3
info: {title: Tree, version: '1'}
paths:
  /nodes:
    post:
      operationId: addNode
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Node'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Node'}}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        parent: {$ref: '#/components/schemas/Node'}
"##);
        let bundled = apilogin_openapi::bundle::bundle(&spec);
        assert!(!apilogin_openapi::bundle::refs(&bundled).is_empty());
        let html = service("tree", "specs/tree.yaml", &bundled);
        assert_eq!(html.matches("id=\"schema-Node\"").count(), 1, "{html}");
        assert!(html.contains("array of <a class=\"schema-ref\" href=\"#schema-Node\">Node</a>"));
        assert!(html.contains("data-field=\"children\""));
        // The same bundle with the body a bare `$ref`: followed once, so its fields show.
        let mut bare = bundled.clone();
        *bare
            .pointer_mut("/paths/~1nodes/post/requestBody/content/application~1json/schema")
            .unwrap() = serde_json::json!({"$ref": "#/components/schemas/Node"});
        let html = service("tree", "specs/tree.yaml", &bare);
        let section = &html[html.find("id=\"op-addNode\"").unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(section.contains("data-field=\"parent\""), "{section}");
    }

    #[test]
    fn the_index_lists_services_with_versions_and_links() {
        let html = index(&[Service::of("demo", &doc(SPEC))]);
        assert!(html.contains("href=\"demo/index.html\">Demo &lt;API&gt;</a>"));
        assert!(html.contains("<span class=\"version\">2.0.0</span>"));
        assert!(html.contains("href=\"demo/openapi.json\""));
        assert_eq!(external_fetches(&html), Vec::<String>::new());
    }

    #[test]
    fn external_fetches_are_detected() {
        assert_eq!(
            external_fetches("<img src=\"https://x.test/a.png\">"),
            vec!["<img", "src="]
        );
        assert_eq!(
            external_fetches("<style>@import 'x.css';</style>"),
            vec!["@import"]
        );
    }
}
