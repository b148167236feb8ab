//! What kustomize fetches from the network, by its own rules, so `render` can refuse it.
//!
//! Mirrors kustomize v5.5 (`api/internal/loader/fileloader.go`, `api/internal/git/repospec.go`):
//! a file path is fetched when it parses as an `http`/`https` URL ([`is_remote_file`]); a
//! base (`resources`, `components`, the generator/transformer/validator lists) is cloned
//! with `git` when it parses as a repository spec ([`is_repo_spec`]), which kustomize tries
//! *before* the local directory of that name. Field names are matched the way Go's
//! `encoding/json` matches them (case-insensitively, `ſ` for `s`), which kustomize uses.

use serde_json::Value;

/// How kustomize would fetch an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// An HTTP(S) GET.
    Download,
    /// `git init`, `git fetch`: a clone.
    Clone,
    /// A GET first, then a clone when that does not give YAML.
    DownloadThenClone,
}

impl Fetch {
    /// What the entry is, and what kustomize would do with it.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            Fetch::Download => ("file", "download it"),
            Fetch::Clone => ("repository", "run git to clone it"),
            Fetch::DownloadThenClone => ("URL", "download it, then run git to clone it"),
        }
    }
}

/// A remote entry: the field it is in (as written), the entry, and how it is fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub field: String,
    pub entry: String,
    pub fetch: Fetch,
}

/// kustomize's `IsRemoteFile`: the entry parses as a URL with scheme `http` or `https`
/// (Go's `url.Parse`: a scheme is `[A-Za-z][A-Za-z0-9+.-]*` before the first `:`, any
/// case). An entry that Go cannot parse but has that scheme is counted too: kustomize
/// could not read it as a local file either.
pub fn is_remote_file(entry: &str) -> bool {
    let Some((scheme, _)) = entry.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
}

/// Whether kustomize's `git.NewRepoSpecFromURL` accepts the entry, so that `loader.New`
/// clones it (even when a local directory of that name exists).
pub fn is_repo_spec(entry: &str) -> bool {
    if entry.starts_with('/') {
        return false;
    }
    let n = entry.split_once('?').map_or(entry, |(before, _)| before);
    let Some((all_segments, rest)) = extract_host(n) else {
        return false;
    };
    parse_path_parts(rest, all_segments)
}

/// How kustomize would fetch a base entry (`resources`, `components`, `bases`,
/// `generators`, `transformers`, `validators`): it reads a remote file first, then tries
/// the entry as a repository.
pub fn base(entry: &str) -> Option<Fetch> {
    match (is_remote_file(entry), is_repo_spec(entry)) {
        (true, true) => Some(Fetch::DownloadThenClone),
        (true, false) => Some(Fetch::Download),
        (false, true) => Some(Fetch::Clone),
        (false, false) => None,
    }
}

/// How kustomize would fetch a file entry (patches, `crds`, `openapi.path`, generator
/// sources...): only an HTTP(S) URL; any other entry is a local path.
pub fn file(entry: &str) -> Option<Fetch> {
    is_remote_file(entry).then_some(Fetch::Download)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..prefix.len())?;
    // An ASCII prefix: a match ends on a character boundary.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &s[prefix.len()..])
}

