//! The spec corpus of issue 13 (`tests/corpus/`): every case of `expected.toml` through regen,
//! each alone in a scratch root, matched as `tests/corpus/README.md` says; then every failing
//! case together in one run (every problem of every spec listed, nothing written); then every
//! generated crate `cargo check`ed in one scratch workspace with one shared target folder
//! (`target/tmp/corpus-check/`), so dependencies build once; then the runtime probe
//! (`tests/corpus/probe.rs`) of the body adaptations runs there. All failures are listed
//! together.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use apilogin_codegen::{Mode, RegenError, run};

// ---------------------------------------------------------------------------------------------
// expected.toml, read with toml_edit (tables, arrays of tables, strings, booleans, integers,
// arrays of strings)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum V {
    S(String),
    B(bool),
    I(i64),
    A(Vec<String>),
}

type Table = BTreeMap<String, V>;

#[derive(Debug, Default)]
struct Case {
    fields: Table,
    subs: BTreeMap<String, Vec<Table>>,
}

impl Case {
    fn s(&self, k: &str) -> &str {
        match self.fields.get(k) {
            Some(V::S(s)) => s,
            _ => "",
        }
    }
    fn b(&self, k: &str) -> bool {
        matches!(self.fields.get(k), Some(V::B(true)))
    }
    fn list(&self, k: &str) -> Vec<String> {
        match self.fields.get(k) {
            Some(V::A(a)) => a.clone(),
            _ => Vec::new(),
        }
    }
    fn sub(&self, k: &str) -> &[Table] {
        self.subs.get(k).map(Vec::as_slice).unwrap_or_default()
    }
}

fn get<'a>(t: &'a Table, k: &str) -> Option<&'a str> {
    match t.get(k) {
        Some(V::S(s)) => Some(s),
        _ => None,
    }
}

/// A TOML value as the cases use it: a string, a boolean, an integer or a list of strings.
fn value(item: &toml_edit::Value) -> V {
    match item {
        toml_edit::Value::String(s) => V::S(s.value().clone()),
        toml_edit::Value::Boolean(b) => V::B(*b.value()),
        toml_edit::Value::Integer(i) => V::I(*i.value()),
        toml_edit::Value::Array(items) => V::A(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .unwrap_or_else(|| panic!("expected.toml: a list of strings, got {i}"))
                        .to_string()
                })
                .collect(),
        ),
        other => panic!("expected.toml: a value of an unexpected kind: {other}"),
    }
}

fn table(t: &toml_edit::Table) -> Table {
    t.iter()
        .filter_map(|(k, item)| Some((k.to_string(), value(item.as_value()?))))
        .collect()
}

