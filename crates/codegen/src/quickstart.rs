//! The quick start of a generated crate: a complete program (`examples/quick_start.rs`, shown as
//! it is in the README) that logs in as the spec's `x-apilogin` says, with the crate's own types.
//!
//! It is derived from two things regen already has: the description read into the login model
//! (`crates/login-model`) and the syntax tree of the crate's code (after regen's edits, so the
//! view's field renames are in it as `#[serde(rename)]`). The login's body is the operation's
//! body type with the Rust names of the fields the step fills (a `oneOf` body: the first variant
//! that takes them all); the token is read where `session.token` says (a body pointer walked
//! through the answer's types, or a response header); a `$code` field is filled from the
//! environment, which is how the second factor is given; `session.credentials` become
//! `Credentials`; the `verify` step, when the spec has one, is the authenticated call. Where any
//! of this cannot be mapped (a template, a generated value, a parameter, a field the program
//! cannot fill), the quick start is the plain program: `Client::new` from the URL in the
//! environment. Never an error: the quick start is documentation, and the tests compile it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use apilogin_login_model::{Description, Place, Step, Then};
use apilogin_openapi::Spec;
use serde_json::Value;

use crate::security::Security;

/// The program of the quick start, and whether it logs in (the spec's `x-apilogin` mapped).
pub struct QuickStart {
    pub program: String,
    pub logs_in: bool,
}

/// The environment variable `<ID>_<NAME>` of spec `id`.
fn env_name(id: &str, name: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    let name = apilogin_openapi::names::rust_snake(name);
    format!("{}_{}", clean(id), clean(&name))
}

/// The first server's URL with its variables' defaults.
pub fn default_url(doc: &Value) -> String {
    let Some(server) = doc.pointer("/servers/0") else {
        return "https://example.com".into();
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("https://example.com")
        .to_string();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    url.trim_end_matches('/').to_string()
}

/// The quick start of `spec`, whose crate's code is `file`.
pub fn quick_start(spec: &Spec, file: &syn::File, security: &Security) -> QuickStart {
    let module = spec.crate_name().replace('-', "_");
    let crate_code = Crate::read(file);
    let mut env_list: Vec<String> = Vec::new();
    let login = spec
        .doc
        .get("x-apilogin")
        .and_then(|ext| crate::extension::read(ext).ok())
        .and_then(|desc| {
            let mut p = Program {
                id: &spec.id,
                module: &module,
                code: &crate_code,
                security,
                desc: &desc,
                vars: BTreeMap::new(),
                env: Vec::new(),
                lines: Vec::new(),
            };
            p.login().map(|()| (p.lines, p.env))
        });
    let login = login.map(|(lines, vars)| {
        env_list.extend(vars);
        lines
    });
    let url_var = env_name(&spec.id, "URL");
    let url = default_url(&spec.doc);
    let mut out = String::new();
    let mut env = vec![format!("{url_var} (default: {url})")];
    let login = login.map(|mut lines| {
        if lines.first().is_some_and(|l| l.starts_with("use ")) {
            let _ = writeln!(out, "{}\n", lines.remove(0));
        }
        lines
    });
    env.extend(env_list);
    let last = env.pop().unwrap_or_default();
    let list = if env.is_empty() {
        last
    } else {
        format!("{} and {last}", env.join(", "))
    };
    let text = format!("Reads {list} from the environment: no secret is in the code.");
    for line in wrap(&text, 92) {
        let _ = writeln!(out, "// {line}");
    }
    out.push_str("#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    let _ = writeln!(
        out,
        "    let url = std::env::var({url_var:?}).unwrap_or_else(|_| {url:?}.to_owned());"
    );
    let logs_in = login.is_some();
    match login {
        Some(lines) => {
            for line in lines {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        None => {
            let _ = writeln!(out, "    let client = {module}::Client::new(&url)?;");
            out.push_str(
                "    // Each operation is a method of the client (see Operations below), e.g.\n",
            );
            if let Some(method) = crate_code.client_methods.keys().next() {
                let _ = writeln!(out, "    // `client.{method}().send().await?`.");
            }
            out.push_str("    let _ = client;\n");
        }
    }
    out.push_str("    Ok(())\n}\n");
    QuickStart {
        program: rustfmt(&out),
        logs_in,
    }
}

/// `program` as `cargo fmt` lays it out (the crate's `cargo fmt --check` covers its examples),
/// by `rustfmt` (`$RUSTFMT`, else from `PATH`) in edition 2024; as it is when rustfmt cannot
/// be run (then `cargo fmt --check` names the file).
fn rustfmt(program: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let run = || -> Option<String> {
        let program_name = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
        let mut child = Command::new(program_name)
            .args(["--edition", "2024"])
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut stdin = child.stdin.take()?;
        let input = program.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().ok()?;
        let _ = writer.join();
        output
            .status
            .success()
            .then(|| String::from_utf8(output.stdout).ok())
            .flatten()
    };
    run().unwrap_or_else(|| program.to_string())
}

/// `text` in lines of at most `width` characters (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A type as the program handles it.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Str,
    Secret,
    Opt(Box<Ty>),
    Vec(Box<Ty>),
    /// A type of the crate's `types`, by name.
    Named(String),
    /// Anything else (numbers, booleans, `Uuid`, …): read with `parse()`, shown with `to_string()`.
    Other,
}

/// A struct or enum of the crate's `types`.
#[derive(Clone)]
enum TypeDef {
    /// Named fields: (Rust name, wire name, type).
    Struct(Vec<(String, String, syn::Type)>),
    /// Variants holding one value: (variant, its type).
    Enum(Vec<(String, Option<syn::Type>)>),
    /// A newtype or anything else.
    Other,
}

/// What the program needs of one builder: its methods, the body type, the success type.
#[derive(Clone, Default)]
struct Builder {
    methods: Vec<String>,
    body: Option<syn::Type>,
    ok: Option<syn::Type>,
}

/// The crate's code as the program uses it.
#[derive(Default)]
struct Crate {
    types: BTreeMap<String, TypeDef>,
    /// `Client` method → its builder's name.
    client_methods: BTreeMap<String, String>,
    builders: BTreeMap<String, Builder>,
}

fn last_ident(ty: &syn::Type) -> Option<(&syn::Ident, &syn::PathArguments)> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| (&s.ident, &s.arguments)),
        _ => None,
    }
}

