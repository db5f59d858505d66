//! What the generated glue (`generated/clients.rs`) calls: a flow's request body into the
//! generated client's type, and any answer, documented or not, into an [`Answer`].

use std::convert::Infallible;

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde::de::IntoDeserializer;
use serde::de::value::{BorrowedStrDeserializer, MapDeserializer};
use serde_json::{Map, Value};

use crate::error::LoginError;
use crate::http::Call;
use crate::reads::Body;

/// A documented answer: status, headers and the body as the spec's type gave it, read where
/// the flow reads it (the client's response, its headers not copied).
pub(crate) struct Answer(ResponseValue<Body>);

impl Answer {
    #[cfg(test)]
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Body) -> Answer {
        Answer(ResponseValue::new(body, status, headers))
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.0.status()
    }

    pub(crate) fn headers(&self) -> &HeaderMap {
        self.0.headers()
    }

    pub(crate) fn body(&self) -> &Body {
        &self.0
    }
}

/// A step's request fields by name, as JSON values of their schema types, in the step's order.
pub(crate) type Fields<'a> = Vec<(&'a str, Value)>;

/// The flow's request fields as the operation's body type (the spec's constraints apply),
/// read straight from `fields`: no JSON object is built, and field names and text values are
/// lent, not copied, to serde (which buffers a `oneOf` body to try its variants).
pub(crate) fn body<T: DeserializeOwned>(
    call: &Call<'_>,
    fields: Option<Fields<'_>>,
) -> Result<T, LoginError> {
    let typed = match &fields {
        Some(fields) => T::deserialize(MapDeserializer::new(
            fields
                .iter()
                .map(|(name, value)| (BorrowedStrDeserializer::new(name), value)),
        )),
        None => T::deserialize(().into_deserializer()),
    };
    // serde's message may quote a value, a password perhaps: it is not shown.
    typed.map_err(|_: serde_json::Error| {
        call.unexpected(
            None,
            "the request could not be built from the credentials: check the user name and the other inputs",
        )
    })
}

/// Parameter `name` (as the spec names it) of the flow's `params`, as the type the generated
/// glue hands the client's builder (`String`, `i64`, `f64` or `bool`); `None` when the step gave
/// it no value (an optional parameter is then not sent).
#[allow(
    dead_code,
    reason = "called by the generated glue only where a spec's step fills parameters"
)]
pub(crate) fn param<T: DeserializeOwned>(
    call: &Call<'_>,
    params: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, LoginError> {
    let Some(value) = params.get(name) else {
        return Ok(None);
    };
    T::deserialize(value).map(Some).map_err(|_| {
        call.unexpected(
            None,
            &format!(
                "the parameter `{name}` does not have the type the generated glue sends: run `cargo xtask regen`"
            ),
        )
    })
}

/// The answer of a generated client's call: documented answers (success or error) become an
/// [`Answer`]; everything else is mapped by [`Call::fail`]. A client's error is taken apart
/// into progenitor's (its `kind`): the facade scrubs what it shows with its own secrets.
pub(crate) async fn answer<T: Serialize, E: Serialize>(
    call: &Call<'_>,
    result: Result<ResponseValue<T>, impl Into<ApiError<E>>>,
) -> Result<Answer, LoginError> {
    match result {
        Ok(rv) => of(call, rv),
        Err(e) => call.fail(e.into(), |rv| of(call, rv)).await,
    }
}

fn of<T: Serialize>(call: &Call<'_>, rv: ResponseValue<T>) -> Result<Answer, LoginError> {
    let status = rv.status();
    // A server error the flow does not describe is shown whole (scrubbed); otherwise only
    // what the flow reads is kept.
    let body = match call.reads {
        Some(reads) if !status.is_server_error() => reads.pick(&*rv),
        _ => serde_json::to_value(&*rv).map(Body::Whole),
    }
    .map_err(|_| call.unexpected(Some(status), "an answer that cannot be read"))?;
    // `map` keeps the response's headers without copying them (it is hidden from progenitor's
    // docs, but public; progenitor is pinned to one version in the workspace).
    let answer: Result<_, Infallible> = rv.map(|_| body);
    Ok(Answer(answer.unwrap_or_else(|never| match never {})))
}

/// An operation the generated glue does not have (a bug between regen and the facade).
pub(crate) fn no_operation(call: &Call<'_>, operation: &str) -> LoginError {
    call.unexpected(
        None,
        &format!("the generated glue has no operation `{operation}`: run `cargo xtask regen`"),
    )
}
