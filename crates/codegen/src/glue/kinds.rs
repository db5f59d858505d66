//! `crates/facade/src/generated/kinds.rs`: `ServiceKind` with the static facts of each service
//! (name, default server, inputs, which operations it has) and `SessionDetails`.

use apilogin_login_model::{Detail, DetailType};
use proc_macro2::TokenStream;
use quote::{ToTokens as _, format_ident, quote};

use super::{Service, doc, ident};

pub(super) fn file(services: &[Service]) -> TokenStream {
    let count = proc_macro2::Literal::usize_unsuffixed(services.len());
    let variants: Vec<_> = services
        .iter()
        .map(|s| ident(&s.desc.service.variant))
        .collect();
    let kind_variants = services.iter().zip(&variants).map(|(s, v)| {
        let docs = doc(&s.desc.service.summary);
        let id = &s.id;
        quote! {
            #docs
            #[serde(rename = #id)]
            #v,
        }
    });
    // A `const fn` of `self` with one arm per service.
    let each = |docs: &str, sig: TokenStream, f: &dyn Fn(&Service) -> TokenStream| {
        let docs = doc(docs);
        let arms = services.iter().zip(&variants).map(|(s, v)| {
            let value = f(s);
            quote!(ServiceKind::#v => #value,)
        });
        quote! {
            #docs
            pub const fn #sig {
                match self {
                    #(#arms)*
                }
            }
        }
    };
    let consts =
        |prefix: &str, s: &Service| format_ident!("{prefix}_{}", s.id.to_ascii_uppercase());
    let facts = [
        each(
            "Short lower-case identifier: the spec's file name (`rocketchat` for `specs/rocketchat.yaml`).",
            quote!(id(self) -> &'static str),
            &|s| {
                let id = &s.id;
                quote!(#id)
            },
        ),
        each(
            "Human-readable name, e.g. `Rocket.Chat`.",
            quote!(name(self) -> &'static str),
            &|s| {
                let name = &*s.desc.service.name;
                quote!(#name)
            },
        ),
        each(
            "One line about the service.",
            quote!(summary(self) -> &'static str),
            &|s| {
                let summary = &*s.desc.service.summary;
                quote!(#summary)
            },
        ),
        each(
            "Other names the service is known by (`rocket.chat`), for command lines.",
            quote!(aliases(self) -> &'static [&'static str]),
            &|s| {
                let aliases = s.desc.service.aliases.iter().map(|a| &**a);
                quote!(&[#(#aliases),*])
            },
        ),
        each(
            "The public server (the spec's first `servers` entry), or `None` for a self-hosted service.",
            quote!(default_base_url(self) -> Option<&'static str>),
            &|s| match &s.default_url {
                Some(u) => quote!(Some(#u)),
                None => quote!(None),
            },
        ),
        each(
            "Whether a login can answer with a second-factor challenge.",
            quote!(has_second_factor(self) -> bool),
            &|s| {
                let b = s.second_factor();
                quote!(#b)
            },
        ),
        each(
            "Whether [`Session::verify`](crate::Session::verify) is available.",
            quote!(supports_verify(self) -> bool),
            &|s| {
                let b = s.desc.verify.is_some();
                quote!(#b)
            },
        ),
        each(
            "Whether [`Session::logout`](crate::Session::logout) is available (for an OAuth service: revocation, where the provider has it).",
            quote!(supports_logout(self) -> bool),
            &|s| {
                let b = s.desc.logout.is_some() || s.desc.oauth.is_some();
                quote!(#b)
            },
        ),
        each(
            "Whether [`Session::relogin`](crate::Session::relogin) is available (for an OAuth service: with the refresh token, where the provider issued one).",
            quote!(supports_relogin(self) -> bool),
            &|s| {
                let b = s.desc.relogin.is_some() || s.desc.oauth.is_some();
                quote!(#b)
            },
        ),
        each(
            "Whether the service logs in with OAuth 2.0 / OpenID Connect (the spec's `x-apilogin.oauth`) rather than a password.",
            quote!(uses_oauth(self) -> bool),
            &|s| {
                let b = s.desc.oauth.is_some();
                quote!(#b)
            },
        ),
        each(
            "What a login takes besides the user name, password and second-factor code.",
            quote!(inputs(self) -> &'static [InputInfo]),
            &|s| consts("INPUTS", s).into_token_stream(),
        ),
        each(
            "What a session keeps besides the token (the spec's `session.details`: the fields of `SessionDetails`), and which of them are secret.",
            quote!(details(self) -> &'static [DetailInfo]),
            &|s| consts("DETAILS", s).into_token_stream(),
        ),
        each(
            "Whether a session knows the user's id (the spec's `session.identity.userId`).",
            quote!(has_user_id(self) -> bool),
            &|s| {
                let b = s.desc.session.identity.user_id.is_some();
                quote!(#b)
            },
        ),
        each(
            "The values a login makes once and the session keeps (the spec's `x-apilogin.generated`), e.g. a device id.",
            quote!(generated(self) -> &'static [GeneratedInfo]),
            &|s| {
                let items = s.desc.generated.iter().map(|(name, g)| {
                    let kind = g.kind.name();
                    let doc = g.doc.as_deref().unwrap_or_default();
                    quote!(GeneratedInfo { name: #name, kind: #kind, doc: #doc })
                });
                quote!(&[#(#items),*])
            },
        ),
    ];
    let inputs = services.iter().map(|s| {
        let name = consts("INPUTS", s);
        let docs = doc(&format!("The inputs of {}.", s.desc.service.name));
        let items = s.desc.inputs.iter().map(|(name, i)| {
            let (label, secret, required) = (&*i.label, i.secret, i.required);
            let default = match i.default.as_deref() {
                Some(d) => quote!(Some(#d)),
                None => quote!(None),
            };
            let help = i.help.as_deref().unwrap_or_default();
            quote! {
                InputInfo { name: #name, label: #label, secret: #secret, required: #required, default: #default, help: #help }
            }
        });
        quote! {
            #docs
            const #name: &[InputInfo] = &[#(#items),*];
        }
    });
    let details = services.iter().map(|s| {
        let name = consts("DETAILS", s);
        let docs = doc(&format!("The session details of {}.", s.desc.service.name));
        let items = s.desc.session.details.iter().map(|(name, d)| {
            let kind = d.kind.name();
            let secret = secret(s, d);
            let doc = &*d.doc;
            quote!(DetailInfo { name: #name, kind: #kind, secret: #secret, doc: #doc })
        });
        quote! {
            #docs
            const #name: &[DetailInfo] = &[#(#items),*];
        }
    });
    let debug_arms = services.iter().zip(&variants).map(|(s, v)| {
        let accessor = ident(&s.id);
        quote!(ServiceKind::#v => format!("{:?}", self.#accessor()?),)
    });
    let client_debug = if services.is_empty() {
        quote!(match self.kind() {})
    } else {
        quote!(Ok(match self.kind() { #(#debug_arms)* }))
    };
    let session_details = session_details(services, &variants);
    quote! {
        #![doc = " The services: one per spec with an `x-apilogin` extension."]
        use serde::{Deserialize, Serialize};
        use crate::info::{DetailInfo, DetailValue, GeneratedInfo, InputInfo};
        #[allow(unused_imports)]
        use crate::secret::SecretString;
        /// One of the supported login services.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum ServiceKind {
            #(#kind_variants)*
        }
        impl ServiceKind {
            /// Every service, in a stable order.
            pub const ALL: [ServiceKind; #count] = [#(ServiceKind::#variants),*];
            #(#facts)*
        }
        #(#inputs)*
        #(#details)*
        impl crate::session::Session {
            /// The `Debug` text of the generated client this session hands out (`Session::<id>()`), credentials redacted: one call for every service, for logs and for checks that no secret shows.
            pub fn client_debug(&self) -> Result<String, crate::error::LoginError> {
                #client_debug
            }
        }
        #session_details
    }
}

/// Whether detail `d` of `s` is secret: of type `secret`, or kept from a secret input.
fn secret(s: &Service, d: &Detail) -> bool {
    let from_secret_input = d
        .from
        .strip_prefix("$input.")
        .and_then(|i| s.desc.inputs.get(i))
        .is_some_and(|i| i.secret);
    d.kind == DetailType::Secret || from_secret_input
}

/// `SessionDetails`: one variant per service, one field per detail.
fn session_details(services: &[Service], variants: &[proc_macro2::Ident]) -> TokenStream {
    let enum_variants = services.iter().zip(variants).map(|(s, v)| {
        let docs = doc(s
            .desc
            .session
            .details_doc
            .as_deref()
            .unwrap_or("Nothing besides the token."));
        let id = &s.id;
        let fields = s.desc.session.details.iter().map(|(name, d)| {
            let docs = doc(&d.doc);
            let name = ident(name);
            let (attr, ty) = match d.kind {
                DetailType::Secret => (quote!(), quote!(SecretString)),
                DetailType::Integer => (quote!(), quote!(i64)),
                DetailType::OptionalString => (
                    quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
                    quote!(Option<String>),
                ),
                DetailType::String => (quote!(), quote!(String)),
            };
            quote! {
                #docs
                #attr
                #name: #ty,
            }
        });
        quote! {
            #docs
            #[serde(rename = #id)]
            #v { #(#fields)* },
        }
    });
    let kind_arms = variants
        .iter()
        .map(|v| quote!(SessionDetails::#v { .. } => ServiceKind::#v,));
    let field_arms = services.iter().zip(variants).map(|(s, v)| {
        let names: Vec<_> = s
            .desc
            .session
            .details
            .iter()
            .map(|(n, _)| ident(n))
            .collect();
        let arms = s.desc.session.details.iter().map(|(name, d)| {
            let field = ident(name);
            let value = match d.kind {
                DetailType::Secret => quote!(Some(#field.expose_secret().to_owned())),
                DetailType::Integer => quote!(Some(#field.to_string())),
                DetailType::OptionalString => quote!(#field.clone()),
                DetailType::String => quote!(Some(#field.clone())),
            };
            quote!(#name => #value,)
        });
        quote! {
            SessionDetails::#v { #(#names),* } => match name {
                #(#arms)*
                _ => None,
            },
        }
    });
    let build_arms = services.iter().zip(variants).map(|(s, v)| {
        let fields = s.desc.session.details.iter().map(|(name, d)| {
            let field = ident(name);
            let conv = format_ident!(
                "{}",
                match d.kind {
                    DetailType::Secret => "secret",
                    DetailType::Integer => "integer",
                    DetailType::OptionalString => "optional",
                    DetailType::String => "text",
                }
            );
            quote!(#field: take(#name).#conv()?,)
        });
        quote!(ServiceKind::#v => SessionDetails::#v { #(#fields)* },)
    });
    quote! {
        /// What a session needs besides the token, per service (the spec's `x-apilogin.session.details`). Serialized with a `service` tag.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "service")]
        #[non_exhaustive]
        pub enum SessionDetails {
            #(#enum_variants)*
        }
        impl SessionDetails {
            /// The service these details belong to.
            pub fn kind(&self) -> ServiceKind {
                match self {
                    #(#kind_arms)*
                }
            }
            /// Detail `name` as text (`$detail.<name>` of the flow), if this variant has it.
            #[allow(unused_variables)]
            pub(crate) fn field(&self, name: &str) -> Option<String> {
                match self {
                    #(#field_arms)*
                }
            }
            /// The details of `kind`, each taken by name from `take`; `None` when one is missing or of the wrong type.
            #[allow(unused_mut, unused_variables)]
            pub(crate) fn build(kind: ServiceKind, mut take: impl FnMut(&'static str) -> DetailValue) -> Option<SessionDetails> {
                Some(match kind {
                    #(#build_arms)*
                })
            }
        }
    }
}
