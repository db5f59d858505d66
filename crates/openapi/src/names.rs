//! How spec names become Rust names, the way progenitor and typify turn them.

/// `loginWithAuthhash` → `login_with_authhash`, as progenitor names methods.
pub fn snake(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

pub fn pascal(id: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// The words of a name as heck (progenitor's and typify's case converter) splits them: at
/// every non-alphanumeric character, between a lower-case letter (or a digit after one) and an
/// upper-case letter, and before the last capital of a run followed by a lower-case letter.
pub fn words(name: &str) -> Vec<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    let mut out = Vec::new();
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for (k, &(i, c)) in chars.iter().enumerate() {
            let Some(&(next_i, next)) = chars.get(k + 1) else {
                out.push(word[init..].to_string());
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                out.push(word[init..next_i].to_string());
                init = next_i;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                out.push(word[init..i].to_string());
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

/// The snake-case name progenitor gives a method (and typify a field): `getUserByID` →
/// `get_user_by_id`.
pub fn rust_snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// The PascalCase name typify gives a type (and progenitor a builder): `null_time` → `NullTime`.
pub fn rust_pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_as_heck_splits_them() {
        assert_eq!(rust_snake("getUserByID"), "get_user_by_id");
        assert_eq!(rust_snake("GetUser"), "get_user");
        assert_eq!(rust_snake("find pet by id"), "find_pet_by_id");
        assert_eq!(rust_snake("listVersionsv2"), "list_versionsv2");
        assert_eq!(rust_snake("v2Api"), "v2_api");
        assert_eq!(rust_snake("auth-time"), "auth_time");
        assert_eq!(rust_pascal("null_time"), "NullTime");
        assert_eq!(rust_pascal("nullTime"), "NullTime");
        assert_eq!(rust_pascal("HTTPServer"), "HttpServer");
        assert_eq!(rust_pascal("get_root_2"), "GetRoot2");
    }

    #[test]
    fn operation_ids_become_method_names() {
        assert_eq!(snake("loginWithAuthhash"), "login_with_authhash");
        assert_eq!(snake("loginForm"), "login_form");
        assert_eq!(snake("me"), "me");
    }

    #[test]
    fn ids_become_type_names() {
        assert_eq!(pascal("login-form"), "LoginForm");
        assert_eq!(pascal("login"), "Login");
    }
}
