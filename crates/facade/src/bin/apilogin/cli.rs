//! The command line: subcommands, flags, and the help text.

use std::path::PathBuf;
use std::time::Duration;

use apilogin::ServiceKind;
use clap::builder::{PossibleValue, TypedValueParser, ValueParserFactory};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// The help text's part on services: every service's variables, from its spec.
fn service_variables() -> String {
    let mut out = String::from(
        "Credentials (flags win over the environment; passwords, keys and codes are never taken as\n\
         flags, which would show them to other users in the process list):\n",
    );
    for kind in ServiceKind::ALL {
        let var = |name: &str| format!("{}_{name}", kind.id().to_ascii_uppercase());
        let mut vars = vec![if kind.default_base_url().is_none() {
            format!("{} (required: self-hosted)", var("URL"))
        } else {
            var("URL")
        }];
        vars.push(var("USERNAME"));
        vars.push(var("PASSWORD"));
        vars.extend(kind.inputs().iter().map(|i| var(&i.env_suffix())));
        if kind.has_second_factor() {
            vars.push(var("CODE"));
        }
        let mut line = format!("  {:<14} ", kind.id());
        let mut width = line.len();
        for (i, v) in vars.iter().enumerate() {
            let piece = if i + 1 < vars.len() {
                format!("{v}, ")
            } else {
                v.clone()
            };
            if width + piece.trim_end().len() > 92 {
                line = line.trim_end().to_owned();
                line.push_str("\n                 ");
                width = 17;
            }
            width += piece.len();
            line.push_str(&piece);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The help's epilogue: variables, storage, exit codes, examples.
pub fn env_and_exit_codes() -> String {
    format!("{}{ENV_AND_EXIT_CODES}", service_variables())
}

/// Everything after the per-service variables.
const ENV_AND_EXIT_CODES: &str = "\
Values that are missing are prompted for when standard input is a terminal (passwords, keys
and codes without echo); otherwise the command fails and names the variable to set. A
second-factor code can also be piped in on standard input.

Sessions are kept in the OS keyring, or, where there is none (or with --insecure-storage or
APILOGIN_STORAGE=file), in sessions.json, readable only by you, in the config folder:
APILOGIN_CONFIG_DIR, else the platform's (~/.config/apilogin on Linux). APILOGIN_STORAGE=keyring
forbids the file. Plain http:// requests never go through a proxy; https:// ones honour
HTTPS_PROXY, ALL_PROXY and NO_PROXY.

Exit codes:
  0  success
  1  other failure: not logged in (nothing stored), the session store or a file cannot be
     read or written, the output cannot be written
  2  usage or configuration: bad arguments, missing credentials, invalid or insecure URL,
     an operation the service does not have
  3  refused: bad credentials, account locked or not active, no permission, session logged
     out or expired, or another refusal the service explains
  4  second factor: asked for but no code given, wrong code, too many attempts, or a kind
     this endpoint cannot complete
  5  rate limited: wait and try again
  6  transport: timeout, connection refused, TLS failure, connection cut
  7  the server failed or answered something unexpected (HTTP 5xx, a redirect, a body that is
     not the API's)

Examples:
  ROCKETCHAT_URL=https://chat.example.com apilogin login rocketchat --user alice
  apilogin status
  curl -H \"X-Auth-Token: $(apilogin token rocketchat)\" \\
       -H \"X-User-Id: $(apilogin token rocketchat --field user-id)\" https://chat.example.com/api/v1/me
  apilogin logout rocketchat
  apilogin login txty --json --show-token --output session.json   # for verify/logout --session";

/// Log in to a service and keep the session.
///
/// The services are those of the specs (`apilogin login --help` lists them). `login` keeps the session in the OS keyring (or a file only you can read); `status` lists
/// the sessions, `token` prints one for scripts, `logout` ends one. Requests never follow
/// redirects, time out, and refuse plain http to hosts other than this machine unless
/// --allow-http is given.
#[derive(Parser, Debug)]
#[command(name = "apilogin", version, after_help = env_and_exit_codes())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Allow plain http:// to hosts other than this machine (passwords and tokens would
    /// cross the network unencrypted).
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// Time allowed for each request, answer included, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub timeout: Duration,

    /// Time allowed to open a connection, in seconds.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub connect_timeout: Duration,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Log in (answering a second-factor challenge) and keep the session; re-uses a stored
    /// session without asking for the password where the service can log in again.
    #[command(after_help = env_and_exit_codes())]
    Login(LoginArgs),
    /// Show every stored session: service, server, account, where it is kept and whether the
    /// server still accepts it. Never shows a secret.
    Status(StatusArgs),
    /// Print the token of a stored session, for scripts.
    Token(TokenArgs),
    /// End a session on the server, where the service can, and forget it here.
    Logout(LogoutArgs),
    /// Check with the server that a session is still valid, where the service can.
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The service to log in to.
    pub service: CliService,

    /// Base URL of the server, API path included [env: <SERVICE>_URL]. Required for
    /// self-hosted services (unless a session is stored); the others default to their public
    /// servers.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// User name or e-mail [env: <SERVICE>_USERNAME]; default: the account of the stored
    /// session, if any.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// Name of the API key a Txty login creates [env: TXTY_KEY_DESCRIPTION] [default: apilogin].
    #[arg(long, value_name = "TEXT")]
    pub key_description: Option<String>,

    /// Not accepted: a code on the command line is visible to other users. Set
    /// <SERVICE>_CODE, pipe the code in, or type it at the prompt.
    #[arg(long, value_name = "CODE", hide = true)]
    pub code: Option<String>,

    /// Log in with the password even when a stored session could log in again without it.
    #[arg(long)]
    pub fresh: bool,

    /// Keep the session in a file readable only by you, not in the OS keyring.
    #[arg(long)]
    pub insecure_storage: bool,

    /// Do not keep the session (print it with --json --show-token or write it with --output).
    #[arg(long)]
    pub no_store: bool,

    /// Print the session as JSON (without its secrets unless --show-token).
    #[arg(long)]
    pub json: bool,

    /// With --json: include the token and the other secrets, making the output a session
    /// that `verify --session` and `logout --session` accept. Keep it safe.
    #[arg(long, requires = "json")]
    pub show_token: bool,

    /// Also write the whole session, secrets included, to FILE (mode 0600), for
    /// `verify --session` and `logout --session`.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Which stored session: a service, and optionally its server and account.
#[derive(Args, Debug, Clone)]
pub struct Which {
    /// Base URL of the server [default: that of the service's latest login].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The account [default: that of the service's latest login].
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Only this service.
    pub service: Option<CliService>,

    /// Do not ask the servers whether the sessions are still valid.
    #[arg(long)]
    pub offline: bool,

    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The service.
    pub service: CliService,

    #[command(flatten)]
    pub which: Which,

    /// Which value to print: the token (Rocket.Chat X-Auth-Token, remote.it token, Txty API
    /// key, Project Thanos auth token), Rocket.Chat's user id (X-User-Id), or remote.it's
    /// developer key (header developerkey).
    #[arg(long, value_enum, default_value_t = Field::Token)]
    pub field: Field,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Field {
    Token,
    UserId,
    DeveloperKey,
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    /// The service whose stored session to end. Without it (and without --all), the session
    /// is read from --session or standard input, as printed by `login --json --show-token`.
    pub service: Option<CliService>,

    #[command(flatten)]
    pub which: Which,

    /// Every stored session (of SERVICE, if given).
    #[arg(long, conflicts_with_all = ["url", "user", "session"])]
    pub all: bool,

    #[command(flatten)]
    pub input: SessionInput,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The service whose stored session to check. Without it, the session is read from
    /// --session or standard input, as printed by `login --json --show-token`.
    pub service: Option<CliService>,

    #[command(flatten)]
    pub which: Which,

    #[command(flatten)]
    pub input: SessionInput,

    /// Print who the session belongs to as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SessionInput {
    /// File with the session JSON printed by `apilogin login --json --show-token`; `-`:
    /// standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "service")]
    pub session: Option<PathBuf>,
}

/// A service named on the command line: its id or an alias (`rocket.chat`), from its spec.
#[derive(Clone, Copy, Debug)]
pub struct CliService(pub ServiceKind);

impl From<CliService> for ServiceKind {
    fn from(s: CliService) -> Self {
        s.0
    }
}

impl ValueParserFactory for CliService {
    type Parser = ServiceParser;

    fn value_parser() -> ServiceParser {
        ServiceParser
    }
}

/// Parses a service by id or alias; `--help` lists every one with its summary.
#[derive(Clone, Copy, Debug)]
pub struct ServiceParser;

impl TypedValueParser for ServiceParser {
    type Value = CliService;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<CliService, clap::Error> {
        let text = value.to_str().unwrap_or_default();
        // Exactly the listed names (ids and aliases), as clap's own enum parsing would.
        ServiceKind::ALL
            .into_iter()
            .find(|k| k.id() == text || k.aliases().contains(&text))
            .map(CliService)
            .ok_or_else(|| {
                let mut err = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
                err.insert(
                    clap::error::ContextKind::InvalidArg,
                    clap::error::ContextValue::String(
                        arg.map(ToString::to_string).unwrap_or_default(),
                    ),
                );
                err.insert(
                    clap::error::ContextKind::InvalidValue,
                    clap::error::ContextValue::String(text.to_owned()),
                );
                err.insert(
                    clap::error::ContextKind::ValidValue,
                    clap::error::ContextValue::Strings(
                        ServiceKind::ALL.iter().map(|k| k.id().to_owned()).collect(),
                    ),
                );
                err
            })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(ServiceKind::ALL.into_iter().map(|k| {
            PossibleValue::new(k.id())
                .help(k.summary())
                .aliases(k.aliases().iter().copied())
        })))
    }
}

fn seconds(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| *v > 0.0)
        .and_then(|v| Duration::try_from_secs_f64(v).ok())
        .ok_or_else(|| format!("{s:?} is not a positive number of seconds"))
}
