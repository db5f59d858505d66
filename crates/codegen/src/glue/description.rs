//! `crates/facade/src/generated/descriptions.rs`: each service's `x-apilogin`, read into the
//! model (`apilogin-login-model`), written as a `static` the login engine runs. Nothing is parsed
//! at run time, and a description the engine cannot run does not compile.
//!
//! Slices are written inline (`Cow::Borrowed(&[…])`): in a `static`, a borrow through a struct,
//! tuple, array or enum-variant constructor lives as long as the static (no named item per list).

use apilogin_login_model::{
    Description, Detail, Generated, Identity, Input, Map, OAuth, Outcome, Param, Place, Session,
    Step, Types,
};
use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, format_ident, quote};

use super::{Service, doc, ident};

/// The file: `ServiceKind::description()` and one `static` per service.
pub(super) fn file(services: &[Service]) -> TokenStream {
    let arms = services.iter().map(|s| {
        let v = ident(&s.desc.service.variant);
        let name = format_ident!("{}", s.id.to_ascii_uppercase());
        quote!(ServiceKind::#v => &#name,)
    });
    let statics = services.iter().map(|s| {
        let name = format_ident!("{}", s.id.to_ascii_uppercase());
        let docs = doc(&format!(
            "The login flow of {}: the `x-apilogin` of its spec.",
            s.desc.service.name
        ));
        let value = description(&s.desc);
        quote! {
            #docs
            static #name: m::Description = #value;
        }
    });
    quote! {
        #![doc = " The login flow of each service: its spec's `x-apilogin`, as typed data the login engine runs."]
        use std::borrow::Cow;
        use apilogin_login_model as m;
        use crate::generated::kinds::ServiceKind;
        impl ServiceKind {
            /// The spec's `x-apilogin` extension: what the login engine runs.
            pub(crate) const fn description(self) -> &'static m::Description {
                match self {
                    #(#arms)*
                }
            }
        }
        #(#statics)*
    }
}

