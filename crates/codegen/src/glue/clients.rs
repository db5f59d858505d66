//! `crates/facade/src/generated/clients.rs`: the typed calls into each generated client (`Api`),
//! the `Service` constructors and the `Session` accessors (`Session::rocketchat()`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Service, doc, ident};

fn crate_ident(s: &Service) -> proc_macro2::Ident {
    format_ident!("{}_client", s.id)
}

pub(super) fn file(services: &[Service]) -> TokenStream {
    let max = match services.first() {
        Some(s) => {
            let c = crate_ident(s);
            quote!(#c::MAX_RESPONSE_BYTES)
        }
        None => quote!(1024 * 1024),
    };
    let reexports = services.iter().map(|s| {
        let (c, id) = (crate_ident(s), ident(&s.id));
        quote!(pub use #c as #id;)
    });
    let from_errors = services.iter().map(|s| {
        let (c, v) = (crate_ident(s), ident(&s.desc.service.variant));
        quote! {
            /// `?` on a call of the generated client gives a [`LoginError`] (its text, scrubbed by the client, is the excerpt).
            impl<E: #c::ErrorValue> From<#c::Error<E>> for LoginError {
                fn from(e: #c::Error<E>) -> LoginError {
                    let text = e.to_string();
                    http::client_error(ServiceKind::#v, text, e.into_kind())
                }
            }
        }
    });
    let api_variants = services.iter().map(|s| {
        let (c, v) = (crate_ident(s), ident(&s.desc.service.variant));
        quote!(#v(#c::Client),)
    });
    let new_arms = services.iter().map(|s| {
        let (c, v) = (crate_ident(s), ident(&s.desc.service.variant));
        quote!(ServiceKind::#v => Api::#v(#c::Client::new_with_client(url, client)),)
    });
    let credential_arms = services.iter().map(with_credentials);
    let send_arms = services.iter().flat_map(send_arms);
    let header_arms = services.iter().flat_map(|s| {
        let v = ident(&s.desc.service.variant);
        s.headers.iter().map(move |(scheme, (name, prefix))| {
            quote!((ServiceKind::#v, #scheme) => Some((#name, #prefix)),)
        })
    });
    let constructors = services.iter().map(constructor);
    let accessors = services.iter().map(accessor);
    quote! {
        #![doc = " The typed calls into each service's generated client."]
        use serde_json::{Map, Value};
        use crate::error::{ConfigError, LoginError};
        use crate::generated::kinds::ServiceKind;
        use crate::glue::{self, Answer, Fields};
        use crate::http::{self, Call, Options};
        use crate::service::Service;
        use crate::session::Session;
        /// The largest answer body the generated clients read, in bytes.
        pub(crate) const MAX_RESPONSE_BYTES: usize = #max;
        /// Every service's generated client crate, re-exported by the facade as `apilogin::clients` (name their types without adding the crates).
        pub mod crates {
            #(#reexports)*
        }
        #(#from_errors)*
        /// A service's generated client.
        #[derive(Clone)]
        pub(crate) enum Api {
            #(#api_variants)*
        }
        impl Api {
            /// The generated client of `service`, over the shared HTTP client of its base URL and options.
            pub(crate) fn new(service: &Service, options: &Options) -> Result<Api, LoginError> {
                let client = http::client(service, options)?;
                let url = service.base_url();
                Ok(match service.kind() {
                    #(#new_arms)*
                })
            }
            /// This client with credentials, by security scheme name (unknown names are ignored).
            #[allow(unused_variables)]
            pub(crate) fn with_credentials(&self, credentials: &[(&str, &str)]) -> Api {
                match self {
                    #(#credential_arms)*
                }
            }
            /// Sends operation `operation` (its `operationId`) with `body` (the flow's request fields) and `params` (its header, query and path parameters, by the spec's names, as JSON values of their types) and reads the answer, documented or not.
            pub(crate) async fn send(&self, call: &Call<'_>, operation: &str, body: Option<Fields<'_>>, params: &Map<String, Value>) -> Result<Answer, LoginError> {
                let _ = (&body, params);
                match (self, operation) {
                    #(#send_arms)*
                    #[allow(unreachable_patterns)]
                    _ => Err(glue::no_operation(call, operation)),
                }
            }
        }
        /// Where security scheme `scheme` of `kind` goes when it is a header: the header's name (lower case) and the prefix before the value.
        #[allow(unused_variables)]
        pub(crate) fn scheme_header(kind: ServiceKind, scheme: &str) -> Option<(&'static str, &'static str)> {
            match (kind, scheme) {
                #(#header_arms)*
                _ => None,
            }
        }
        impl Service {
            #(#constructors)*
        }
        impl Session {
            #(#accessors)*
        }
    }
}

/// The arm of `Api::with_credentials` of `s`.
fn with_credentials(s: &Service) -> TokenStream {
    let (c, v) = (crate_ident(s), ident(&s.desc.service.variant));
    let usable: Vec<TokenStream> = s
        .schemes
        .iter()
        .filter(|(_, set)| !set.is_empty())
        .map(|(scheme, setter)| {
            let setter = ident(setter);
            quote!(#scheme => c.#setter(value),)
        })
        .collect();
    if usable.is_empty() {
        return quote!(Api::#v(api) => Api::#v(api.clone()),);
    }
    quote! {
        Api::#v(api) => {
            let mut c = #c::Credentials::new();
            for &(scheme, value) in credentials {
                c = match scheme {
                    #(#usable)*
                    _ => c,
                };
            }
            Api::#v(api.with_credentials(c))
        }
    }
}

/// The arms of `Api::send` of `s`: one per operation its flow calls.
fn send_arms(s: &Service) -> Vec<TokenStream> {
    let (c, v) = (crate_ident(s), ident(&s.desc.service.variant));
    s.calls
        .iter()
        .map(|call| {
            let op = &call.operation;
            let m = ident(&call.method);
            // Each parameter a step fills: set when the engine gives it a value.
            let params: Vec<TokenStream> = call
                .params
                .iter()
                .map(|p| {
                    let (name, method) = (&p.name, ident(&p.method));
                    let rust: syn::Type = syn::parse_str(p.rust).expect("a Rust type");
                    quote! {
                        let request = match glue::param::<#rust>(call, params, #name)? {
                            Some(value) => request.#method(value),
                            None => request,
                        };
                    }
                })
                .collect();
            let body = call.body.as_deref().map(|ty| {
                let ty = ident(ty);
                quote!(let body: #c::types::#ty = glue::body(call, body)?;)
            });
            match (body, params.is_empty()) {
                (Some(body), true) => quote! {
                    (Api::#v(api), #op) => {
                        #body
                        glue::answer(call, api.#m().body(body).send().await).await
                    }
                },
                (Some(body), false) => quote! {
                    (Api::#v(api), #op) => {
                        #body
                        let request = api.#m().body(body);
                        #(#params)*
                        glue::answer(call, request.send().await).await
                    }
                },
                (None, true) => quote! {
                    (Api::#v(api), #op) => glue::answer(call, api.#m().send().await).await,
                },
                (None, false) => quote! {
                    (Api::#v(api), #op) => {
                        let request = api.#m();
                        #(#params)*
                        glue::answer(call, request.send().await).await
                    }
                },
            }
        })
        .collect()
}

/// `Service::<constructor>()`.
fn constructor(s: &Service) -> TokenStream {
    let (v, name) = (ident(&s.desc.service.variant), &*s.desc.service.name);
    let f = ident(s.constructor());
    match &s.default_url {
        Some(_) => {
            let docs = doc(&format!("{name} at its public server."));
            quote! {
                #docs
                pub fn #f() -> Service {
                    Service::public(ServiceKind::#v)
                }
            }
        }
        None => {
            let docs = doc(&format!(
                "{name} at a self-hosted server, e.g. `https://chat.example.com`."
            ));
            quote! {
                #docs
                pub fn #f(base_url: &str) -> Result<Service, ConfigError> {
                    Service::new(ServiceKind::#v, Some(base_url))
                }
            }
        }
    }
}

/// `Session::<id>()`: the generated client with the session's credentials.
fn accessor(s: &Service) -> TokenStream {
    let (c, v, name) = (
        crate_ident(s),
        ident(&s.desc.service.variant),
        &*s.desc.service.name,
    );
    let id = ident(&s.id);
    let chain: Vec<TokenStream> = s
        .session_credentials
        .values()
        .map(|(setter, source)| {
            let setter = ident(setter);
            quote!(.#setter(self.value(#source)?))
        })
        .collect();
    let (docs, client) = if chain.is_empty() {
        (
            format!(
                "The generated {name} client. The spec gives its sessions no security scheme: calls take the session's values as fields ([`expose_auth_params`](Session::expose_auth_params))."
            ),
            quote!(#c::Client::new_with_client(service.base_url(), http::client(&service, self.options())?)),
        )
    } else {
        let schemes: Vec<String> = s
            .session_credentials
            .keys()
            .map(|k| format!("`{k}`"))
            .collect();
        (
            format!(
                "The generated {name} client, sending this session's credentials ({}) wherever an operation's `security` asks for them.",
                schemes.join(", ")
            ),
            quote! {
                #c::Client::new_with_client(service.base_url(), http::client(&service, self.options())?)
                    .with_credentials(#c::Credentials::new() #(#chain)*)
            },
        )
    };
    let docs = doc(&docs);
    quote! {
        #docs
        pub fn #id(&self) -> Result<#c::Client, LoginError> {
            self.expect(ServiceKind::#v)?;
            let service = self.service();
            Ok(#client)
        }
    }
}
