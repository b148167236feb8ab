//! One side of a `risk` or `diff` comparison, built once the way `render` builds it: the apps the engine validated, what each expanded into, and every rendered object.
//!
//! Kustomizations are built by kustomize; the function it runs for them answers through
//! `relay`, so each app is expanded once and its objects are kept as the function wrote
//! them. The rendered objects (kustomize's output and the expansion of specs outside
//! kustomizations) are matched to the app that made them: an object a patch changed after
//! expansion keeps both forms.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use crate::engine;
use crate::expand;
use crate::input::diagnostic::Diagnostic;
use crate::input::source;
use crate::model::platform::{self, Platform};
use crate::model::spec;
use crate::render::{self, Hooks, RenderError};
use crate::risk::relay;
use crate::risk::rendered::strip_build;
use crate::validate::App;

#[derive(Debug, Error)]
pub enum SideError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("cannot prepare a scratch directory: {0}")]
    Scratch(std::io::Error),
    #[error("{path} cannot be read as render reads it:\n{problems}")]
    Unreadable { path: String, problems: String },
}

/// An object's identity across both sides: API group, kind, namespace, name (the version
/// left out: the same object may be served under several).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn of(v: &Value) -> Key {
        let api = source::api_version(v).unwrap_or("");
        Key {
            group: api.rsplit_once('/').map_or("", |(g, _)| g).to_string(),
            kind: source::kind(v).unwrap_or("").to_string(),
            namespace: source::namespace(v).unwrap_or("").to_string(),
            name: source::name(v).unwrap_or("").to_string(),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.namespace.as_str() {
            "" => write!(f, "{} {}", self.kind, self.name),
            ns => write!(f, "{} {ns}/{}", self.kind, self.name),
        }
    }
}

/// A rendered object: as it will be applied (build annotations left out), the app that
/// made it, and the form the function wrote it in (before any patch).
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub value: Value,
    pub owner: Option<String>,
    pub expansion: Option<Value>,
    /// The file it was read from (a built kustomization's file), relative to the side.
    pub source: Option<String>,
}

/// An app as the engine validated it, with the platform it was expanded for.
#[derive(Debug, PartialEq)]
pub struct Expanded {
    pub app: App,
    pub platform: Platform,
}

/// One side of the comparison.
#[derive(Default)]
pub struct Side {
    /// Every AppSpec seen, valid or not, by `namespace/name`.
    pub present: BTreeSet<String>,
    /// The apps that validated, as the engine expanded them.
    pub apps: BTreeMap<String, Expanded>,
    /// Error messages by app key (`*` for problems not tied to an app).
    pub problems: BTreeMap<String, Vec<String>>,
    /// The platforms in effect in the side's runs (canonical JSON), sorted.
    pub platforms: Vec<String>,
    pub management: Vec<String>,
    /// Every rendered object that is not an AppSpec or a PlatformConfig.
    pub objects: BTreeMap<Key, Object>,
    /// The kustomizations (their file, relative to the side) the function refused:
    /// kustomize wrote nothing for them, so what the other side has from them is not
    /// compared.
    pub unbuilt: BTreeSet<String>,
}

/// The key of an app: `namespace/name`.
pub fn key_of(name: &str, namespace: Option<&str>) -> String {
    format!("{}/{name}", namespace.unwrap_or(name))
}

fn app_key(app: &App) -> String {
    key_of(&app.spec.name, Some(&app.spec.namespace))
}

impl Side {
    /// Takes in what one run of the engine saw and made.
    fn absorb(
        &mut self,
        specs: impl IntoIterator<Item = String>,
        platform: &Platform,
        diagnostics: &[Diagnostic],
        apps: Vec<App>,
    ) {
        self.present.extend(specs);
        self.take_problems(diagnostics);
        // The platform in effect (defaults filled in), so a reformatted or empty
        // PlatformConfig is no change, and any change of a setting is one.
        if let Ok(p) = serde_json::to_string(platform) {
            self.platforms.push(p);
        }
        self.management
            .extend(platform.namespaces.management.iter().cloned());
        for app in apps {
            let key = app_key(&app);
            self.present.insert(key.clone());
            let platform = platform.clone();
            self.apps.insert(key, Expanded { app, platform });
        }
    }