fn first_arg(args: &syn::PathArguments) -> Option<&syn::Type> {
    match args {
        syn::PathArguments::AngleBracketed(a) => a.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// The wire name of a field: its `#[serde(rename = "…")]`, or its Rust name.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut wire = field.ident.as_ref()?.to_string();
    if let Some(raw) = wire.strip_prefix("r#") {
        wire = raw.to_string();
    }
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                wire = lit.value();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    Some(wire)
}

impl Crate {
    fn read(file: &syn::File) -> Crate {
        let mut out = Crate::default();
        let Some(generated) = file.items.iter().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "generated" => m.content.as_ref(),
            _ => None,
        }) else {
            return out;
        };
        for item in &generated.1 {
            match item {
                syn::Item::Mod(m) if m.ident == "types" => {
                    for item in m.content.iter().flat_map(|c| &c.1) {
                        out.read_type(item);
                    }
                }
                syn::Item::Mod(m) if m.ident == "builder" => {
                    for item in m.content.iter().flat_map(|c| &c.1) {
                        out.read_builder(item);
                    }
                }
                syn::Item::Impl(block)
                    if block.trait_.is_none()
                        && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident("Client")) =>
                {
                    for item in &block.items {
                        let syn::ImplItem::Fn(f) = item else { continue };
                        let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                            continue;
                        };
                        let syn::Type::Path(p) = &**ty else { continue };
                        let is_builder =
                            p.path.segments.len() == 2 && p.path.segments[0].ident == "builder";
                        if is_builder {
                            out.client_methods.insert(
                                f.sig.ident.to_string(),
                                p.path.segments[1].ident.to_string(),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn read_type(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Struct(s) => {
                let def = match &s.fields {
                    syn::Fields::Named(named) => TypeDef::Struct(
                        named
                            .named
                            .iter()
                            .filter_map(|f| {
                                Some((f.ident.as_ref()?.to_string(), wire_name(f)?, f.ty.clone()))
                            })
                            .collect(),
                    ),
                    _ => TypeDef::Other,
                };
                self.types.insert(s.ident.to_string(), def);
            }
            syn::Item::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| {
                        let ty = match &v.fields {
                            syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                                Some(u.unnamed[0].ty.clone())
                            }
                            _ => None,
                        };
                        (v.ident.to_string(), ty)
                    })
                    .collect();
                self.types
                    .insert(e.ident.to_string(), TypeDef::Enum(variants));
            }
            _ => {}
        }
    }

    fn read_builder(&mut self, item: &syn::Item) {
        let syn::Item::Impl(block) = item else { return };
        if block.trait_.is_some() {
            return;
        }
        let Some((name, _)) = last_ident(&block.self_ty) else {
            return;
        };
        let builder = self.builders.entry(name.to_string()).or_default();
        for item in &block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let method = f.sig.ident.to_string();
            if method == "body" {
                // `where V: std::convert::TryInto<types::LoginRequest>`
                builder.body = f
                    .sig
                    .generics
                    .where_clause
                    .iter()
                    .flat_map(|w| &w.predicates)
                    .find_map(|p| {
                        let syn::WherePredicate::Type(t) = p else {
                            return None;
                        };
                        t.bounds.iter().find_map(|b| {
                            let syn::TypeParamBound::Trait(tr) = b else {
                                return None;
                            };
                            let last = tr.path.segments.last()?;
                            if last.ident != "TryInto" {
                                return None;
                            }
                            first_arg(&last.arguments).cloned()
                        })
                    });
            }
            if method == "send"
                && let syn::ReturnType::Type(_, ty) = &f.sig.output
                && let Some((result, args)) = last_ident(ty)
                && result == "Result"
                && let Some(ok) = first_arg(args)
                && let Some((value, args)) = last_ident(ok)
                && value == "ResponseValue"
            {
                builder.ok = first_arg(args).cloned();
            }
            builder.methods.push(method);
        }
    }

    fn ty(&self, ty: &syn::Type) -> Ty {
        let Some((ident, args)) = last_ident(ty) else {
            return Ty::Other;
        };
        let inner = || first_arg(args).map(|t| Box::new(self.ty(t)));
        match ident.to_string().as_str() {
            "String" => Ty::Str,
            "Secret" => Ty::Secret,
            "Option" => inner().map_or(Ty::Other, Ty::Opt),
            "Vec" => inner().map_or(Ty::Other, Ty::Vec),
            name if self.types.contains_key(name) => Ty::Named(name.to_string()),
            _ => Ty::Other,
        }
    }
}

