//! `cargo xtask docs`: the publishable docs bundle, in the git-ignored `docs-out/`.
//!
//! ```text
//! docs-out/
//!   index.html              the services, their versions, links
//!   <id>/openapi.json       the spec bundled: every $ref resolved (what a portal import wants)
//!   <id>/openapi.yaml       the same, as YAML
//!   <id>/index.html         a self-contained HTML reference page
//!   screenshots/<page>.png  the pages as headless Chromium showed them (the browser test)
//! ```
//!
//! Works for any spec the model loads: each page is tested for the operations it has.
//!
//! `docs-out/` is replaced whole or not at all. Everything is built in a sibling folder,
//! `docs-out.tmp-<pid>/`, and the browser test opens the pages there and writes its
//! screenshots there, so the screenshots published always show the pages published. Only when
//! the build and the browser test pass is the new folder swapped in (two renames: the old
//! `docs-out/` aside, the new one in its place; then the old one is removed). A spec that fails
//! to load leaves `docs-out/` as it was and no temporary folder; pages that fail the browser
//! test are kept for inspection in `docs-out.rejected/` (replaced at each failure), and
//! `docs-out/` is again left as it was. A file whose content did not change keeps its
//! modification time. Without `chromium` on PATH the browser test is skipped with a notice
//! (and the bundle is published without screenshots), or fails when `CI` is set.

mod browser;
mod html;
mod markdown;
mod read;
mod view;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use apilogin_openapi as spec;
use serde_json::Value;

use markdown::{dom_attr, dom_text};

pub const OUT: &str = "docs-out";
const REJECTED: &str = "docs-out.rejected";

