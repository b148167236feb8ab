//! Source positions of fields: maps `spec.storage.size` to its line and column in a file.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser};

/// Line and column (both 1-based) of a field's key.
pub type Position = (usize, usize);

/// Field positions of one YAML document.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    start: Option<Position>,
    map: HashMap<String, Position>,
}

impl Fields {
    /// The position of `path`, or of its nearest present ancestor, or of the document.
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return Some(*pos);
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.start,
            }
        }
    }
}

enum Frame {
    Map {
        key: Option<String>,
        expect_key: bool,
    },
    Seq {
        index: usize,
    },
}

fn path_of(stack: &[Frame]) -> String {
    let mut out = String::new();
    for f in stack {
        match f {
            Frame::Map { key: Some(k), .. } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Frame::Seq { index } => out.push_str(&format!("[{index}]")),
            Frame::Map { key: None, .. } => {}
        }
    }
    out
}

/// Positions of every mapping key of every document of `text`, in document order (empty
/// documents included, as the parser sees them). Parse errors end the scan early.
pub fn scan(text: &str) -> Vec<Fields> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut current = Fields::default();
    for ev in Parser::new_from_str(text) {
        let Ok((event, span)) = ev else { break };
        let pos = (span.start.line(), span.start.col() + 1);
        // A value completes the pending key of the enclosing mapping.
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
                | Event::Alias(..)
        );
        if is_node {
            match stack.last_mut() {
                Some(Frame::Map { key, expect_key }) if *expect_key => {
                    if let Event::Scalar(value, ..) = &event {
                        *key = Some(value.to_string());
                        *expect_key = false;
                        if stack.len() == 1 && current.map.is_empty() {
                            // Document-level problems point at the first key, not at `---`.
                            current.start = Some(pos);
                        }
                        current.map.insert(path_of(&stack), pos);
                        continue;
                    }
                    // Complex keys are not fields; skip their content.
                    *expect_key = false;
                    *key = Some(String::from("?"));
                }
                // A list item is located where it starts (`existing[1]`).
                Some(Frame::Seq { .. }) => {
                    current.map.insert(path_of(&stack), pos);
                }
                _ => {}
            }
        }
        match event {
            Event::DocumentStart(..) => {
                current = Fields {
                    start: Some(pos),
                    map: HashMap::new(),
                };
                stack.clear();
            }
            Event::DocumentEnd => docs.push(std::mem::take(&mut current)),
            Event::MappingStart(..) => stack.push(Frame::Map {
                key: None,
                expect_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Seq { index: 0 }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                after_value(&mut stack);
            }
            Event::Scalar(..) | Event::Alias(..) => after_value(&mut stack),
            _ => {}
        }
    }
    docs
}

fn after_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { expect_key, .. }) => *expect_key = true,
        Some(Frame::Seq { index }) => *index += 1,
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_fields_and_falls_back_to_parents() {
        let text = "a: 1\n---\nkind: AppSpec\nspec:\n  storage:\n    size: 0\n  list:\n  - x: 1\n  - y: 2\n";
        let docs = scan(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].locate("spec.storage.size"), Some((6, 5)));
        assert_eq!(docs[1].locate("spec.storage.nas.subpath"), Some((5, 3)));
        assert_eq!(docs[1].locate("spec.list[1].y"), Some((9, 5)));
        assert_eq!(docs[1].locate("spec.list[1]"), Some((9, 5)));
        assert_eq!(docs[1].locate("kind"), Some((3, 1)));
        assert_eq!(docs[0].locate("a"), Some((1, 1)));
        assert_eq!(docs[1].locate("zzz"), Some((3, 1)));
    }

    #[test]
    fn flow_style_keys() {
        let docs = scan("spec: {storage: {size: 0}, image: x}\n");
        assert_eq!(docs[0].locate("spec.storage.size"), Some((1, 18)));
        assert_eq!(docs[0].locate("spec.image"), Some((1, 28)));
    }
}
