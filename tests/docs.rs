//! docs/course.md links each idea of the course to the line of source that computes it; this
//! keeps every such link pointing at an existing file and at the item it names.

use std::path::Path;

/// `[text](target)` links of a markdown text, with the line they are on.
fn links(markdown: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    for (number, line) in markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find('[') {
            rest = &rest[start + 1..];
            let Some(end) = rest.find("](") else { break };
            let text = rest[..end].to_string();
            let after = &rest[end + 2..];
            let Some(close) = after.find(')') else { break };
            if !text.contains('[') {
                found.push((number + 1, text, after[..close].to_string()));
            }
            rest = &after[close..];
        }
    }
    found
}

/// Whether a line of Rust declares `item`: `fn item`, `struct item` and the like, or a field
/// or enum variant (`item: …`, `item(…)`, `item,`, `item {`) at the start of the line.
fn declares(code: &str, item: &str) -> bool {
    let code = code.trim_start();
    if code.starts_with("//") {
        return false;
    }
    let words: Vec<&str> = code.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let keywords = ["fn", "struct", "enum", "trait", "const", "static", "type", "mod"];
    if words.windows(2).any(|pair| keywords.contains(&pair[0]) && pair[1] == item) {
        return true;
    }
    let unqualified = code.strip_prefix("pub(crate) ").or_else(|| code.strip_prefix("pub ")).unwrap_or(code);
    unqualified.strip_prefix(item).is_some_and(|rest| {
        rest.is_empty()
            || rest.starts_with(['(', ',', ' ']) && !rest.trim_start().starts_with('=')
            || rest.starts_with(':') && !rest.starts_with("::")
    })
}

#[test]
fn course_map_links_point_at_the_items_they_name() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let markdown = std::fs::read_to_string(docs.join("course.md")).unwrap();
    let links = links(&markdown);
    assert!(links.len() > 100, "only {} links found", links.len());
    let mut wrong = Vec::new();
    for (line, text, target) in &links {
        if target.starts_with("http") {
            continue;
        }
        let (file, anchor) = target.split_once("#L").map_or((target.as_str(), None), |(f, l)| (f, Some(l)));
        let path = docs.join(file);
        let Ok(source) = std::fs::read_to_string(&path) else {
            wrong.push(format!("course.md:{line}: {target}: no such file"));
            continue;
        };
        let Some(anchor) = anchor else { continue };
        let n: usize = anchor.parse().unwrap_or_else(|_| panic!("course.md:{line}: bad anchor {target}"));
        let Some(code) = source.lines().nth(n.wrapping_sub(1)) else {
            wrong.push(format!("course.md:{line}: {target}: the file has fewer lines"));
            continue;
        };
        // `Type::item` or `item` names the item; the anchored line must declare it. (Other
        // texts, such as a file name or a command, only need the line to exist.)
        let name = text.strip_prefix('`').and_then(|t| t.strip_suffix('`'));
        if let Some(name) = name.filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':')) {
            let item = name.rsplit("::").next().unwrap();
            if !declares(code, item) {
                wrong.push(format!("course.md:{line}: [{text}]({target}) but line {n} is `{}`", code.trim()));
            }
        }
    }
    assert!(wrong.is_empty(), "{} stale links:\n{}", wrong.len(), wrong.join("\n"));
}