pub fn main(root: &Path) -> ExitCode {
    let started = Instant::now();
    let chromium = browser::find_chromium();
    let how = "install Debian's Chromium (`apt-get install chromium`) to run the browser test";
    if chromium.is_none() && std::env::var_os("CI").is_some() {
        eprintln!("error: `chromium` is not on PATH, and CI is set: {how}");
        return ExitCode::FAILURE;
    }
    let published = publish(root, |built, out| {
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
        let Some(chromium) = &chromium else {
            println!("docs: browser test SKIPPED: `chromium` is not on PATH; {how}");
            return Ok(());
        };
        let browser_started = Instant::now();
        let outcome = browser::test_pages(chromium, &built.expect, &out.join("screenshots"))
            .context("browser test failed")?;
        for line in outcome.lines {
            println!("browser: {line}");
        }
        println!(
            "docs: browser test passed in headless {} ({:.1?})",
            chromium.display(),
            browser_started.elapsed()
        );
        Ok(())
    });
    match published {
        Ok(()) => {
            println!("docs: published {OUT}/");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

struct Built {
    services: Vec<html::Service>,
    expect: Vec<browser::Expect>,
}

/// Builds the bundle of `root`'s specs into a temporary sibling of `root/docs-out`, runs
/// `check` on it (the browser test), and only if both succeed swaps it in as `docs-out/`.
fn publish(root: &Path, check: impl FnOnce(&Built, &Path) -> Result<()>) -> Result<()> {
    remove_leftovers(root);
    let out = root.join(OUT);
    let tmp = root.join(format!("{OUT}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)
            .with_context(|| format!("cannot remove {}", tmp.display()))?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let built = match build(root, &tmp, &out) {
        Ok(built) => built,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e.context(format!("{OUT}/ is unchanged")));
        }
    };
    if let Err(e) = check(&built, &tmp) {
        let rejected = root.join(REJECTED);
        let _ = std::fs::remove_dir_all(&rejected);
        let kept = std::fs::rename(&tmp, &rejected).is_ok();
        if !kept {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        return Err(e.context(if kept {
            format!("{OUT}/ is unchanged; the rejected build is in {REJECTED}/")
        } else {
            format!("{OUT}/ is unchanged")
        }));
    }
    swap(&tmp, &out)
}

/// Puts `new` in the place of `out`: `out` is moved aside first, and moved back if `new`
/// cannot take its place.
fn swap(new: &Path, out: &Path) -> Result<()> {
    let old = out.with_file_name(format!("{OUT}.old-{}", std::process::id()));
    let had_old = std::fs::symlink_metadata(out).is_ok();
    if had_old {
        std::fs::rename(out, &old)
            .with_context(|| format!("cannot move {} aside", out.display()))?;
    }
    if let Err(e) = std::fs::rename(new, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(new);
        return Err(e).with_context(|| format!("cannot put the new {} in place", out.display()));
    }
    if had_old {
        std::fs::remove_dir_all(&old)
            .with_context(|| format!("cannot remove the previous {}", old.display()))?;
    }
    Ok(())
}

/// Temporary folders of runs that were killed before they could clean up (their process is
/// gone). Where processes cannot be looked up (no `/proc`), they are left alone.
fn remove_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(&format!("{OUT}.tmp-"))
            .or_else(|| name.strip_prefix(&format!("{OUT}.old-")));
        if let Some(pid) = pid.filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && !Path::new("/proc").join(pid).exists()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes the bundle of `root`'s specs into `out` (empty); returns what the browser test must
/// find on each page. `previous` is the published folder, whose unchanged files keep their
/// modification times.
fn build(root: &Path, out: &Path, previous: &Path) -> Result<Built> {
    let files = spec::spec_files(root).context("cannot list specs/")?;
    if files.is_empty() {
        bail!("no spec files found in {}", root.join("specs").display());
    }
    let mut services = Vec::new();
    let mut expect = Vec::new();
    for file in &files {
        // The spec model's loader: the same checks (OpenAPI 3.0.x or 3.1.x, resolvable $refs) as regen.
        let loaded = spec::load(root, file).map_err(|e| anyhow::anyhow!("{e}"))?;
        let bundled = spec::bundle::bundle(&loaded.doc);
        let id = &loaded.id;
        let shown_file = loaded.file.to_string_lossy().replace('\\', "/");
        let page = html::service(id, &shown_file, &bundled);
        let fetches = html::external_fetches(&page);
        if !fetches.is_empty() {
            bail!(
                "the page of {id} would fetch at view time ({})",
                fetches.join(", ")
            );
        }
        let json = serde_json::to_string_pretty(&bundled)? + "\n";
        let yaml = yaml_serde::to_string(&bundled)
            .with_context(|| format!("{}: cannot write the bundle as YAML", file.display()))?;
        let dir = Path::new(id);
        write(out, previous, &dir.join("openapi.json"), &json)?;
        write(out, previous, &dir.join("openapi.yaml"), &yaml)?;
        write(out, previous, &dir.join("index.html"), &page)?;
        expect.push(expect_service(out, id, &bundled));
        services.push(html::Service::of(id, &bundled));
    }
    write(
        out,
        previous,
        Path::new("index.html"),
        &html::index(&services),
    )?;
    let mut index_expect = browser::Expect {
        page: out.join("index.html"),
        label: format!("{OUT}/index.html"),
        name: "index".into(),
        anywhere: Vec::new(),
        sections: Vec::new(),
    };
    for s in &services {
        index_expect
            .anywhere
            .push(format!("href=\"{}/index.html\"", dom_attr(&s.id)));
        index_expect.anywhere.push(format!(
            "<span class=\"version\">{}</span>",
            dom_text(&s.version)
        ));
    }
    expect.insert(0, index_expect);
    Ok(Built { services, expect })
}

/// Writes `out/file`; a file the same as `previous/file` gets its modification time, so a
/// rebuild does not touch the mtimes of what did not change.
fn write(out: &Path, previous: &Path, file: &Path, text: &str) -> Result<()> {
    let path = out.join(file);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    let old = previous.join(file);
    if std::fs::read(&old).is_ok_and(|old| old == text.as_bytes())
        && let Ok(modified) = std::fs::metadata(&old).and_then(|m| m.modified())
    {
        let _ = std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(modified));
    }
    Ok(())
}

/// What the page of one service must show: its title, each recursive schema's entry, and for
/// every operation its path, operationId, parameters, the top-level fields of its request body
/// and, where the spec has one, a value of its first example.
fn expect_service(out: &Path, id: &str, bundled: &Value) -> browser::Expect {
    let title = bundled
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or(id);
    let mut anywhere = vec![format!("<h1>{}</h1>", dom_text(title))];
    for (name, _) in read::component_schemas(bundled) {
        anywhere.push(format!("id=\"schema-{}\"", read::anchor_safe(name)));
    }
    let sections = read::operations(bundled)
        .iter()
        .map(|o| expect_operation(bundled, o))
        .collect();
    browser::Expect {
        page: out.join(id).join("index.html"),
        label: format!("{OUT}/{id}/index.html"),
        name: id.to_string(),
        anywhere,
        sections,
    }
}

fn expect_operation(doc: &Value, o: &read::Operation<'_>) -> browser::Section {
    let mut needles = vec![format!("<code class=\"path\">{}</code>", dom_text(o.path))];
    if let Some(id) = o.id() {
        needles.push(format!("data-operation-id=\"{}\"", dom_attr(id)));
    }
    for p in o.parameters(doc) {
        if let Some(name) = p.get("name").and_then(Value::as_str) {
            needles.push(format!("data-param=\"{}\"", dom_attr(name)));
        }
    }
    let first_media =
        o.op.pointer("/requestBody/content")
            .and_then(Value::as_object)
            .and_then(|c| c.values().next());
    if let Some(schema) = first_media.and_then(|m| m.get("schema")) {
        for name in top_level_fields(doc, schema) {
            needles.push(format!("data-field=\"{}\"", dom_attr(name)));
        }
    }
    browser::Section {
        id: o.anchor.clone(),
        needles,
        example_values: example_value(o.op).into_iter().collect(),
    }
}

/// The fields a body's schema shows at its top: its properties, or those of each variant
/// written out (a variant that is a `$ref` shows as a link).
fn top_level_fields<'d>(doc: &'d Value, schema: &'d Value) -> Vec<&'d str> {
    let schema = read::top_schema(doc, schema);
    let variants = ["oneOf", "anyOf", "allOf"]
        .iter()
        .find_map(|k| schema.get(*k).and_then(Value::as_array));
    let objects: Vec<&Value> = match variants {
        Some(variants) => variants
            .iter()
            .filter(|v| v.get("$ref").is_none())
            .collect(),
        None => vec![schema],
    };
    objects
        .into_iter()
        .filter_map(|o| o.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().map(String::as_str))
        .collect()
}

/// A value of the operation's first example (request body first, then responses) that the
/// page must show inside the example, as the DOM has it; `None` when no example has one that
/// can be told apart reliably (a non-empty string without quotes, backslashes or controls).
fn example_value(op: &Value) -> Option<String> {
    let request = op
        .pointer("/requestBody/content")
        .and_then(Value::as_object);
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, r)| r.get("content").and_then(Value::as_object));
    request
        .into_iter()
        .chain(responses)
        .flatten()
        .flat_map(|(media_type, media)| {
            read::media_examples(media)
                .into_iter()
                .map(move |(_, _, value)| (media_type, value))
        })
        .find_map(|(media_type, value)| {
            let leaf = first_string(value)?;
            let shown = read::example_text(value, media_type);
            let needle = if media_type == "application/x-www-form-urlencoded" && value.is_object() {
                form_urlencoded::byte_serialize(leaf.as_bytes()).collect()
            } else {
                leaf.to_string()
            };
            shown.contains(&needle).then(|| dom_text(&needle))
        })
}

fn first_string(value: &Value) -> Option<&str> {
    match value {
        Value::String(s)
            if !s.trim().is_empty()
                && !s.contains(|c: char| c.is_control() || c == '"' || c == '\\') =>
        {
            Some(s)
        }
        Value::Object(entries) => entries.values().find_map(first_string),
        Value::Array(items) => items.iter().find_map(first_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The committed specs bundle without a `$ref` left, and render self-contained pages that
    /// show every operation, with an example value on each password login (what the browser test then
    /// checks in Chromium).
    #[test]
    fn the_committed_specs_bundle_and_render() {
        let root = &crate::workspace_root();
        for file in spec::spec_files(root).unwrap() {
            let loaded = spec::load(root, &file).unwrap();
            let bundled = spec::bundle::bundle(&loaded.doc);
            assert!(
                spec::bundle::refs(&bundled).is_empty(),
                "{}",
                file.display()
            );
            assert_eq!(bundled["openapi"], "3.0.3");
            let id = &loaded.id;
            let page = html::service(id, "specs/x.yaml", &bundled);
            assert_eq!(html::external_fetches(&page), Vec::<String>::new());
            let expect = expect_service(Path::new("out"), id, &bundled);
            assert!(!expect.sections.is_empty(), "{id}");
            // A service that logs in with OAuth has no login operation of its own: the
            // provider's endpoints come from discovery.
            if loaded.doc.pointer("/x-apilogin/oauth").is_some() {
                continue;
            }
            let login = expect
                .sections
                .iter()
                .find(|s| s.id == "op-login")
                .unwrap_or_else(|| panic!("{id}: no login"));
            assert!(!login.example_values.is_empty(), "{id}: no login example");
            assert!(
                login.needles.iter().any(|n| n.starts_with("data-field")),
                "{id}"
            );
            let missing = browser::check_dom(&page, &expect);
            assert!(missing.is_empty(), "{id}: {missing:?}");
        }
    }

    fn scratch(specs: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("specs")).unwrap();
        for (name, text) in specs {
            std::fs::write(root.path().join("specs").join(name), text).unwrap();
        }
        root
    }

    /// Every file under `dir`, with its content.
    fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(tree(&path));
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
        out.sort();
        out
    }

    /// Publishes with a check that the pages show what the browser test looks for (on the
    /// HTML as written, without a browser).
    fn publish_checked(root: &Path) -> Result<()> {
        publish(root, |built, _| {
            for expect in &built.expect {
                let page = std::fs::read_to_string(&expect.page)?;
                let missing = browser::check_dom(&page, expect);
                if !missing.is_empty() {
                    bail!("{}: {missing:?}", expect.label);
                }
            }
            Ok(())
        })
    }

    fn siblings(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const NO_LOGIN: &str = r#"
openapi: 3.0.3
info: {title: "Pets & <friends>", version: '1.0'}
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getPet
      parameters:
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        '200':
          description: the pet
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
              example: {name: Rex the dog}
    put:
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}, tag: {type: string}}}
      responses:
        '204': {description: stored}