    /// Takes in error diagnostics: each AppSpec they name is present and judged invalid
    /// with them; the others are problems of the side (`*`).
    fn take_problems(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            // The "only a PlatformConfig" guard is about output; a risk run has none.
            if d.file.is_none() && d.resource.is_none() {
                continue;
            }
            let app = d
                .resource
                .as_ref()
                .filter(|r| r.kind == spec::KIND)
                .map(|r| key_of(&r.name, r.namespace.as_deref()));
            if let Some(key) = &app {
                self.present.insert(key.clone());
            }
            let app = app.unwrap_or_else(|| "*".to_string());
            self.problems.entry(app).or_default().push(d.to_string());
        }
    }
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The engine's sink for the specs outside kustomizations: everything kept as values.
#[derive(Default)]
struct Keep {
    passed: Vec<(Value, usize)>,
    generated: Vec<(App, Vec<Value>)>,
}

impl engine::Sink for Keep {
    fn passthrough(&mut self, value: Value, index: usize) {
        self.passed.push((value, index));
    }

    fn generated(&mut self, objects: Vec<expand::Object>, app: App) {
        let values = objects.iter().map(expand::Object::to_value).collect();
        self.generated.push((app, values));
    }
}

/// Whether a value is an AppSpec or a PlatformConfig (judged as specs and platforms).
fn is_spec(v: &Value) -> bool {
    source::is_ours(v, spec::KIND) || source::is_ours(v, platform::KIND)
}

/// Builds one side as `render` would (kustomizations built, the function inside them
/// answered by the relay, Lists opened) and runs the engine on what is left. `build` is
/// render's options (its `paths` unused; `platform` is the `--platform` file); `skip`
/// names kustomization directories not to build.
pub fn load(
    path: &Path,
    build: &render::Options,
    skip: Option<&dyn Fn(&Path) -> bool>,
) -> Result<Side, SideError> {
    let mut side = Side::default();
    let mut opts = render::Options {
        paths: vec![],
        platform_from_repository: false,
        ..build.clone()
    };
    if path.symlink_metadata().is_err() {
        // No specs: the `--platform` file's platform, else the built-in one (like a
        // directory without a PlatformConfig).
        let given = match build.platform {
            Some(_) => render::collect(&opts, &Hooks::default())?.platform,
            None => None,
        };
        let effective = engine::run(vec![], given).platform;
        side.platforms = serde_json::to_string(&effective).into_iter().collect();
        side.management = effective.namespaces.management;
        return Ok(side);
    }
    opts.paths = vec![path.to_path_buf()];
    let scratch = crate::input::files::private_dir("appspec-risk")
        .map(Scratch)
        .map_err(SideError::Scratch)?;
    // The operator's platform, which the function inside kustomize is held to (as under
    // `render`); a file that cannot be read fails `collect` below with its own message.
    let site = build.platform.as_ref().and_then(|p| {
        let text = crate::input::files::read(p, build.limits.max_bytes).ok()?;
        let value = crate::input::yaml::parse_one(&text, &build.limits).ok()?;
        Some(crate::input::source::Item::new(
            value,
            Some(p.display().to_string()),
        ))
    });
    let server =
        relay::Server::start(&scratch.0, build.limits, site).map_err(SideError::Scratch)?;
    let hooks = Hooks {
        relay: Some(server.socket()),
        skip,
    };
    let collected = render::collect(&opts, &hooks);
    let calls = server.finish();
    let collected = collected?;
    // The builds the function refused are judged, as a spec outside kustomize that does
    // not validate is; what else fails to read fails the side.
    let unreadable: Vec<String> = collected
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !collected.refusals.contains(d))
        .map(ToString::to_string)
        .collect();
    if !unreadable.is_empty() {
        let shown = unreadable.len().min(10);
        let mut problems = unreadable[..shown].join("\n");
        if unreadable.len() > shown {
            problems.push_str(&format!("\n... and {} more", unreadable.len() - shown));
        }
        return Err(SideError::Unreadable {
            path: path.display().to_string(),
            problems,
        });
    }
    let relative = |file: &str| {
        let file = Path::new(file);
        file.strip_prefix(path)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/")
    };
    side.unbuilt = collected.unbuilt.iter().map(|f| relative(f)).collect();
    let items = engine::flatten_lists(collected.items);
    let sources: Vec<Option<String>> = items
        .iter()
        .map(|i| i.file.as_deref().map(relative))
        .collect();
    let specs: Vec<String> = items
        .iter()
        .filter(|i| source::is_ours(&i.value, spec::KIND))
        .map(|i| {
            key_of(
                source::name(&i.value).unwrap_or(""),
                source::namespace(&i.value),
            )
        })
        .collect();
    side.take_problems(&collected.refusals);
    let mut keep = Keep::default();
    let summary = engine::run_into(items, collected.platform, &mut keep);
    let apps = keep.generated.iter().map(|(a, _)| a.clone()).collect();
    side.absorb(specs, &summary.platform, &summary.diagnostics, apps);
    // The expansions made inside kustomize, by object key, to find the app of each object
    // kustomize wrote.
    let mut expansions: BTreeMap<Key, (String, Value)> = BTreeMap::new();
    for call in calls {
        if call.failed {
            // Its diagnostics came through `collected.refusals`, named after the
            // kustomization; kustomize wrote nothing for the build, so the other specs of
            // its input are present but not judged: invalid, saying why.
            let file = call
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .find_map(|d| {
                    collected
                        .refusals
                        .iter()
                        .find(|r| r.resource == d.resource && r.issue == d.issue)
                })
                .and_then(|r| r.file.as_deref())
                .map_or(String::new(), |f| format!("{f}: "));
            for key in call.refused {
                if !side.problems.contains_key(&key) {
                    side.problems.entry(key.clone()).or_default().push(format!(
                        "{file}not built: the function refused another resource of the same kustomize build, so kustomize wrote nothing for {key}"
                    ));
                }
                side.present.insert(key);
            }
            continue;
        }
        for (app, values) in &call.apps {
            for v in values {
                let v = strip_build(v.clone());
                expansions.insert(Key::of(&v), (app_key(app), v));
            }
        }
        let apps = call.apps.into_iter().map(|(a, _)| a).collect();
        side.absorb([], &call.platform, &call.diagnostics, apps);
    }
    for (app, values) in keep.generated {
        let owner = app_key(&app);
        for v in values {
            let v = strip_build(v);
            let object = Object {
                value: v.clone(),
                owner: Some(owner.clone()),
                expansion: Some(v.clone()),
                source: None,
            };
            side.objects.insert(Key::of(&v), object);
        }
    }
    for (v, index) in keep.passed.into_iter().filter(|(v, _)| !is_spec(v)) {
        let v = strip_build(v);
        let key = Key::of(&v);
        let (owner, expansion) = match owner_of(&key, &v, &expansions) {
            Some((owner, expansion)) => (Some(owner), Some(expansion)),
            None => (None, None),
        };
        side.objects.insert(
            key,
            Object {
                value: v,
                owner,
                expansion,
                source: sources.get(index).cloned().flatten(),
            },
        );
    }
    side.platforms.sort();
    side.platforms.dedup();
    if side.management.is_empty() {
        side.management = Platform::default().namespaces.management;
    }
    Ok(side)
}

