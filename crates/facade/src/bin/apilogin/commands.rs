//! The subcommands.

use std::io::{Read as _, Write as _};
use std::path::Path;

use anyhow::Context as _;
use apilogin::{
    Client, Credentials, LoginError, LoginOutcome, Options, Service, ServiceKind, Session,
};

use crate::cli::{
    Field, LoginArgs, LogoutArgs, SessionInput, StatusArgs, SwitchArgs, TokenArgs, VerifyArgs,
    Which, input_flags,
};
use crate::failure::{CliFailure, login_exit_code, other, usage};
use crate::input::{env_name, env_value, interactive, plain, secret, stdin_line};
use crate::output::{self, clean, who};
use apilogin::store::{
    Choices, Entry, Preference, Selector, Storage, Store, StoreError, StoreOptions,
};

/// The base URL as the library normalises it, so that it matches the stored ones.
fn normalise_url(kind: ServiceKind, url: &str) -> anyhow::Result<String> {
    let service = Service::new(kind, Some(url)).map_err(LoginError::from)?;
    Ok(service.base_url().to_owned())
}

pub async fn login(args: LoginArgs, options: Options) -> anyhow::Result<()> {
    let kind = ServiceKind::from(args.service);
    // An input flag of another service is a mistake, not something to ignore silently.
    let flags = input_flags();
    for long in args.inputs.keys() {
        let flag = flags.iter().find(|f| f.long == *long);
        if !flag.is_some_and(|f| f.serves.iter().any(|(k, _)| *k == kind)) {
            let of: Vec<&str> = flag
                .into_iter()
                .flat_map(|f| f.serves.iter().map(|(k, _)| k.name()))
                .collect();
            return Err(usage(format!(
                "{kind} takes no --{long} (it is an input of {})",
                of.join(", ")
            )));
        }
    }
    if !kind.uses_oauth() && (args.device || args.client_id.is_some()) {
        return Err(usage(format!(
            "{kind} logs in with a password: --device and --client-id are for services that log in with OAuth"
        )));
    }
    if args.code.is_some() {
        return Err(usage(format!(
            "--code is not accepted: a code on the command line is visible to other users in the process list; set {}, pipe the code in, or type it at the prompt",
            env_name(kind, "CODE")
        )));
    }
    let preference = if args.insecure_storage {
        Preference::File
    } else {
        Preference::from_env()?
    };
    let out = args_out(&args);
    // An output file that is a link is refused before anything is asked or sent.
    if let Some(problem) = out
        .output
        .as_deref()
        .and_then(apilogin::store::output_problem)
    {
        return Err(usage(format!("--output: {}", clean(&problem))));
    }
    // Read the store first: a store that cannot be read stops the login before anything is
    // asked or sent, and is never overwritten.
    let mut store = if args.no_store {
        None
    } else {
        Some(StoreOptions::new().preference(preference).open()?)
    };

    let url = args.url.or_else(|| env_value(&env_name(kind, "URL")));
    let user = args.user.or_else(|| env_value(&env_name(kind, "USERNAME")));
    // Without --url, the server of the stored session (of this account, else the latest) is
    // the default, for every service; then the service's public server, if it has one.
    let (url, url_from_store) = match (url, &store) {
        (None, Some(store)) => {
            let stored = store
                .find(kind, None, user.as_deref())
                .map(|e| e.base_url().to_owned())
                .filter(|stored| {
                    kind.default_base_url()
                        .and_then(|d| normalise_url(kind, d).ok())
                        .is_none_or(|public| *stored != public)
                });
            let found = stored.is_some();
            (stored, found)
        }
        (url, _) => (url, false),
    };
    if kind.default_base_url().is_none() && url.is_none() {
        return Err(usage(format!(
            "{kind} is self-hosted: pass --url or set {}",
            env_name(kind, "URL")
        )));
    }
    // As a `LoginError`, so that the exit code is the one of configuration problems.
    let service = Service::new(kind, url.as_deref()).map_err(LoginError::from)?;
    // As `--help` says: the account defaults to that of the stored session of this server.
    let user = user.or_else(|| {
        store
            .as_ref()?
            .find(kind, Some(service.base_url()), None)
            .map(|e| e.account().to_owned())
    });
    // Check the URL before asking for anything.
    let client = Client::with_options(service.clone(), options.clone())?;
    // A server nobody named on this command line: say where the secrets go before any is
    // asked for or sent (the store may have been changed outside apilogin).
    if url_from_store {
        eprintln!(
            "Logging in to {kind} at {}, the server of the stored session (--url or {} chooses another).",
            clean(service.base_url()),
            env_name(kind, "URL")
        );
    }

    // A token the user already has: checked with the server, stored under its owner.
    if args.with_token {
        let token = crate::input::token(&format!("{kind} token"))?;
        let user_id = args
            .user_id
            .or_else(|| env_value(&env_name(kind, "USER_ID")));
        let session = client
            .session_from_token(&token, user_id.as_deref())
            .await?;
        let account = session.user().username.clone();
        if let Some(store) = &store {
            store.check_replaceable(kind, service.base_url(), &account)?;
        }
        eprintln!("The server accepted the token.");
        return finish(&out, store.as_mut(), &account, &session);
    }

    // A service that logs in with OAuth: a stored session is renewed with its refresh token,
    // else the browser or the device grant.
    if kind.uses_oauth() && !args.with_token {
        let how = OAuthArgs {
            fresh: args.fresh,
            device: args.device,
            client_id: args.client_id.clone(),
            user: user.clone(),
        };
        return oauth_login(&how, &out, store.as_mut(), &client, options).await;
    }

    // A stored session that cannot be read is not replaced: say so before asking anything.
    if let (Some(store), Some(user)) = (&store, &user) {
        store.check_replaceable(kind, service.base_url(), user)?;
    }

    // A stored session that can log in again without the password.
    let reusable = match &store {
        Some(store) if !args.fresh && kind.supports_relogin() => store
            .find(kind, Some(service.base_url()), user.as_deref())
            .cloned(),
        _ => None,
    };
    if let (Some(entry), Some(store)) = (reusable, store.as_mut()) {
        let stored = store.load(&entry)?.with_options(options.clone());
        match stored.relogin().await {
            Ok(session) => {
                eprintln!(
                    "Logged in again with the stored session, without the password (--fresh asks for it)."
                );
                return finish(&out, Some(store), entry.account(), &session);
            }
            Err(e @ (LoginError::SessionRejected { .. } | LoginError::BadCredentials { .. })) => {
                eprintln!(
                    "The stored session of {} is no longer accepted ({}); logging in with the password.",
                    clean(entry.account()),
                    clean(&e.to_string())
                );
            }
            Err(e) => return Err(e.into()),
        }
    }

    let user = match user {
        Some(u) => u,
        None => plain(
            None,
            "--user",
            &env_name(kind, "USERNAME"),
            &format!("{kind} user"),
        )?,
    };
    let password = secret(&env_name(kind, "PASSWORD"), &format!("{kind} password"))?;
    let mut credentials = Credentials::new(user.clone(), password);
    // The service's inputs, from its spec: a non-secret one from its flag, else its variable
    // (else a prompt, if the login needs it); a secret one from its variable or a prompt
    // without echo, never from a flag.
    for input in kind.inputs() {
        let env = env_name(kind, &input.env_suffix());
        let label = format!("{kind} {}", input.label);
        let value = if input.secret {
            match env_value(&env) {
                Some(v) => Some(v),
                None if input.required => Some(secret(&env, &label)?),
                None => None,
            }
        } else {
            let flag = flags.iter().find(|f| f.sets(kind, input));
            let given = flag.and_then(|f| args.inputs.get(f.long).cloned());
            match given.or_else(|| env_value(&env)) {
                Some(v) => Some(v),
                None if input.required => Some(plain(
                    None,
                    &flag.map_or_else(|| env.clone(), |f| format!("--{}", f.long)),
                    &env,
                    &label,
                )?),
                None => None,
            }
        };
        if let Some(v) = value {
            credentials = credentials.input(input.name, v);
        }
    }
    // Values the spec makes once per install (a device id): the server sees the same one as
    // last time, from the stored session of this server (this account's, else the latest).
    if !kind.generated().is_empty()
        && let Some(store) = &store
        && let Some(previous) = store
            .find(kind, Some(service.base_url()), Some(&user))
            .or_else(|| store.find(kind, Some(service.base_url()), None))
        && let Ok(previous) = store.load(previous)
    {
        credentials = credentials.generated_from(&previous);
    }

    let session = match client.login(&credentials).await? {
        LoginOutcome::LoggedIn(session) => session,
        LoginOutcome::SecondFactor(challenge) => {
            let code_env = env_name(kind, "CODE");
            if let Some(code) = env_value(&code_env) {
                challenge.answer(&code).await?
            } else if interactive() {
                let mut attempt = 1;
                loop {
                    let code = rpassword::prompt_password(format!(
                        "{kind} second factor, {}: ",
                        challenge.method().prompt()
                    ))
                    .context("cannot read the second-factor code")?;
                    match challenge.answer(&code).await {
                        Ok(session) => break session,
                        Err(e @ LoginError::SecondFactorInvalid { .. }) if attempt < 3 => {
                            eprintln!("{}", clean(&e.to_string()));
                            attempt += 1;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            } else if let Some(code) = stdin_line()? {
                challenge.answer(&code).await?
            } else {
                return Err(CliFailure::NeedCode(format!(
                    "{}: set {code_env} or pipe the code in on standard input",
                    clean(&challenge.to_string())
                ))
                .into());
            }
        }
    };
    finish(&out, store.as_mut(), &user, &session)
}

/// `login` of a service whose spec says `x-apilogin.oauth`: the stored session renewed with
/// its refresh token (unless --fresh), else the browser flow (the URL printed on standard
/// error, and opened in a browser where there is one) or, with --device (or by the spec's
/// default), the device grant.
/// What `login` of an OAuth service takes from its arguments.
struct OAuthArgs {
    fresh: bool,
    device: bool,
    client_id: Option<String>,
    /// The account of the stored session to renew (--user), else the latest.
    user: Option<String>,
}

async fn oauth_login(
    args: &OAuthArgs,
    out: &LoginOutput,
    mut store: Option<&mut Store>,
    client: &Client,
    options: Options,
) -> anyhow::Result<()> {
    let kind = client.service().kind();
    let base_url = client.service().base_url().to_owned();
    let stored = match &store {
        Some(store) if !args.fresh => store
            .find(kind, Some(&base_url), args.user.as_deref())
            .cloned(),
        _ => None,
    };
    if let (Some(entry), Some(store)) = (stored, store.as_deref_mut()) {
        let session = store.load(&entry)?.with_options(options.clone());
        if session.can_renew() {
            match session.relogin().await {
                Ok(session) => {
                    eprintln!(
                        "Logged in again with the stored session's refresh token (--fresh logs in anew)."
                    );
                    return finish(out, Some(store), entry.account(), &session);
                }
                Err(e @ LoginError::SessionRejected { .. }) => eprintln!(
                    "The stored session of {} can no longer be renewed ({}); logging in anew.",
                    clean(entry.account()),
                    clean(&e.to_string())
                ),
                Err(e) => return Err(e.into()),
            }
        }
    }
    let client_id = args
        .client_id
        .clone()
        .or_else(|| env_value(&env_name(kind, "CLIENT_ID")));
    let device = args.device || kind.oauth().is_some_and(|o| o.device_by_default);
    let session = if device {
        client
            .login_with_device(client_id.as_deref(), |code| {
                let page = code
                    .verification_uri_complete
                    .as_ref()
                    .unwrap_or(&code.verification_uri);
                eprintln!(
                    "To log in to {kind}, open {} on any device and enter the code {} (it expires in {} minutes).",
                    clean(code.verification_uri.as_str()),
                    clean(&code.user_code),
                    code.expires_in.as_secs().div_ceil(60)
                );
                if page != &code.verification_uri {
                    eprintln!("Or open {} (the code filled in).", clean(page.as_str()));
                }
                eprintln!("Waiting for the approval...");
            })
            .await?
    } else {
        client
            .login_with_browser(client_id.as_deref(), |url| {
                eprintln!(
                    "To log in to {kind}, open this page in a browser:\n  {}",
                    clean(url.as_str())
                );
                crate::input::open_browser(url.as_str());
                eprintln!("Waiting for the browser to come back...");
            })
            .await?
    };
    let account = session.user().username.clone();
    if let Some(store) = &store {
        store.check_replaceable(kind, &base_url, &account)?;
    }
    finish(out, store, &account, &session)
}

/// What `login` prints and writes, from its arguments.
struct LoginOutput {
    json: bool,
    show_token: bool,
    output: Option<std::path::PathBuf>,
}

fn args_out(args: &LoginArgs) -> LoginOutput {
    LoginOutput {
        json: args.json,
        show_token: args.show_token,
        output: args.output.clone(),
    }
}

/// Stores the session, writes `--output`, and prints what happened.
fn finish(
    out: &LoginOutput,
    store: Option<&mut Store>,
    account: &str,
    session: &Session,
) -> anyhow::Result<()> {
    let stored = match store {
        Some(store) => {
            // A notice (no keyring) goes to standard error, from the store.
            let storage = store.save_as(account, session)?;
            Some(match storage {
                Storage::Keyring => "the OS keyring".to_owned(),
                Storage::File => store.index_path().display().to_string(),
            })
        }
        None => None,
    };
    if let Some(path) = &out.output {
        let json = serde_json::to_string_pretty(session)?;
        apilogin::store::write_private_file(path, &(json + "\n"))?;
    }
    let mut stdout = std::io::stdout().lock();
    if out.json {
        let value = output::session_json(session, out.show_token)?;
        writeln!(stdout, "{}", output::json(&value)?)?;
    } else {
        writeln!(stdout, "Logged in to {}.", who(session))?;
        match &stored {
            Some(place) => writeln!(
                stdout,
                "Session stored in {place}: see `apilogin status`; `apilogin token {}` prints the token.",
                session.kind().id()
            )?,
            None => writeln!(stdout, "Session not stored (--no-store).")?,
        }
    }
    stdout.flush()?;
    Ok(())
}

/// The stored session `which` names (see [`Store::entry`]); a server that is not a base URL is
/// the library's configuration error, as everywhere else in the command.
fn find<'a>(store: &'a Store, kind: ServiceKind, which: &Which) -> anyhow::Result<&'a Entry> {
    let mut selector = Selector::default();
    if let Some(url) = &which.url {
        selector = selector.server(url);
    }
    if let Some(user) = &which.user {
        selector = selector.user(user);
    }
    store.entry(kind, &selector).map_err(|e| match e {
        StoreError::Config(c) => LoginError::from(c).into(),
        e => e.into(),
    })
}

pub async fn token(args: TokenArgs, options: Options) -> anyhow::Result<()> {
    let kind = ServiceKind::from(args.service);
    // A field the service does not have is a usage error, before the store is read.
    crate::cli::field(kind, &args.field).ok_or_else(|| unknown_field(kind, &args.field))?;
    let store = StoreOptions::new().session_options(options).open()?;
    let entry = find(&store, kind, &args.which)?;
    // An expired session is renewed first where the service can (once for every process).
    let session = store.session_of(entry).await?;
    let value = match field_value(&session, &args.field)? {
        Some(v) => v,
        None => {
            return Err(other(format!(
                "the stored {} session has no {} (the server gave none)",
                kind.name(),
                clean(&args.field)
            )));
        }
    };
    // Printed as is (that is the point), but never with characters that would steer the
    // terminal: no real token has any.
    if value.is_empty() || value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(other(format!(
            "the stored value is empty or holds control characters; it was not printed (stored in {})",
            store.location(entry)
        )));
    }
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{value}")?;
    stdout.flush()?;
    Ok(())
}

