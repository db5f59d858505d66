//! Running progenitor over a code-generation view, with its panics turned into spec errors.

use std::panic::{self, AssertUnwindSafe};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use progenitor_impl::{
    GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl,
};
use schemars::schema::{InstanceType, SchemaObject};
use serde_json::Value;

use crate::view::adapt::ParamRename;
use apilogin_openapi::names::rust_pascal;
use apilogin_openapi::walk::operations;
use apilogin_openapi::{Spec, SpecError, pointer};

/// What progenitor produced, and what the generated crate must depend on because of it.
pub struct Generated {
    /// The client, its types and builders, as Rust tokens (laid out later, with the rest of
    /// the crate, by prettyplease).
    pub tokens: String,
    pub uses_regress: bool,
    pub uses_uuid: bool,
    pub uses_chrono: bool,
    /// `x-dropshot-pagination`: `futures::Stream`.
    pub uses_futures: bool,
    /// `x-dropshot-websocket`: `base64` and `rand` for the `Sec-WebSocket-Key`.
    pub uses_websockets: bool,
}

/// The type every `format: password` field becomes: `apilogin_runtime::Secret`, re-exported at
/// each generated crate's root (see `runtime.rs`).
pub const SECRET_TYPE: &str = "crate::Secret";

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The crate supplies its own hooks (runtime.rs, over apilogin-runtime): credentials,
        // bounded response bodies, media types checked.
        .with_hooks(HooksMode::Expected)
        // The credentials of `securitySchemes` (see `security.rs`): `Credentials`, or `()`.
        .with_inner_type(TokenTree::Ident(Ident::new("Auth", Span::call_site())).into())
        .with_conversion(
            SchemaObject {
                instance_type: Some(InstanceType::String.into()),
                format: Some("password".to_string()),
                ..Default::default()
            },
            SECRET_TYPE,
            std::iter::empty::<TypeImpl>(),
        );
    settings
}

/// Generates the client code for one spec's view. Panics inside progenitor are caught and the
/// failing operation is found by generating each operation alone. With a worker program set
/// ([`set_worker`]: `apilogin-regen` itself), this runs in a child process of it, so that not
/// even a stack overflow or an abort in progenitor or typify ends regen: the spec gets an error.
pub fn generate(spec: &Spec, view: &Value) -> Result<Generated, SpecError> {
    match WORKER.get() {
        Some(program) => in_worker(program, spec, view),
        None => generate_here(&spec.doc, view).map_err(|(at, message)| spec.error(at, message)),
    }
}

/// In this process: the code, or the pointer (into the spec as written, `doc`) and message.
fn generate_here(doc: &Value, view: &Value) -> Result<Generated, (String, String)> {
    match try_generate(view) {
        Ok(generated) => Ok(generated),
        Err(failure) => Err(locate(doc, view, failure)),
    }
}

static WORKER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The argument that makes `apilogin-regen` a generation worker ([`worker_main`]).
pub const WORKER_ARG: &str = "--generate-worker";

/// Run progenitor in child processes of `program` (which must call [`worker_main`] when given
/// [`WORKER_ARG`]).
pub fn set_worker(program: std::path::PathBuf) {
    let _ = WORKER.set(program);
}