"#;

    const RECURSIVE: &str = r##"
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
            example: {name: root, children: [{name: leaf}]}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Node'}}
  /nodes/{id}:
    put:
      operationId: replaceNode
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Node'}
      responses:
        '204': {description: ok}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
"##;

    #[test]
    fn docs_for_a_spec_without_login() {
        let root = scratch(&[("pets.yaml", NO_LOGIN)]);
        publish_checked(root.path()).unwrap();
        assert_eq!(siblings(root.path()), ["docs-out", "specs"]);
        let out = root.path().join(OUT);
        for file in [
            "index.html",
            "pets/index.html",
            "pets/openapi.json",
            "pets/openapi.yaml",
        ] {
            assert!(out.join(file).is_file(), "{file}");
        }
        let built = build(root.path(), &out, &out).unwrap();
        let pets = &built.expect[1];
        assert_eq!(pets.sections.len(), 2);
        let get = &pets.sections[0];
        assert_eq!(get.id, "op-getPet");
        assert!(get.needles.contains(&"data-param=\"petId\"".to_string()));
        assert!(get.needles.contains(&"data-param=\"verbose\"".to_string()));
        assert_eq!(get.example_values, ["Rex the dog"]);
        let put = &pets.sections[1];
        assert_eq!(put.id, "op-put-pets--petId-");
        assert!(put.needles.contains(&"data-field=\"tag\"".to_string()));
        assert!(put.example_values.is_empty(), "no example is required");
        assert_eq!(pets.anywhere, ["<h1>Pets &amp; &lt;friends&gt;</h1>"]);
    }

    /// OpenAPI 3.1 (issue 22): the docs publish the spec as written, while regen's view lowers
    /// it to 3.0 for progenitor.
    #[test]
    fn docs_for_an_openapi_31_spec_keep_it_as_written() {
        let text = std::fs::read_to_string(
            crate::workspace_root().join("tests/corpus/cases/openapi31lowered.yaml"),
        )
        .unwrap();
        let root = scratch(&[("pets31.yaml", &text)]);
        publish_checked(root.path()).unwrap();
        let out = root.path().join(OUT);
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join("pets31/openapi.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        assert_eq!(
            json.pointer("/paths/~1pets/get/parameters/0/schema/type"),
            Some(&serde_json::json!(["integer", "null"]))
        );
        assert!(json.get("webhooks").is_some());
        assert!(out.join("pets31/index.html").is_file());
    }

    #[test]
    fn docs_for_a_recursive_schema() {
        let root = scratch(&[("tree.yaml", RECURSIVE)]);
        publish_checked(root.path()).unwrap();
        let out = root.path().join(OUT);
        let page = std::fs::read_to_string(out.join("tree/index.html")).unwrap();
        assert_eq!(page.matches("id=\"schema-Node\"").count(), 1);
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("tree/openapi.json")).unwrap())
                .unwrap();
        let refs = spec::bundle::refs(&json);
        assert!(!refs.is_empty());
        assert!(
            refs.iter().all(|r| *r == "#/components/schemas/Node"),
            "{refs:?}"
        );
        let built = build(root.path(), &out, &out).unwrap();
        let tree = &built.expect[1];
        assert!(tree.anywhere.contains(&"id=\"schema-Node\"".to_string()));
        // The second operation's body is a bare `$ref`: its fields are still shown.
        let replace = &tree.sections[1];
        assert!(
            replace
                .needles
                .contains(&"data-field=\"children\"".to_string())
        );
        assert_eq!(tree.sections[0].example_values, ["root"]);
    }

    #[test]
    fn a_failed_build_leaves_docs_out_as_it_was() {
        let root = scratch(&[("pets.yaml", NO_LOGIN)]);
        publish_checked(root.path()).unwrap();
        let out = root.path().join(OUT);
        let before = tree(&out);
        let mtime = std::fs::metadata(out.join("pets/index.html"))
            .unwrap()
            .modified()
            .unwrap();

        // (c) a spec that fails to load: an error naming it, nothing published, nothing left.
        std::fs::write(
            root.path().join("specs/broken.yaml"),
            "openapi: 3.1.0\ninfo: [",
        )
        .unwrap();
        let e = format!("{:#}", publish_checked(root.path()).unwrap_err());
        assert!(e.contains("broken.yaml"), "{e}");
        assert!(e.contains("docs-out/ is unchanged"), "{e}");
        assert_eq!(tree(&out), before);
        assert_eq!(siblings(root.path()), ["docs-out", "specs"]);

        // A failed check (the browser test): the new build goes to docs-out.rejected/.
        std::fs::remove_file(root.path().join("specs/broken.yaml")).unwrap();
        std::fs::write(root.path().join("specs/tree.yaml"), RECURSIVE).unwrap();
        let e = publish(root.path(), |_, _| bail!("the page is wrong")).unwrap_err();
        assert!(format!("{e:#}").contains("docs-out.rejected"), "{e:#}");
        assert_eq!(tree(&out), before);
        assert!(root.path().join(REJECTED).join("tree/index.html").is_file());

        // Then a good run replaces it whole; the unchanged page keeps its mtime.
        publish_checked(root.path()).unwrap();
        assert!(out.join("tree/index.html").is_file());
        assert_eq!(
            std::fs::metadata(out.join("pets/index.html"))
                .unwrap()
                .modified()
                .unwrap(),
            mtime
        );
        assert_eq!(
            siblings(root.path()),
            ["docs-out", "docs-out.rejected", "specs"]
        );
    }

    /// The real browser test on specs unlike ours (no login, a recursive schema). Slow (about
    /// half a minute): `cargo test -p apilogin-tasks docs -- --ignored` with `chromium` on PATH.
    #[test]
    #[ignore = "runs headless Chromium"]
    fn the_browser_test_passes_on_other_specs() {
        let chromium = browser::find_chromium().expect("chromium on PATH");
        let root = scratch(&[("pets.yaml", NO_LOGIN), ("tree.yaml", RECURSIVE)]);
        publish(root.path(), |built, out| {
            let outcome = browser::test_pages(&chromium, &built.expect, &out.join("screenshots"))?;
            for line in outcome.lines {
                println!("browser: {line}");
            }
            Ok(())
        })
        .unwrap();
        let shots = root.path().join(OUT).join("screenshots");
        for page in ["index", "pets", "tree"] {
            assert!(shots.join(format!("{page}.png")).is_file(), "{page}");
        }
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed() {
        let root = scratch(&[]);
        let dead = root.path().join(format!("{OUT}.tmp-4294967294"));
        let live = root
            .path()
            .join(format!("{OUT}.tmp-{}", std::process::id()));
        std::fs::create_dir(&dead).unwrap();
        std::fs::create_dir(&live).unwrap();
        remove_leftovers(root.path());
        assert!(!dead.exists());
        assert!(live.exists());
    }
}
