//! The code a generated crate has around progenitor's to run on `apilogin-runtime`: the
//! re-exports that keep the names its users see (`Secret`, `Error`, `client_builder`, …), the
//! safe constructors of `Client`, and progenitor's hooks, each a call into the runtime with the
//! crate's own tables (`security.rs`, and `expected_media_types`, `secret_places` in
//! `render.rs`). Everything that does not depend on the spec is written once, in
//! `crates/runtime`.

use proc_macro2::TokenStream;
use quote::quote;

/// The items, laid out by prettyplease with progenitor's code in `mod generated`.
pub fn items() -> TokenStream {
    quote! {
        pub use apilogin_runtime::{
            client_builder, ClientBuildError, ErrorKind, ErrorValue, RedirectRefused, Secret,
            DEFAULT_TIMEOUT, ERROR_TEXT_CHARS, MAX_RESPONSE_BYTES,
        };

        /// The error of every operation of this crate: progenitor's [`ErrorKind`], with every
        /// variant's data as it came, and text that never shows a secret (see
        /// [`apilogin_runtime::Error`]).
        pub type Error<E = ()> = apilogin_runtime::Error<E, Client>;

        impl Client {
            /// A client for `baseurl` (scheme, host, port and path stem) over a `reqwest::Client`
            /// from [`client_builder`]: redirects are followed only within the origin of the
            /// request (another scheme, host or port is refused with [`RedirectRefused`], so a
            /// password, code or token never reaches another server), no `Referer`,
            /// [`DEFAULT_TIMEOUT`].
            ///
            /// Fails, instead of panicking, when the HTTP client cannot be built: for an `https`
            /// `baseurl` on a machine without CA certificates, for example. An `http` `baseurl`
            /// needs none (redirects stay within its origin): without them its client has no TLS
            /// roots, and only a TLS connection, such as one to an `https` proxy, fails.
            pub fn new(baseurl: &str) -> Result<Self, ClientBuildError> {
                Ok(Self::new_with_client(baseurl, apilogin_runtime::build_client(baseurl)?))
            }

            /// A client for `baseurl` over a `reqwest::Client` of your own (to share one
            /// connection pool between clients, or to set a proxy or other timeouts).
            ///
            /// Start from [`client_builder`] to keep this crate's safety rules. A client built
            /// otherwise must not follow redirects to other origins
            /// (`reqwest::redirect::Policy::none()` or a custom policy) — reqwest's default
            /// policy sends a 307/308 request body, and custom credential headers, to whatever
            /// host the server names — should disable `Referer`, and must not carry default
            /// headers with credentials: give those to `Client::with_credentials` where this API
            /// has any, so that each operation sends only what its spec requires.
            pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
                Self {
                    baseurl: baseurl.to_string(),
                    client,
                    inner: Default::default(),
                }
            }
        }

        impl progenitor_client::ClientHooks<Auth> for Client {
            /// Adds the credentials the operation's `security` requires, or fails before sending.
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                apilogin_runtime::hooks::pre(&self.inner, &self.client, request, info)
            }

            /// Sends the request, reading no more than [`MAX_RESPONSE_BYTES`] of the answer.
            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                apilogin_runtime::hooks::exec(&self.client, request).await
            }

            /// Refuses a body too large, or of a media type the spec does not list.
            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                info: &progenitor_client::OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                apilogin_runtime::hooks::post(result, info, expected_media_types)
            }
        }
    }
}
