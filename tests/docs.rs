//! The README is the front door: it opens with the two commands, installs with `--locked`,
//! links every page of `docs/`, and every relative link in README and docs/ leads to a file
//! (and heading) that exists.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// The pages: README.md and every docs/*.md, as (repository path, text).
fn pages() -> Vec<(String, String)> {
    let root = common::repo_root();
    let mut out = vec![(
        "README.md".to_string(),
        fs::read_to_string(root.join("README.md")).unwrap(),
    )];
    let mut docs: Vec<_> = fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    for p in docs {
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        out.push((rel, fs::read_to_string(&p).unwrap()));
    }
    out
}

/// Markdown link targets `](target)` outside code blocks and code spans.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            // A link inside a code span is not a link.
            if rest[..i].matches('`').count() % 2 == 0 {
                out.push(after[..end].to_string());
            }
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's anchor of a heading: lowercase, spaces to `-`, punctuation but `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_relative_link_leads_to_a_file_and_heading() {
    let root = common::repo_root();
    let mut bad = Vec::new();
    let mut count = 0;
    for (page, text) in pages() {
        let dir = Path::new(&page).parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            count += 1;
            let (file, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                root.join(&page)
            } else {
                root.join(dir).join(file)
            };
            if !target.exists() {
                bad.push(format!("{page}: {link}: no such file"));
                continue;
            }
            if !frag.is_empty() && !anchors(&fs::read_to_string(&target).unwrap()).contains(frag) {
                bad.push(format!("{page}: {link}: no heading #{frag}"));
            }
        }
    }
    assert!(
        count > 10,
        "only {count} links found: the link parser is broken"
    );
    assert!(bad.is_empty(), "broken links:\n{}", bad.join("\n"));
}

#[test]
fn readme_links_every_page_of_docs() {
    let pages = pages();
    let readme = &pages[0].1;
    let linked: BTreeSet<String> = links(readme).into_iter().collect();
    let missing: Vec<_> = pages[1..]
        .iter()
        .map(|(p, _)| p)
        .filter(|p| {
            !linked
                .iter()
                .any(|l| l.split('#').next() == Some(p.as_str()))
        })
        .collect();
    assert!(missing.is_empty(), "README links none of {missing:?}");
}

/// The README opens with the two commands: one expands an included example, one runs the
/// whole suite; and the install line pins the dependencies.
#[test]
fn readme_opens_with_the_two_commands() {
    let readme = fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README opens with a sh block");
    assert!(
        readme.find("```sh\n").unwrap() < readme.find("\n## ").unwrap(),
        "the commands come before the first section"
    );
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split(" #").next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let example = commands[0]
        .strip_prefix("cargo run --locked -- render ")
        .expect("the first command renders an example");
    assert!(common::repo_root().join(example).is_dir(), "{example}");
    assert_eq!(commands[1], "bash scripts/test.sh");
    // The example the first command names renders (exit 0, manifests on stdout).
    let out = common::appspec()
        .current_dir(common::repo_root())
        .args(["render", example])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.starts_with(b"---\napiVersion: "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(readme.contains("cargo install --locked --path ."));
    assert!(!readme.contains("cargo install --path"));
}
