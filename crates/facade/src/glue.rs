//! What the generated glue (`generated/clients.rs`) calls: a flow's request body into the
//! generated client's type, and any answer, documented or not, into an [`Answer`].

use progenitor_client::{Error as ApiError, ResponseValue};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::LoginError;
use crate::http::Call;
use crate::reads::Body;

/// A documented answer: status, headers and the body as the spec's type gave it.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
}

/// The flow's request fields as the operation's body type (the spec's constraints apply).
pub(crate) fn body<T: DeserializeOwned>(
    call: &Call<'_>,
    body: Option<Value>,
) -> Result<T, LoginError> {
    serde_json::from_value(body.unwrap_or(Value::Null)).map_err(|e| {
        call.unexpected(
            None,
            &format!(
                "the request could not be built from the credentials (line {}, column {}): check the user name and the other inputs",
                e.line(),
                e.column()
            ),
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
    let headers = rv.headers().clone();
    // A server error the flow does not describe is shown whole (scrubbed); otherwise only
    // what the flow reads is kept.
    let body = match call.reads {
        Some(reads) if !status.is_server_error() => reads.pick(&rv.into_inner()),
        _ => serde_json::to_value(rv.into_inner()).map(Body::Whole),
    }
    .map_err(|_| call.unexpected(Some(status), "an answer that cannot be read"))?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// An operation the generated glue does not have (a bug between regen and the facade).
pub(crate) fn no_operation(call: &Call<'_>, operation: &str) -> LoginError {
    call.unexpected(
        None,
        &format!("the generated glue has no operation `{operation}`: run `cargo xtask regen`"),
    )
}
