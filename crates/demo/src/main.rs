//! `apilogin-demo` (`cargo xtask demo`): starts the sandbox of every service of the specs, logs
//! in to each through the `apilogin` facade (answering the demo second factor), verifies, logs
//! in again and logs out where the service can, and prints a table. A service the sandbox has
//! no look-alike of yet gets a row that says so; a service that logs in with OAuth logs in to
//! the real OpenID provider of the tests where Node.js has it (else its row says why not).
//! Exits non-zero if any step failed.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use apilogin::{
    Client, Credentials, LoginError, LoginOutcome, Options, Service, ServiceKind, Session,
};
use apilogin_sandbox::{self as sandbox, DEMO_PASSWORD, SECOND_FACTOR_CODE, Sandbox};

/// The real OpenID provider of the tests, and the browser that approves a device code on its
/// pages (shared with the tests).
#[path = "../../../tests/oidc/support.rs"]
mod oidc;

/// One row of the table.
struct Row {
    service: ServiceKind,
    user: &'static str,
    second_factor: String,
    login: Step,
    verify: Step,
    relogin: Step,
    logout: Step,
    elapsed: Duration,
    errors: Vec<String>,
    /// Why the service's row could not be run here (no OpenID provider).
    not_run: Option<String>,
}

enum Step {
    Ok,
    NotAvailable,
    Skipped,
    Failed,
    /// The sandbox has no look-alike of the service: nothing to log in to.
    NoLookAlike,
}

impl Step {
    fn cell(&self) -> &'static str {
        match self {
            Step::Ok => "ok",
            Step::NotAvailable => "n/a",
            Step::Skipped => "skipped",
            Step::Failed => "FAILED",
            Step::NoLookAlike => "-",
        }
    }
}

/// The row of a service the sandbox cannot play.
fn without_look_alike(kind: ServiceKind) -> Row {
    Row {
        service: kind,
        user: "(the sandbox has no look-alike)",
        second_factor: "-".to_owned(),
        login: Step::NoLookAlike,
        verify: Step::NoLookAlike,
        relogin: Step::NoLookAlike,
        logout: Step::NoLookAlike,
        elapsed: Duration::ZERO,
        errors: Vec::new(),
        not_run: None,
    }
}

/// The demo account each service logs in with: the sandbox's second-factor one where there is
/// one, else its first.
fn account(kind: ServiceKind) -> (&'static str, Credentials) {
    let accounts: Vec<_> = sandbox_of(kind)
        .map(|s| sandbox::demo_accounts(s).collect())
        .unwrap_or_default();
    let Some(account) = accounts
        .iter()
        .find(|a| a.second_factor_code.is_some())
        .or(accounts.first())
    else {
        return ("-", Credentials::new("-", DEMO_PASSWORD));
    };
    let mut credentials =
        Credentials::new(account.user, account.password).key_description("apilogin-demo");
    if let Some(key) = account.developer_key {
        credentials = credentials.developer_key(key);
    }
    (account.user, credentials)
}

/// The sandbox of a service (the same id), if there is one.
fn sandbox_of(kind: ServiceKind) -> Option<sandbox::Service> {
    sandbox::Service::from_id(kind.id())
}

async fn run(kind: ServiceKind, sandbox: &Sandbox) -> Row {
    let (user, credentials) = account(kind);
    let mut row = Row {
        service: kind,
        user,
        second_factor: "-".to_owned(),
        login: Step::Failed,
        verify: Step::Skipped,
        relogin: Step::Skipped,
        logout: Step::Skipped,
        elapsed: Duration::ZERO,
        errors: Vec::new(),
        not_run: None,
    };
    let started = Instant::now();
    let session = login(kind, sandbox, &credentials, &mut row).await;
    if let Some(session) = session {
        after_login(kind, session, &mut row).await;
    }
    row.elapsed = started.elapsed();
    row
}

/// Verify, log in again and log out where the service can, after a login.
async fn after_login(kind: ServiceKind, session: Session, row: &mut Row) {
    row.login = Step::Ok;
    row.verify = step(
        kind.supports_verify(),
        session.verify().await.map(|_| ()),
        &mut row.errors,
        "verify",
    );
    let current = if kind.supports_relogin() {
        match session.relogin().await {
            Ok(again) => {
                row.relogin = Step::Ok;
                again
            }
            Err(e) => {
                row.relogin = Step::Failed;
                row.errors.push(format!("relogin: {e}"));
                session
            }
        }
    } else {
        row.relogin = Step::NotAvailable;
        session
    };
    row.logout = step(
        kind.supports_logout(),
        current.logout().await,
        &mut row.errors,
        "logout",
    );
    // After a logout the token must be refused.
    if kind.supports_logout() && kind.supports_verify() {
        match current.verify().await {
            Err(LoginError::SessionRejected { .. }) => {}
            other => {
                row.logout = Step::Failed;
                row.errors
                    .push(format!("the token still works after logout: {other:?}"));
            }
        }
    }
}

