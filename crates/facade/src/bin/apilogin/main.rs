//! `apilogin`: log in to remote.it, Txty, Project Thanos or Rocket.Chat from the command line.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use apilogin::{
    Client, Credentials, LoginError, LoginOutcome, Options, Service, ServiceKind, Session,
};
use clap::{Args, Parser, Subcommand, ValueEnum};

const ENV_AND_EXIT_CODES: &str = "\
Credentials (flags win over the environment; passwords and keys are never taken as flags,
which would show them to other users in the process list):
  remoteit       REMOTEIT_URL, REMOTEIT_USERNAME, REMOTEIT_PASSWORD, REMOTEIT_DEVELOPER_KEY
  txty           TXTY_URL, TXTY_USERNAME, TXTY_PASSWORD, TXTY_KEY_DESCRIPTION, TXTY_CODE
  projectthanos  PROJECTTHANOS_URL, PROJECTTHANOS_USERNAME, PROJECTTHANOS_PASSWORD
  rocketchat     ROCKETCHAT_URL (required: self-hosted), ROCKETCHAT_USERNAME,
                 ROCKETCHAT_PASSWORD, ROCKETCHAT_CODE
Values that are missing are prompted for when standard input is a terminal (passwords, keys
and codes without echo); otherwise the command fails and names the variable to set.

Exit codes:
  0  success
  1  other failure (cannot read the session file, cannot write the output)
  2  usage or configuration: bad arguments, missing credentials, invalid or insecure URL,
     an operation the service does not have
  3  refused: bad credentials, account locked, no permission, session logged out or expired
  4  second factor: asked for but no code given, wrong code, too many attempts, or a kind
     this endpoint cannot complete
  5  rate limited: wait and try again
  6  transport: timeout, connection refused, TLS failure, connection cut
  7  the server failed or answered something unexpected

Examples:
  ROCKETCHAT_URL=https://chat.example.com apilogin login rocketchat --user alice --json > session.json
  apilogin verify --session session.json
  apilogin logout < session.json";

/// Log in to remote.it, Txty, Project Thanos or Rocket.Chat and get a session.
///
/// `login` prints the session (as JSON with --json, to store it and pass it to `verify` and
/// `logout`). Requests never follow redirects, time out, and refuse plain http to hosts other
/// than this machine unless --allow-http is given.
#[derive(Parser, Debug)]
#[command(name = "apilogin", version, after_help = ENV_AND_EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Allow plain http:// to hosts other than this machine (passwords and tokens would
    /// cross the network unencrypted).
    #[arg(long, global = true)]
    allow_http: bool,

    /// Time allowed for each request, answer included, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    timeout: Duration,

    /// Time allowed to open a connection, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    connect_timeout: Duration,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Log in, answering a second-factor challenge, and print the session.
    #[command(after_help = ENV_AND_EXIT_CODES)]
    Login(LoginArgs),
    /// Check with the server that a stored session is still valid (Txty, Rocket.Chat).
    Verify {
        #[command(flatten)]
        input: SessionInput,
        /// Print who the session belongs to as JSON.
        #[arg(long)]
        json: bool,
    },
    /// End a stored session on the server (Txty deletes the API key; Rocket.Chat logs out).
    Logout {
        #[command(flatten)]
        input: SessionInput,
    },
}

#[derive(Args, Debug)]
struct LoginArgs {
    /// The service to log in to.
    service: CliService,

    /// Base URL of the server, API path included [env: <SERVICE>_URL]. Required for
    /// Rocket.Chat; the others default to their public servers.
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// User name or e-mail [env: <SERVICE>_USERNAME].
    #[arg(long, value_name = "USER")]
    user: Option<String>,

    /// Name of the API key a Txty login creates [env: TXTY_KEY_DESCRIPTION] [default: apilogin].
    #[arg(long, value_name = "TEXT")]
    key_description: Option<String>,

