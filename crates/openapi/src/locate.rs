//! Finds the line of a JSON pointer in a spec file, so that a finding of the Rust checks can be
//! opened in an editor (`specs/x.yaml:LINE`). yaml_serde and serde_json parse into a plain
//! `serde_json::Value` without positions. A JSON document (`.json` specs, or YAML written as
//! JSON) is scanned token by token; block-style YAML, as the specs are written, by indentation.

/// The 1-based line of the node at `pointer` in `text`; when the node itself cannot be found
/// (flow-style YAML, say) the line of its closest ancestor that can. `None` for the document.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    if text.trim_start().starts_with(['{', '[']) {
        let mut scan = Json {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        };
        if let Some(found) = scan.locate(&tokens(pointer)) {
            return found;
        }
    }
    yaml_line_of(text, pointer)
}

fn yaml_line_of(text: &str, pointer: &str) -> Option<usize> {
    let lines: Vec<Line<'_>> = text.lines().map(Line::new).collect();
    let tokens = tokens(pointer);
    let mut found = None;
    // The block to search: lines [start, end), whose entries are indented deeper than `parent`.
    let mut start = 0;
    let mut end = lines.len();
    let mut parent: isize = -1;
    // A sequence item's first line (`- key: value`) is searched as if the dash were a space.
    let mut first_override: Option<Line<'_>> = None;
    for token in &tokens {
        let line_at = |i: usize| -> Line<'_> {
            match first_override {
                Some(l) if i == start => l,
                _ => lines[i],
            }
        };
        let Some(child_indent) = (start..end)
            .map(line_at)
            .find(|l| !l.blank())
            .map(|l| l.indent)
            .filter(|&i| i as isize > parent)
        else {
            break;
        };
        let mut hit = None;
        if let Ok(index) = token.parse::<usize>() {
            let mut seen = 0;
            for i in start..end {
                let l = line_at(i);
                if l.blank() || l.indent != child_indent {
                    continue;
                }
                if l.content.starts_with("- ") || l.content == "-" {
                    if seen == index {
                        hit = Some((i, Some(l.after_dash())));
                        break;
                    }
                    seen += 1;
                }
            }
        }
        if hit.is_none() {
            for i in start..end {
                let l = line_at(i);
                if !l.blank() && l.indent == child_indent && l.is_key(token) {
                    hit = Some((i, None));
                    break;
                }
            }
        }
        let Some((i, item_line)) = hit else { break };
        found = Some(i + 1);
        let block_end = (i + 1..end)
            .find(|&j| !lines[j].blank() && lines[j].indent <= child_indent)
            .unwrap_or(end);
        match item_line {
            // `- key: value`: the item's own line holds its first entry.
            Some(item) => {
                first_override = Some(item);
                start = i;
                parent = child_indent as isize;
            }
            None => {
                first_override = None;
                start = i + 1;
                parent = child_indent as isize;
            }
        }
        end = block_end;
    }
    found
}

/// A JSON text read just far enough to find a pointer, counting lines.
struct Json<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl Json<'_> {
    /// `Some(line)` of the deepest node of `tokens` found (`Some(None)` for the document);
    /// `None` when the text is not JSON after all.
    fn locate(&mut self, tokens: &[String]) -> Option<Option<usize>> {
        let mut found = None;
        for token in tokens {
            self.space();
            match self.bytes.get(self.at)? {
                b'{' => {
                    self.at += 1;
                    let mut hit = false;
                    loop {
                        self.space();
                        match self.bytes.get(self.at)? {
                            b'}' => break,
                            b',' => self.at += 1,
                            b'"' => {
                                let line = self.line;
                                let key = self.string()?;
                                self.space();
                                (self.bytes.get(self.at)? == &b':').then_some(())?;
                                self.at += 1;
                                if key == *token {
                                    found = Some(line);
                                    hit = true;
                                    break;
                                }
                                self.value()?;
                            }
                            _ => return None,
                        }
                    }
                    if !hit {
                        return Some(found);
                    }
                }
                b'[' => {
                    self.at += 1;
                    let Ok(index) = token.parse::<usize>() else {
                        return Some(found);
                    };
                    let mut seen = 0;
                    let mut hit = false;
                    loop {
                        self.space();
                        match self.bytes.get(self.at)? {
                            b']' => break,
                            b',' => self.at += 1,
                            _ if seen == index => {
                                found = Some(self.line);
                                hit = true;
                                break;
                            }
                            _ => {
                                self.value()?;
                                seen += 1;
                            }
                        }
                    }
                    if !hit {
                        return Some(found);
                    }
                }
                _ => return Some(found),
            }
        }
        Some(found)
    }

    fn space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    /// A string at `self.at` (its opening quote), unescaped.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        self.at += 1;
        loop {
            match self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => self.at += 2,
                b'\n' => {
                    self.line += 1;
                    self.at += 1;
                }
                _ => self.at += 1,
            }
        }
        self.at += 1;
        let raw = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        serde_json::from_str(raw).ok()
    }

    /// Skips one value.
    fn value(&mut self) -> Option<()> {
        self.space();
        match self.bytes.get(self.at)? {
            b'"' => {
                self.string()?;
            }
            open @ (b'{' | b'[') => {
                let close = if *open == b'{' { b'}' } else { b']' };
                self.at += 1;
                loop {
                    self.space();
                    match self.bytes.get(self.at)? {
                        b if *b == close => break,
                        b',' | b':' => self.at += 1,
                        _ => self.value()?,
                    }
                }
                self.at += 1;
            }
            _ => {
                while let Some(b) = self.bytes.get(self.at) {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.at += 1;
                }
            }
        }
        Some(())
    }
}

