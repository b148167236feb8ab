//! Tracked reading of Helm values: every value the importer reads or refuses is marked, so
//! whatever is left unmarked at the end is reported too and nothing is dropped silently.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

/// A path into the values: map keys and list indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(Vec<Seg>);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Seg {
    Key(String),
    Index(usize),
}

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    pub fn key(&self, key: &str) -> Path {
        let mut p = self.0.clone();
        p.push(Seg::Key(key.to_string()));
        Path(p)
    }

    pub fn index(&self, i: usize) -> Path {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        Path(p)
    }

    /// The paths that lie above this one, the root included.
    fn ancestors(&self) -> impl Iterator<Item = Path> + '_ {
        (0..self.0.len()).map(|n| Path(self.0[..n].to_vec()))
    }

    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }

    /// This path moved from below `from` to below `to` (`None` when not below `from`).
    pub fn rebase(&self, from: &Path, to: &Path) -> Option<Path> {
        let rest = self.0.strip_prefix(from.0.as_slice())?;
        let mut p = to.0.clone();
        p.extend(rest.iter().cloned());
        Some(Path(p))
    }

    /// The path one step up; `None` at the root.
    pub fn parent(&self) -> Option<Path> {
        let (_, up) = self.0.split_last()?;
        Some(Path(up.to_vec()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a non-null value stands at this path in `v`.
    pub fn exists_in(&self, v: &Value) -> bool {
        let mut cur = v;
        for seg in &self.0 {
            let next = match seg {
                Seg::Key(k) => cur.as_object().and_then(|m| m.get(k)),
                Seg::Index(i) => cur.as_array().and_then(|a| a.get(*i)),
            };
            match next {
                Some(n) if !n.is_null() => cur = n,
                _ => return false,
            }
        }
        true
    }
}

/// `controllers.app.containers.app.probes.liveness`, `route.app.hostnames[0]`.
impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if n == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// One value of the release that the AppSpec does not carry, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    pub path: Path,
    pub reason: String,
}

/// A value in the values tree and where it is.
#[derive(Clone, Debug)]
pub struct Node<'v> {
    pub value: &'v Value,
    path: Path,
}

impl<'v> Node<'v> {
    pub fn root(value: &'v Value) -> Node<'v> {
        Node {
            value,
            path: Path::root(),
        }
    }

    /// A value that stands at `path` of the release although it is not the release's own
    /// (a chart default merged in): reading it marks that path.
    pub fn at(value: &'v Value, path: Path) -> Node<'v> {
        Node { value, path }
    }

    pub fn path(&self) -> Path {
        self.path.clone()
    }

    /// A child of a mapping; `None` when absent, null, or this is not a mapping.
    pub fn get(&self, key: &str) -> Option<Node<'v>> {
        let v = self.value.as_object()?.get(key).filter(|v| !v.is_null())?;
        Some(Node {
            value: v,
            path: self.path.key(key),
        })
    }

    /// The entries of a mapping, in document order (nulls skipped).
    pub fn entries(&self) -> Vec<(&'v str, Node<'v>)> {
        let Some(map) = self.value.as_object() else {
            return Vec::new();
        };
        map.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                (
                    k.as_str(),
                    Node {
                        value: v,
                        path: self.path.key(k),
                    },
                )
            })
            .collect()
    }

    /// The items of a list.
    pub fn items(&self) -> Vec<Node<'v>> {
        let Some(list) = self.value.as_array() else {
            return Vec::new();
        };
        list.iter()
            .enumerate()
            .map(|(i, v)| Node {
                value: v,
                path: self.path.index(i),
            })
            .collect()
    }

    pub fn str(&self) -> Option<&'v str> {
        self.value.as_str()
    }

    pub fn bool(&self) -> Option<bool> {
        self.value.as_bool()
    }

    /// Whether app-template uses the item: everything but `enabled: false`.
    pub fn enabled(&self) -> bool {
        self.get("enabled").and_then(|e| e.bool()) != Some(false)
    }

    pub fn int(&self) -> Option<i64> {
        self.value.as_i64()
    }

    /// A scalar as text, the way Helm's `toString` writes it.
    pub fn scalar_text(&self) -> Option<String> {
        match self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        self.value.is_object()
    }
}

/// What has been read (carried over) or refused (dropped, with a reason).
#[derive(Debug, Default)]
pub struct Tracker {
    used: HashSet<Path>,
    touched: HashSet<Path>,
    dropped: Vec<Dropped>,
    noted: Vec<Dropped>,
}

impl Tracker {
    /// Marks a value (and everything below it) as carried over.
    pub fn take(&mut self, node: &Node) {
        self.mark(node.path());
    }

    /// Marks a value (and everything below it) as not carried over, for a reason.
    pub fn drop(&mut self, node: &Node, reason: impl Into<String>) {
        self.drop_path(node.path(), reason);
    }