/// A program being written.
struct Program<'a> {
    id: &'a str,
    module: &'a str,
    code: &'a Crate,
    security: &'a Security,
    desc: &'a Description,
    /// Source (`$user`, `$input.x`) → the variable holding it and whether it is optional.
    vars: BTreeMap<String, (String, bool)>,
    /// The environment variables read, as the header lists them.
    env: Vec<String>,
    lines: Vec<String>,
}

impl Program<'_> {
    fn line(&mut self, line: impl Into<String>) {
        self.lines.push(line.into());
    }

    /// The builder of `operation` (the method that sends a body when `body`), with its method.
    fn call(&self, operation: &str, body: bool) -> Option<(String, &Builder)> {
        let base = apilogin_openapi::names::snake(operation);
        [base.clone(), format!("{base}_with_body")]
            .into_iter()
            .find_map(|m| {
                let builder = self.code.builders.get(self.code.client_methods.get(&m)?)?;
                (builder.body.is_some() == body).then_some((m, builder))
            })
    }

    /// The variable of a source, declared from the environment the first time.
    fn source(&mut self, source: &str) -> Option<(String, bool)> {
        if let Some(known) = self.vars.get(source) {
            return Some(known.clone());
        }
        let (var, optional, declaration) = match source {
            "$user" => (
                "user".to_string(),
                false,
                format!(
                    "let user = std::env::var({:?})?;",
                    env_name(self.id, "USERNAME")
                ),
            ),
            "$password" => (
                "password".to_string(),
                false,
                format!(
                    "let password = std::env::var({:?})?;",
                    env_name(self.id, "PASSWORD")
                ),
            ),
            "$code" => {
                let methods = self.second_factor_methods();
                let var = env_name(self.id, "CODE");
                self.line(format!(
                    "// The second factor ({methods}): when the login is refused for want of a code,"
                ));
                self.line(format!("// run again with {var} set to it."));
                (
                    "code".to_string(),
                    true,
                    format!("let code = std::env::var({var:?}).ok();"),
                )
            }
            s if s.starts_with("$input.") => {
                let desc = self.desc;
                let name = &s["$input.".len()..];
                let input = desc.inputs.get(name)?;
                let var = apilogin_openapi::names::rust_snake(name);
                if [
                    "user", "password", "code", "url", "client", "body", "response", "login",
                    "token", "me",
                ]
                .contains(&var.as_str())
                    || syn::parse_str::<syn::Ident>(&var).is_err()
                {
                    return None;
                }
                let env = env_name(self.id, name);
                let read = match (&input.default, input.required) {
                    (Some(default), _) => format!(
                        "std::env::var({env:?}).unwrap_or_else(|_| {:?}.to_owned())",
                        default.as_ref()
                    ),
                    (None, true) => format!("std::env::var({env:?})?"),
                    (None, false) => format!("std::env::var({env:?}).unwrap_or_default()"),
                };
                self.line(format!("// The {}.", input.label));
                (var.clone(), false, format!("let {var} = {read};"))
            }
            _ => return None,
        };
        self.line(declaration);
        let env = match source {
            "$user" => env_name(self.id, "USERNAME"),
            "$password" => env_name(self.id, "PASSWORD"),
            "$code" => format!("(for the second factor) {}", env_name(self.id, "CODE")),
            s => env_name(self.id, &s["$input.".len()..]),
        };
        self.env.push(env);
        self.vars
            .insert(source.to_string(), (var.clone(), optional));
        Some((var, optional))
    }

    fn second_factor_methods(&self) -> String {
        let mut methods: Vec<String> = Vec::new();
        let outcomes = self.desc.login.iter().flat_map(|step| step.outcomes.iter());
        for outcome in outcomes {
            if outcome.then != Then::SecondFactor {
                continue;
            }
            let mut add = |m: String| {
                if !methods.contains(&m) {
                    methods.push(m);
                }
            };
            for (_, m) in outcome.methods.iter() {
                add(m.name().to_string());
            }
            if let Some(m) = &outcome.method
                && !m.starts_with('/')
            {
                add(m.to_string());
            }
        }
        if methods.is_empty() {
            "a code".into()
        } else {
            methods.join(", ")
        }
    }

    /// A value for a field of type `ty` from `value` (a source or a literal).
    fn value(&mut self, value: &str, ty: &Ty) -> Option<String> {
        let (expr, optional) = if value.starts_with('$') {
            let (var, optional) = self.source(value)?;
            (format!("{var}.clone()"), optional)
        } else if value.contains('{') || value.starts_with('/') {
            return None;
        } else {
            (format!("{value:?}.to_owned()"), false)
        };
        // `parse()` only where the type reads from a string: a newtype or an enum of strings.
        let mut inner = ty;
        while let Ty::Opt(t) = inner {
            inner = t;
        }
        if let Ty::Named(name) = inner {
            match self.code.types.get(name) {
                Some(TypeDef::Other) => {}
                Some(TypeDef::Enum(variants)) if variants.iter().all(|(_, t)| t.is_none()) => {}
                _ => return None,
            }
        }
        convert(&expr, optional, ty)
    }

    /// A struct literal of `name` from the step's body, or `None` when a field cannot be filled.
    fn struct_literal(&mut self, name: &str, step: &Step) -> Option<String> {
        let code = self.code;
        let Some(TypeDef::Struct(fields)) = code.types.get(name) else {
            return None;
        };
        if step
            .body
            .iter()
            .any(|(wire, _)| !fields.iter().any(|(_, w, _)| w == wire))
        {
            return None;
        }
        let mut parts = Vec::new();
        for (rust, wire, ty) in fields {
            let ty = code.ty(ty);
            let value = match step.body.get(wire) {
                Some(v) => self.value(v, &ty)?,
                None if matches!(ty, Ty::Opt(_)) => "None".to_string(),
                None => return None,
            };
            parts.push(format!("{rust}: {value},"));
        }
        Some(format!("types::{name} {{ {} }}", parts.join(" ")))
    }

    /// The body of `step` as `types::…` of `body`.
    fn body(&mut self, body: &syn::Type, step: &Step) -> Option<String> {
        let code = self.code;
        let Ty::Named(name) = code.ty(body) else {
            return None;
        };
        match code.types.get(&name)? {
            TypeDef::Struct(_) => self.struct_literal(&name, step),
            TypeDef::Enum(variants) => variants.iter().find_map(|(variant, ty)| {
                let Ty::Named(inner) = code.ty(ty.as_ref()?) else {
                    return None;
                };
                // Try the variant without declaring anything it would not use.
                let (vars, lines) = (self.vars.clone(), self.lines.clone());
                match self.struct_literal(&inner, step) {
                    Some(literal) => Some(format!("types::{name}::{variant}({literal})")),
                    None => {
                        (self.vars, self.lines) = (vars, lines);
                        None
                    }
                }
            }),
            TypeDef::Other => None,
        }
    }

    /// The expression of `pointer` in `base` (of type `ty`), moving out of it, with `Option`s
    /// and list items unwrapped (`?` when missing), and its type.
    fn owned(&self, base: &str, ty: &Ty, pointer: &str) -> Option<(String, Ty)> {
        let mut expr = base.to_string();
        let mut ty = ty.clone();
        for segment in pointer.strip_prefix('/')?.split('/') {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            ty = match ty {
                Ty::Named(name) => {
                    let Some(TypeDef::Struct(fields)) = self.code.types.get(&name) else {
                        return None;
                    };
                    let (rust, _, field) = fields.iter().find(|(_, w, _)| *w == segment)?;
                    expr = format!("{expr}.{rust}");
                    self.code.ty(field)
                }
                Ty::Vec(item) => {
                    let i: usize = segment.parse().ok()?;
                    expr = if i == 0 {
                        format!("{expr}.into_iter().next()")
                    } else {
                        format!("{expr}.into_iter().nth({i})")
                    };
                    expr = format!("{expr}.ok_or(\"the answer has no `{pointer}`\")?");
                    *item
                }
                _ => return None,
            };
            if let Ty::Opt(inner) = ty {
                expr = format!("{expr}.ok_or(\"the answer has no `{pointer}`\")?");
                ty = *inner;
            }
        }
        Some((expr, ty))
    }

    /// The expression of `pointer` in `base` as a borrowed path of fields (for printing).
    fn borrowed(&self, base: &str, ty: &Ty, pointer: &str) -> Option<String> {
        let mut expr = base.to_string();
        let mut ty = ty.clone();
        for segment in pointer.strip_prefix('/')?.split('/') {
            let Ty::Named(name) = ty else { return None };
            let Some(TypeDef::Struct(fields)) = self.code.types.get(&name) else {
                return None;
            };
            let (rust, _, field) = fields.iter().find(|(_, w, _)| *w == segment)?;
            expr = format!("{expr}.{rust}");
            ty = self.code.ty(field);
        }
        Some(expr)
    }

    /// `Credentials::new().setter(value)…` of `credentials` (scheme → source), where `values`
    /// gives the expression of a session source.
    fn credentials<'c>(
        &mut self,
        credentials: impl Iterator<Item = (&'c str, &'c str)>,
        values: &BTreeMap<String, String>,
    ) -> Option<String> {
        let mut chain = format!("{}::Credentials::new()", self.module);
        for (scheme, source) in credentials {
            let setter = &self
                .security
                .schemes
                .iter()
                .find(|s| s.name == scheme)?
                .field;
            let value = match values.get(source) {
                Some(v) => v.clone(),
                None => {
                    let (var, optional) = self.source(source)?;
                    if optional {
                        return None;
                    }
                    format!("{var}.clone()")
                }
            };
            let _ = write!(chain, ".{setter}({value})");
        }
        Some(chain)
    }

    fn login(&mut self) -> Option<()> {
        self.login_lines()?;
        if self.lines.iter().any(|l| l.contains("types::")) {
            self.lines.insert(0, format!("use {}::types;", self.module));
        }
        Some(())
    }

    fn login_lines(&mut self) -> Option<()> {
        let desc = self.desc;
        // An OAuth service (`x-apilogin.oauth`) has no login step: the plain program.
        let step = desc.login.as_ref()?;
        if !step.parameters.is_empty() {
            return None;
        }
        let module = self.module;
        let (method, builder) = self.call(&step.operation, !step.body.is_empty())?;
        let (body_ty, ok_ty) = (builder.body.clone(), builder.ok.clone()?);
        self.line("// Who logs in.");
        let mut used: Vec<&str> = step.body.iter().map(|(_, v)| v.as_ref()).collect();
        if let Some(creds) = &step.credentials {
            used.extend(creds.iter().map(|(_, v)| v.as_ref()));
        }
        let rank = |s: &str| match s {
            "$user" => 0,
            "$password" => 1,
            "$code" => 3,
            _ => 2,
        };
        let mut sources: Vec<&str> = used.into_iter().filter(|s| s.starts_with('$')).collect();
        sources.sort_by_key(|s| rank(s));
        sources.dedup();
        for source in sources {
            self.source(source)?;
        }
        let body = match &body_ty {
            Some(ty) => Some(self.body(ty, step)?),
            None => None,
        };
        let mut client = format!("{module}::Client::new(&url)?");
        if let Some(creds) = &step.credentials
            && !creds.is_empty()
        {
            let chain =
                self.credentials(creds.iter().map(|(k, v)| (k, v.as_ref())), &BTreeMap::new())?;
            self.line("// The login itself sends these credentials.");
            client = format!("{client}.with_credentials({chain})");
        }
        self.line(format!("let client = {client};"));
        self.line("");
        let op = step.operation.as_ref();
        let send = match &body {
            Some(body) => {
                self.line(format!("let body = {body};"));
                format!("client.{method}().body(body).send().await?")
            }
            None => format!("client.{method}().send().await?"),
        };
        self.line(format!(
            "// `{op}`: an error answer is an `Err` whose message names the cause."
        ));
        self.line(format!("let response = {send};"));
        let mut ok = self.code.ty(&ok_ty);
        // The token: a response header, or a field of the answer.
        let token_line = match &desc.session.token {
            Place::Header(name) => {
                self.line(format!(
                    "// The session token is the `{name}` header of the answer."
                ));
                self.line(format!(
                    "let token = response.headers().get({name:?}).and_then(|v| v.to_str().ok()).ok_or(\"the answer has no `{name}` header\")?.to_owned();"
                ));
                self.line("let login = response.into_inner();");
                None
            }
            Place::Body(pointer) => Some(pointer.to_string()),
        };
        if token_line.is_some() {
            self.line("let login = response.into_inner();");
        }
        // An answer of several shapes (`oneOf`): the one that has the token.
        let code = self.code;
        if let (Some(pointer), Ty::Named(name)) = (&token_line, &ok)
            && let Some(TypeDef::Enum(variants)) = code.types.get(name)
        {
            let (variant, inner) = variants.iter().find_map(|(v, t)| {
                let t = code.ty(t.as_ref()?);
                self.owned("login", &t, pointer).map(|_| (v.clone(), t))
            })?;
            self.line(format!(
                "// The answer has several shapes; `{variant}` is the one of a login."
            ));
            self.line("let login = match login {");
            self.line(format!("    types::{name}::{variant}(login) => login,"));
            self.line(
                "    other => return Err(format!(\"the login did not finish: {other:?}\").into()),",
            );
            self.line("};");
            ok = inner;
        }
        if let Some(pointer) = &token_line {
            let (expr, ty) = self.owned("login", &ok, pointer)?;
            self.line(format!(
                "// The session token is `{pointer}` of the answer."
            ));
            self.line(format!("let token = {};", as_credential(&expr, &ty)));
        }
        // What later calls send.
        let mut values = BTreeMap::new();
        values.insert("$token".to_string(), "token.clone()".to_string());
        let mut sources: Vec<&str> = desc
            .session
            .credentials
            .iter()
            .map(|(_, v)| v.as_ref())
            .collect();
        sources.sort();
        sources.dedup();
        for source in sources {
            let pointer = if source == "$userId" {
                desc.session.identity.user_id.as_deref()?.to_string()
            } else if let Some(detail) = source.strip_prefix("$detail.") {
                let from = desc.session.details.get(detail)?.from.to_string();
                if from.starts_with('$') {
                    values.insert(source.to_string(), self.credentials_source(&from)?);
                    continue;
                }
                from
            } else {
                continue;
            };
            let (expr, ty) = self.owned("login", &ok, &pointer)?;
            let name = match source.strip_prefix("$detail.") {
                Some(detail) => apilogin_openapi::names::rust_snake(detail),
                None => "user_id".to_string(),
            };
            let taken = self.vars.values().any(|(v, _)| *v == name)
                || ["url", "client", "body", "response", "login", "token", "me"]
                    .contains(&name.as_str())
                || syn::parse_str::<syn::Ident>(&name).is_err();
            let var = if taken {
                format!("session_{name}")
            } else {
                name
            };
            self.line(format!("let {var} = {};", as_credential(&expr, &ty)));
            values.insert(source.to_string(), format!("{var}.clone()"));
        }
        self.line("");
        if desc.session.credentials.is_empty() {
            self.line("// The spec gives sessions no security scheme: later calls take the token as a request field.");
            self.line("let _ = (client, token);");
            let _ = login_unused(self);
            return Some(());
        }
        let chain = self.credentials(
            desc.session
                .credentials
                .iter()
                .map(|(k, v)| (k, v.as_ref())),
            &values,
        )?;
        let verify = desc.verify.as_ref().and_then(|v| {
            (v.body.is_empty() && v.parameters.is_empty() && v.credentials.is_none()).then_some(v)
        });
        let verify = verify.and_then(|v| {
            let (method, builder) = self.call(&v.operation, false)?;
            Some((v, method, builder.ok.clone()))
        });
        let client_var = if verify.is_some() {
            "client"
        } else {
            "_client"
        };
        self.line("// Later calls send the session's credentials.");
        self.line(format!(
            "let {client_var} = client.with_credentials({chain});"
        ));
        match verify {
            Some((v, method, ok)) => {
                let op = v.operation.as_ref();
                self.line(format!("// An authenticated call: `{op}`."));
                self.line(format!("let me = client.{method}().send().await?;"));
                let ty = ok.map(|t| self.code.ty(&t)).unwrap_or(Ty::Other);
                let identity = &v.identity;
                let shown = [
                    &identity.username,
                    &identity.email,
                    &identity.name,
                    &identity.user_id,
                ]
                .into_iter()
                .flatten()
                .find_map(|p| self.borrowed("me", &ty, p));
                match shown {
                    Some(field) => {
                        self.line("let me = me.into_inner();");
                        self.line(format!("println!(\"logged in as {{:?}}\", {field});"));
                    }
                    None => self.line("println!(\"logged in: HTTP {}\", me.status());"),
                }
            }
            None if desc.verify.is_some() => {
                self.line("// The spec's `verify` call takes more than the session's credentials");
                self.line("// (see its `x-apilogin`), so this program stops at the login.");
                self.line("println!(\"logged in\");");
            }
            None => {
                self.line("// The spec describes no call that checks a session (`x-apilogin` has no `verify`).");
                self.line("println!(\"logged in\");");
            }
        }
        let _ = login_unused(self);
        Some(())
    }

    /// The expression of a session source that is itself a source (`$input.x`).
    fn credentials_source(&mut self, source: &str) -> Option<String> {
        let (var, optional) = self.source(source)?;
        (!optional).then(|| format!("{var}.clone()"))
    }
}