/// The usage error of a field `kind` does not have, listing the ones it has.
fn unknown_field(kind: ServiceKind, field: &str) -> anyhow::Error {
    let names: Vec<String> = crate::cli::fields(kind)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    usage(format!(
        "{} sessions have no field {:?}: they have {}",
        kind.name(),
        clean(field),
        names.join(", ")
    ))
}

/// The value of field `name` of `session` (`None`: the session has none).
fn field_value(session: &Session, name: &str) -> anyhow::Result<Option<String>> {
    let kind = session.kind();
    let field = crate::cli::field(kind, name).ok_or_else(|| unknown_field(kind, name))?;
    Ok(match field {
        Field::Token => Some(session.token().expose_secret().to_owned()),
        Field::UserId => session.user().user_id.clone(),
        // The details are members of the session's JSON, by their names in the spec.
        Field::Detail { name, .. } => match serde_json::to_value(session)?.get(name) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        },
    })
}

/// A session's state, as `status` reports it.
#[derive(serde::Serialize)]
struct StatusRow {
    service: String,
    base_url: String,
    account: String,
    default: bool,
    storage: Storage,
    location: String,
    /// `valid`, `rejected`, `unchecked`, `unreadable`, `error`.
    state: &'static str,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<apilogin::Identity>,
    /// When the token stops working (seconds since the Unix epoch), where the service says.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
}

