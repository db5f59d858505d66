//! Self-contained HTML reference pages, rendered by the templates in `templates/` from the
//! page's view (`view.rs`): inline CSS, no script, no font, no image, nothing fetched at view
//! time (a Content-Security-Policy of `default-src 'none'` makes sure of it), no telemetry.
//! Every text from the spec is escaped by the templates (askama escapes HTML by default, and no
//! template turns it off with `|safe`).

use askama::Template;
use serde_json::Value;

pub use super::view::Service;
use super::view::{IndexPage, service_page};

/// `docs-out/index.html`: the services, their versions, and links to each.
pub fn index(services: &[Service]) -> String {
    render(&IndexPage { services })
}

/// `docs-out/<id>/index.html`: the reference page of one service, from its bundled spec
/// (`file`: the spec's path, named in the footer).
pub fn service(id: &str, file: &str, doc: &Value) -> String {
    render(&service_page(file, id, doc))
}

fn render(page: &impl Template) -> String {
    // Rendering into a String fails only where a value's `Display` does, and none of the
    // view's do.
    let mut html = page.render().expect("the docs templates render");
    html.push('\n');
    html
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

    /// Spec text in every place a page shows it: never markup.
    #[test]
    fn no_spec_text_becomes_markup() {
        let evil = "<i>x</i>\" onmouseover=\"y";
        let spec = SPEC
            .replace("Demo <API>", evil)
            .replace("2.0.0", evil)
            .replace("name: authentication", &format!("name: '{evil}'"))
            .replace("tags: [authentication]", &format!("tags: ['{evil}']"))
            .replace("operationId: login", &format!("operationId: '{evil}'"))
            .replace("summary: Log in", &format!("summary: '{evil}'"))
            .replace("/login:", &format!("'/{evil}':"))
            .replace("name: client", &format!("name: '{evil}'"))
            .replace("title: LoginForm", &format!("title: '{evil}'"))
            .replace("user: {type: string", &format!("'{evil}': {{type: string"))
            .replace("format: password}", &format!("format: '{evil}'}}"))
            .replace("enum: [NOPE]", &format!("enum: ['{evil}']"))
            .replace("example: cli", &format!("example: '{evil}'"))
            .replace("'200':", &format!("'{evil}':"))
            .replace("https://api.example.test", evil)
            + &format!(
                "      x-codeSamples: [{{lang: '{evil}', label: '{evil}', source: '{evil}'}}]\n\
                 components:\n  securitySchemes:\n    '{evil}': {{type: apiKey, in: '{evil}', name: '{evil}'}}\n\
                 security: [{{'{evil}': []}}]\n"
            );
        let html = service("demo", evil, &doc(&spec));
        assert!(!html.contains("<i>"), "{html}");
        assert!(!html.contains("\" onmouseover"), "{html}");
        assert!(html.matches("&lt;i&gt;x&lt;/i&gt;").count() > 20, "{html}");
    }

    /// Only the view's `Safe` values (Markdown made safe, the page's own parts) skip escaping.
    #[test]
    fn no_template_turns_escaping_off() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/docs/templates");
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for word in ["|safe", "| safe", "escape(", "autoescape"] {
                assert!(!text.contains(word), "{}: {word}", entry.path().display());
            }
        }
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
