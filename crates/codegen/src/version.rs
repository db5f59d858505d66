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

use apilogin_spec::{Spec, SpecError};

/// The crate version for `spec` and, when it differs from `info.version`, a notice. A missing
/// `info.version` (or one that is not a string) is `0.0.0` with a notice too: progenitor needs
/// none (the view gives it one), and the rest of the spec still generates.
pub fn crate_version(spec: &Spec) -> (String, Option<SpecError>) {
    let written = match spec.doc.pointer("/info/version") {
        Some(serde_json::Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
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
        apilogin_spec::parse(std::path::Path::new("specs/demo.yaml"), text).unwrap()
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
}