fn in_worker(program: &std::path::Path, spec: &Spec, view: &Value) -> Result<Generated, SpecError> {
    use std::io::Write as _;
    let crash = |what: String| {
        spec.error(
            "",
            format!(
                "progenitor/typify crashed on this spec ({what}); nothing was written. Report it \
                 as a regen bug with the spec; `cargo xtask regen --show-view {}` shows what \
                 progenitor was given",
                spec.id
            ),
        )
    };
    let input = serde_json::json!({"doc": &spec.doc, "view": view}).to_string();
    let mut child = std::process::Command::new(program)
        .arg(WORKER_ARG)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| crash(format!("cannot start the generator process: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    // Written from another thread: the child may answer (or die) before reading it all.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| crash(format!("the generator process failed: {e}")))?;
    let _ = writer.join();
    // One JSON line, then (on success) the tokens as they are.
    let (head, tokens) = match output.stdout.iter().position(|&b| b == b'\n') {
        Some(end) => (&output.stdout[..end], &output.stdout[end + 1..]),
        None => (&output.stdout[..], &[][..]),
    };
    let answer: Option<Value> = serde_json::from_slice(head).ok();
    let Some(answer) = answer.filter(|_| output.status.success()) else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| format!(": {}", l.chars().take(200).collect::<String>()))
            .unwrap_or_default();
        return Err(crash(format!(
            "the generator process ended with {}{said}",
            output.status
        )));
    };
    if let Some(err) = answer.get("err") {
        let text = |k: &str| err[k].as_str().unwrap_or_default().to_string();
        return Err(spec.error(text("pointer"), text("message")));
    }
    let ok = &answer["ok"];
    let flag = |k: &str| ok[k].as_bool().unwrap_or(false);
    Ok(Generated {
        tokens: String::from_utf8_lossy(tokens).into_owned(),
        uses_regress: flag("uses_regress"),
        uses_uuid: flag("uses_uuid"),
        uses_chrono: flag("uses_chrono"),
        uses_futures: flag("uses_futures"),
        uses_websockets: flag("uses_websockets"),
    })
}

