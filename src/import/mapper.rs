//! The shared state of one mapping run (`Mapper`): what the mapping steps in `workload`,
//! `network` and `volumes` read and write, below all of them and the `map` that runs them.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::controllers::Target;
use super::release::Release;
use super::shape::Shape;
use super::subst;
use super::values::{Dropped, Node, Path, Tracker};

/// Why a release cannot be imported at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fatal {
    pub path: Path,
    pub reason: String,
}

/// What the mapping needs besides the release.
#[derive(Debug)]
pub struct Input<'a> {
    pub release: &'a Release,
    /// The values with `{{ .Release.Name }}` and `--set` variables substituted.
    pub values: &'a Value,
    pub shape: &'a Shape,
    /// The effective PlatformConfig `spec` (defaults filled in), as JSON.
    pub platform: &'a Value,
    /// Values the engine refused in an earlier attempt, with its message.
    pub refused: &'a BTreeMap<Path, String>,
    /// The controller this AppSpec runs, its name, and what other AppSpecs of the release
    /// carry.
    pub target: &'a Target,
}

/// One AppSpec document and what it left out.
#[derive(Clone, Debug)]
pub struct Imported {
    pub doc: Value,
    pub dropped: Vec<Dropped>,
    /// Which values path each emitted spec field came from (`spec.ingress.host` ->
    /// `route.app.hostnames[0]`), to trace an engine error back to the release.
    pub origins: Vec<(String, Path)>,
    /// What the AppSpec adds that the release did not have (fixed texts, for comments).
    pub notes: Vec<String>,
    /// Values whose behaviour is kept although the AppSpec does not spell them (the
    /// platform owns them, or they move elsewhere): notes on stderr, not omissions.
    pub noted: Vec<Dropped>,
    /// The chart's PVCs this AppSpec adopts (the cut-over steps are written for the
    /// release's AppSpecs together).
    pub cutover: Vec<Cut>,
}

/// A PVC the chart made that an AppSpec adopts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The persistence item's identifier.
    pub id: String,
    /// The claim's name.
    pub claim: String,
    /// `retain: true` already keeps it.
    pub kept: bool,
    /// What adopts it (`storage.claimName`, a claim mount).
    pub by: String,
}

/// The reason given for values nobody read.
pub const UNREAD: &str = "not carried over: AppSpec has no equivalent";

/// Reason suffix for a field this build's AppSpec does not have.
pub fn unsupported(what: &str) -> String {
    format!("{what} not supported by this version of AppSpec")
}

/// The state of one mapping run.
pub struct Mapper<'a> {
    pub input: &'a Input<'a>,
    pub t: Tracker,
    pub spec: Map<String, Value>,
    pub origins: Vec<(String, Path)>,
    /// Facts later steps need.
    pub facts: Facts,
    /// PVCs the chart made that this AppSpec adopts.
    pub cutover: Vec<Cut>,
}

/// What earlier steps found out, for later ones.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub controller: String,
    pub container: String,
    /// The main port: container port, Service port and its name in the values.
    pub port: Option<(i64, i64, String)>,
    /// Extra ports by name: (container port, Service port).
    pub ports: BTreeMap<String, i64>,
    /// Identifier of the app's Service in the values.
    pub service: Option<String>,
    pub restricted: bool,
    pub storage_pattern: Option<String>,
    /// A limit was written because a request lay above the platform's default limit.
    pub limit_from_request: bool,
    /// The AppSpec runs a CronJob controller (`job`).
    pub job: bool,
}

impl<'a> Mapper<'a> {
    pub fn new(input: &'a Input<'a>) -> Self {
        Mapper {
            input,
            t: Tracker::default(),
            spec: Map::new(),
            origins: Vec::new(),
            facts: Facts::default(),
            cutover: Vec::new(),
        }
    }

    pub fn shape(&self) -> &Shape {
        self.input.shape
    }

