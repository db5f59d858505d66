use base64::Engine as _;

use super::*;

fn scrubbed(text: &str, secret: &str) -> String {
    Scrubber::new([secret]).scrub(text)
}

#[test]
fn redacts_secret_members_and_known_secrets() {
    let body =
        br#"{"status":"error","error":"USER_NOT_FOUND","login":{"user":"bob","pass":"s3cret"}}"#;
    let e = excerpt(body, &Scrubber::default(), EXCERPT_CHARS);
    assert!(!e.contains("s3cret"), "{e}");
    assert!(e.contains("USER_NOT_FOUND"), "{e}");
    assert!(e.contains("bob"));

    let e = excerpt(
        b"you sent hunter2 and hunter2",
        &Scrubber::new(["hunter2"]),
        EXCERPT_CHARS,
    );
    assert_eq!(e, "you sent <redacted> and <redacted>");
}

#[test]
fn malformed_json_and_numbers() {
    let none = Scrubber::default();
    let e = excerpt(
        br#"{"token": "abc", "code": 123456, ]"#,
        &none,
        EXCERPT_CHARS,
    );
    assert!(!e.contains("abc") && !e.contains("123456"), "{e}");
    let e = excerpt(br#"{"authToken":"unterminated"#, &none, EXCERPT_CHARS);
    assert!(e.contains("authToken"), "{e}");
    // Unterminated strings are never a reason to panic or to leak.
    let _ = excerpt(br#"{"a":"\"#, &none, EXCERPT_CHARS);
    let _ = excerpt(br#"""#, &none, EXCERPT_CHARS);
}

#[test]
fn every_spelling_a_server_may_echo() {
    let secret = "p/w\"d é<&>'😀 x";
    let spellings = [
        // serde_json
        serde_json::to_string(secret)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
        // PHP's json_encode: `\/` and `\uXXXX` for everything outside ASCII
        r#"p\/w\"d \u00e9<&>'\ud83d\ude00 x"#.to_owned(),
        // `\u00xx` for ASCII punctuation too (JSON_HEX_TAG and friends), upper-case hex
        r#"p\u002Fw\u0022d \u00E9\u003C\u0026\u003E\u0027\uD83D\uDE00\u0020x"#.to_owned(),
        // application/x-www-form-urlencoded
        form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        // percent-encoding with lower-case hex and %20
        "p%2fw%22d%20%c3%a9%3c%26%3e%27%f0%9f%98%80%20x".to_owned(),
        // HTML, named, decimal and hexadecimal
        "p/w&quot;d é&lt;&amp;&gt;&#39;😀 x".to_owned(),
        "p&#47;w&#x22;d &#233;&#x3C;&#38;&#X3e;&apos;&#128512;&#32;x".to_owned(),
        "p&sol;w&QUOT;d &eacute;&LT;&amp;&GT;&apos;😀&#x20;x".to_owned(),
    ];
    for spelling in spellings {
        let text = format!("you sent {spelling}, which is wrong");
        let e = scrubbed(&text, secret);
        assert_eq!(e, "you sent <redacted>, which is wrong", "{spelling}");
    }
    // A near miss is left alone.
    let e = scrubbed("p%2fw%22d%20%c3%a9%3c%26%3e%27", secret);
    assert!(e.starts_with("p%2fw"), "{e}");
    // A `%` in the secret, raw or encoded, both.
    assert_eq!(
        scrub("a 100% b 100%25 c", &["100%"]),
        "a <redacted> b <redacted> c"
    );
}

#[test]
fn layered_spellings() {
    let secret = "p\"ä/ss w&rd<1>%";
    let json = serde_json::to_string(secret).unwrap();
    let json = json.trim_matches('"');
    let html_of_json = html_escape::encode_double_quoted_attribute(json).into_owned();
    assert!(html_of_json.contains("\\&quot;"), "{html_of_json}");
    let form = form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>();
    let double_percent = percent_encoding::utf8_percent_encode(
        &percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    let b64_in_json_in_html = html_escape::encode_double_quoted_attribute(
        &serde_json::to_string(&format!("Basic {b64}")).unwrap(),
    )
    .into_owned();
    for spelling in [
        html_of_json,
        double_percent,
        form_urlencoded::byte_serialize(form.as_bytes()).collect(),
        b64.clone(),
        b64.trim_end_matches('=').to_owned(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&form),
        b64_in_json_in_html,
    ] {
        let text = format!("<p>you sent {spelling} here</p>");
        let e = scrubbed(&text, secret);
        assert!(
            e.starts_with("<p>you sent ") && e.ends_with(" here</p>"),
            "{e}"
        );
        assert!(e.contains(REDACTED), "{spelling} → {e}");
        assert!(!e.contains("ss") && !e.contains("rd"), "{spelling} → {e}");
    }
}

#[test]
fn base64_inside_longer_base64_at_every_alignment() {
    let secret = "hunter2!";
    for prefix in ["", "a", "ab", "abc", "user:", "bob:"] {
        let plain = format!("{prefix}{secret}; and more text after it");
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let encoded = engine.encode(&plain);
            let text = format!("Authorization: Basic {encoded}\r\n");
            let e = scrubbed(&text, secret);
            assert!(e.contains(REDACTED), "{prefix}: {e}");
            // What is left decodes to no part of the secret's middle.
            assert!(e.starts_with("Authorization: Basic "), "{e}");
            for run in e.split(|c: char| !c.is_ascii_alphanumeric()) {
                for offset in 0..4.min(run.len()) {
                    let piece = &run[offset..];
                    let piece = &piece[..piece.len() - piece.len() % 4];
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD_NO_PAD
                        .decode(piece)
                        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(piece))
                    {
                        let bytes = String::from_utf8_lossy(&bytes);
                        assert!(!bytes.contains("unter"), "{prefix}: {e} holds {bytes}");
                    }
                }
            }
        }
    }
}

#[test]
fn too_much_work_is_not_shown() {
    // Text that decodes under every codec, layer after layer: a tenth of the limit is too
    // much to look through three layers deep.
    let text = "%2541&amp;amp;\\u0041QUFB".repeat(WORK_LIMIT / 10 / 22);
    let e = Scrubber::new(["secret"]).scrub(&text);
    assert!(
        e.starts_with('<') && e.contains("not shown"),
        "{}",
        &e[..60]
    );
    let e = Scrubber::new(["secret"]).scrub(&"x".repeat(WORK_LIMIT + 1));
    assert!(e.contains("not shown"), "{}", &e[..60]);
    // Without secrets, there is nothing to look for.
    assert_eq!(Scrubber::default().scrub("abc"), "abc");
}

#[test]
fn longest_match_and_neighbours() {
    // A secret containing another is replaced whole; adjacent matches become one marker.
    assert_eq!(scrub("x abcdef y", &["abc", "abcdef"]), "x <redacted> y");
    assert_eq!(scrub("abcabc", &["abc"]), "<redacted>");
    assert_eq!(scrub("é-abc-é", &["abc"]), "é-<redacted>-é");
    // Debug never shows a secret.
    assert_eq!(
        format!("{:?}", Scrubber::new(["abc", "", "abc", "d"])),
        "Scrubber(2 secrets)"
    );
}

#[test]
fn the_shared_secret_names() {
    let none = Scrubber::default();
    // Names the lint knew and the scrubber did not, and the scrubber's own.
    for name in [
        "pwd",
        "pin",
        "otp",
        "totp",
        "sessionId",
        "X-Session-Id",
        "code",
        "resume",
    ] {
        let body = format!(r#"{{"user":"bob","{name}":"s3cret","n":1}}"#);
        let e = excerpt(body.as_bytes(), &none, EXCERPT_CHARS);
        assert!(!e.contains("s3cret"), "{name}: {e}");
        assert!(e.contains("bob"), "{name}: {e}");
    }
    // A name in an escaped spelling is read as JSON reads it.
    let e = excerpt(
        br#"{"pass\u0077ord":"s3cret","to\u006ben":"abc"}"#,
        &none,
        EXCERPT_CHARS,
    );
    assert!(!e.contains("s3cret") && !e.contains("abc"), "{e}");
    // Harmless names keep their values.
    let e = excerpt(
        br#"{"countryCode":"DK","username":"bob"}"#,
        &none,
        EXCERPT_CHARS,
    );
    assert_eq!(e, r#"{"countryCode":"DK","username":"bob"}"#);
}

#[test]
fn bounded_single_line() {
    let none = Scrubber::default();
    let body = format!("<html>\n   <body>{}</body>", "x".repeat(1000));
    let e = excerpt(body.as_bytes(), &none, EXCERPT_CHARS);
    assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    assert!(e.starts_with("<html> <body>xx"));
    // Multi-byte characters are never cut in half.
    let e = excerpt("é".repeat(500).as_bytes(), &none, EXCERPT_CHARS);
    assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    // A secret across the cut is scrubbed before cutting: no part of it is shown.
    let body = format!("{}hunter2", "x".repeat(EXCERPT_CHARS - 3));
    let e = excerpt(body.as_bytes(), &Scrubber::new(["hunter2"]), EXCERPT_CHARS);
    assert!(!e.contains("hun"), "{e}");
}

#[test]
fn hostile_input_never_panics() {
    let s = Scrubber::new(["a", "é", "😀"]);
    for text in [
        "\\",
        "\\u",
        "\\ud83d",
        "%",
        "%f",
        "%ff%fe",
        "&",
        "&#",
        "&#x;",
        "&#99999999999;",
        "&;",
        "====",
        "-_-_",
        "é\\u00",
        "😀%F0%9F",
        "a=b=c",
    ] {
        let _ = s.scrub(text);
    }
}