/// The worker: reads `{"doc", "view"}` on stdin, generates on a thread with a large stack,
/// and writes one JSON line, `{"ok": {uses_…}}` followed by the tokens, or
/// `{"err": {pointer, message}}`, on stdout.
/// `APILOGIN_REGEN_WORKER_ABORT=1` makes it abort instead (a test hook: what a stack overflow
/// does to a process).
pub fn worker_main() -> std::process::ExitCode {
    use std::io::{Read as _, Write as _};
    let mut input = String::new();
    if std::io::stdin().read_to_string(&mut input).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    if std::env::var_os("APILOGIN_REGEN_WORKER_ABORT").is_some_and(|v| v == "1") {
        eprintln!("aborting, as APILOGIN_REGEN_WORKER_ABORT asks");
        std::process::abort();
    }
    let Ok(input) = serde_json::from_str::<Value>(&input) else {
        return std::process::ExitCode::FAILURE;
    };
    let answer = std::thread::Builder::new()
        .stack_size(crate::GENERATOR_STACK)
        .spawn(move || match generate_here(&input["doc"], &input["view"]) {
            Ok(g) => {
                let head = serde_json::json!({"ok": {
                    "uses_regress": g.uses_regress,
                    "uses_uuid": g.uses_uuid,
                    "uses_chrono": g.uses_chrono,
                    "uses_futures": g.uses_futures,
                    "uses_websockets": g.uses_websockets,
                }});
                format!("{head}\n{}", g.tokens)
            }
            Err((pointer, message)) => {
                serde_json::json!({"err": {"pointer": pointer, "message": message}}).to_string()
            }
        })
        .ok()
        .and_then(|h| h.join().ok());
    let Some(answer) = answer else {
        return std::process::ExitCode::FAILURE;
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(answer.as_bytes()).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

fn try_generate(view: &Value) -> Result<Generated, String> {
    let api: openapiv3::OpenAPI = serde_json::from_value(view.clone())
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
    let mut generator = Generator::new(&settings());
    let tokens = catch_panics(|| generator.generate_tokens(&api))
        .map_err(|panic| format!("progenitor 0.15 cannot take this ({panic})"))?
        .map_err(|e| format!("progenitor 0.15 refused it: {e}"))?;
    let types = generator.get_type_space();
    Ok(Generated {
        tokens: wire_paths(line_docs(tokens)).to_string(),
        uses_regress: types.uses_regress(),
        uses_uuid: types.uses_uuid(),
        uses_chrono: types.uses_chrono(),
        uses_futures: generator.uses_futures(),
        uses_websockets: generator.uses_websockets(),
    })
}

/// Gives progenitor's code the wire path of every operation: the view keys the extra
/// operations of one URL `{path}#form`, `{path}#body` (and a spec's own keys may have a
/// `#fragment`, Box's), and progenitor writes the key where it names the URL. This rewrites,
/// with [`wire_path`](crate::view::adapt::wire_path)'s rule, the two places it does: the
/// doc line "Sends a `POST` request to `{key}`", and the URL's format string of
/// `format!("{}{key}", client.baseurl, …)`. A `{parameter}` never follows the `#` (the view
/// refuses such keys), so the fragment is the end of the format string.
fn wire_paths(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        let after = |k: usize| i.checked_sub(k).map(|j| &trees[j]);
        match tree {
            TokenTree::Literal(lit) => {
                let is_doc = matches!(after(1), Some(TokenTree::Punct(p)) if p.as_char() == '=')
                    && matches!(after(2), Some(TokenTree::Ident(d)) if d == "doc");
                let rewritten = string_value(lit)
                    .and_then(|text| if is_doc { doc_wire_path(&text) } else { None });
                match rewritten {
                    Some(text) => out.push(TokenTree::Literal(Literal::string(&text))),
                    None => out.push(tree.clone()),
                }
            }
            TokenTree::Group(g) => {
                let is_format = g.delimiter() == Delimiter::Parenthesis
                    && matches!(after(1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                    && matches!(after(2), Some(TokenTree::Ident(f)) if f == "format");
                let stream = if is_format {
                    url_wire_path(g.stream())
                } else {
                    g.stream()
                };
                let mut group = Group::new(g.delimiter(), wire_paths(stream));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// The value of a string literal token.
fn string_value(lit: &Literal) -> Option<String> {
    syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into())
        .ok()
        .map(|s| s.value())
}

/// progenitor's "Sends a `METHOD` request to `{key}`" lines of a doc string with the key's
/// wire path, when a key has a `#fragment`.
fn doc_wire_path(text: &str) -> Option<String> {
    const TO: &str = " request to `";
    let mut changed = false;
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let Some(start) = line
                .trim_start()
                .starts_with("Sends a `")
                .then(|| line.find(TO))
                .flatten()
                .map(|at| at + TO.len())
            else {
                return line.to_string();
            };
            let Some(len) = line[start..].find('`') else {
                return line.to_string();
            };
            let key = &line[start..start + len];
            let wire = crate::view::adapt::wire_path(key);
            if wire.len() == key.len() {
                return line.to_string();
            }
            changed = true;
            format!("{}{wire}{}", &line[..start], &line[start + len..])
        })
        .collect();
    changed.then(|| lines.join("\n"))
}

/// The arguments of a `format!(…)`: when they are progenitor's URL, `"{}{key}", client.baseurl`
/// (the client binding may be `_client`), the format string cut at the key's `#`.
fn url_wire_path(arguments: TokenStream) -> TokenStream {
    let mut parts: Vec<TokenTree> = arguments.into_iter().collect();
    let is_url = matches!(parts.get(1), Some(TokenTree::Punct(p)) if p.as_char() == ',')
        && matches!(parts.get(3), Some(TokenTree::Punct(p)) if p.as_char() == '.')
        && matches!(parts.get(4), Some(TokenTree::Ident(b)) if b == "baseurl");
    if let (true, Some(TokenTree::Literal(lit))) = (is_url, parts.first())
        && let Some(fmt) = string_value(lit)
        && fmt.starts_with("{}")
    {
        let wire = crate::view::adapt::wire_path(&fmt);
        if wire.len() != fmt.len() {
            parts[0] = TokenTree::Literal(Literal::string(wire));
        }
    }
    parts.into_iter().collect()
}

/// Splits every multi-line `#[doc = "…"]` into one attribute per line.
///
/// prettyplease prints a multi-line doc attribute as a `/** … */` block whose lines keep the
/// item's indentation; rustdoc reads such indented lines as code blocks (and runs them as
/// doctests). One attribute per line prints as `///` comments, which rustdoc reads as written.
fn line_docs(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let split = match iter.peek() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                        doc_lines(g.stream())
                    }
                    _ => None,
                };
                match split {
                    Some(lines) => {
                        iter.next();
                        for line in lines {
                            let line = if line.is_empty() || line.starts_with(' ') {
                                line
                            } else {
                                format!(" {line}")
                            };
                            let body: TokenStream = [
                                TokenTree::Ident(Ident::new("doc", Span::call_site())),
                                TokenTree::Punct(Punct::new('=', Spacing::Alone)),
                                TokenTree::Literal(Literal::string(&line)),
                            ]
                            .into_iter()
                            .collect();
                            out.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
                            out.push(TokenTree::Group(Group::new(Delimiter::Bracket, body)));
                        }
                    }
                    None => out.push(TokenTree::Punct(p)),
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), line_docs(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The lines of a `doc = "…"` attribute body, when it has more than one.
fn doc_lines(attribute: TokenStream) -> Option<Vec<String>> {
    let parts: Vec<TokenTree> = attribute.into_iter().collect();
    let [
        TokenTree::Ident(name),
        TokenTree::Punct(eq),
        TokenTree::Literal(lit),
    ] = parts.as_slice()
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' {
        return None;
    }
    let text = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into())
        .ok()?
        .value();
    text.contains('\n')
        .then(|| text.lines().map(str::to_string).collect())
}

thread_local! {
    /// Set while this thread runs progenitor: its panics are expected and reported as errors.
    static GENERATING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic into its message without printing a backtrace. The panic hook is
/// process-wide, so one hook is installed once and stays silent only on generating threads;
/// specs are generated in parallel and other threads' panics still print as usual.
fn catch_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GENERATING.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
    GENERATING.with(|g| g.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GENERATING.with(|g| g.set(false));
    result.map_err(|payload| {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        // Debug dumps of whole schemas make poor error messages: keep the first line.
        text.lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect()
    })
}

/// Finds where progenitor fails and names it by its place in the spec as written: a component
/// schema when the components alone fail (progenitor generates every one of them whatever the
/// operations), else the operation that fails alone, and within it the `$ref` progenitor's
/// message names where that `$ref` is written in a shared component.
fn locate(doc: &Value, view: &Value, failure: String) -> (String, String) {
    let mut bare = view.clone();
    bare["paths"] = serde_json::json!({});
    if try_generate(&bare).is_err()
        && let Some(found) = locate_schema(doc, view)
    {
        return found;
    }
    for (path, method) in operations(view) {
        let mut single = view.clone();
        let mut item = serde_json::Map::new();
        if let Some(params) = view["paths"][&path].get("parameters") {
            item.insert("parameters".into(), params.clone());
        }
        item.insert(method.clone(), view["paths"][&path][&method].clone());
        single["paths"] = serde_json::json!({ path.clone(): Value::Object(item) });
        if let Err(alone) = try_generate(&single) {
            // Split operations live at `{path}#suffix` in the view only; a spec's own key may
            // have a `#fragment` too.
            let written = crate::view::adapt::written_key(doc, &path);
            let operation = pointer(["paths", written, &method]);
            if let Some(at) = named_ref(doc, &alone, &operation) {
                let message = format!("{alone} (met generating the operation at {operation})");
                return (at, message);
            }
            return (operation, alone);
        }
    }
    (String::new(), failure)
}

/// The component schema that fails alone (with the schemas it refers to), the one with the
/// fewest of those when several do: the fault, rather than the schemas that use it.
fn locate_schema(doc: &Value, view: &Value) -> Option<(String, String)> {
    let schemas = view.pointer("/components/schemas")?.as_object()?;
    let mut best: Option<(usize, &String, String)> = None;
    for name in schemas.keys() {
        let mut closure = vec![name.clone()];
        let mut i = 0;
        while i < closure.len() {
            if let Some(schema) = schemas.get(&closure[i]) {
                let mut refs = Vec::new();
                schema_refs(schema, &mut refs);
                for r in refs {
                    if !closure.contains(&r) {
                        closure.push(r);
                    }
                }
            }
            i += 1;
        }
        if best.as_ref().is_some_and(|(n, _, _)| *n <= closure.len()) {
            continue;
        }
        let mut alone = view.clone();
        alone["paths"] = serde_json::json!({});
        alone["components"]["schemas"] = closure
            .iter()
            .filter_map(|n| Some((n.clone(), schemas.get(n)?.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        if let Err(message) = try_generate(&alone) {
            best = Some((closure.len(), name, message));
        }
    }
    let (_, name, message) = best?;
    let at = pointer(["components", "schemas", name]);
    // A schema the view renamed (rule C) is still reported, at the schemas of the spec.
    let at = if doc.pointer(&at).is_some() {
        at
    } else {
        "/components/schemas".to_string()
    };
    Some((at, message))
}

/// The names of the component schemas `schema` refers to.
fn schema_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/components/schemas/") {
                            out.push(name.replace("~1", "/").replace("~0", "~"));
                        }
                    }
                    _ => schema_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| schema_refs(v, out)),
        _ => {}
    }
}

/// Where the `$ref` that `message` names (`#/components/…`) is written in a shared component
/// of `doc`, when progenitor's message names one and the operation does not write it itself.
fn named_ref(doc: &Value, message: &str, operation: &str) -> Option<String> {
    let start = message.find("#/components/")?;
    let target: String = message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '\'' | '"' | '`' | ','))
        .collect();
    let mut places = Vec::new();
    refs_to(doc, &target, String::new(), &mut places);
    if places
        .iter()
        .any(|p| p.starts_with(&format!("{operation}/")))
    {
        return None;
    }
    places.into_iter().find(|p| p.starts_with("/components/"))
}