/// Go's `unicode.ToLower` of one character (simple case mapping).
fn go_lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Go's `unicode.ToUpper` of one character (simple case mapping).
fn go_upper(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `extractHost`: whether the repository path takes every segment (`file://`), and the
/// rest after the host; `None` when kustomize finds no host.
fn extract_host(n: &str) -> Option<(bool, &str)> {
    let n = strip_prefix_ignore_case(n, "git::").unwrap_or(n);
    let mut scheme = "";
    let mut n = n;
    for prefix in ["ssh://", "https://", "http://", "file://"] {
        if let Some(rest) = strip_prefix_ignore_case(n, prefix) {
            scheme = prefix;
            n = rest;
            break;
        }
    }
    // The user name: `^[a-zA-Z][a-zA-Z0-9-]*@`.
    let user_len = {
        let bytes = n.as_bytes();
        let name = bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        (name > 0 && bytes[0].is_ascii_alphabetic() && bytes.get(name) == Some(&b'@'))
            .then_some(name + 1)
    };
    let has_user = user_len.is_some();
    let n = &n[user_len.unwrap_or(0)..];
    // `strings.ToLower(s)` then a prefix test.
    let github = ["github.com/", "github.com:"].iter().any(|p| {
        let mut lower = n.chars().map(go_lower);
        p.chars().all(|c| lower.next() == Some(c))
    });
    let scp = scheme.is_empty() && (has_user || github);
    if scheme.is_empty() && !scp {
        return None;
    }
    if scheme == "file://" {
        return Some((true, n));
    }
    // `findPathSeparator`: the first `/`, or in scp style an earlier `:` (not at 0).
    let slash = n.find('/');
    let sep = match (slash, scp.then(|| n.find(':')).flatten()) {
        (None, colon) => colon,
        (Some(s), Some(c)) if c > 0 && c < s => Some(c),
        (slash, _) => slash,
    };
    let (host, rest) = match sep {
        Some(i) => (&n[..=i], &n[i + 1..]),
        None => (n, ""),
    };
    // A GitHub host is normalized to a fixed one; any other must not be empty.
    (github || !host.is_empty()).then_some((false, rest))
}

/// `parsePathParts`: the repository path and the kustomization's path in it.
fn parse_path_parts(n: &str, all_segments: bool) -> bool {
    let split = if let Some(i) = n.find("_git/") {
        let after = &n[i + "_git/".len()..];
        let (first, rest) = after.split_once('/').unwrap_or((after, ""));
        Some((format!("{}{first}", &n[..i + "_git/".len()]), rest))
    } else if let Some(i) = n.find("//") {
        Some((n[..i].to_string(), &n[i + 2..]))
    } else if let Some(i) = n.find(".git") {
        Some((n[..i + 4].to_string(), &n[i + 4..]))
    } else if all_segments {
        Some((n.to_string(), ""))
    } else {
        let mut segments = n.splitn(3, '/');
        match (segments.next(), segments.next(), segments.next()) {
            (Some(org), Some(repo), rest) => Some((format!("{org}/{repo}"), rest.unwrap_or(""))),
            _ => None,
        }
    };
    split.is_some_and(|(repo, root)| !repo.is_empty() && !exits_repo(root))
}

/// `kustRootPathExitsRepo`: `filepath.Clean` of the path (one leading `/` dropped)
/// starts with `..`.
fn exits_repo(path: &str) -> bool {
    let path = path.strip_prefix('/').unwrap_or(path);
    if path.starts_with('/') {
        return false;
    }
    let mut depth: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if depth.last().is_some_and(|p| *p != "..") => {
                depth.pop();
            }
            part => depth.push(part),
        }
    }
    depth.first() == Some(&"..")
}

/// Whether a key names a Go struct field of JSON name `name`: `encoding/json` folds both
/// (ASCII upper case; other characters `ToUpper(ToLower(c))`, so `ſ` is `S`, `K` is `K`).
pub fn key_is(key: &str, name: &str) -> bool {
    let fold = |c: char| {
        if c.is_ascii() {
            c.to_ascii_uppercase()
        } else {
            go_upper(go_lower(c))
        }
    };
    key.chars().map(fold).eq(name.chars().map(fold))
}

/// Every value of `obj` under a key that Go reads as `name` (kustomize keeps one of
/// several; all are checked), with the key as written.
pub fn fields<'a>(obj: &'a Value, name: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
    obj.as_object()
        .into_iter()
        .flatten()
        .filter(move |(k, _)| key_is(k, name))
        .map(|(k, v)| (k.as_str(), v))
}

/// The strings of a `[]string` field.
fn strings(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// The objects of a list field, with their index.
fn objects(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, o)| o.is_object())
}

struct Found(Vec<Remote>);

impl Found {
    fn check(&mut self, field: String, entry: &str, how: fn(&str) -> Option<Fetch>) {
        if let Some(fetch) = how(entry) {
            self.0.push(Remote {
                field,
                entry: entry.to_string(),
                fetch,
            });
        }
    }

