//! What the command prints: server-supplied text made harmless for a terminal, and sessions
//! shown without their secrets unless the user asks.

use std::borrow::Cow;
use std::fmt::Write as _;

use apilogin::{ServiceKind, Session};

/// `text` with every character that can steer a terminal written out as `\u{…}` (the one
/// rule, in `apilogin-redact`).
pub fn clean(text: &str) -> Cow<'_, str> {
    apilogin_redact::terminal_safe(text)
}

fn is_unsafe(c: char) -> bool {
    apilogin_redact::is_terminal_unsafe(c)
}

/// JSON for a terminal: serde_json already escapes C0 controls inside strings; the other
/// unsafe characters (DEL, C1, bidi) are escaped here as `\uXXXX`, which is the same JSON
/// value. They can only occur inside strings, so the layout is untouched.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && !matches!(c, '\n') {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// Names of the members of a session of `kind` that hold secrets, from its spec: the token, and
/// every detail the spec makes secret. (`Session` serializes them in the clear, because a stored
/// session must round-trip; its details are members of the top level.)
pub fn secret_members(kind: ServiceKind) -> impl Iterator<Item = &'static str> {
    std::iter::once("token").chain(kind.details().iter().filter(|d| d.secret).map(|d| d.name))
}

/// The session as JSON: complete (what `verify --session` and `logout --session` read) when
/// `show_secrets`, else without the token and the secret details.
pub fn session_json(session: &Session, show_secrets: bool) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(session)?;
    if !show_secrets {
        let Some(map) = value.as_object_mut() else {
            anyhow::bail!("a session that is not a JSON object");
        };
        for name in secret_members(session.kind()) {
            map.remove(name);
        }
        // An OAuth session's refresh token.
        if let Some(oauth) = map.get_mut("oauth").and_then(|o| o.as_object_mut()) {
            oauth.remove("refresh_token");
        }
    }
    Ok(value)
}

/// One line about who is logged in where, cleaned for the terminal.
pub fn who(session: &Session) -> String {
    let user = session.user();
    let mut line = format!(
        "{} as {}",
        clean(&session.service().to_string()),
        clean(&user.to_string())
    );
    if let Some(id) = &user.user_id {
        let _ = write!(line, ", user id {}", clean(id));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored session of `kind` with every detail its spec lists, each with a value that
    /// names it (`secret-value-service_authhash`), as `Session` reads it back.
    fn session_of(kind: ServiceKind) -> Session {
        let mut json = serde_json::json!({
            "service": kind.id(),
            "base_url": "https://example.com",
            "user": {"username": "alice", "user_id": "u-1"},
            "token": "secret-value-token",
        });
        for d in kind.details() {
            json[d.name] = match d.kind {
                "integer" => serde_json::json!(42),
                _ => serde_json::json!(format!("secret-value-{}", d.name)),
            };
        }
        serde_json::from_value(json).expect("a session of every service reads back")
    }

    /// For every service of the specs: without --show-token, no member the spec makes secret is
    /// printed, and everything else is.
    #[test]
    fn every_secret_the_spec_names_is_left_out() {
        let mut secret_details = 0;
        for kind in ServiceKind::ALL {
            let session = session_of(kind);
            let full = session_json(&session, true).unwrap();
            let public = session_json(&session, false).unwrap();
            let text = json(&public).unwrap();
            assert!(!text.contains("secret-value-token"), "{text}");
            assert_eq!(full["token"], "secret-value-token");
            for d in kind.details() {
                let value = format!("secret-value-{}", d.name);
                if d.secret {
                    secret_details += 1;
                    assert_eq!(full[d.name], value.as_str(), "{kind}");
                    assert!(!text.contains(&value), "{kind}: {text}");
                } else {
                    assert_eq!(public[d.name], full[d.name], "{kind}: {text}");
                }
            }
            assert_eq!(public["user"], full["user"]);
            assert_eq!(public["service"], kind.id());
        }
        assert!(
            secret_details >= 2,
            "remote.it's two secret details at least"
        );
    }

    /// An OAuth session's refresh token is a secret too; its client id is not.
    #[test]
    fn the_refresh_token_is_left_out() {
        let kind = ServiceKind::ALL
            .into_iter()
            .find(|k| k.uses_oauth())
            .expect("a service that logs in with OAuth");
        let mut stored = serde_json::to_value(session_of(kind)).unwrap();
        stored["oauth"] =
            serde_json::json!({"client_id": "cli", "refresh_token": "secret-value-refresh"});
        let session: Session = serde_json::from_value(stored).unwrap();
        let full = session_json(&session, true).unwrap();
        assert_eq!(full["oauth"]["refresh_token"], "secret-value-refresh");
        let public = json(&session_json(&session, false).unwrap()).unwrap();
        assert!(!public.contains("secret-value"), "{public}");
        assert!(public.contains("\"client_id\": \"cli\""), "{public}");
        assert!(!format!("{session:?}").contains("secret-value"));
    }

    #[test]
    fn json_escapes_what_steers_a_terminal() {
        let j = json(&serde_json::json!({"name": "x\u{1b}[2J\u{9b}\u{7f}\u{202e}y"})).unwrap();
        assert!(!j.chars().any(|c| is_unsafe(c) && c != '\n'), "{j}");
        let back: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back["name"], "x\u{1b}[2J\u{9b}\u{7f}\u{202e}y");
    }
}
