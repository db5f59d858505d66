//! Txty (SMS gateway, base `/api/4`): login, account view and key deletion.
//!
//! As the spec says, every endpoint takes its parameters from the query string (GET) or a form
//! body (POST), answers HTTP 200 whatever happens (the outcome is the body's `status`), and picks
//! JSON or XML from the path suffix. A missing parameter is refused like a wrong one. Issued keys
//! expire after the sandbox's token lifetime.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::accounts::{DEMO_PASSWORD, SECOND_FACTOR_CODE};
use crate::expiring::ExpiringMap;
use crate::limits::Lifetimes;
use crate::token::{ALNUM, random_string};

const BASE: &str = "/api/4";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Login,
    ViewAccount,
    DeleteKey,
}

const ENDPOINTS: [(Endpoint, &str); 3] = [
    (Endpoint::Login, "/user/newapikey/login"),
    (Endpoint::ViewAccount, "/view/user/api"),
    (Endpoint::DeleteKey, "/user/deleteapikey/api"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

struct Account {
    user: &'static str,
    name: &'static str,
    email: &'static str,
    credits: i64,
    two_factor: bool,
}

static ACCOUNTS: [Account; 2] = [
    Account {
        user: "demo",
        name: "Demo User",
        email: "demo@example.com",
        credits: 100,
        two_factor: false,
    },
    Account {
        user: "demo-2fa",
        name: "Demo Two-Factor User",
        email: "demo-2fa@example.com",
        credits: 50,
        two_factor: true,
    },
];

struct Txty {
    /// Issued API key -> owning user name; keys expire after the token lifetime.
    keys: Mutex<ExpiringMap<String, &'static str>>,
}

impl Txty {
    fn keys(&self) -> MutexGuard<'_, ExpiringMap<String, &'static str>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every route served (see [`Service::routes`](crate::Service::routes)): each endpoint with
/// both suffixes, by GET and by POST.
pub(crate) fn routes() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (_, path) in ENDPOINTS {
        for suffix in ["json", "xml"] {
            for method in ["GET", "POST"] {
                out.push((method, format!("{BASE}{path}.{suffix}")));
            }
        }
    }
    out
}

pub(crate) fn router(lifetimes: Lifetimes) -> Router {
    let state = Arc::new(Txty {
        keys: Mutex::new(ExpiringMap::new(lifetimes.token)),
    });
    let mut router = Router::new();
    for (method, path) in routes() {
        let handler = match method {
            "GET" => get(handle),
            _ => axum::routing::post(handle),
        };
        router = router.route(&path, handler);
    }
    router
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not Found") })
        .with_state(state)
}

/// A response tree that keeps key order (for readable XML).
enum Node {
    Str(String),
    Int(i64),
    Obj(Vec<(&'static str, Node)>),
}

fn s(v: impl Into<String>) -> Node {
    Node::Str(v.into())
}

impl Node {
    fn to_json(&self) -> Value {
        match self {
            Node::Str(v) => Value::String(v.clone()),
            Node::Int(v) => Value::from(*v),
            Node::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    fn write_xml(&self, out: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        match self {
            Node::Str(v) => out.write_event(Event::Text(BytesText::new(v))),
            Node::Int(v) => out.write_event(Event::Text(BytesText::new(&v.to_string()))),
            Node::Obj(fields) => {
                for (k, v) in fields {
                    out.write_event(Event::Start(BytesStart::new(*k)))?;
                    v.write_xml(out)?;
                    out.write_event(Event::End(BytesEnd::new(*k)))?;
                }
                Ok(())
            }
        }
    }
}

/// `body` as `<?xml …?><response>…</response>`.
fn xml(body: &Node) -> std::io::Result<Vec<u8>> {
    let mut out = Writer::new(Vec::new());
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.write_event(Event::Start(BytesStart::new("response")))?;
    body.write_xml(&mut out)?;
    out.write_event(Event::End(BytesEnd::new("response")))?;
    Ok(out.into_inner())
}

fn render(format: Format, body: Node) -> Response {
    match format {
        Format::Json => axum::Json(body.to_json()).into_response(),
        Format::Xml => match xml(&body) {
            Ok(xml) => ([(header::CONTENT_TYPE, "application/xml")], xml).into_response(),
            Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    }
}

fn error(code: &str) -> Node {
    Node::Obj(vec![("status", s("error")), ("error", s(code))])
}

/// The parameters, as the spec places them: the query string of a GET, the form body of a POST
/// (a later duplicate wins, as in PHP). A POST body that is not a form counts as empty.
fn params(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    if method == Method::GET {
        return uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
    }
    let form_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if form_body {
        form_urlencoded::parse(body).into_owned().collect()
    } else {
        HashMap::new()
    }
}

async fn handle(
    State(st): State<Arc<Txty>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // An unreadable or over-large (> 2 MiB) body counts as empty: the service's own error.
    let body = body.unwrap_or_default();
    let path = uri.path().strip_prefix(BASE).unwrap_or_default();
    let (stem, format) = match path.rsplit_once('.') {
        Some((stem, "xml")) => (stem, Format::Xml),
        Some((stem, _)) => (stem, Format::Json),
        None => (path, Format::Json),
    };
    let Some(endpoint) = ENDPOINTS.iter().find(|(_, p)| *p == stem).map(|(e, _)| *e) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    let p = params(&method, &uri, &headers, &body);
    let get = |k: &str| p.get(k).map(String::as_str);
    let answer = match endpoint {
        Endpoint::Login => st.login(get("user"), get("pass"), get("description"), get("tfkey")),
        Endpoint::ViewAccount => st.view(get("user").unwrap_or_default(), get("key")),
        Endpoint::DeleteKey => {
            st.delete(get("user").unwrap_or_default(), get("key"), get("apikey"))
        }
    };
    render(format, answer)
}

impl Txty {
    fn login(
        &self,
        user: Option<&str>,
        pass: Option<&str>,
        description: Option<&str>,
        tfkey: Option<&str>,
    ) -> Node {
        let (user, pass, tfkey) = (
            user.unwrap_or_default(),
            pass.unwrap_or_default(),
            tfkey.unwrap_or_default(),
        );
        // Every required parameter must be there (an empty `description` is fine).
        let account = ACCOUNTS
            .iter()
            .find(|a| a.user == user && pass == DEMO_PASSWORD)
            .filter(|_| description.is_some());
        let accepted = match account {
            Some(a) if a.two_factor && tfkey.is_empty() => {
                tracing::info!(service = "txty", user, "login needs a two-factor code");
                return Node::Obj(vec![("status", s("success")), ("success", s("ADDED_TF"))]);
            }
            Some(a) if a.two_factor => tfkey == SECOND_FACTOR_CODE,
            Some(_) => true,
            None => false,
        };
        match account {
            Some(a) if accepted => {
                let key = random_string(10, ALNUM);
                self.keys().insert(Instant::now(), key.clone(), a.user);
                tracing::info!(service = "txty", user, "login succeeded, key added");
                Node::Obj(vec![
                    ("status", s("success")),
                    ("success", s("ADDED_KEY")),
                    (
                        "newapikey",
                        Node::Obj(vec![("controlapikey", Node::Int(0)), ("key", s(key))]),
                    ),
                ])
            }
            _ => {
                tracing::info!(service = "txty", "login refused");
                // The real server echoes what was submitted, password included.
                Node::Obj(vec![
                    ("status", s("error")),
                    ("error", s("USER_NOT_FOUND")),
                    (
                        "login",
                        Node::Obj(vec![("user", s(user)), ("pass", s(pass))]),
                    ),
                ])
            }
        }
    }

    /// The account owning a valid `user` + `key` pair.
    fn authenticate(&self, user: &str, key: Option<&str>) -> Option<&'static Account> {
        let owner = *self.keys().get(Instant::now(), &key?.to_owned())?;
        (owner == user)
            .then(|| ACCOUNTS.iter().find(|a| a.user == owner))
            .flatten()
    }

    fn view(&self, user: &str, key: Option<&str>) -> Node {
        let Some(a) = self.authenticate(user, key) else {
            return error("INVALID_APIKEY");
        };
        Node::Obj(vec![
            ("status", s("success")),
            (
                "user",
                Node::Obj(vec![
                    ("user", s(a.user)),
                    ("name", s(a.name)),
                    ("email", s(a.email)),
                    ("credits", Node::Int(a.credits)),
                ]),
            ),
        ])
    }

    fn delete(&self, user: &str, key: Option<&str>, apikey: Option<&str>) -> Node {
        if self.authenticate(user, key).is_none() {
            return error("INVALID_APIKEY");
        }
        let now = Instant::now();
        let mut keys = self.keys();
        let Some(apikey) = apikey.map(str::to_owned) else {
            return error("APIKEY_NOT_FOUND");
        };
        if keys.get(now, &apikey).is_none_or(|owner| *owner != user) {
            return error("APIKEY_NOT_FOUND");
        }
        keys.remove(now, &apikey);
        tracing::info!(service = "txty", user, "API key deleted");
        Node::Obj(vec![
            ("status", s("success")),
            ("success", s("DELETE_APIKEY")),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_answers_escape_text_and_keep_member_order() {
        let body = Node::Obj(vec![
            ("status", s("error")),
            ("note", s(r#"<a href="x">&'</a>"#)),
            ("count", Node::Int(-3)),
        ]);
        let xml = String::from_utf8(xml(&body).expect("writes")).expect("UTF-8");
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?><response><status>error</status><note>&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;</note><count>-3</count></response>"#
        );
    }
}
