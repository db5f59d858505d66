//! `info.version` → the generated crate's version.
//!
//! A crate version must be semver (`MAJOR.MINOR.PATCH`, with an optional `-pre` and `+build`);
//! real specs say `1.0`, `v2`, `latest`, `vv6.6.2`, `2021-03-01` or nothing at all. Such a
//! version is not an error: the crate gets the closest valid version, with a notice at
//! `/info/version` naming both. The spec's text is kept where it is the API's version, not the
//! crate's: the README, and the `api-version` header progenitor sends.
//!
//! The rule: a leading `v`/`V` (any number of them) is dropped; up to three leading numbers
//! separated by `.` are MAJOR, MINOR and PATCH (missing ones are `0`, leading zeros dropped);
//! what follows is kept as semver pre-release (`-…`) when it is one, else as build metadata
//! (`+…`, its characters outside `[0-9A-Za-z-]` becoming `.`); a version with no leading
//! number is `0.0.0` (with the original as build metadata where it can be one).

use apilogin_openapi::{Spec, SpecError};

/// The crate version for `spec` and, when it differs from `info.version`, a notice. A missing
/// `info.version` (or one that is not a string) is `0.0.0` with a notice too: progenitor needs
/// none (the view gives it one), and the rest of the spec still generates.
pub fn crate_version(spec: &Spec) -> (String, Option<SpecError>) {
    let written = match written(spec) {
        Some(v) => v,
        None => {
            return (
                "0.0.0".to_string(),
                Some(spec.error(
                    "/info",
                    "`info.version` is missing (OpenAPI requires it); the crate is version `0.0.0`",
                )),
            );
        }
    };
    let version = normalise(&written);
    if version == written {
        return (version, None);
    }
    let shown = if written.is_empty() {
        "an empty string".to_string()
    } else {
        format!("`{written}`")
    };
    let notice = spec.error(
        "/info/version",
        format!(
            "`info.version` is {shown}, not a semantic version (MAJOR.MINOR.PATCH) as a crate \
             version must be: the crate is version `{version}` (the README and the `api-version` \
             header keep the spec's text)"
        ),
    );
    (version, Some(notice))
}

/// `info.version` as the spec writes it: a string as is; a number (`version: 1.0`, which YAML
/// reads as a float) or another scalar as its text in the file (`1.10` stays `1.10`), or as
/// JSON prints it when the line cannot be read. `None` when there is none.
pub fn written(spec: &Spec) -> Option<String> {
    match spec.doc.pointer("/info/version")? {
        serde_json::Value::String(v) => Some(v.clone()),
        serde_json::Value::Null => Some(String::new()),
        other => Some(source_text(spec).unwrap_or_else(|| other.to_string())),
    }
}

/// The scalar after `version:` on the line of `/info/version`, unquoted.
fn source_text(spec: &Spec) -> Option<String> {
    let line = spec.text.lines().nth(spec.line("/info/version")? - 1)?;
    let at = line.find("version")? + "version".len();
    let rest = line[at..].trim_start_matches(['"', '\'']).trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let value: String = rest
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | '#') && !c.is_whitespace())
        .collect();
    (!value.is_empty()).then_some(value)
}

/// The code-generation view with `info.version` as the string progenitor needs (it sends it
/// as `api-version`): the spec's text, e.g. `1.0` for a YAML float, or the crate version when
/// the spec has none.
pub fn fix_view(spec: &Spec, view: &mut serde_json::Value, crate_version: &str) {
    let text = written(spec).unwrap_or_else(|| crate_version.to_string());
    if let Some(info) = view
        .get_mut("info")
        .and_then(serde_json::Value::as_object_mut)
    {
        info.insert("version".into(), serde_json::Value::String(text));
    }
}

