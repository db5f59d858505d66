//! Running progenitor over a code-generation view, with its panics turned into spec errors.

use std::panic::{self, AssertUnwindSafe};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use progenitor_impl::{
    GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl,
};
use schemars::schema::{InstanceType, SchemaObject};
use serde_json::Value;

use apilogin_spec::adapt::ParamRename;
use apilogin_spec::names::rust_pascal;
use apilogin_spec::walk::operations;
use apilogin_spec::{Spec, SpecError, pointer};

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

/// The type every `format: password` field becomes. Defined in each generated crate
/// (see `templates/secret.rs`) so the crates stay standalone.
pub const SECRET_TYPE: &str = "crate::Secret";

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        // The crate supplies its own hooks (templates/hooks.rs): bounded response bodies.
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
/// failing operation is found by generating each operation alone.
pub fn generate(spec: &Spec, view: &Value) -> Result<Generated, SpecError> {
    match try_generate(view) {
        Ok(generated) => Ok(generated),
        Err(failure) => Err(locate(spec, view, failure)),
    }
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
        tokens: line_docs(tokens).to_string(),
        uses_regress: types.uses_regress(),
        uses_uuid: types.uses_uuid(),
        uses_chrono: types.uses_chrono(),
        uses_futures: generator.uses_futures(),
        uses_websockets: generator.uses_websockets(),
    })
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

/// Finds which operation makes progenitor fail, by generating a copy of the view that holds
/// only that operation, and names it by its place in the spec as written.
fn locate(spec: &Spec, view: &Value, failure: String) -> SpecError {
    for (path, method) in operations(view) {
        let mut single = view.clone();
        let mut item = serde_json::Map::new();
        if let Some(params) = view["paths"][&path].get("parameters") {
            item.insert("parameters".into(), params.clone());
        }
        item.insert(method.clone(), view["paths"][&path][&method].clone());
        single["paths"] = serde_json::json!({ path.clone(): Value::Object(item) });
        if let Err(alone) = try_generate(&single) {
            // Split operations live at `{path}#suffix` in the view only.
            let written = path.split('#').next().unwrap_or(&path);
            return spec.error(pointer(["paths", written, &method]), alone);
        }
    }
    spec.error("", failure)
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