/// "expires in 3 days", "expired", in the largest whole unit.
fn expiry_words(at: std::time::SystemTime) -> String {
    let Ok(left) = at.duration_since(std::time::SystemTime::now()) else {
        return "expired: log in again".to_owned();
    };
    let secs = left.as_secs();
    let (n, unit) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hours"),
        s if s >= 2 * 60 => (s / 60, "minutes"),
        s => (s, "seconds"),
    };
    format!("expires in {n} {unit}")
}

pub async fn status(args: StatusArgs, options: Options) -> anyhow::Result<()> {
    let store = Store::open()?;
    let only = args.service.map(ServiceKind::from);
    let mut rows = Vec::new();
    // The first check that could not be made (not a refusal): its exit code is status's.
    let mut unchecked: Option<apilogin::LoginError> = None;
    for entry in store.entries() {
        let kind = entry.kind();
        if only.is_some_and(|k| Some(k) != kind) {
            continue;
        }
        let mut row = StatusRow {
            service: entry.service().to_owned(),
            base_url: entry.base_url().to_owned(),
            account: entry.account().to_owned(),
            default: store.is_default(entry),
            storage: entry.storage(),
            location: store.location(entry),
            state: "unchecked",
            detail: String::new(),
            user: None,
            expires_at: None,
        };
        match store.load(entry) {
            Err(e) => {
                row.state = "unreadable";
                row.detail = e.to_string();
            }
            Ok(session) => {
                row.user = Some(session.user().clone());
                row.expires_at = session
                    .expires_at()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_secs());
                if args.offline {
                    row.detail = "not checked (--offline)".to_owned();
                } else if !session.kind().supports_verify() {
                    row.detail = format!(
                        "not checked ({} has no call that checks a session)",
                        session.kind().name()
                    );
                } else {
                    match session.with_options(options.clone()).verify().await {
                        Ok(me) => {
                            row.state = "valid";
                            row.detail = "checked with the server".to_owned();
                            row.user = Some(me);
                        }
                        Err(e) => {
                            row.detail = e.to_string();
                            if login_exit_code(&e) == 3 {
                                row.state = "rejected";
                            } else {
                                row.state = "error";
                                unchecked.get_or_insert(e);
                            }
                        }
                    }
                }
            }
        }
        rows.push(row);
    }

    // What the rows mean for the exit code.
    let failure = if rows.is_empty() {
        Some(other(match only {
            Some(k) => format!(
                "not logged in to {}: run `apilogin login {}`",
                k.name(),
                k.id()
            ),
            None => "not logged in to any service: run `apilogin login <service>`".to_owned(),
        }))
    } else if rows.iter().any(|r| r.state == "unreadable") {
        Some(other("a stored session cannot be read (see above)"))
    } else if rows.iter().any(|r| r.state == "rejected") {
        Some(
            CliFailure::Refused("a stored session is no longer accepted: log in again".to_owned())
                .into(),
        )
    } else {
        // As `gh auth status`: a session that could not be checked is a failure too (its
        // own exit code: transport, server, …); `--offline` checks nothing.
        unchecked.map(anyhow::Error::from)
    };

    let mut stdout = std::io::stdout().lock();
    if args.json {
        // One object: the sessions, and the error when the exit code is not 0.
        let mut value = serde_json::json!({ "sessions": rows });
        if let Some(e) = &failure {
            value["error"] = crate::failure::json_error(e, only)["error"].take();
        }
        writeln!(stdout, "{}", output::json(&value)?)?;
    } else {
        for row in &rows {
            let name = row
                .service
                .parse::<ServiceKind>()
                .map(|k| k.name().to_owned())
                .unwrap_or_else(|_| row.service.clone());
            writeln!(stdout, "{} ({})", clean(&name), clean(&row.base_url))?;
            let mark = match row.state {
                "valid" => "✓",
                "unchecked" => "-",
                _ => "X",
            };
            // The account as given at login, and who the server says it is when that adds
            // anything.
            let who = match &row.user {
                Some(u) if u.username == row.account => clean(&u.to_string()).into_owned(),
                Some(u) => format!("{} ({})", clean(&row.account), clean(&u.to_string())),
                None => clean(&row.account).into_owned(),
            };
            let default = if row.default { " (default)" } else { "" };
            writeln!(stdout, "  {mark} Logged in as {who}{default}")?;
            writeln!(stdout, "  - Stored in {}", clean(&row.location))?;
            let state = match row.state {
                "valid" => "valid, checked with the server".to_owned(),
                "unchecked" => clean(&row.detail).into_owned(),
                "rejected" => format!("rejected: {}", clean(&row.detail)),
                "unreadable" => format!("unreadable: {}", clean(&row.detail)),
                _ => format!("could not check: {}", clean(&row.detail)),
            };
            writeln!(stdout, "  - Session: {state}")?;
            if let Some(at) = row.expires_at {
                let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(at);
                writeln!(stdout, "  - Token: {}", expiry_words(at))?;
            }
        }
    }
    stdout.flush()?;
    drop(stdout);
    match failure {
        Some(e) if args.json => Err(crate::failure::Shown(e).into()),
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub async fn logout(args: LogoutArgs, options: Options) -> anyhow::Result<()> {
    if args.service.is_none() && !args.all {
        // The session from a file or standard input, as before the store.
        let session = read_session(&args.input)?.with_options(options);
        session.logout().await?;
        writeln!(
            std::io::stdout(),
            "Logged out of {}.",
            clean(&session.service().to_string())
        )?;
        return Ok(());
    }
    let mut store = Store::open()?;
    let kind = args.service.map(ServiceKind::from);
    let entries: Vec<Entry> = if args.all {
        store
            .entries()
            .iter()
            .filter(|e| kind.is_none_or(|k| e.kind() == Some(k)))
            .cloned()
            .collect()
    } else {
        let kind = kind.expect("a service when not --all");
        vec![find(&store, kind, &args.which)?.clone()]
    };
    if entries.is_empty() {
        return Err(other("not logged in: nothing to log out of"));
    }
    // The first failure to end a session on the server decides the exit code; every session
    // is forgotten here either way.
    let mut failure: Option<anyhow::Error> = None;
    for entry in &entries {
        let name = entry
            .kind()
            .map(|k| k.name().to_owned())
            .unwrap_or_else(|| entry.service().to_owned());
        let what = format!(
            "{} at {} as {}",
            clean(&name),
            clean(entry.base_url()),
            clean(entry.account())
        );
        match store.load(entry) {
            Err(e) => eprintln!("warning: {}; forgetting it anyway", clean(&e.to_string())),
            Ok(session) if !session.kind().supports_logout() => eprintln!(
                "{} has no logout call: the session stays valid on the server until it expires.",
                session.kind().name()
            ),
            Ok(session) => match session.with_options(options.clone()).logout().await {
                Ok(()) => eprintln!("Ended the session on the server."),
                Err(LoginError::SessionRejected { .. }) => {
                    eprintln!("The server had already ended the session.")
                }
                // The first failure is the command's error (said once, at the end); later
                // ones are warnings.
                Err(e) if failure.is_none() => {
                    failure = Some(anyhow::Error::from(e).context(format!(
                        "the session of {what} was forgotten here, but may still be valid on the server"
                    )));
                }
                Err(e) => eprintln!(
                    "warning: could not end the session of {what} on the server: {}",
                    clean(&e.to_string())
                ),
            },
        }
        store.remove(entry)?;
        writeln!(std::io::stdout(), "Logged out of {what}.")?;
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

pub async fn verify(args: VerifyArgs, options: Options) -> anyhow::Result<()> {
    let session = match args.service {
        Some(service) => {
            // As stored, not renewed: `verify` says whether the server accepts it now.
            let store = StoreOptions::new().session_options(options).open()?;
            let entry = find(&store, service.into(), &args.which)?;
            store.load(entry)?
        }
        None => read_session(&args.input)?.with_options(options),
    };
    let me = session.verify().await?;
    if args.json {
        writeln!(std::io::stdout(), "{}", output::json(&me)?)?;
    } else {
        writeln!(
            std::io::stdout(),
            "Session valid: {} on {}.",
            clean(&me.to_string()),
            clean(&session.service().to_string())
        )?;
    }
    Ok(())
}

/// Largest session file read.
const MAX_SESSION_BYTES: u64 = 1024 * 1024;

fn read_session(input: &SessionInput) -> anyhow::Result<Session> {
    let mut text = String::new();
    match input.session.as_deref() {
        Some(p) if p != Path::new("-") => {
            std::fs::File::open(p)
                .and_then(|f| f.take(MAX_SESSION_BYTES).read_to_string(&mut text))
                .map_err(|e| other(format!("cannot read the session file {}: {e}", p.display())))?;
        }
        _ => {
            if interactive() {
                return Err(usage(
                    "no session: name a service (`apilogin logout rocketchat`), pass --session FILE, or pipe in what `apilogin login --json --show-token` printed",
                ));
            }
            std::io::stdin()
                .take(MAX_SESSION_BYTES)
                .read_to_string(&mut text)
                .context("cannot read the session from standard input")?;
        }
    }
    // Not serde's message: it can quote values, and the file holds a token.
    serde_json::from_str(&text).map_err(|e| {
        usage(format!(
            "not a session printed by `apilogin login --json --show-token` (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// `apilogin switch <service>`: the named session (or, of exactly two, the one that is not the
/// default) becomes the default. Nothing is sent to the server.
pub fn switch(args: SwitchArgs) -> anyhow::Result<()> {
    let kind = ServiceKind::from(args.service);
    let mut store = Store::open()?;
    let named = args.which.url.is_some() || args.which.user.is_some();
    let entry = if named {
        find(&store, kind, &args.which)?.clone()
    } else {
        let all = store.matching(kind, None, None);
        match all.as_slice() {
            [] => return Err(find(&store, kind, &args.which).unwrap_err()),
            [only] => {
                return Err(CliFailure::Usage(format!(
                    "only one session of {} is stored ({} as {}): nothing to switch to",
                    kind.name(),
                    clean(only.base_url()),
                    clean(only.account())
                ))
                .into());
            }
            [other, _default] => (*other).clone(),
            _ => {
                let choices =
                    clean(&all.iter().copied().collect::<Choices>().to_string()).into_owned();
                return Err(CliFailure::Usage(format!(
                    "{} sessions of {} are stored; name one: {}",
                    all.len(),
                    kind.name(),
                    choices
                ))
                .into());
            }
        }
    };
    store.make_default(&entry)?;
    writeln!(
        std::io::stdout(),
        "Switched {} to {} as {}.",
        kind.name(),
        clean(entry.base_url()),
        clean(entry.account())
    )?;
    Ok(())
}

/// `apilogin completion <shell>`: clap's completion script of the whole command (the input
/// flags the specs add to `login` included) on stdout.
pub fn completion(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "apilogin", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(())
}