    /// A platform setting by JSON pointer below the PlatformConfig `spec`.
    pub fn platform(&self, pointer: &str) -> Option<&'a Value> {
        self.input.platform.pointer(pointer)
    }

    /// The AppSpec of the release that carries this value when it is not this one (the
    /// value is then marked as carried here).
    pub fn elsewhere(&mut self, node: &Node) -> Option<String> {
        let p = node.path();
        let other = self
            .input
            .target
            .elsewhere
            .iter()
            .find(|(e, _)| p.starts_with(e))
            .map(|(_, name)| name.clone())?;
        self.t.take(node);
        Some(other)
    }

    /// The engine's refusal of this value in an earlier attempt, if any.
    pub fn refusal(&self, node: &Node) -> Option<&'a String> {
        let p = node.path();
        self.input
            .refused
            .iter()
            .find(|(r, _)| p.starts_with(r))
            .map(|(_, m)| m)
    }

    /// Emits `value` at `field` (below `spec`) from `origin`, when this build's AppSpec has
    /// the field and the engine did not refuse it; otherwise drops `origin` with the
    /// reason. `what` names the feature in messages ("init containers are").
    pub fn emit(&mut self, field: &[&str], value: Value, origin: &Node, what: &str) -> bool {
        if let Some(message) = self.refusal(origin) {
            self.t.drop(origin, message.clone());
            return false;
        }
        if !self.shape().fits(field, &value) {
            self.t.drop(origin, unsupported(what));
            return false;
        }
        insert(&mut self.spec, field, value);
        self.origins
            .push((format!("spec.{}", field.join(".")), origin.path()));
        self.t.take(origin);
        true
    }

    /// Appends `item` to the list at `field`, like [`Mapper::emit`].
    pub fn push(&mut self, field: &[&str], item: Value, origin: &Node, what: &str) -> bool {
        if let Some(message) = self.refusal(origin) {
            self.t.drop(origin, message.clone());
            return false;
        }
        if !self.shape().fits(field, &Value::Array(vec![item.clone()])) {
            self.t.drop(origin, unsupported(what));
            return false;
        }
        let list = entry(&mut self.spec, field);
        if !list.is_array() {
            *list = Value::Array(Vec::new());
        }
        let Value::Array(items) = list else {
            return false;
        };
        items.push(item);
        let index = items.len() - 1;
        self.origins
            .push((format!("spec.{}[{index}]", field.join(".")), origin.path()));
        self.t.take(origin);
        true
    }

    /// A string value for the AppSpec: refuses (drops) one with an unresolved Helm template.
    pub fn text(&mut self, node: &Node) -> Option<String> {
        let s = node.scalar_text()?;
        if subst::has_template(&s) {
            self.t.drop(
                node,
                "a Helm template other than {{ .Release.Name }} cannot be resolved",
            );
            return None;
        }
        Some(s)
    }

    /// A string for a field that the engine validates (a host, a claim name): refuses one
    /// that still holds a Flux `${VAR}`.
    pub fn real_text(&mut self, node: &Node, what: &str) -> Option<String> {
        let s = subst::with_defaults(&self.text(node)?);
        let vars = subst::flux_vars(&s);
        if !vars.is_empty() {
            let sets: Vec<String> = vars.iter().map(|v| format!("--set {v}=...")).collect();
            self.t.drop(
                node,
                format!(
                    "{what} {s:?} needs a real value for the Flux variable{} {}: pass {}",
                    if vars.len() > 1 { "s" } else { "" },
                    vars.iter()
                        .map(|v| format!("${{{v}}}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    sets.join(" ")
                ),
            );
            return None;
        }
        Some(s)
    }

    /// Marks a value as carried when it equals what AppSpec does anyway, else drops it.
    pub fn default_or_drop(&mut self, node: &Node, default: &Value, reason: &str) {
        if node.value == default {
            self.t.take(node);
        } else {
            self.t.drop(node, reason.to_string());
        }
    }
}

/// The value at `field`, created (as an empty mapping) when missing.
fn entry<'m>(spec: &'m mut Map<String, Value>, field: &[&str]) -> &'m mut Value {
    let (last, parents) = field.split_last().expect("a field has a name");
    let mut map = spec;
    for p in parents {
        let v = map.entry(p.to_string()).or_insert_with(|| json!({}));
        if !v.is_object() {
            *v = json!({});
        }
        map = v.as_object_mut().expect("just made a mapping");
    }
    map.entry(last.to_string()).or_insert(Value::Null)
}

/// Sets `field` (below `spec`) without an origin: a value the chart implies.
pub fn insert_field(spec: &mut Map<String, Value>, field: &[&str], value: Value) {
    insert(spec, field, value);
}

fn insert(spec: &mut Map<String, Value>, field: &[&str], value: Value) {
    *entry(spec, field) = value;
}

/// A mapping with `first` keys in that order, then the rest as they were.
pub fn ordered(mut map: Map<String, Value>, first: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for key in first {
        if let Some(v) = map.remove(*key) {
            out.insert(key.to_string(), v);
        }
    }
    out.extend(map);
    out
}
