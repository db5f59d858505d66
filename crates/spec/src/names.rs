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

#[cfg(test)]
mod tests {
    use super::*;

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
