//! Where values come from: flags, `<SERVICE>_*` variables, prompts, standard input.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::Context as _;
use apilogin::ServiceKind;

use crate::failure::usage;

/// `<SERVICE>_<NAME>`, e.g. `ROCKETCHAT_PASSWORD`.
pub fn env_name(kind: ServiceKind, name: &str) -> String {
    format!("{}_{name}", kind.id().to_ascii_uppercase())
}

pub fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// A non-secret value: flag, environment, or a prompt with echo.
pub fn plain(
    flag: Option<String>,
    flag_name: &str,
    env: &str,
    label: &str,
) -> anyhow::Result<String> {
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
pub fn secret(env: &str, label: &str) -> anyhow::Result<String> {
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

/// The first line of standard input (when it is not a terminal), trimmed; `None` when empty.
/// At most 1 KiB is read: a code is a few characters.
pub fn stdin_line() -> anyhow::Result<Option<String>> {
    stdin_line_of(1024)
}

/// A token you already have (`login --with-token`): a prompt without echo in a terminal, else
/// the first line of standard input (at most 16 KiB: a JWT can be long).
pub fn token(label: &str) -> anyhow::Result<String> {
    let token = if interactive() {
        Some(
            rpassword::prompt_password(format!("{label}: "))
                .with_context(|| format!("cannot read the {label}"))?,
        )
    } else {
        stdin_line_of(16 * 1024)?
    };
    token
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| usage(format!("no {label}: pipe it in on standard input")))
}

fn stdin_line_of(limit: u64) -> anyhow::Result<Option<String>> {
    use std::io::Read as _;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(limit)
        .read_line(&mut line)
        .context("cannot read standard input")?;
    let line = line.trim();
    Ok((!line.is_empty()).then(|| line.to_owned()))
}

/// Opens `url` in the user's browser where there is one to open: only when standard input and
/// standard error are terminals (a person is there), with the platform's opener (`xdg-open`
/// under a graphical session on Linux and the BSDs, `open` on macOS, `explorer` on Windows),
/// never through a shell. `APILOGIN_NO_BROWSER` (any value) prevents it. The URL is printed
/// either way.
pub fn open_browser(url: &str) {
    if std::env::var_os("APILOGIN_NO_BROWSER").is_some()
        || !interactive()
        || !std::io::stderr().is_terminal()
    {
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        Some("open")
    } else if cfg!(windows) {
        Some("explorer")
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    {
        Some("xdg-open")
    } else {
        None
    };
    if let Some(opener) = opener {
        // Not waited for: the opener may live as long as the browser. Its output is not ours.
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}
