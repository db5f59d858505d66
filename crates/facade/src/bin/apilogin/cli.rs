//! The command line: subcommands, flags, and the help text.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use apilogin::{InputInfo, ServiceKind};
use clap::builder::{PossibleValue, TypedValueParser, ValueParserFactory};
use clap::{Arg, ArgAction, ArgMatches, Args, CommandFactory as _, FromArgMatches as _};
use clap::{Parser, Subcommand};

/// The help text's part on services: every service's variables, from its spec.
fn service_variables() -> String {
    let mut out = String::from(
        "Credentials (flags win over the environment; passwords, codes and the inputs a spec marks\n\
         secret are never taken as flags, which would show them to other users in the process list):\n",
    );
    for kind in ServiceKind::ALL {
        let var = |name: &str| format!("{}_{name}", kind.id().to_ascii_uppercase());
        let mut vars = vec![if kind.default_base_url().is_none() {
            format!("{} (required: self-hosted)", var("URL"))
        } else {
            var("URL")
        }];
        if kind.uses_oauth() {
            // No password: the browser or the device grant.
            vars.push(format!("{} (OAuth)", var("CLIENT_ID")));
        } else {
            vars.push(var("USERNAME"));
            vars.push(var("PASSWORD"));
        }
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
forbids the file. Every use of the store checks the folder and its files: what other users
could read or change is made yours alone (with a notice); a symbolic link, or a folder or
file of another user, is refused. When the server of a login comes from a stored session (no
--url, no <SERVICE>_URL), login names it before asking for or sending anything secret.
Plain http:// requests never go through a proxy; https:// ones honour HTTPS_PROXY, ALL_PROXY
and NO_PROXY.

With --json (login, status, verify), a failure prints one JSON object on stdout, besides the
message on stderr:
  {\"error\": {\"kind\": \"refused\", \"exit_code\": 3, \"message\": \"...\", \"service\": \"rocketchat\"}}
kind names the exit code (below); service is null when the failure concerns none. When known,
it also has reason (the library's error: bad_credentials, session_rejected, transport, ...),
code (the server's error code), http_status, retry_after_seconds and transport (timeout,
connect, tls, interrupted). status --json prints it beside \"sessions\", in one object.

Exit codes, with their kind:
  0  success
  1  other: not logged in (nothing stored), the session store or a file cannot be read or
     written, the output cannot be written
  2  usage: bad arguments, missing credentials, invalid or insecure URL, an operation the
     service does not have
  3  refused: bad credentials, account locked or not active, no permission, session logged
     out or expired, or another refusal the service explains
  4  second_factor: asked for but no code given, wrong code, too many attempts, or a kind
     this endpoint cannot complete
  5  rate_limited: wait and try again
  6  transport: timeout, connection refused, TLS failure, connection cut
  7  server: the server failed or answered something unexpected (HTTP 5xx, a redirect, a
     body that is not the API's)

Examples:
  ROCKETCHAT_URL=https://chat.example.com apilogin login rocketchat --user alice
  apilogin status
  curl -H \"X-Auth-Token: $(apilogin token rocketchat)\" \\
       -H \"X-User-Id: $(apilogin token rocketchat --field user-id)\" https://chat.example.com/api/v1/me
  apilogin logout rocketchat
  apilogin login oidc --issuer https://id.example.com --client-id my-cli --device   # OAuth
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
    /// server still accepts it. Never shows a secret. Exits non-zero when a session is no
    /// longer accepted (3) or cannot be checked (the reason's code).
    Status(StatusArgs),
    /// Print the token of a stored session, for scripts.
    ///
    /// A session that has expired (or expires within a minute) is renewed first, without the
    /// password, where the service can (Rocket.Chat, remote.it), once for every program sharing
    /// the store; where it cannot, or the server refuses, exit 3: log in again.
    #[command(after_help = token_fields())]
    Token(TokenArgs),
    /// End a session on the server, where the service can, and forget it here.
    Logout(LogoutArgs),
    /// Check with the server that a session is still valid, where the service can.
    Verify(VerifyArgs),
    /// Make a stored session its service's default (the one `token`, `verify` and `logout` use
    /// without --url and --user), as `gh auth switch` does; nothing is sent to the server.
    Switch(SwitchArgs),
    /// Print a completion script for `shell` (commands, flags, services), e.g.
    /// `apilogin completion bash > ~/.local/share/bash-completion/completions/apilogin`.
    Completion(CompletionArgs),
}

#[derive(Args, Debug)]
pub struct SwitchArgs {
    /// The service.
    pub service: CliService,

    /// The session to make the default [default: with two sessions of the service, the other
    /// one].
    #[command(flatten)]
    pub which: Which,
}

#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// The shell the script is for.
    pub shell: clap_complete::Shell,
}

impl Command {
    /// Whether `--json` was given (`login`, `status`, `verify`): failures are JSON too.
    pub fn json(&self) -> bool {
        match self {
            Command::Login(a) => a.json,
            Command::Status(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Token(_)
            | Command::Logout(_)
            | Command::Switch(_)
            | Command::Completion(_) => false,
        }
    }

    /// The service the command is about, when it names one.
    pub fn service(&self) -> Option<ServiceKind> {
        match self {
            Command::Login(a) => Some(a.service.0),
            Command::Status(a) => a.service.map(|s| s.0),
            Command::Token(a) => Some(a.service.0),
            Command::Logout(a) => a.service.map(|s| s.0),
            Command::Verify(a) => a.service.map(|s| s.0),
            Command::Switch(a) => Some(a.service.0),
            Command::Completion(_) => None,
        }
    }
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The service to log in to.
    pub service: CliService,

    /// Base URL of the server, API path included [env: <SERVICE>_URL]; default: the server of
    /// the stored session (of --user, else the latest), else the service's public server.
    /// Required for self-hosted services without a stored session. For a service that logs
    /// in with OAuth, the provider's issuer (--issuer).
    #[arg(long, value_name = "URL", visible_alias = "issuer")]
    pub url: Option<String>,

    /// For a service that logs in with OAuth: the device authorization grant (a code to
    /// approve on any device with a browser) instead of the browser on this machine.
    #[arg(long, conflicts_with = "with_token")]
    pub device: bool,

    /// For a service that logs in with OAuth: the client id registered with the provider
    /// [env: <SERVICE>_CLIENT_ID]; default: the one its spec names.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// User name or e-mail [env: <SERVICE>_USERNAME]; default: the account of the stored
    /// session, if any.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

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

    /// Print the session as JSON (without its secrets unless --show-token); a failure as a
    /// JSON error object (see `apilogin --help`).
    #[arg(long)]
    pub json: bool,

    /// The non-secret inputs given by their flags (one flag per input name of the specs, added
    /// by [`command`]): input name → value.
    #[arg(skip)]
    pub inputs: BTreeMap<&'static str, String>,

    /// With --json: include the token and the other secrets, making the output a session
    /// that `verify --session` and `logout --session` accept. Keep it safe.
    #[arg(long, requires = "json")]
    pub show_token: bool,

    /// Store a token you already have (a personal access token) instead of logging in with a
    /// password: read from standard input (or a prompt without echo), checked with the server
    /// before it is stored, under the account the server says it belongs to.
    #[arg(long, conflicts_with_all = ["fresh", "user"])]
    pub with_token: bool,

    /// With --with-token: the user id the service's calls send with the token (Rocket.Chat's
    /// personal access tokens need it) [env: <SERVICE>_USER_ID].
    #[arg(long, value_name = "ID", requires = "with_token")]
    pub user_id: Option<String>,

    /// Also write the whole session, secrets included, to FILE (mode 0600), for
    /// `verify --session` and `logout --session`. A symbolic link is refused.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Which stored session: a service, and optionally its server and account.
#[derive(Args, Debug, Clone)]
pub struct Which {
    /// Base URL of the server [default: that of the service's latest login; with --user, the
    /// one server that account is stored for].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// The account [default: that of the service's latest login; with --url, the one account
    /// stored for that server].
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

    /// Print the list as JSON, with the JSON error object of a failure (see `apilogin
    /// --help`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The service.
    pub service: CliService,

    #[command(flatten)]
    pub which: Which,

    /// Which value to print: `token`, `user-id` where the service gives one, or a detail the
    /// session keeps; each service's fields are listed below.
    #[arg(long, value_name = "FIELD", default_value = "token")]
    pub field: String,
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

    /// Print who the session belongs to as JSON; a failure as a JSON error object (see
    /// `apilogin --help`).
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

/// The command line: the derived one, plus one `login` flag per non-secret input of the specs.
pub fn command() -> clap::Command {
    let flags = input_flags();
    Cli::command().mut_subcommand("login", move |mut login| {
        // The input flags right after --user: the options after it move down to make room.
        let user = login
            .get_arguments()
            .find(|a| a.get_id() == "user")
            .map_or(0, Arg::get_display_order);
        let after: Vec<(clap::Id, usize)> = login
            .get_arguments()
            .filter(|a| a.get_display_order() > user)
            .map(|a| (a.get_id().clone(), a.get_display_order()))
            .collect();
        for (id, order) in after {
            login = login.mut_arg(id, |a| a.display_order(order + flags.len()));
        }
        for (i, flag) in flags.iter().enumerate() {
            login = login.arg(flag.arg().display_order(user + 1 + i));
        }
        login
    })
}

/// Parses the command line (exiting with clap's usage error, exit code 2, when it is wrong),
/// the input flags included.
pub fn parse() -> Cli {
    let matches = command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (m, cli)));
    let (matches, mut cli) = match matches {
        Ok(parsed) => parsed,
        Err(e) => usage_exit(e),
    };
    if let (Command::Login(args), Some(("login", sub))) = (&mut cli.command, matches.subcommand()) {
        args.inputs = input_values(sub);
    }
    cli
}

/// Exits on a command line clap cannot take: help and version as clap prints them; a usage
/// error as clap prints it (exit 2), and, when `--json` is among the arguments, as the JSON
/// error object on stdout too.
fn usage_exit(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let is_usage = !matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    let json = std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json");
    if is_usage && json {
        let text = e.render().to_string();
        // The first paragraph: what is wrong (the usage line and the hint follow on stderr).
        let message = text
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("error: ")
            .to_owned();
        let failure = anyhow::Error::from(crate::failure::CliFailure::Usage(message));
        let value = crate::failure::json_error(&failure, None);
        if let Ok(json) = crate::output::json(&value) {
            println!("{json}");
        }
    }
    e.exit()
}

/// A `login` flag for the non-secret inputs of one name: `--key-description` for the inputs
/// named `keyDescription` (of every service that has one).
#[derive(Clone, Debug)]
pub struct InputFlag {
    /// The flag without its dashes, e.g. `key-description`.
    pub long: &'static str,
    /// Its argument id: `input:<long>`.
    id: &'static str,
    /// The inputs it sets, each with its service.
    pub serves: Vec<(ServiceKind, &'static InputInfo)>,
}

impl InputFlag {
    fn arg(&self) -> Arg {
        let help: Vec<String> = self
            .serves
            .iter()
            .map(|(kind, input)| {
                let mut line = format!(
                    "{}: {} [env: {}]",
                    kind.name(),
                    if input.help.is_empty() {
                        input.label
                    } else {
                        input.help
                    },
                    crate::input::env_name(*kind, &input.env_suffix())
                );
                if let Some(d) = input.default {
                    line.push_str(&format!(" [default: {d}]"));
                }
                line
            })
            .collect();
        Arg::new(self.id)
            .long(self.long)
            .value_name("TEXT")
            .action(ArgAction::Set)
            .help(help.join("; "))
    }

    /// Whether this flag sets `input` of `kind`.
    pub fn sets(&self, kind: ServiceKind, input: &InputInfo) -> bool {
        self.serves
            .iter()
            .any(|(k, i)| *k == kind && i.name == input.name)
    }
}

/// `keyDescription` → `key-description`.
fn kebab(input: &InputInfo) -> String {
    input.env_suffix().to_ascii_lowercase().replace('_', "-")
}

/// One flag per name of the non-secret inputs of every service, from their specs. A name that
/// is already a flag of `login` (`--url`) becomes `--<service>-<name>`.
pub fn input_flags() -> Vec<InputFlag> {
    let cli = Cli::command();
    let taken: Vec<String> = cli
        .get_arguments()
        .chain(
            cli.find_subcommand("login")
                .into_iter()
                .flat_map(|c| c.get_arguments()),
        )
        .filter_map(|a| a.get_long().map(str::to_owned))
        .chain(["help".to_owned(), "version".to_owned()])
        .collect();
    let mut flags: Vec<InputFlag> = Vec::new();
    for kind in ServiceKind::ALL {
        for input in kind.inputs().iter().filter(|i| !i.secret) {
            let mut long = kebab(input);
            if taken.contains(&long) {
                long = format!("{}-{long}", kind.id());
            }
            match flags.iter_mut().find(|f| f.long == long) {
                Some(flag) => flag.serves.push((kind, input)),
                // Leaked: clap keeps `&'static str` names, and the command is built once.
                None => flags.push(InputFlag {
                    id: Box::leak(format!("input:{long}").into_boxed_str()),
                    long: Box::leak(long.into_boxed_str()),
                    serves: vec![(kind, input)],
                }),
            }
        }
    }
    flags
}

/// The values of the input flags given: flag name → value.
fn input_values(login: &ArgMatches) -> BTreeMap<&'static str, String> {
    input_flags()
        .into_iter()
        .filter_map(|f| login.get_one::<String>(f.id).map(|v| (f.long, v.clone())))
        .collect()
}

/// A value `token --field` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The session token.
    Token,
    /// The user's id, where the service's spec reads one.
    UserId,
    /// A session detail, by its name in the spec (and the session's JSON).
    Detail { name: &'static str, secret: bool },
}

/// The fields of `kind`'s sessions, each with its name on the command line: `token`,
/// `user-id` where the spec reads a user id, and each detail in kebab case
/// (`service_authhash` → `service-authhash`).
pub fn fields(kind: ServiceKind) -> Vec<(String, Field)> {
    let mut out = vec![("token".to_owned(), Field::Token)];
    if kind.has_user_id() {
        out.push(("user-id".to_owned(), Field::UserId));
    }
    for d in kind.details() {
        out.push((
            d.name.replace('_', "-"),
            Field::Detail {
                name: d.name,
                secret: d.secret,
            },
        ));
    }
    out
}

/// The field `text` names for `kind`: its command-line name or the spec's (`service_authhash`).
pub fn field(kind: ServiceKind, text: &str) -> Option<Field> {
    let wanted = text.replace('_', "-");
    fields(kind)
        .into_iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, f)| f)
}

/// `token --help`'s epilogue: the fields of every service, from its spec.
fn token_fields() -> String {
    let with_id: Vec<&str> = ServiceKind::ALL
        .into_iter()
        .filter(|k| k.has_user_id())
        .map(|k| k.id())
        .collect();
    let mut out = String::from("Fields (from each service's spec):\n");
    out.push_str("  token          every service: the session token\n");
    if !with_id.is_empty() {
        out.push_str(&format!(
            "  user-id        {}: the user's id, as the service gives it\n",
            with_id.join(", ")
        ));
    }
    for kind in ServiceKind::ALL {
        for (i, d) in kind.details().iter().enumerate() {
            let service = if i == 0 { kind.id() } else { "" };
            out.push_str(&format!(
                "  {service:<14} {}{}: {}\n",
                d.name.replace('_', "-"),
                if d.secret { " (secret)" } else { "" },
                d.doc
            ));
        }
    }
    out.push_str(
        "A field can also be written as the spec names it (`service_authhash`). A secret field is\n\
         printed like the token: only because you asked for it.\n\n\
         Examples:\n  \
         curl -H \"X-Auth-Token: $(apilogin token rocketchat)\" \\\n       \
         -H \"X-User-Id: $(apilogin token rocketchat --field user-id)\" https://chat.example.com/api/v1/me",
    );
    out
}
