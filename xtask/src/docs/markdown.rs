//! The small part of CommonMark the specs' descriptions use, rendered to HTML: paragraphs,
//! `#` headings, `*`/`-` lists, fenced code, and inline code, `**strong**`, `*emphasis*` and
//! `[links](https://...)`. Everything else is text: the input is escaped before any markup is
//! added, so a description cannot inject HTML.

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Block-level Markdown. Headings are demoted by `shift` levels (a `##` in a description must
/// not compete with the page's own headings), at most to `<h6>`.
pub fn block(text: &str, shift: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        if line.trim_start().starts_with("```") {
            i += 1;
            let mut code = Vec::new();
            while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                code.push(lines[i]);
                i += 1;
            }
            i += 1;
            out.push_str(&format!(
                "<pre><code>{}</code></pre>\n",
                esc(&code.join("\n"))
            ));
            continue;
        }
        if let Some((level, rest)) = heading(line) {
            let level = (level + shift).min(6);
            out.push_str(&format!("<h{level}>{}</h{level}>\n", inline(rest)));
            i += 1;
            continue;
        }
        if item(line).is_some() {
            out.push_str("<ul>\n");
            while i < lines.len() {
                let Some(first) = item(lines[i]) else { break };
                let mut text = vec![first.trim()];
                i += 1;
                // Continuation lines are indented and are not items themselves.
                while i < lines.len()
                    && !lines[i].trim().is_empty()
                    && lines[i].starts_with(' ')
                    && item(lines[i]).is_none()
                {
                    text.push(lines[i].trim());
                    i += 1;
                }
                out.push_str(&format!("<li>{}</li>\n", inline(&text.join(" "))));
            }
            out.push_str("</ul>\n");
            continue;
        }
        let mut text = Vec::new();
        while i < lines.len()
            && !lines[i].trim().is_empty()
            && heading(lines[i]).is_none()
            && item(lines[i]).is_none()
            && !lines[i].trim_start().starts_with("```")
        {
            text.push(lines[i].trim());
            i += 1;
        }
        out.push_str(&format!("<p>{}</p>\n", inline(&text.join(" "))));
    }
    out
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let rest = line[hashes..].strip_prefix(' ')?;
    (1..=6).contains(&hashes).then_some((hashes, rest.trim()))
}

fn item(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    trimmed
        .strip_prefix("* ")
        .or_else(|| trimmed.strip_prefix("- "))
}

/// Inline Markdown: code spans first (their content is only escaped), then links and emphasis.
pub fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let is_code = i % 2 == 1 && i + 1 < parts.len();
        if is_code {
            out.push_str(&format!("<code>{}</code>", esc(part)));
        } else {
            if i % 2 == 1 {
                // An unclosed backtick is text.
                out.push('`');
            }
            out.push_str(&emphasis(&links(part)));
        }
    }
    out
}

/// `[text](https://...)` as a link; the rest escaped. Only http(s) and in-page targets.
fn links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let parsed = after.find("](").and_then(|close| {
            let label = &after[..close];
            let target_start = &after[close + 2..];
            let end = target_start.find(')')?;
            let url = &target_start[..end];
            let safe =
                url.starts_with("https://") || url.starts_with("http://") || url.starts_with('#');
            (safe && !label.contains('[')).then_some((label, url, close + 2 + end + 1))
        });
        match parsed {
            Some((label, url, consumed)) => {
                out.push_str(&esc(&rest[..open]));
                out.push_str(&format!(
                    "<a href=\"{}\" rel=\"noreferrer\">{}</a>",
                    esc(url),
                    esc(label)
                ));
                rest = &after[consumed..];
            }
            None => {
                out.push_str(&esc(&rest[..=open]));
                rest = after;
            }
        }
    }
    out.push_str(&esc(rest));
    out
}

/// `**strong**` and `*emphasis*` on already escaped text (no `*` is produced by escaping).
fn emphasis(text: &str) -> String {
    let text = pairs(text, "**", "strong");
    pairs(&text, "*", "em")
}

fn pairs(text: &str, marker: &str, tag: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(marker) {
        let inner_start = open + marker.len();
        let opens = rest[inner_start..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace());
        let close = rest[inner_start..].find(marker).map(|c| inner_start + c);
        match close {
            Some(close)
                if opens
                    && close > inner_start
                    && !rest[..close].ends_with(char::is_whitespace) =>
            {
                out.push_str(&rest[..open]);
                out.push_str(&format!("<{tag}>{}</{tag}>", &rest[inner_start..close]));
                rest = &rest[close + marker.len()..];
            }
            _ => {
                out.push_str(&rest[..inner_start]);
                rest = &rest[inner_start..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_before_adding_markup() {
        assert_eq!(
            inline("a <script>x</script> & `<b>` *it* **bold**"),
            "a &lt;script&gt;x&lt;/script&gt; &amp; <code>&lt;b&gt;</code> <em>it</em> <strong>bold</strong>"
        );
        assert_eq!(inline("2 * 3 * 4"), "2 * 3 * 4");
        assert_eq!(inline("one ` tick"), "one ` tick");
    }

    #[test]
    fn links_only_to_web_and_in_page_targets() {
        assert_eq!(
            inline("see [docs](https://x.test/a?b=1&c=2)"),
            "see <a href=\"https://x.test/a?b=1&amp;c=2\" rel=\"noreferrer\">docs</a>"
        );
        assert_eq!(
            inline("[x](javascript:alert(1))"),
            "[x](javascript:alert(1))"
        );
    }

    #[test]
    fn blocks_headings_lists_and_paragraphs() {
        let html = block(
            "Intro line one\nline two.\n\n## How\n\n* first item\n  continued\n* second\n\nEnd.",
            1,
        );
        assert_eq!(
            html,
            "<p>Intro line one line two.</p>\n<h3>How</h3>\n<ul>\n<li>first item continued</li>\n<li>second</li>\n</ul>\n<p>End.</p>\n"
        );
    }
}