    /// The second-factor code, if the service asks for one [env: <SERVICE>_CODE]; prompted for
    /// on a terminal otherwise.
    #[arg(long, value_name = "CODE")]
    code: Option<String>,

    /// Print the session as JSON, token included, for `verify` and `logout` (store it safely).
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct SessionInput {
    /// File with the session JSON printed by `apilogin login --json`; `-` or absent: standard
    /// input.
    #[arg(long, value_name = "FILE")]
    session: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CliService {
    /// remote.it (needs a developer key).
    #[value(alias = "remote.it")]
    Remoteit,
    /// Txty SMS gateway.
    Txty,
    /// Project Thanos.
    #[value(alias = "thanos")]
    Projectthanos,
    /// Rocket.Chat (self-hosted: needs --url or ROCKETCHAT_URL).
    #[value(alias = "rocket.chat")]
    Rocketchat,
}

impl From<CliService> for ServiceKind {
    fn from(s: CliService) -> Self {
        match s {
            CliService::Remoteit => ServiceKind::RemoteIt,
            CliService::Txty => ServiceKind::Txty,
            CliService::Projectthanos => ServiceKind::ProjectThanos,
            CliService::Rocketchat => ServiceKind::RocketChat,
        }
    }
}

fn seconds(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| *v > 0.0)
        .and_then(|v| Duration::try_from_secs_f64(v).ok())
        .ok_or_else(|| format!("{s:?} is not a positive number of seconds"))
}

/// A failure with its own exit code, besides the ones of [`LoginError`].
#[derive(Debug)]
enum CliFailure {
    /// Exit 2: the invocation cannot work as given.
    Usage(String),
    /// Exit 4: a second factor is needed and none can be had.
    NeedCode(String),
}

impl std::fmt::Display for CliFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliFailure::Usage(m) | CliFailure::NeedCode(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CliFailure {}

fn usage(message: impl Into<String>) -> anyhow::Error {
    CliFailure::Usage(message.into()).into()
}

/// The exit code of a library error (documented in `--help`).
fn exit_code(e: &LoginError) -> u8 {
    use LoginError::*;
    match e {
        BadCredentials { .. }
        | AccountLocked { .. }
        | PermissionDenied { .. }
        | SessionRejected { .. } => 3,
        SecondFactorInvalid { .. }
        | SecondFactorExhausted { .. }
        | SecondFactorUnsupported { .. } => 4,
        RateLimited { .. } => 5,
        Transport { .. } => 6,
        Config(_) | Unsupported { .. } => 2,
        _ => 7,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = if let Some(e) = e.downcast_ref::<LoginError>() {
                exit_code(e)
            } else if let Some(f) = e.downcast_ref::<CliFailure>() {
                match f {
                    CliFailure::Usage(_) => 2,
                    CliFailure::NeedCode(_) => 4,
                }
            } else {
                1
            };
            ExitCode::from(code)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let options = Options::default()
        .timeout(cli.timeout)
        .connect_timeout(cli.connect_timeout)
        .allow_insecure_http(cli.allow_http);
    match cli.command {
        Command::Login(args) => login(args, options).await,
        Command::Verify { input, json } => {
            let session = read_session(&input)?.with_options(options);
            let me = session.verify().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&me)?);
            } else {
                println!("Session valid: {me} on {}.", session.service());
            }
            Ok(())
        }
        Command::Logout { input } => {
            let session = read_session(&input)?.with_options(options);
            session.logout().await?;
            println!("Logged out of {}.", session.service());
            Ok(())
        }
    }
}