    /// A `[]string` field of file paths.
    fn files(&mut self, obj: &Value, name: &str, prefix: &str) {
        for (key, v) in fields(obj, name) {
            for entry in strings(v) {
                self.check(format!("{prefix}{key}"), entry, file);
            }
        }
    }

    /// A `string` field holding a file path.
    fn file(&mut self, obj: &Value, name: &str, prefix: &str) {
        for (key, v) in fields(obj, name) {
            if let Some(entry) = v.as_str() {
                self.check(format!("{prefix}{key}"), entry, file);
            }
        }
    }

    /// A list of objects, each with a `path`-like field.
    fn paths_in(&mut self, obj: &Value, list: &str, name: &str) {
        for (key, v) in fields(obj, list) {
            for (i, item) in objects(v) {
                self.file(item, name, &format!("{key}[{i}]."));
            }
        }
    }

    /// ConfigMap and Secret generator sources: `files` (`[key=]path`), `envs`, `env`.
    fn kv_sources(&mut self, obj: &Value, prefix: &str) {
        for (key, v) in fields(obj, "files") {
            for entry in strings(v) {
                // `generators.ParseFileSource`: one `=` not first or last splits key=path;
                // more than one is an error (nothing read).
                let path = match entry.matches('=').count() {
                    0 => Some(entry),
                    1 if !entry.starts_with('=') => entry.split_once('=').map(|(_, p)| p),
                    _ => None,
                };
                if path.is_some_and(is_remote_file) {
                    self.0.push(Remote {
                        field: format!("{prefix}{key}"),
                        entry: entry.to_string(),
                        fetch: Fetch::Download,
                    });
                }
            }
        }
        self.files(obj, "envs", prefix);
        self.file(obj, "env", prefix);
    }
}

/// The remote entries of a kustomization (or Component), in field order.
pub fn in_kustomization(doc: &Value) -> Vec<Remote> {
    let mut found = Found(Vec::new());
    for name in [
        "resources",
        "components",
        "bases",
        "generators",
        "transformers",
        "validators",
    ] {
        for (key, v) in fields(doc, name) {
            for entry in strings(v) {
                found.check(key.to_string(), entry, base);
            }
        }
    }
    for name in ["crds", "configurations", "patchesStrategicMerge"] {
        found.files(doc, name, "");
    }
    // `openapi` is a map read with the exact key `path`.
    for (key, v) in fields(doc, "openapi") {
        if let Some(entry) = v.get("path").and_then(Value::as_str) {
            found.check(format!("{key}.path"), entry, file);
        }
    }
    found.paths_in(doc, "patches", "path");
    found.paths_in(doc, "patchesJson6902", "path");
    found.paths_in(doc, "replacements", "path");
    for list in ["configMapGenerator", "secretGenerator"] {
        for (key, v) in fields(doc, list) {
            for (i, item) in objects(v) {
                found.kv_sources(item, &format!("{key}[{i}]."));
            }
        }
    }
    for (key, v) in fields(doc, "helmCharts") {
        for (i, item) in objects(v) {
            let prefix = format!("{key}[{i}].");
            found.file(item, "valuesFile", &prefix);
            found.files(item, "additionalValuesFiles", &prefix);
        }
    }
    found.paths_in(doc, "helmChartInflationGenerator", "values");
    found.0
}

/// Whether kustomize loads a plugin configuration as a builtin plugin: its `apiVersion`
/// splits (Go's `resid.ParseGroupVersion`: at the first `/`) into group `""` and version
/// `builtin`, so `builtin` and `/builtin` both are.
pub fn is_builtin(doc: &Value) -> bool {
    let api = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let (group, version) = api.split_once('/').unwrap_or(("", api));
    group.is_empty() && version == "builtin"
}