    /// Records a drop even below (or at) a value already carried, for a note about what it
    /// lost; the first reason given for a path is kept.
    pub fn drop_path(&mut self, path: Path, reason: impl Into<String>) {
        if self.dropped.iter().any(|d| d.path == path) {
            return;
        }
        self.mark(path.clone());
        self.dropped.push(Dropped {
            path,
            reason: reason.into(),
        });
    }

    /// Marks a value as carried in behaviour although the AppSpec does not spell it: a
    /// difference the platform owns, said in a note (SPEC 9.2), not an omission.
    pub fn note(&mut self, node: &Node, text: impl Into<String>) {
        self.note_path(node.path(), text);
    }

    /// [`Tracker::note`] by path; the first note of a path is kept.
    pub fn note_path(&mut self, path: Path, text: impl Into<String>) {
        self.mark(path.clone());
        if !self.noted.iter().any(|d| d.path == path) {
            self.noted.push(Dropped {
                path,
                reason: text.into(),
            });
        }
    }

    /// A note about a value that marks nothing: what the chart adds around it.
    pub fn remark(&mut self, path: Path, text: impl Into<String>) {
        if !self.noted.iter().any(|d| d.path == path) {
            self.noted.push(Dropped {
                path,
                reason: text.into(),
            });
        }
    }

    /// The notes so far, sorted by path (a value both noted and dropped counts as dropped).
    pub fn notes(&self) -> Vec<Dropped> {
        let mut out: Vec<Dropped> = self
            .noted
            .iter()
            .filter(|n| !self.dropped.iter().any(|d| n.path.starts_with(&d.path)))
            .cloned()
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// Whether something at or below this value was read.
    pub fn is_touched(&self, node: &Node) -> bool {
        self.touched.contains(&node.path()) || self.used.contains(&node.path())
    }

    pub fn is_used(&self, node: &Node) -> bool {
        let p = node.path();
        self.used.contains(&p) || p.ancestors().any(|a| self.used.contains(&a))
    }

    fn mark(&mut self, path: Path) {
        for a in path.ancestors() {
            self.touched.insert(a);
        }
        self.used.insert(path);
    }

    /// Everything dropped: the explicit refusals, then every value nobody read, each with
    /// the reason `unread`. Sorted by path.
    pub fn finish(mut self, values: &Value, root: Path, unread: &str) -> Vec<Dropped> {
        let mut left = Vec::new();
        self.leftovers(values, root, &mut left);
        for path in left {
            self.dropped.push(Dropped {
                path,
                reason: unread.to_string(),
            });
        }
        let mut by_path: BTreeMap<Path, Dropped> = BTreeMap::new();
        for d in self.dropped {
            by_path.entry(d.path.clone()).or_insert(d);
        }
        by_path.into_values().collect()
    }

    fn leftovers(&self, v: &Value, path: Path, out: &mut Vec<Path>) {
        if self.used.contains(&path) || is_empty(v) {
            return;
        }
        if !self.touched.contains(&path) {
            out.push(path);
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    self.leftovers(child, path.key(k), out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.leftovers(child, path.index(i), out);
                }
            }
            _ => out.push(path),
        }
    }
}

/// Null, `{}` and `[]` carry nothing, so leaving them out loses nothing.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(is_empty),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_is_not_read_is_reported_at_the_highest_untouched_path() {
        let v = json!({
            "a": {"b": 1, "c": {"d": 2, "e": 3}},
            "f": [1, {"g": 2}],
            "h": {},
            "i": null
        });
        let root = Node::root(&v);
        let mut t = Tracker::default();
        let a = root.get("a").unwrap();
        t.take(&a.get("b").unwrap());
        t.take(&a.get("c").unwrap().get("d").unwrap());
        let f = root.get("f").unwrap();
        t.drop(&f.items()[1], "no");
        let dropped = t.finish(&v, Path::root(), "unread");
        let shown: Vec<String> = dropped
            .iter()
            .map(|d| format!("{}: {}", d.path, d.reason))
            .collect();
        assert_eq!(shown, ["a.c.e: unread", "f[0]: unread", "f[1]: no"]);
    }

    #[test]
    fn a_value_read_after_being_dropped_stays_dropped_once() {
        let v = json!({"a": 1});
        let a = Node::root(&v).get("a").unwrap();
        let mut t = Tracker::default();
        t.drop(&a, "first");
        t.drop(&a, "second");
        let d = t.finish(&v, Path::root(), "unread");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].reason, "first");
        assert!(t_is_used_after_take());
    }

    fn t_is_used_after_take() -> bool {
        let v = json!({"a": {"b": 1}});
        let a = Node::root(&v).get("a").unwrap();
        let mut t = Tracker::default();
        t.take(&a);
        t.is_used(&a.get("b").unwrap())
    }
}