/// `<SERVICE>_<NAME>`, e.g. `ROCKETCHAT_PASSWORD`.
fn env_name(kind: ServiceKind, name: &str) -> String {
    format!("{}_{name}", kind.id().to_ascii_uppercase())
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// A non-secret value: flag, environment, or a prompt with echo.
fn plain(flag: Option<String>, flag_name: &str, env: &str, label: &str) -> anyhow::Result<String> {
    if let Some(v) = flag.or_else(|| env_value(env)) {
        return Ok(v);
    }
    if !interactive() {
        return Err(usage(format!("no {label}: pass {flag_name} or set {env}")));
    }
    eprint!("{label}: ");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {label}"))?;
    Ok(line.trim().to_owned())
}

/// A secret: environment, or a prompt without echo.
fn secret(env: &str, label: &str) -> anyhow::Result<String> {
    if let Some(v) = env_value(env) {
        return Ok(v);
    }
    if !interactive() {
        return Err(usage(format!(
            "no {label}: set {env} (or run in a terminal to be prompted)"
        )));
    }
    rpassword::prompt_password(format!("{label}: "))
        .with_context(|| format!("cannot read the {label}"))
}

async fn login(args: LoginArgs, options: Options) -> anyhow::Result<()> {
    let kind = ServiceKind::from(args.service);
    let url = args.url.or_else(|| env_value(&env_name(kind, "URL")));
    if kind == ServiceKind::RocketChat && url.is_none() {
        return Err(usage(format!(
            "Rocket.Chat is self-hosted: pass --url or set {}",
            env_name(kind, "URL")
        )));
    }
    // As a `LoginError`, so that the exit code is the one of configuration problems.
    let service = Service::new(kind, url.as_deref()).map_err(LoginError::from)?;
    // Check the URL before asking for anything.
    let client = Client::with_options(service, options)?;

    let user = plain(
        args.user,
        "--user",
        &env_name(kind, "USERNAME"),
        &format!("{kind} user"),
    )?;
    let password = secret(&env_name(kind, "PASSWORD"), &format!("{kind} password"))?;
    let mut credentials = Credentials::new(user, password);
    if kind == ServiceKind::RemoteIt {
        let key = secret(&env_name(kind, "DEVELOPER_KEY"), "remote.it developer key")?;
        credentials = credentials.developer_key(key);
    }
    if let Some(d) = args
        .key_description
        .or_else(|| env_value(&env_name(kind, "KEY_DESCRIPTION")))
    {
        credentials = credentials.key_description(d);
    }

    let session = match client.login(&credentials).await? {
        LoginOutcome::LoggedIn(session) => session,
        LoginOutcome::SecondFactor(challenge) => {
            let code_env = env_name(kind, "CODE");
            match args.code.or_else(|| env_value(&code_env)) {
                Some(code) => challenge.answer(&code).await?,
                None if interactive() => {
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
                                eprintln!("{e}");
                                attempt += 1;
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                None => {
                    return Err(CliFailure::NeedCode(format!(
                        "{challenge}: pass --code or set {code_env}"
                    ))
                    .into());
                }
            }
        }
    };
    print_session(&session, args.json)
}

fn print_session(session: &Session, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        // The one place a secret is printed: this output exists to be stored.
        serde_json::to_writer_pretty(&mut out, session)?;
        writeln!(out)?;
    } else {
        let user = session.user();
        write!(out, "Logged in to {} as {user}", session.service())?;
        if let Some(id) = &user.user_id {
            write!(out, ", user id {id}")?;
        }
        writeln!(
            out,
            ".\nThe token is not shown: use --json to print the session for `apilogin verify` and `apilogin logout`."
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Largest session file read.
const MAX_SESSION_BYTES: u64 = 1024 * 1024;

fn read_session(input: &SessionInput) -> anyhow::Result<Session> {
    let mut text = String::new();
    match input.session.as_deref() {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::File::open(p)
                .and_then(|f| f.take(MAX_SESSION_BYTES).read_to_string(&mut text))
                .with_context(|| format!("cannot read the session file {}", p.display()))?;
        }
        _ => {
            if interactive() {
                return Err(usage(
                    "no session: pass --session FILE, or pipe in what `apilogin login --json` printed",
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
            "not a session printed by `apilogin login --json` (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}