/// The row of a service that logs in with OAuth (`x-apilogin.oauth`): against the real OpenID
/// provider of the tests (`tests/oidc/provider.mjs`) where Node.js and the package are here,
/// with the device grant, the demo approving the code through the provider's pages over HTTP
/// as a person would in a browser; else a row that says why not.
async fn oauth_row(kind: ServiceKind) -> Row {
    let mut row = Row {
        service: kind,
        user: "alice (device code approved by the demo)",
        second_factor: "-".to_owned(),
        login: Step::Failed,
        verify: Step::Skipped,
        relogin: Step::Skipped,
        logout: Step::Skipped,
        elapsed: Duration::ZERO,
        errors: Vec::new(),
        not_run: None,
    };
    let running = match tokio::task::spawn_blocking(oidc::start_provider).await {
        Ok(Ok(running)) => running,
        Ok(Err(why)) => {
            row.user = "(no OpenID provider here)";
            row.login = Step::NoLookAlike;
            row.verify = Step::NoLookAlike;
            row.relogin = Step::NoLookAlike;
            row.logout = Step::NoLookAlike;
            row.not_run = Some(format!("{why}; to run it: {}", oidc::INSTALL));
            return row;
        }
        Err(e) => {
            row.errors.push(format!("starting the provider: {e}"));
            return row;
        }
    };
    let started = Instant::now();
    let options = Options::default()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10));
    let client = match Service::new(kind, Some(&running.issuer))
        .map_err(LoginError::from)
        .and_then(|service| Client::with_options(service, options))
    {
        Ok(client) => client,
        Err(e) => {
            row.errors.push(format!("login: {e}"));
            return row;
        }
    };
    let browser = std::sync::Mutex::new(None);
    let result = client
        .login_with_device(None, |code| {
            let page = code.verification_uri.clone();
            let user_code = code.user_code.clone();
            if let Ok(mut slot) = browser.lock() {
                *slot = Some(tokio::spawn(async move {
                    oidc::Browser::new()
                        .run(page, Some(&user_code), None, false)
                        .await
                }));
            }
        })
        .await;
    let approval = browser.lock().ok().and_then(|mut slot| slot.take());
    if let Some(approval) = approval
        && let Err(e) = approval.await
    {
        row.errors.push(format!("approving the device code: {e}"));
    }
    match result {
        Ok(session) => after_login(kind, session, &mut row).await,
        Err(e) => row.errors.push(format!("login: {e}")),
    }
    row.elapsed = started.elapsed();
    drop(running);
    row
}

async fn login(
    kind: ServiceKind,
    sandbox: &Sandbox,
    credentials: &Credentials,
    row: &mut Row,
) -> Option<Session> {
    let service = match Service::new(kind, Some(sandbox.base_url())) {
        Ok(s) => s,
        Err(e) => {
            row.errors.push(format!("login: {e}"));
            return None;
        }
    };
    let options = Options::default()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10));
    let result = match Client::with_options(service, options) {
        Ok(client) => match client.login(credentials).await {
            Ok(LoginOutcome::LoggedIn(session)) => Ok(session),
            Ok(LoginOutcome::SecondFactor(challenge)) => {
                row.second_factor = challenge.method().to_string();
                challenge.answer(SECOND_FACTOR_CODE).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(session) => Some(session),
        Err(e) => {
            row.errors.push(format!("login: {e}"));
            None
        }
    }
}

fn step(
    available: bool,
    result: Result<(), LoginError>,
    errors: &mut Vec<String>,
    what: &str,
) -> Step {
    match (available, result) {
        (false, Err(LoginError::Unsupported { .. })) => Step::NotAvailable,
        (_, Ok(())) => Step::Ok,
        (_, Err(e)) => {
            errors.push(format!("{what}: {e}"));
            Step::Failed
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut rows = Vec::new();
    let mut sandboxes = Vec::new();
    for kind in ServiceKind::ALL {
        // A spec can come before its look-alike: that service gets a row saying so.
        let Some(service) = sandbox_of(kind) else {
            sandboxes.push((kind, None));
            continue;
        };
        match Sandbox::start(service).await {
            Ok(s) => sandboxes.push((kind, Some(s))),
            Err(e) => {
                eprintln!("error: cannot start the {kind} sandbox: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("apilogin demo: each service's sandbox on 127.0.0.1, through the apilogin facade\n");
    for (kind, sandbox) in &sandboxes {
        rows.push(match sandbox {
            Some(sandbox) => run(*kind, sandbox).await,
            None if kind.uses_oauth() => oauth_row(*kind).await,
            None => without_look_alike(*kind),
        });
    }

    let header = [
        "service",
        "user",
        "second factor",
        "login",
        "verify",
        "relogin",
        "logout",
        "ms",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.service.name().to_owned(),
                r.user.to_owned(),
                r.second_factor.clone(),
                r.login.cell().to_owned(),
                r.verify.cell().to_owned(),
                r.relogin.cell().to_owned(),
                r.logout.cell().to_owned(),
                match r.login {
                    Step::NoLookAlike => "-".to_owned(),
                    _ => r.elapsed.as_millis().to_string(),
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: &[&str]| {
        let parts: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("| {} |", parts.join(" | "))
    };
    println!("{}", line(&header));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    println!(
        "{}",
        line(&rule.iter().map(String::as_str).collect::<Vec<_>>())
    );
    for c in &cells {
        println!(
            "{}",
            line(&c.iter().map(String::as_str).collect::<Vec<_>>())
        );
    }
    println!("\nn/a: the service's API has no such call.");
    for r in &rows {
        if let Some(why) = &r.not_run {
            println!("Not run: {} ({why}).", r.service.name());
        }
    }
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| matches!(r.login, Step::NoLookAlike) && r.not_run.is_none())
        .map(|r| r.service.name())
        .collect();
    if !missing.is_empty() {
        println!(
            "Not shown: {} (in specs/, but the sandbox has no look-alike yet: add one to crates/sandbox/).",
            missing.join(", ")
        );
    }

    for sandbox in sandboxes.into_iter().filter_map(|(_, s)| s) {
        sandbox.shutdown().await;
    }
    let failures: Vec<String> = rows
        .iter()
        .flat_map(|r| r.errors.iter().map(move |e| format!("{}: {e}", r.service)))
        .collect();
    if failures.is_empty() {
        println!("All steps succeeded.");
        ExitCode::SUCCESS
    } else {
        eprintln!("\n{} step(s) failed:", failures.len());
        for f in &failures {
            eprintln!("  {f}");
        }
        ExitCode::FAILURE
    }
}