/// Silences an unused `login` when nothing was read from it.
fn login_unused(p: &mut Program<'_>) -> Option<()> {
    let reads_login = p
        .lines
        .iter()
        .any(|l| l.contains("login.") || l.contains("match login"));
    let has_login = p.lines.iter().any(|l| l.starts_with("let login ="));
    if has_login && !reads_login {
        let at = p.lines.iter().position(|l| l.starts_with("let login ="))?;
        p.lines.remove(at);
    }
    Some(())
}

/// `expr` (a `String`, or an `Option<String>` when `optional`) as a value of type `ty`.
fn convert(expr: &str, optional: bool, ty: &Ty) -> Option<String> {
    Some(match (ty, optional) {
        (Ty::Str, false) => expr.to_string(),
        (Ty::Secret, false) => format!("{expr}.into()"),
        (Ty::Opt(inner), false) => format!("Some({})", convert(expr, false, inner)?),
        (Ty::Opt(inner), true) => match **inner {
            Ty::Str => expr.to_string(),
            Ty::Secret => format!("{expr}.map(Into::into)"),
            _ => return None,
        },
        (Ty::Other | Ty::Named(_), false) => format!("{expr}.parse()?"),
        _ => return None,
    })
}

/// An owned value of type `ty` as something `Credentials`' setters take (`impl Into<Secret>`).
fn as_credential(expr: &str, ty: &Ty) -> String {
    match ty {
        Ty::Str | Ty::Secret => expr.to_string(),
        _ => format!("{expr}.to_string()"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The generated quick start of the spec at `file` (relative to the workspace).
    fn program_of(file: &'static str) -> String {
        std::thread::Builder::new()
            .stack_size(crate::GENERATOR_STACK)
            .spawn(move || {
                let root = apilogin_openapi::workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")));
                let one = crate::generate_one(&root, Path::new(file));
                let files = one.files.expect("the spec generates");
                files
                    .into_iter()
                    .find(|f| f.path.ends_with(crate::render::QUICK_START))
                    .expect("a quick start")
                    .contents
            })
            .expect("a thread")
            .join()
            .expect("no panic")
    }

    fn program(id: &'static str) -> String {
        program_of(match id {
            "mattermost" => "specs/mattermost.yaml",
            "rocketchat" => "specs/rocketchat.yaml",
            "txty" => "specs/txty.yaml",
            "remoteit" => "specs/remoteit.yaml",
            _ => "specs/projectthanos.yaml",
        })
    }

    fn assert_has(program: &str, parts: &[&str]) {
        for part in parts {
            assert!(program.contains(part), "no `{part}` in:\n{program}");
        }
    }

    /// Mattermost: the token is the `Token` header; the second factor is the `token` field; the
    /// session sends it as a bearer token; `me` is the authenticated call.
    #[test]
    fn mattermost_logs_in_with_its_header_token_and_second_factor() {
        let p = program("mattermost");
        assert_has(
            &p,
            &[
                "async fn main() -> Result<(), Box<dyn std::error::Error>> {",
                "std::env::var(\"MATTERMOST_URL\").unwrap_or_else(|_| \"http://localhost:8065\".to_owned())",
                "let user = std::env::var(\"MATTERMOST_USERNAME\")?;",
                "types::LoginRequest {",
                "device_id: None,",
                "login_id: user.clone(),",
                "password: password.clone().into(),",
                "token: code.clone().map(Into::into),",
                "let code = std::env::var(\"MATTERMOST_CODE\").ok();",
                "The second factor (totp)",
                ".get(\"Token\")",
                "Credentials::new().bearer_auth(token.clone())",
                "client.me().send().await?",
                "println!(\"logged in as {:?}\", me.username);",
            ],
        );
        // The token is never printed.
        assert!(!p.contains("{token"), "{p}");
    }

    /// Rocket.Chat: a `oneOf` body (the variant that takes the step's fields), the token and the
    /// user id from the answer's body, both sent by the session.
    #[test]
    fn rocketchat_picks_the_body_variant_and_reads_the_token_from_the_body() {
        let p = program("rocketchat");
        assert_has(
            &p,
            &[
                "types::LoginRequest::PasswordLogin(types::PasswordLogin {",
                "user: user.clone(),",
                "username: None,",
                "let token = login.data.auth_token;",
                ".auth_token(token.clone())",
                "let user_id = login.data.user_id;",
                ".user_id(user_id.clone())",
                "client.me().send().await?",
                "The second factor (email, password, totp)",
                "println!(\"logged in as {:?}\", me.username);",
            ],
        );
    }

    /// Txty: an answer of several shapes, a token in it, no security scheme for later calls.
    #[test]
    fn txty_takes_the_login_shape_of_its_answer() {
        let p = program("txty");
        assert_has(
            &p,
            &[
                "types::LoginResult::ApiKeyAdded(login) => login,",
                "let token = login.newapikey.key",
                "std::env::var(\"TXTY_KEY_DESCRIPTION\").unwrap_or_else(|_| \"apilogin\".to_owned())",
                "tfkey: code.clone().map(Into::into),",
                "The spec gives sessions no security scheme",
            ],
        );
        assert!(!p.contains("with_credentials"), "{p}");
    }

    /// remote.it: the login itself sends the developer key (an input from the environment).
    #[test]
    fn remoteit_sends_its_developer_key_with_the_login() {
        let p = program("remoteit");
        assert_has(
            &p,
            &[
                "let developer_key = std::env::var(\"REMOTEIT_DEVELOPER_KEY\")?;",
                "Credentials::new().developer_key(developer_key.clone())",
                ".session_token(token.clone())",
                "no call that checks a session",
            ],
        );
    }

    /// Project Thanos: a constrained user name is a newtype, read with `parse()`.
    #[test]
    fn projectthanos_parses_its_constrained_user_name() {
        let p = program("projectthanos");
        assert_has(
            &p,
            &[
                "username: user.clone().parse()?,",
                "let token = login.auth_token;",
                ".token_auth(token.clone())",
            ],
        );
    }

    /// Where the description cannot be mapped (the media server's login fills a header
    /// parameter from a template) or there is none, the quick start is the plain program.
    #[test]
    fn what_cannot_be_mapped_falls_back_to_the_plain_program() {
        for file in [
            "tests/fixtures/new-service/mediaserver.yaml",
            "tests/corpus/cases/fragmentkeys.json",
        ] {
            let p = program_of(file);
            assert_has(
                &p,
                &["async fn main()", "Client::new(&url)?;", "let _ = client;"],
            );
            assert!(!p.contains("with_credentials"), "{file}: {p}");
        }
    }
}