fn refs_to(node: &Value, target: &str, at: String, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let here = apilogin_openapi::ptr(&at, key);
                if key == "$ref" && value.as_str() == Some(target) {
                    out.push(here);
                } else {
                    refs_to(value, target, here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                refs_to(value, target, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Gives query and header parameters the view renamed (rule C (d): `pageSize` beside
/// `page_size` is the builder field `page_size_2`) their wire names back: in the builders of the
/// renamed parameter's operation, the name literal of `QueryParam::new("page_size_2", …)` or
/// `header_map.append("…", …)` becomes the wire name. A token-tree edit, before the code is
/// parsed and laid out; an error if a renamed parameter is not found, so a wrong wire name is
/// never generated.
pub fn restore_param_names(tokens: &str, renames: &[ParamRename]) -> Result<String, String> {
    if renames.is_empty() {
        return Ok(tokens.to_string());
    }
    let stream: TokenStream = tokens
        .parse()
        .map_err(|e| format!("progenitor's code does not tokenize again: {e}"))?;
    let mut found = vec![0usize; renames.len()];
    let out = rename_in(stream, renames, None, &mut found);
    if let Some(i) = found.iter().position(|n| *n == 0) {
        return Err(format!(
            "regen renamed the parameter `{}` of `{}` to `{}`, but did not find where it is \
             sent; report it as a regen bug",
            renames[i].wire, renames[i].operation, renames[i].field
        ));
    }
    Ok(out.to_string())
}

/// The builders progenitor makes for an operation and regen's split variants of it.
fn builders_of(operation: &str) -> Vec<String> {
    ["", "Form", "Text", "Binary"]
        .iter()
        .flat_map(|s| [format!("{operation}{s}"), format!("{operation}{s}WithBody")])
        .map(|id| rust_pascal(&id))
        .collect()
}

fn rename_in(
    stream: TokenStream,
    renames: &[ParamRename],
    builder: Option<&str>,
    found: &mut [usize],
) -> TokenStream {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    // The self type of an `impl … {` being read: its last identifier that is not a lifetime.
    let mut impl_target: Option<String> = None;
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(id) if id == "impl" => impl_target = Some(String::new()),
            TokenTree::Ident(id) if impl_target.is_some() && id != "for" => {
                let lifetime =
                    i > 0 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '\'');
                if !lifetime {
                    impl_target = Some(id.to_string());
                }
            }
            _ => {}
        }
        let TokenTree::Group(g) = tree else {
            out.push(tree.clone());
            continue;
        };
        let inner_builder = match (g.delimiter(), impl_target.take()) {
            (Delimiter::Brace, Some(target)) => Some(target),
            (Delimiter::Brace, None) => builder.map(str::to_string),
            (_, t) => {
                impl_target = t;
                builder.map(str::to_string)
            }
        };
        let mut stream = g.stream();
        let called =
            i > 0 && matches!(&trees[i - 1], TokenTree::Ident(f) if f == "new" || f == "append");
        if let (Delimiter::Parenthesis, true, Some(b)) = (g.delimiter(), called, builder) {
            let mut parts: Vec<TokenTree> = stream.clone().into_iter().collect();
            if let Some(TokenTree::Literal(lit)) = parts.first() {
                let text = lit.to_string();
                for (k, r) in renames.iter().enumerate() {
                    if text == format!("{:?}", r.field)
                        && builders_of(&r.operation).iter().any(|n| n == b)
                    {
                        parts[0] = TokenTree::Literal(Literal::string(&r.wire));
                        found[k] += 1;
                        break;
                    }
                }
            }
            stream = parts.into_iter().collect();
        }
        let mut group = Group::new(
            g.delimiter(),
            rename_in(stream, renames, inner_builder.as_deref(), found),
        );
        group.set_span(g.span());
        out.push(TokenTree::Group(group));
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(schemas: Value) -> Value {
        let get = |id: &str, schema: &str| {
            json!({"get": {"operationId": id, "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}}}})
        };
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {"/a": get("getA", "UsesBroken"), "/b": get("getB", "Fine")},
            "components": {"schemas": schemas},
        })
    }

    #[test]
    fn a_failing_component_schema_is_blamed_not_the_first_operation_using_it() {
        let doc = view(json!({
            "Fine": {"type": "object"},
            "UsesBroken": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Broken"}}},
            "Broken": {"type": "object", "properties": {"x": {"$ref": "#/components/schemas/Nowhere"}}},
        }));
        let Err((at, message)) = generate_here(&doc, &doc) else {
            panic!("progenitor took a $ref to nothing");
        };
        assert_eq!(at, "/components/schemas/Broken", "{message}");
        assert!(message.contains("Nowhere"), "{message}");
    }

    /// The view's extra operations of one URL (`{path}#form`, `{path}#body`) and a spec's own
    /// `#fragment` keys reach progenitor as keys; no `#` of them may survive in the code: not
    /// in the URL that is sent, not in the docs.
    #[test]
    fn no_fragment_of_a_path_key_survives_in_the_code() {
        let op = |id: &str| json!({"operationId": id, "responses": {"204": {"description": "ok"}}});
        let body = |id: &str, media: &str| {
            json!({"operationId": id,
                "requestBody": {"required": true, "content": {media: {"schema": {"type": "object",
                    "properties": {"user": {"type": "string"}}}}}},
                "responses": {"204": {"description": "ok"}}})
        };
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {
                "/api/v1/login": {"post": body("login", "application/json")},
                "/api/v1/login#form": {"post": body("loginForm", "application/x-www-form-urlencoded")},
                "/users/{id}/me": {"parameters": [{"name": "id", "in": "path", "required": true,
                    "schema": {"type": "string"}}], "get": op("me")},
                "/users/{id}/me#body": {"parameters": [{"name": "id", "in": "path", "required": true,
                    "schema": {"type": "string"}}], "get": body("meWithBody", "application/json")},
            },
        });
        let code = generate_here(&doc, &doc)
            .map_err(|(_, m)| m)
            .unwrap()
            .tokens;
        for fragment in ["#form", "#body"] {
            assert!(
                !code.contains(fragment),
                "`{fragment}` survives in the code"
            );
        }
        // The fragment is gone, and only it: the URLs and the docs name the wire paths.
        assert!(
            code.contains(r#"format ! ("{}/api/v1/login" , client . baseurl"#),
            "{code}"
        );
        assert!(
            code.contains(r#""{}/users/{}/me" , client . baseurl"#),
            "{code}"
        );
        assert!(
            code.contains("Sends a `POST` request to `/api/v1/login`"),
            "{code}"
        );
        assert!(
            code.contains("Sends a `GET` request to `/users/{id}/me`"),
            "{code}"
        );
    }

    #[test]
    fn a_failing_operation_is_still_blamed_when_the_components_are_fine() {
        let mut doc = view(json!({"Fine": {"type": "object"}, "UsesBroken": {"type": "object"}}));
        doc["paths"]["/b"]["get"]["responses"]["200"]["content"]["application/json"]["encoding"] =
            json!({"x": {"contentType": "text/plain"}});
        let Err((at, _)) = generate_here(&doc, &doc) else {
            panic!("progenitor took an encoding on a response");
        };
        assert_eq!(at, "/paths/~1b/get");
    }
}