#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    content: &'a str,
}

impl<'a> Line<'a> {
    fn new(raw: &'a str) -> Self {
        let content = raw.trim_start_matches(' ');
        Line {
            indent: raw.len() - content.len(),
            content: content.trim_end(),
        }
    }

    fn blank(&self) -> bool {
        self.content.is_empty() || self.content.starts_with('#')
    }

    fn after_dash(&self) -> Line<'a> {
        let rest = self.content[1..].trim_start_matches(' ');
        Line {
            indent: self.indent + (self.content.len() - rest.len()),
            content: rest,
        }
    }

    fn is_key(&self, key: &str) -> bool {
        [
            key.to_string(),
            format!("'{}'", key.replace('\'', "''")),
            format!("\"{key}\""),
        ]
        .iter()
        .any(|k| {
            self.content
                .strip_prefix(k.as_str())
                .is_some_and(|rest| rest == ":" || rest.starts_with(": "))
        })
    }
}

/// The unescaped reference tokens of a JSON pointer (with or without a leading `#`).
pub fn tokens(pointer: &str) -> Vec<String> {
    let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
openapi: 3.0.3
info:
  title: t
paths:
  /a/b:
    post:
      tags:
        - one
        - two
      responses:
        '200':
          description: ok
      parameters:
        - name: user
          in: query
        - name: pass
          # a comment
          in: query
";

    #[test]
    fn finds_keys_quoted_keys_and_sequence_items() {
        assert_eq!(line_of(DOC, "/info/title"), Some(3));
        assert_eq!(line_of(DOC, "/paths/~1a~1b/post/responses/200"), Some(11));
        assert_eq!(
            line_of(DOC, "/paths/~1a~1b/post/responses/200/description"),
            Some(12)
        );
        assert_eq!(line_of(DOC, "/paths/~1a~1b/post/tags/1"), Some(9));
        assert_eq!(line_of(DOC, "/paths/~1a~1b/post/parameters/1"), Some(16));
        assert_eq!(
            line_of(DOC, "/paths/~1a~1b/post/parameters/1/name"),
            Some(16)
        );
        assert_eq!(line_of(DOC, "/paths/~1a~1b/post/parameters/1/in"), Some(18));
        assert_eq!(
            line_of(DOC, "#/paths/~1a~1b/post/parameters/0/in"),
            Some(15)
        );
    }

    const JSON: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/a/b": {
      "post": {
        "tags": ["one",
                 "two"],
        "description": "a \"quoted\" {brace} and [bracket]",
        "parameters": [
          {"name": "user", "in": "query"},
          {
            "name": "pass",
            "in": "query"
          }
        ],
        "responses": {"200": {"description": "ok"}}
      }
    }
  },
  "components": {"schemas": {"a~b/c": {"type": "object"}}}
}"#;

    #[test]
    fn finds_members_and_items_in_json() {
        assert_eq!(line_of(JSON, "/openapi"), Some(2));
        assert_eq!(line_of(JSON, "/info/version"), Some(3));
        assert_eq!(line_of(JSON, "/paths/~1a~1b/post"), Some(6));
        assert_eq!(line_of(JSON, "/paths/~1a~1b/post/tags/1"), Some(8));
        assert_eq!(
            line_of(JSON, "/paths/~1a~1b/post/parameters/0/in"),
            Some(11)
        );
        assert_eq!(line_of(JSON, "/paths/~1a~1b/post/parameters/1"), Some(12));
        assert_eq!(
            line_of(JSON, "/paths/~1a~1b/post/parameters/1/in"),
            Some(14)
        );
        assert_eq!(line_of(JSON, "/paths/~1a~1b/post/responses/200"), Some(17));
        assert_eq!(line_of(JSON, "/components/schemas/a~0b~1c/type"), Some(21));
        // The closest ancestor, and the document.
        assert_eq!(line_of(JSON, "/paths/~1a~1b/post/missing/deeper"), Some(6));
        assert_eq!(line_of(JSON, ""), None);
    }

    #[test]
    fn falls_back_to_the_closest_ancestor() {
        assert_eq!(line_of(DOC, "/paths/~1a~1b/post/missing"), Some(6));
        assert_eq!(line_of(DOC, ""), None);
    }
}