/// The valid semver closest to `written` (see the module docs).
pub fn normalise(written: &str) -> String {
    if semver::Version::parse(written).is_ok() {
        return written.to_string();
    }
    let trimmed = written.trim();
    let bare = trimmed.trim_start_matches(['v', 'V']);
    if semver::Version::parse(bare).is_ok() {
        return bare.to_string();
    }
    // Up to three dot-separated numbers.
    let mut numbers = Vec::new();
    let mut rest = bare;
    while numbers.len() < 3 {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            break;
        }
        // A number too large for u64 is not a version number: leave it to the metadata.
        let Ok(n) = rest[..digits].parse::<u64>() else {
            break;
        };
        numbers.push(n);
        rest = &rest[digits..];
        match rest.strip_prefix('.') {
            Some(after) if numbers.len() < 3 && after.starts_with(|c: char| c.is_ascii_digit()) => {
                rest = after
            }
            _ => break,
        }
    }
    if numbers.is_empty() {
        rest = trimmed;
    }
    numbers.resize(3, 0);
    let core = format!("{}.{}.{}", numbers[0], numbers[1], numbers[2]);
    if rest.is_empty() {
        return core;
    }
    if rest.starts_with(['-', '+']) {
        let candidate = format!("{core}{rest}");
        if semver::Version::parse(&candidate).is_ok() {
            return candidate;
        }
    }
    let metadata: Vec<String> = rest
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .map(|part| part.trim_matches('-'))
        .filter(|part| !part.is_empty())
        .map(str::to_string)
        .collect();
    if metadata.is_empty() {
        return core;
    }
    let candidate = format!("{core}+{}", metadata.join("."));
    if semver::Version::parse(&candidate).is_ok() {
        candidate
    } else {
        core
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_become_semver() {
        for (written, crate_version) in [
            ("1.2.3", "1.2.3"),
            ("2.10.3-beta.1", "2.10.3-beta.1"),
            ("1.0.0+build.5", "1.0.0+build.5"),
            ("1.0", "1.0.0"),
            ("1", "1.0.0"),
            ("v27", "27.0.0"),
            ("vv6.6.2", "6.6.2"),
            ("V1.2.3-rc.1", "1.2.3-rc.1"),
            ("01.02.03", "1.2.3"),
            ("1.2.3.4", "1.2.3+4"),
            ("2021-03-01", "2021.0.0-03-01"),
            ("1.0 (beta)", "1.0.0+beta"),
            ("latest", "0.0.0+latest"),
            ("", "0.0.0"),
            ("  ", "0.0.0"),
            ("1.0.0-", "1.0.0"),
            ("1.0-SNAPSHOT", "1.0.0-SNAPSHOT"),
            ("ü", "0.0.0"),
        ] {
            let made = normalise(written);
            assert_eq!(made, crate_version, "{written:?}");
            assert!(semver::Version::parse(&made).is_ok(), "{made}");
        }
    }

    fn spec(text: &str) -> Spec {
        apilogin_openapi::parse(std::path::Path::new("specs/demo.yaml"), text).unwrap()
    }

    #[test]
    fn a_changed_version_is_a_located_notice() {
        let s = spec("openapi: 3.0.3\ninfo:\n  title: t\n  version: '1.0'\npaths: {}\n");
        let (version, notice) = crate_version(&s);
        assert_eq!(version, "1.0.0");
        let notice = notice.unwrap();
        assert_eq!(notice.pointer, "/info/version");
        assert_eq!(notice.line, Some(4));
        assert!(notice.message.contains("`1.0`"), "{notice}");
        assert!(notice.message.contains("`1.0.0`"), "{notice}");
        let s = spec("openapi: 3.0.3\ninfo:\n  title: t\n  version: 1.2.3\npaths: {}\n");
        assert_eq!(crate_version(&s), ("1.2.3".to_string(), None));
        let s = spec("openapi: 3.0.3\ninfo:\n  title: t\npaths: {}\n");
        let (version, notice) = crate_version(&s);
        assert_eq!(version, "0.0.0");
        assert_eq!(notice.unwrap().pointer, "/info");
    }

    #[test]
    fn a_number_is_read_as_written() {
        for (text, written_as, made) in [
            ("info:\n  title: t\n  version: 1.0\n", "1.0", "1.0.0"),
            (
                "info:\n  title: t\n  version: 1.10 # minor ten\n",
                "1.10",
                "1.10.0",
            ),
            ("info: {title: t, version: 2}\n", "2", "2.0.0"),
        ] {
            let s = spec(&format!("openapi: 3.0.3\n{text}paths: {{}}\n"));
            assert_eq!(written(&s).as_deref(), Some(written_as), "{text}");
            assert_eq!(crate_version(&s).0, made, "{text}");
            let mut view = s.doc.clone();
            fix_view(&s, &mut view, made);
            assert_eq!(view["info"]["version"], written_as);
        }
        let s = apilogin_openapi::parse(
            std::path::Path::new("specs/demo.json"),
            "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": 3.5}, \"paths\": {}}",
        )
        .unwrap();
        assert_eq!(written(&s).as_deref(), Some("3.5"));
    }
}