/// The remote entries of a builtin plugin's configuration (a document kustomize reads as
/// builtin, [`is_builtin`], listed in `generators`, `transformers` or `validators`).
pub fn in_plugin_config(doc: &Value) -> Vec<Remote> {
    let mut found = Found(Vec::new());
    if !is_builtin(doc) {
        return found.0;
    }
    match doc.get("kind").and_then(Value::as_str).unwrap_or("") {
        "PatchTransformer" | "PatchJson6902Transformer" => found.file(doc, "path", ""),
        "PatchStrategicMergeTransformer" => found.files(doc, "paths", ""),
        "ReplacementTransformer" => found.paths_in(doc, "replacements", "path"),
        "ConfigMapGenerator" | "SecretGenerator" => found.kv_sources(doc, ""),
        "HelmChartInflationGenerator" => {
            found.file(doc, "valuesFile", "");
            found.files(doc, "additionalValuesFiles", "");
        }
        "ValueAddTransformer" => found.file(doc, "targetFilePath", ""),
        _ => {}
    }
    found.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remote_forms_are_remote() {
        let cases: &[(&str, Fetch)] = &[
            ("github.com/org/repo//deploy?ref=v1", Fetch::Clone),
            ("github.com/org/repo", Fetch::Clone),
            ("GitHub.com/org/repo", Fetch::Clone),
            ("github.com:org/repo", Fetch::Clone),
            // Go lower-cases the dotted capital I to `i`.
            ("g\u{130}thub.com/org/repo", Fetch::Clone),
            ("git@github.com:org/repo.git", Fetch::Clone),
            ("git@gitlab.example.com:org/repo", Fetch::Clone),
            ("deploy@host:org/repo", Fetch::Clone),
            ("ssh://git@example.com/org/repo", Fetch::Clone),
            ("SSH://example.com/org/repo", Fetch::Clone),
            ("file:///srv/repo", Fetch::Clone),
            ("file://repo", Fetch::Clone),
            // Go reads the scheme `git`: no download, a clone.
            (
                "git::https://example.com/org/repo//deploy?ref=v1",
                Fetch::Clone,
            ),
            ("git::github.com/org/repo", Fetch::Clone),
            (
                "https://github.com/org/repo/deploy?ref=v1",
                Fetch::DownloadThenClone,
            ),
            (
                "https://dev.azure.com/org/project/_git/repo/path",
                Fetch::DownloadThenClone,
            ),
            (
                "https://raw.githubusercontent.com/org/repo/v1/install.yaml",
                Fetch::DownloadThenClone,
            ),
            ("https://example.com/install.yaml", Fetch::Download),
            ("HTTP://example.com/x.yaml", Fetch::Download),
            ("http:x.yaml", Fetch::Download),
            ("https://127.0.0.1:8080/x.yaml", Fetch::Download),
        ];
        for (entry, fetch) in cases {
            assert_eq!(base(entry), Some(*fetch), "{entry}");
        }
    }

    #[test]
    fn local_paths_are_local() {
        for entry in [
            "app.yaml",
            "../base",
            "./github.com/org/repo",
            "github.com",
            "github.com/org",
            "gitlab.com/org/repo",
            "vendor/github.com/org/repo",
            "/abs/path",
            "overlays/prod",
            "a:b/c",
            "1user@host:path",
            "deploy@host:path",
            "user@",
            "github.com/org/repo/../../..",
            "github.com/org//../x",
            "ssh://",
            "_git/x",
            " https://example.com/x.yaml",
            "httpx://example.com/x",
            "",
        ] {
            assert_eq!(base(entry), None, "{entry:?}");
        }
        // A file field only fetches HTTP(S).
        assert_eq!(file("github.com/org/repo"), None);
        assert_eq!(file("git@github.com:org/repo.git"), None);
        assert_eq!(file("https://example.com/p.yaml"), Some(Fetch::Download));
    }

    #[test]
    fn field_names_match_as_go_reads_them() {
        assert!(key_is("resources", "resources"));
        assert!(key_is("RESOURCES", "resources"));
        assert!(key_is("re\u{17f}ources", "resources"));
        assert!(key_is("patchesJSON6902", "patchesJson6902"));
        assert!(!key_is("resource", "resources"));
        assert!(!key_is("resources ", "resources"));
    }

    #[test]
    fn every_fetching_field_of_a_kustomization_is_read() {
        let url = "https://example.com/x.yaml";
        let doc = json!({
            "Resources": ["app.yaml", "github.com/org/repo"],
            "components": ["../c", url],
            "bases": ["git@github.com:org/repo.git"],
            "generators": ["apiVersion: builtin\nkind: X\n", url],
            "transformers": [url],
            "validators": [url],
            "crds": [url, "github.com/org/repo"],
            "configurations": [url],
            "patchesStrategicMerge": [url],
            "openapi": {"path": url, "Path": url},
            "patches": [{"path": "local.yaml"}, {"path": url}],
            "patchesJson6902": [{"path": url}],
            "replacements": [{"path": url}],
            "configMapGenerator": [{"files": [url, format!("k={url}"), "k=v=w"], "envs": [url], "env": url}],
            "secretGenerator": [{"files": ["local.txt"], "envs": [url]}],
            "helmCharts": [{"valuesFile": url, "additionalValuesFiles": [url]}],
            "helmChartInflationGenerator": [{"values": url}],
        });
        let found: Vec<(String, String)> = in_kustomization(&doc)
            .into_iter()
            .map(|r| (r.field, r.entry))
            .collect();
        let want: Vec<(String, String)> = [
            ("Resources", "github.com/org/repo"),
            ("components", url),
            ("bases", "git@github.com:org/repo.git"),
            ("generators", url),
            ("transformers", url),
            ("validators", url),
            ("crds", url),
            ("configurations", url),
            ("patchesStrategicMerge", url),
            ("openapi.path", url),
            ("patches[1].path", url),
            ("patchesJson6902[0].path", url),
            ("replacements[0].path", url),
            ("configMapGenerator[0].files", url),
            ("configMapGenerator[0].files", &format!("k={url}")),
            ("configMapGenerator[0].envs", url),
            ("configMapGenerator[0].env", url),
            ("secretGenerator[0].envs", url),
            ("helmCharts[0].valuesFile", url),
            ("helmCharts[0].additionalValuesFiles", url),
            ("helmChartInflationGenerator[0].values", url),
        ]
        .iter()
        .map(|(f, e)| (f.to_string(), e.to_string()))
        .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn builtin_plugin_configs_are_read() {
        let url = "https://example.com/x.yaml";
        let cases = [
            (json!({"kind": "PatchTransformer", "path": url}), "path"),
            (
                json!({"kind": "PatchJson6902Transformer", "Path": url}),
                "Path",
            ),
            (
                json!({"kind": "PatchStrategicMergeTransformer", "paths": [url]}),
                "paths",
            ),
            (
                json!({"kind": "ReplacementTransformer", "replacements": [{"path": url}]}),
                "replacements[0].path",
            ),
            (json!({"kind": "ConfigMapGenerator", "envs": [url]}), "envs"),
            (
                json!({"kind": "SecretGenerator", "files": [format!("k={url}")]}),
                "files",
            ),
            (
                json!({"kind": "HelmChartInflationGenerator", "valuesFile": url}),
                "valuesFile",
            ),
            (
                json!({"kind": "ValueAddTransformer", "targetFilePath": url}),
                "targetFilePath",
            ),
        ];
        for (mut doc, field) in cases {
            assert_eq!(in_plugin_config(&doc), [], "no apiVersion: {doc}");
            doc["apiVersion"] = json!("builtin");
            let found = in_plugin_config(&doc);
            assert_eq!(found.len(), 1, "{doc}");
            assert_eq!(found[0].field, field, "{doc}");
        }
        let local = json!({"apiVersion": "builtin", "kind": "PatchTransformer", "path": "github.com/org/repo"});
        assert_eq!(in_plugin_config(&local), []);
        // kustomize splits the apiVersion at its first `/`: an empty group is no group.
        for (api, builtin) in [
            ("/builtin", true),
            ("builtin", true),
            ("builtin/", false),
            ("x/builtin", false),
            ("builtin/v1", false),
            ("Builtin", false),
            ("//builtin", false),
        ] {
            let doc = json!({"apiVersion": api, "kind": "PatchTransformer", "path": url});
            assert_eq!(is_builtin(&doc), builtin, "{api}");
            assert_eq!(in_plugin_config(&doc).len(), usize::from(builtin), "{api}");
        }
    }
}
