//! `apilogin`: log in to any service of the specs (remote.it, Rocket.Chat, …) from the command
//! line, and keep the session (like `gh auth`). Nothing here is per service: names, variables,
//! inputs, secrets and fields all come from each spec's `x-apilogin`, through the generated glue.

mod cli;
mod commands;
mod failure;
mod input;
mod output;

use std::process::ExitCode;

use apilogin::Options;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = cli::parse();
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
    let json = cli.command.json();
    let service = cli.command.service();
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`apilogin status | head`) is not a failure.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // With --json, the failure is one JSON object on stdout (unless the command's
            // own output already holds it), as the help says; stderr has it in words too.
            if json && e.downcast_ref::<failure::Shown>().is_none() {
                print_json_error(&e, service);
            }
            // Messages can carry what a server sent: never raw to the terminal.
            eprintln!("error: {}", output::clean(&format!("{e:#}")));
            ExitCode::from(failure::exit_code(&e))
        }
    }
}

/// The JSON error object on stdout (escaped for a terminal like every JSON output).
fn print_json_error(e: &anyhow::Error, service: Option<apilogin::ServiceKind>) {
    use std::io::Write as _;
    if let Ok(text) = output::json(&failure::json_error(e, service)) {
        let mut stdout = std::io::stdout().lock();
        // Nowhere to report a stdout that cannot be written: the exit code still says.
        let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let options = Options::default()
        .timeout(cli.timeout)
        .connect_timeout(cli.connect_timeout)
        .allow_insecure_http(cli.allow_http);
    match cli.command {
        Command::Login(args) => commands::login(args, options).await,
        Command::Status(args) => commands::status(args, options).await,
        Command::Token(args) => commands::token(args, options).await,
        Command::Logout(args) => commands::logout(args, options).await,
        Command::Verify(args) => commands::verify(args, options).await,
        Command::Switch(args) => commands::switch(args),
        Command::Completion(args) => commands::completion(args.shell),
    }
}