fn text(s: &str) -> TokenStream {
    quote!(Cow::Borrowed(#s))
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> TokenStream) -> TokenStream {
    match v {
        Some(v) => {
            let t = f(v);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

fn opt_text(v: &Option<apilogin_login_model::Str>) -> TokenStream {
    opt(v.as_deref(), text)
}

fn list<T>(items: &[T], f: impl Fn(&T) -> TokenStream) -> TokenStream {
    let items = items.iter().map(f);
    quote!(Cow::Borrowed(&[#(#items),*]))
}

fn map<V: Clone>(m: &Map<V>, f: impl Fn(&V) -> TokenStream) -> TokenStream {
    let entries = m.iter().map(|(k, v)| {
        let v = f(v);
        quote!((Cow::Borrowed(#k), #v))
    });
    quote!(m::Map(Cow::Borrowed(&[#(#entries),*])))
}

/// A value of one of the model's enums (`m::Then::LoggedIn`): its variant is its `Debug` name.
fn variant(ty: &str, value: impl std::fmt::Debug) -> TokenStream {
    let ty = format_ident!("{ty}");
    let v = format_ident!("{value:?}");
    quote!(m::#ty::#v)
}

fn description(d: &Description) -> TokenStream {
    let s = &d.service;
    let (variant_name, name, summary) = (&*s.variant, &*s.name, &*s.summary);
    let order = opt(s.order, |o| Literal::i64_unsuffixed(o).into_token_stream());
    let constructor = opt_text(&s.rust_constructor);
    let aliases = list(&s.aliases, |a| text(a));
    let inputs = map(&d.inputs, input);
    let generated = map(&d.generated, generated);
    let login = opt(d.login.as_ref(), step);
    let oauth = opt(d.oauth.as_ref(), oauth);
    let session = session(&d.session);
    let verify = opt(d.verify.as_ref(), step);
    let relogin = opt(d.relogin.as_ref(), step);
    let logout = opt(d.logout.as_ref(), step);
    quote! {
        m::Description {
            service: m::Service {
                variant: Cow::Borrowed(#variant_name),
                name: Cow::Borrowed(#name),
                summary: Cow::Borrowed(#summary),
                order: #order,
                rust_constructor: #constructor,
                aliases: #aliases,
            },
            inputs: #inputs,
            generated: #generated,
            login: #login,
            oauth: #oauth,
            session: #session,
            verify: #verify,
            relogin: #relogin,
            logout: #logout,
        }
    }
}

fn input(i: &Input) -> TokenStream {
    let Input {
        label,
        secret,
        required,
        default,
        help,
    } = i;
    let label = text(label);
    let default = opt_text(default);
    let help = opt_text(help);
    quote!(m::Input { label: #label, secret: #secret, required: #required, default: #default, help: #help })
}

fn oauth(o: &OAuth) -> TokenStream {
    let OAuth {
        scheme,
        client_id,
        flow,
        scopes,
        parameters,
    } = o;
    let scheme = text(scheme);
    let client_id = opt_text(client_id);
    let flow = opt(*flow, |f| variant("OAuthFlow", f));
    let scopes = list(scopes, |s| text(s));
    let parameters = map(parameters, |v| text(v));
    quote!(m::OAuth { scheme: #scheme, client_id: #client_id, flow: #flow, scopes: #scopes, parameters: #parameters })
}

fn generated(g: &Generated) -> TokenStream {
    let kind = variant("GeneratedKind", g.kind);
    let doc = opt_text(&g.doc);
    quote!(m::Generated { kind: #kind, doc: #doc })
}

fn identity(i: &Identity) -> TokenStream {
    let Identity {
        username,
        user_id,
        name,
        email,
    } = i;
    let (username, user_id, name, email) = (
        opt_text(username),
        opt_text(user_id),
        opt_text(name),
        opt_text(email),
    );
    quote!(m::Identity { username: #username, user_id: #user_id, name: #name, email: #email })
}

fn step(st: &Step) -> TokenStream {
    let Step {
        operation,
        credentials,
        body,
        parameters,
        identity: who,
        outcomes,
        types:
            Types {
                body: body_types,
                parameters: parameter_types,
            },
    } = st;
    let operation = text(operation);
    let credentials = opt(credentials.as_ref(), |c| map(c, |v| text(v)));
    let body = map(body, |v| text(v));
    let parameters = map(parameters, |v| text(v));
    let who = identity(who);
    let outcomes = list(outcomes, outcome);
    let body_types = map(body_types, |k| variant("Kind", k));
    let parameter_types = map(parameter_types, |k| variant("Kind", k));
    quote! {
        m::Step {
            operation: #operation,
            credentials: #credentials,
            body: #body,
            parameters: #parameters,
            identity: #who,
            outcomes: #outcomes,
            types: m::Types { body: #body_types, parameters: #parameter_types },
        }
    }
}

fn outcome(o: &Outcome) -> TokenStream {
    let Outcome {
        status,
        field,
        header,
        equals,
        one_of,
        empty_body,
        answering,
        then,
        method,
        methods,
        default_method,
        code,
        message,
        by_ip,
    } = o;
    let status = opt(*status, |s| Literal::u16_unsuffixed(s).into_token_stream());
    let (field, header, equals) = (opt_text(field), opt_text(header), opt_text(equals));
    let one_of = opt(one_of.as_ref(), |l| list(l, |v| text(v)));
    let empty_body = opt(*empty_body, |b| b.into_token_stream());
    let answering = opt(*answering, |b| b.into_token_stream());
    let then = variant("Then", then);
    let method = opt_text(method);
    let methods = map(methods, |m| variant("Method", m));
    let default_method = opt(*default_method, |m| variant("Method", m));
    let (code, message) = (opt_text(code), opt_text(message));
    quote! {
        m::Outcome {
            status: #status,
            field: #field,
            header: #header,
            equals: #equals,
            one_of: #one_of,
            empty_body: #empty_body,
            answering: #answering,
            then: #then,
            method: #method,
            methods: #methods,
            default_method: #default_method,
            code: #code,
            message: #message,
            by_ip: #by_ip,
        }
    }
}

fn session(s: &Session) -> TokenStream {
    let Session {
        token,
        identity: who,
        details,
        details_doc,
        credentials,
        params,
        lifetime_seconds,
        expires_in,
    } = s;
    let token = match token {
        Place::Body(p) => {
            let p = text(p);
            quote!(m::Place::Body(#p))
        }
        Place::Header(h) => {
            let h = text(h);
            quote!(m::Place::Header(#h))
        }
    };
    let who = identity(who);
    let details = map(details, detail);
    let details_doc = opt_text(details_doc);
    let credentials = map(credentials, |v| text(v));
    let params = list(params, param);
    let lifetime_seconds = opt(*lifetime_seconds, |s| {
        Literal::u64_unsuffixed(s).into_token_stream()
    });
    let expires_in = opt_text(expires_in);
    quote! {
        m::Session {
            token: #token,
            identity: #who,
            details: #details,
            details_doc: #details_doc,
            credentials: #credentials,
            params: #params,
            lifetime_seconds: #lifetime_seconds,
            expires_in: #expires_in,
        }
    }
}

fn detail(d: &Detail) -> TokenStream {
    let from = text(&d.from);
    let kind = variant("DetailType", d.kind);
    let doc = text(&d.doc);
    quote!(m::Detail { from: #from, kind: #kind, doc: #doc })
}

fn param(p: &Param) -> TokenStream {
    let field = text(&p.field);
    let from = variant("ParamFrom", p.from);
    quote!(m::Param { field: #field, from: #from })
}