/// The `[[case]]`s of expected.toml (each with its `[[case.<sub>]]` tables), read with
/// toml_edit.
fn read_expected(text: &str) -> Vec<Case> {
    let doc: toml_edit::DocumentMut = text.parse().expect("expected.toml is TOML");
    doc["case"]
        .as_array_of_tables()
        .expect("expected.toml has [[case]]s")
        .iter()
        .map(|t| Case {
            fields: table(t),
            subs: t
                .iter()
                .filter_map(|(k, item)| {
                    let subs = item.as_array_of_tables()?;
                    Some((k.to_string(), subs.iter().map(table).collect()))
                })
                .collect(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Matching (README: "expected.toml: how to match")
// ---------------------------------------------------------------------------------------------

/// All ASCII whitespace removed, then `,` before a closing bracket.
fn normalise(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = String::with_capacity(s.len());
    let bytes: Vec<char> = s.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c == ',' && matches!(bytes.get(i + 1), Some(')' | '>' | ']' | '}')) {
            continue;
        }
        out.push(*c);
    }
    out
}

fn section<'a>(text: &'a str, start: &str, ends: &[&str]) -> Option<&'a str> {
    let i = text.find(start)?;
    let from = i + start.len();
    let j = ends
        .iter()
        .filter_map(|e| text[from..].find(e).map(|k| from + k))
        .min()
        .unwrap_or(text.len());
    Some(&text[i..j])
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn has_type(lib: &str, name: &str) -> bool {
    ["pubstruct", "pubenum", "pubtype"].iter().any(|kw| {
        let pat = format!("{kw}{name}");
        lib.match_indices(&pat).any(|(i, _)| {
            !lib[i + pat.len()..]
                .chars()
                .next()
                .is_some_and(is_ident_char)
        })
    })
}

fn check_lib(case: &Case, lib: &str, toml: &str, bad: &mut Vec<String>) {
    let lib = normalise(lib);
    for m in case.sub("method") {
        let name = get(m, "name").unwrap_or_default();
        let builder = get(m, "builder").unwrap_or_default();
        let sig = format!("pubfn{name}(&self)->builder::{builder}<'_>");
        if !lib.contains(&sig) {
            bad.push(format!("method `{sig}` not found"));
            continue;
        }
        let Some(imp) = section(&lib, &format!("impl<'a>{builder}<'a>{{"), &["pubstruct"]) else {
            bad.push(format!("impl of builder {builder} not found"));
            continue;
        };
        if let Some(ok) = get(m, "ok") {
            let want = match get(m, "err") {
                Some(err) => format!("->Result<ResponseValue<{ok}>,Error<{err}>>"),
                None => format!("->Result<ResponseValue<{ok}>,Error<"),
            };
            if !imp.contains(&normalise(&want)) {
                bad.push(format!("{builder}: `{want}` not found"));
            }
        }
        if let Some(body) = get(m, "body") {
            let st = section(&lib, &format!("pubstruct{builder}<'a>{{"), &["}"]).unwrap_or("");
            let want = normalise(&format!("body:Result<{body},String>"));
            if !st.contains(&want) {
                bad.push(format!("{builder}: body field `{want}` not found"));
            }
        }
    }
    for t in case.sub("type") {
        let name = get(t, "name").unwrap_or_default();
        if !has_type(&lib, name) {
            bad.push(format!("type `{name}` not found"));
        }
    }
    for f in case.sub("field") {
        let (ty, name, wire) = (
            get(f, "type").unwrap_or_default(),
            get(f, "name").unwrap_or_default(),
            get(f, "wire").unwrap_or_default(),
        );
        let Some(body) = section(
            &lib,
            &format!("pubstruct{ty}{{"),
            &["pubstruct", "pubenum", "impl"],
        ) else {
            bad.push(format!("struct `{ty}` not found"));
            continue;
        };
        let decl = format!("pub{name}:");
        let Some(at) = body.find(&decl) else {
            bad.push(format!("{ty}: field `{name}` not found"));
            continue;
        };
        if wire != name {
            // The attributes directly before the field, one of them `#[serde(…rename="wire"…)]`.
            let mut before = &body[..at];
            let rename = format!("rename=\"{wire}\"");
            let mut found = false;
            while before.ends_with(']') {
                let Some(start) = before.rfind("#[") else {
                    break;
                };
                let attr = &before[start..];
                found |= attr.starts_with("#[serde(") && attr.contains(&rename);
                before = &before[..start];
            }
            if !found {
                bad.push(format!("{ty}.{name}: no `serde(rename = \"{wire}\")`"));
            }
        }
        if let Some(want) = get(f, "type_contains") {
            let rest = &body[at + decl.len()..];
            let ty_text = rest.split(',').next().unwrap_or_default();
            if !ty_text.contains(want) {
                bad.push(format!("{ty}.{name}: type `{ty_text}` lacks `{want}`"));
            }
        }
    }
    for p in case.sub("param") {
        let (builder, name, wire) = (
            get(p, "builder").unwrap_or_default(),
            get(p, "name").unwrap_or_default(),
            get(p, "wire").unwrap_or_default(),
        );
        let st = section(&lib, &format!("pubstruct{builder}<'a>{{"), &["}"]).unwrap_or("");
        if !st.contains(&format!("{name}:")) {
            bad.push(format!("{builder}: parameter field `{name}` not found"));
        }
        if !lib.contains(&format!("QueryParam::new(\"{wire}\",&{name})")) {
            bad.push(format!(
                "{builder}: QueryParam `{wire}` from `{name}` not found"
            ));
        }
    }
    for want in case.list("lib_contains") {
        if !lib.contains(&normalise(&want)) {
            bad.push(format!("lib.rs lacks `{want}`"));
        }
    }
    for unwanted in case.list("lib_lacks") {
        if lib.contains(&normalise(&unwanted)) {
            bad.push(format!("lib.rs has `{unwanted}`"));
        }
    }
    let deps = toml.split("[dependencies]").nth(1).unwrap_or_default();
    for dep in case.list("cargo_deps") {
        if !deps
            .lines()
            .any(|l| l.split(['.', ' ', '=']).next() == Some(dep.as_str()))
        {
            bad.push(format!("Cargo.toml [dependencies] lacks `{dep}`"));
        }
    }
}

/// Some problem of `found` matches each expected entry (pointer, keyword, also, line).
fn check_located(
    kind: &str,
    expected: &[Table],
    found: &[apilogin_openapi::SpecError],
    bad: &mut Vec<String>,
) {
    for e in expected {
        let pointer = get(e, "pointer").unwrap_or_default();
        let keyword = get(e, "keyword").unwrap_or_default().to_lowercase();
        let also = get(e, "also").map(str::to_lowercase);
        let line = match e.get("line") {
            Some(V::I(n)) => Some(*n as usize),
            _ => None,
        };
        let hit = found.iter().any(|f| {
            let place = f.pointer == pointer
                || f.pointer.starts_with(&format!("{pointer}/"))
                || pointer.is_empty();
            let message = f.message.to_lowercase();
            place
                && message.contains(&keyword)
                && also.as_ref().is_none_or(|a| message.contains(a))
                && (f.pointer != pointer || line.is_none() || f.line == line)
        });
        if !hit {
            bad.push(format!(
                "no {kind} at `{pointer}` (line {line:?}) containing `{keyword}`; got:\n      {}",
                found
                    .iter()
                    .map(|f| f.to_string())
                    .collect::<Vec<_>>()
                    .join("\n      ")
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

fn workspace_root() -> PathBuf {
    apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
}

fn copy_case(corpus: &Path, case: &Case, specs: &Path) {
    let from = corpus.join(case.s("path"));
    std::fs::create_dir_all(specs).unwrap();
    if from.is_dir() {
        for entry in std::fs::read_dir(&from).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, specs.join(p.file_name().unwrap())).unwrap();
        }
    } else {
        std::fs::copy(&from, specs.join(from.file_name().unwrap())).unwrap();
    }
}

/// A workspace with the repository's `[workspace.package]` and `[workspace.dependencies]`
/// (what the generated `Cargo.toml`s inherit) and its `Cargo.lock`.
fn scratch_workspace(dir: &Path) {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut out = String::from("[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n\n");
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = matches!(
                line.trim(),
                "[workspace.package]"
                    | "[workspace.dependencies]"
                    | "[workspace.lints.rust]"
                    | "[workspace.lints.clippy]"
            );
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(dir.join("Cargo.toml"), out).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // The hand-written crates the generated ones depend on (the runtime, its scrubber, and the
    // scrubber's list).
    for krate in ["runtime", "redact", "secret-names"] {
        copy_dir(
            &root.join("crates").join(krate),
            &dir.join("crates").join(krate),
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            copy_dir(&p, &to.join(p.file_name().unwrap()));
        } else {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
#[ignore = "builds a scratch workspace of generated crates (minutes on a fresh clone): run with `--ignored`, as CI does"]
fn every_corpus_case_generates_a_crate_that_builds_or_fails_where_expected() {
    let corpus = workspace_root().join("tests/corpus");
    let cases = read_expected(&std::fs::read_to_string(corpus.join("expected.toml")).unwrap());
    assert!(
        cases.len() >= 20,
        "expected.toml lists {} cases",
        cases.len()
    );
    // Every public spec has its [[case]] (so a file added without one cannot go unrun).
    for entry in std::fs::read_dir(corpus.join("public")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let spec = [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e));
        let path = format!("public/{name}");
        assert!(
            !spec || cases.iter().any(|c| c.s("path") == path),
            "{path} has no [[case]] in expected.toml"
        );
    }
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    fresh(&scratch.join("roots"));
    let ws = scratch.join("ws");
    fresh(&ws);
    scratch_workspace(&ws);
    let mut failures: Vec<String> = Vec::new();
    let mut built: Vec<String> = Vec::new();

    for case in &cases {
        let id = case.s("id");
        let root = scratch.join("roots").join(id);
        copy_case(&corpus, case, &root.join("specs"));
        let mut bad = Vec::new();
        match (run(&root, Mode::Write), case.b("generates")) {
            (Ok(report), true) => {
                let dir = root.join("crates").join(format!("{id}-client"));
                let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap_or_default();
                let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
                check_lib(case, &lib, &toml, &mut bad);
                check_located("notice", case.sub("notice"), &report.notices, &mut bad);
                copy_dir(&dir, &ws.join("crates").join(format!("{id}-client")));
                built.push(format!("{id}-client"));
            }
            (Err(RegenError::Specs(errors, notices)), false) => {
                check_located("error", case.sub("error"), &errors, &mut bad);
                // A failing run lists its notices too (a non-semver version, say).
                check_located("notice", case.sub("notice"), &notices, &mut bad);
                if case.b("errors_exact") && errors.len() != case.sub("error").len() {
                    bad.push(format!(
                        "{} errors, {} expected:\n      {}",
                        errors.len(),
                        case.sub("error").len(),
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("\n      ")
                    ));
                }
                if root.join("crates").exists() {
                    bad.push("a failing regen wrote crates/".into());
                }
            }
            (Ok(_), false) => bad.push("regen succeeded; expected errors".into()),
            (Err(e), _) => bad.push(format!("regen failed:\n{e}")),
        }
        for b in bad {
            failures.push(format!("{}: {b}", case.s("path")));
        }
    }

    // Every failing case in one run: every expected error of every file, nothing written.
    let together = scratch.join("roots").join("all-failing");
    fresh(&together);
    let failing: Vec<&Case> = cases.iter().filter(|c| !c.b("generates")).collect();
    for case in &failing {
        copy_case(&corpus, case, &together.join("specs"));
    }
    match run(&together, Mode::Write) {
        Err(RegenError::Specs(errors, _)) => {
            for case in &failing {
                let mut ext = PathBuf::from("specs").join(case.s("id"));
                let mine: Vec<_> = errors
                    .iter()
                    .filter(|e| {
                        ext.set_extension(e.file.extension().unwrap_or_default());
                        e.file == ext
                    })
                    .cloned()
                    .collect();
                let mut bad = Vec::new();
                check_located("error", case.sub("error"), &mine, &mut bad);
                for b in bad {
                    failures.push(format!("(all failing together) {}: {b}", case.s("path")));
                }
            }
            if together.join("crates").exists() {
                failures.push("(all failing together) regen wrote crates/".into());
            }
        }
        other => failures.push(format!("(all failing together): {other:?}")),
    }

    // The runtime probe of the body adaptations (tests/corpus/probe.rs), built with the rest.
    let probe = ws.join("crates/corpusprobe");
    std::fs::create_dir_all(probe.join("src")).unwrap();
    std::fs::copy(corpus.join("probe.rs"), probe.join("src/main.rs")).unwrap();
    std::fs::write(
        probe.join("Cargo.toml"),
        "[package]\nname = \"corpusprobe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\n\
         binarybodies-client = { path = \"../binarybodies-client\" }\n\
         mixedbodies-client = { path = \"../mixedbodies-client\" }\n\
         fragmentkeys-client = { path = \"../fragmentkeys-client\" }\n\
         jsonpatchbody-client = { path = \"../jsonpatchbody-client\" }\n\
         tokio = { workspace = true }\n",
    )
    .unwrap();

    // One `cargo check` of every generated crate, in one workspace, one target folder.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-check");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = std::time::Instant::now();
    let output = Command::new(cargo)
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", &target)
        .args(["check", "--workspace", "--message-format", "short"])
        .output()
        .expect("cargo runs");
    eprintln!(
        "corpus: cargo check of {} generated crates: {:.1?}",
        built.len(),
        started.elapsed()
    );
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr);
        let errors: Vec<&str> = text.lines().filter(|l| l.contains("error")).collect();
        failures.push(format!(
            "the generated crates do not all build:\n{}",
            errors.join("\n")
        ));
    } else {
        let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(&ws)
            .env("CARGO_TARGET_DIR", &target)
            .args(["run", "--quiet", "-p", "corpusprobe"])
            .output()
            .expect("cargo runs");
        if !output.status.success() {
            failures.push(format!(
                "the runtime probe (tests/corpus/probe.rs) failed:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} corpus problem(s):\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
