//! `cargo xtask docs`: the publishable docs bundle, in the git-ignored `docs-out/`.
//!
//! ```text
//! docs-out/
//!   index.html              the four services, their versions, links
//!   <id>/openapi.json       the spec bundled: every $ref resolved (what a portal import wants)
//!   <id>/openapi.yaml       the same, as YAML
//!   <id>/index.html         a self-contained HTML reference page
//!   screenshots/<page>.png  the pages as headless Chromium showed them (the browser test)
//! ```
//!
//! Then every page is opened in headless Chromium ([`browser`]): the login operation, its
//! parameters and an example must be in the DOM, and no request may leave the machine. Without
//! `chromium` on PATH the browser test is skipped with a notice, or fails when `CI` is set.

mod browser;
mod html;
mod markdown;
mod tree;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use apilogin_spec as spec;
use tree::Node;

pub const OUT: &str = "docs-out";

pub fn main(root: &Path) -> ExitCode {
    let started = Instant::now();
    let built = match build(root) {
        Ok(built) => built,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for service in &built.services {
        println!(
            "docs: {OUT}/{id}/index.html, openapi.json, openapi.yaml ({} {}, {} operation(s))",
            service.title,
            service.version,
            service.operations,
            id = service.id
        );
    }
    println!(
        "docs: {OUT}/index.html lists {} service(s) ({:.1?})",
        built.services.len(),
        started.elapsed()
    );

    let Some(chromium) = browser::find_chromium() else {
        let how = "install Debian's Chromium (`apt-get install chromium`) to run the browser test";
        if std::env::var_os("CI").is_some() {
            eprintln!("error: `chromium` is not on PATH, and CI is set: {how}");
            return ExitCode::FAILURE;
        }
        println!("docs: browser test SKIPPED: `chromium` is not on PATH; {how}");
        return ExitCode::SUCCESS;
    };
    let browser_started = Instant::now();
    match browser::test_pages(
        &chromium,
        &built.expect,
        &root.join(OUT).join("screenshots"),
    ) {
        Ok(outcome) => {
            for line in outcome.lines {
                println!("browser: {line}");
            }
            println!(
                "docs: browser test passed in headless {} ({:.1?})",
                chromium.display(),
                browser_started.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: browser test failed:\n{e}");
            ExitCode::FAILURE
        }
    }
}

struct Built {
    services: Vec<html::Service>,
    expect: Vec<browser::Expect>,
}

/// Writes the bundle; returns what the browser test must find on each page.
fn build(root: &Path) -> Result<Built, String> {
    let files = spec::spec_files(root).map_err(|e| format!("cannot list specs/: {e}"))?;
    if files.is_empty() {
        return Err("no specs/*.yaml found".into());
    }
    let out = root.join(OUT);
    let mut services = Vec::new();
    let mut expect = Vec::new();
    for file in &files {
        // The spec model's loader: the same checks (OpenAPI 3.0.x, resolvable $refs) as regen.
        let loaded = spec::load(root, file).map_err(|e| e.to_string())?;
        let yaml =
            yaml_serde::to_string(&spec::bundle::bundle(&loaded.doc)).map_err(|e| e.to_string())?;
        let bundled = Node::parse_yaml(&yaml).map_err(|e| format!("{}: {e}", file.display()))?;
        let dir = out.join(&loaded.id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let page = html::service(&loaded.id, &bundled);
        let fetches = html::external_fetches(&page);
        if !fetches.is_empty() {
            return Err(format!(
                "the page of {} would fetch at view time ({})",
                loaded.id,
                fetches.join(", ")
            ));
        }
        write(
            &dir.join("openapi.json"),
            &(bundled.to_json_pretty() + "\n"),
        )?;
        write(&dir.join("openapi.yaml"), &yaml)?;
        write(&dir.join("index.html"), &page)?;
        let service = html::Service::of(&loaded.id, &bundled);
        expect.push(expect_service(
            &dir.join("index.html"),
            &loaded.id,
            &bundled,
        )?);
        services.push(service);
    }
    let index = html::index(&services);
    write(&out.join("index.html"), &index)?;
    let mut index_expect = browser::Expect {
        page: out.join("index.html"),
        name: "index".into(),
        anywhere: Vec::new(),
        section: None,
        example_values: Vec::new(),
    };
    for s in &services {
        index_expect
            .anywhere
            .push(format!("href=\"{}/index.html\"", s.id));
        index_expect
            .anywhere
            .push(format!("<span class=\"version\">{}</span>", s.version));
    }
    expect.insert(0, index_expect);
    Ok(Built { services, expect })
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    // Unchanged files are left alone, so a rebuild does not touch their mtimes.
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What the page of one service must show of its login operation: the path, the operation id,
/// every parameter, the top-level fields of the request body, and a value of its first example.
fn expect_service(page: &Path, id: &str, bundled: &Node) -> Result<browser::Expect, String> {
    let ops = html::operations(bundled);
    let login = ops
        .iter()
        .find(|o| o.op.str("operationId") == Some("login"))
        .ok_or_else(|| format!("{id}: there is no operation `login` to test the page with"))?;
    let mut needles = vec![
        format!("<code class=\"path\">{}</code>", login.path),
        format!("data-operation-id=\"login\""),
    ];
    for p in login
        .op
        .get("parameters")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(name) = p.str("name") {
            needles.push(format!("data-param=\"{name}\""));
        }
    }
    let mut example_values = Vec::new();
    if let Some((_, media)) = login
        .op
        .pointer("/requestBody/content")
        .map(Node::entries)
        .and_then(|c| c.first())
    {
        if let Some(schema) = media.get("schema") {
            let objects: Vec<&Node> = match schema.get("oneOf") {
                Some(variants) => variants.items().iter().collect(),
                None => vec![schema],
            };
            for object in objects {
                for (name, _) in object
                    .get("properties")
                    .map(Node::entries)
                    .unwrap_or_default()
                {
                    needles.push(format!("data-field=\"{name}\""));
                }
            }
        }
        let example = media.get("example").or_else(|| {
            media
                .get("examples")
                .map(Node::entries)
                .and_then(|e| e.first())
                .and_then(|(_, e)| e.get("value"))
        });
        if let Some(value) = example.and_then(first_string) {
            example_values.push(value);
        }
    }
    if example_values.is_empty() {
        return Err(format!(
            "{id}: the login operation has no request example to look for on its page"
        ));
    }
    Ok(browser::Expect {
        page: page.to_path_buf(),
        name: id.to_string(),
        anywhere: vec![format!(
            "<h1>{}</h1>",
            markdown::esc(
                bundled
                    .pointer("/info/title")
                    .and_then(Node::as_str)
                    .unwrap_or(id)
            )
        )],
        section: Some((login.anchor.clone(), needles)),
        example_values,
    })
}

/// The first string leaf of an example, as text the page shows unescaped.
fn first_string(node: &Node) -> Option<String> {
    match node {
        Node::String(s) if !s.is_empty() && !s.contains(['&', '<', '>', '"']) => Some(s.clone()),
        Node::Object(entries) => entries.iter().find_map(|(_, v)| first_string(v)),
        Node::Array(items) => items.iter().find_map(first_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed specs bundle without a `$ref` left, and render self-contained pages that
    /// show the login operation (what the browser test then checks in Chromium).
    #[test]
    fn the_committed_specs_bundle_and_render() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        for file in spec::spec_files(root).unwrap() {
            let loaded = spec::load(root, &file).unwrap();
            let bundled = spec::bundle::bundle(&loaded.doc);
            assert!(
                spec::bundle::refs(&bundled).is_empty(),
                "{}",
                file.display()
            );
            let bundled = Node::parse_yaml(&yaml_serde::to_string(&bundled).unwrap()).unwrap();
            // The bundle says the same as the spec: JSON round trip through serde_json.
            let json: serde_json::Value = serde_json::from_str(&bundled.to_json_pretty()).unwrap();
            assert_eq!(json["openapi"], "3.0.3");
            let id = file.file_stem().unwrap().to_str().unwrap();
            let page = html::service(id, &bundled);
            assert_eq!(html::external_fetches(&page), Vec::<String>::new());
            let expect = expect_service(Path::new("x.html"), id, &bundled).unwrap();
            let missing = browser::check_dom(&page, &expect);
            assert!(missing.is_empty(), "{id}: {missing:?}");
        }
    }
}
