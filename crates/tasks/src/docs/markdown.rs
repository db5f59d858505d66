//! The specs' descriptions are CommonMark, rendered by `pulldown-cmark` with three changes that
//! keep the pages script-free and fetch-free: raw HTML is dropped, a link whose URL has a scheme
//! other than http, https or mailto (`javascript:`, `data:`, ...) keeps its text but loses its
//! link, and an image becomes a link to it (a page never loads one). Headings are demoted.

use std::fmt;

use askama::filters::Safe;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{FmtWriter, escape_html, escape_html_body_text};

/// HTML rendered here from Markdown, with the guarantees above. The view hands it to the
/// templates as `Safe<Markup>`, which they print as it is; they escape every other text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Markup(String);

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The templates' escaper (see `askama.toml`): [`escape_html`], text for HTML content and
/// (double-quoted) attribute values.
#[derive(Debug, Clone, Copy)]
pub struct Escape;

impl askama::filters::Escaper for Escape {
    fn write_escaped_str<W: fmt::Write>(&self, dest: W, text: &str) -> fmt::Result {
        escape_html(FmtWriter(dest), text)
    }
}

/// Text as Chromium serialises a text node (`&`, `<`, `>` and no-break spaces escaped): what the
/// browser test looks for in the DOM it dumps.
pub fn dom_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html_body_text(&mut out, text).expect("writing to a String cannot fail");
    out.replace('\u{a0}', "&nbsp;")
}

/// An attribute value as Chromium serialises it (`&`, `"` and no-break spaces escaped).
pub fn dom_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\u{a0}', "&nbsp;")
}

/// Whether a link may point at `url`: http, https, mailto, or no scheme (relative, `#anchor`).
/// Judged on what a browser would parse: spaces and controls around it, and tabs and line
/// breaks inside it, are ignored there (`java\tscript:` is `javascript:`).
pub fn safe_url(url: &str) -> bool {
    let url: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    match url.find([':', '/', '?', '#']) {
        Some(i) if url[i..].starts_with(':') => ["http", "https", "mailto"].contains(&&url[..i]),
        _ => true,
    }
}

/// Block-level Markdown. Headings are demoted by `shift` levels (a `##` in a description must
/// not compete with the page's own headings), at most to `<h6>`.
pub fn block(text: &str, shift: usize) -> Safe<Markup> {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, safe(text, Some(shift)));
    Safe(Markup(out))
}

/// Markdown inside a line (a summary, a table cell): the inline markup, no blocks.
pub fn inline(text: &str) -> Safe<Markup> {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, safe(text, None));
    Safe(Markup(out.trim().to_string()))
}

/// The parser's events, made safe. `shift: None` keeps inline events only (block structure is
/// dropped, line breaks become spaces).
fn safe(text: &str, shift: Option<usize>) -> impl Iterator<Item = Event<'_>> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    // For each open link or image: whether it is kept as a link.
    let mut open: Vec<bool> = Vec::new();
    Parser::new_ext(text, options).filter_map(move |event| match event {
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = link_type == LinkType::Email || safe_url(&dest_url);
            open.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::Start(Tag::Image {
            dest_url, title, ..
        }) => {
            let keep = safe_url(&dest_url);
            open.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url,
                title,
                id: CowStr::Borrowed(""),
            }))
        }
        Event::End(TagEnd::Link | TagEnd::Image) => open
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Heading { level, .. }) if shift.is_some() => {
            Some(Event::Start(Tag::Heading {
                level: demote(level, shift.unwrap_or(0)),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }))
        }
        Event::End(TagEnd::Heading(level)) if shift.is_some() => Some(Event::End(TagEnd::Heading(
            demote(level, shift.unwrap_or(0)),
        ))),
        Event::Start(_) | Event::End(_) if shift.is_none() => match event {
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => Some(event),
            // The end of a block separates words.
            Event::End(_) => Some(Event::Text(" ".into())),
            _ => None,
        },
        Event::SoftBreak | Event::HardBreak if shift.is_none() => Some(Event::Text(" ".into())),
        other => Some(other),
    })
}

fn demote(level: HeadingLevel, shift: usize) -> HeadingLevel {
    HeadingLevel::try_from((level as usize + shift).min(6)).unwrap_or(HeadingLevel::H6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, shift: usize) -> String {
        super::block(text, shift).0.0
    }

    fn inline(text: &str) -> String {
        super::inline(text).0.0
    }

    #[test]
    fn raw_html_is_dropped_and_text_escaped() {
        let html = block(
            "a <script>alert(1)</script> & `<b>` *it* **bold**\n\n\
             <img src=x onerror=\"alert(1)\">\n\n<script>\nalert(2)\n</script>\n",
            0,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(
            !html.contains("alert(2)"),
            "a block of HTML goes whole: {html}"
        );
        assert!(html.contains("&amp; <code>&lt;b&gt;</code> <em>it</em> <strong>bold</strong>"));
        assert_eq!(
            inline("a <img src=x onerror=alert(1)> *b*"),
            "a  <em>b</em>"
        );
    }

    #[test]
    fn links_only_to_web_mail_and_relative_targets() {
        assert_eq!(
            inline("see [docs](https://x.test/a?b=1&c=2)"),
            "see <a href=\"https://x.test/a?b=1&amp;c=2\">docs</a>"
        );
        for evil in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](java&#9;script:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](data:text/html,<script>alert(1)</script>)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
        ] {
            let html = block(evil, 0);
            // The text may stay; the link goes.
            assert!(!html.contains("<a"), "{evil}: {html}");
            assert!(!html.contains("href"), "{evil}: {html}");
        }
        assert!(
            block(
                "[m](mailto:a@b.test) <a@b.test> [r](../x.html#y) [h](#z)",
                0
            )
            .contains(
                "<a href=\"mailto:a@b.test\">m</a> <a href=\"mailto:a@b.test\">a@b.test</a> \
             <a href=\"../x.html#y\">r</a> <a href=\"#z\">h</a>"
            )
        );
        // An image is never loaded: it becomes a link to it.
        assert_eq!(
            block("![logo](https://x.test/l.png)", 0),
            "<p><a href=\"https://x.test/l.png\">logo</a></p>\n"
        );
    }

    #[test]
    fn headings_are_demoted_and_lists_nest() {
        let html = block(
            "Intro line one\nline two.\n\n## How\n\n1. first\n2. second\n   - nested *a*\n   - nested b\n\n\
             ###### Deep\n\n```\nx < y\n```\n",
            1,
        );
        assert_eq!(
            html,
            "<p>Intro line one\nline two.</p>\n<h3>How</h3>\n<ol>\n<li>first</li>\n<li>second\n\
             <ul>\n<li>nested <em>a</em></li>\n<li>nested b</li>\n</ul>\n</li>\n</ol>\n\
             <h6>Deep</h6>\n<pre><code>x &lt; y\n</code></pre>\n"
        );
        assert_eq!(
            inline("One\ntwo `c` and\n\n- a list"),
            "One two <code>c</code> and a list"
        );
    }

    #[test]
    fn safe_urls() {
        for ok in [
            "https://a.test",
            "HTTP://a",
            "mailto:x@y",
            "x/y:z",
            "#a",
            "?q=1",
            "",
        ] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " javascript:x",
            "java\nscript:x",
            "data:x",
            "file:///etc",
        ] {
            assert!(!safe_url(bad), "{bad}");
        }
    }
}