/// The app that made an object kustomize wrote, and the object as the function wrote it:
/// the expansion with the same key, else (a later `namespace:` or `namePrefix` moved it)
/// the one expansion of the same group, kind and name, else of the same kind whose app
/// the object's `app.kubernetes.io/name` label names.
fn owner_of(
    key: &Key,
    v: &Value,
    expansions: &BTreeMap<Key, (String, Value)>,
) -> Option<(String, Value)> {
    if let Some(found) = expansions.get(key) {
        return Some(found.clone());
    }
    let unique = |matches: Vec<&(String, Value)>| match matches.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    };
    let same_name = expansions
        .iter()
        .filter(|(k, _)| k.group == key.group && k.kind == key.kind && k.name == key.name)
        .map(|(_, e)| e)
        .collect();
    if let Some(found) = unique(same_name) {
        return Some(found);
    }
    let label = |v: &Value, l: &str| {
        v.pointer(&format!("/metadata/labels/{}", l.replace('/', "~1")))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if label(v, "app.kubernetes.io/managed-by").as_deref() != Some(crate::MANAGER) {
        return None;
    }
    let name = label(v, "app.kubernetes.io/name")?;
    let same_app = expansions
        .iter()
        .filter(|(k, (owner, _))| {
            k.group == key.group
                && k.kind == key.kind
                && owner.rsplit_once('/').map(|(_, n)| n) == Some(name.as_str())
        })
        .map(|(_, e)| e)
        .collect();
    unique(same_app)
}
