//! What kustomize would hand the AppSpec function for each kustomization root of a tree, read from the files without building (for `validate`).
//!
//! A root is a kustomization no other kustomization of the tree builds on (through
//! `resources`, `components`, `bases`, or a plugin list); each is its own run, as kustomize
//! and `render DIR` see it. Its inputs are the local files its kustomizations list as
//! `resources` (and `bases`); its plugin configurations are the files its `generators` and
//! `transformers` list and the resources of the kustomizations listed there (a shared
//! platform directory, `functions/`): a PlatformConfig among them is the platform the function
//! runs with, an AppSpec among them a generator. Patches are kustomize's to apply; files
//! no kustomization lists (a stray `out.yaml` beside the app) are not read, as kustomize
//! does not read them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::{
    BASE_FIELDS, Node, PLUGIN_FIELDS, RenderError, kustomization_tree, lexical_join, remote,
};
use crate::input::files::Root;
use crate::input::yaml::Limits;

/// The inputs of one kustomization root.
#[derive(Debug, Default, PartialEq)]
pub struct Inputs {
    /// The directory holding the root's kustomization.
    pub dir: PathBuf,
    /// The files its kustomizations list as resources (`..` segments resolved as text).
    pub resources: Vec<PathBuf>,
    /// The plugin configuration files (`generators`, `transformers`, and the resources of
    /// kustomizations listed there).
    pub configs: Vec<PathBuf>,
    /// Kustomization files that are not YAML, with why.
    pub broken: Vec<(PathBuf, String)>,
}

/// The local file entries of `field` in a kustomization document.
fn files<'a>(doc: &'a serde_json::Value, dir: &'a Path, field: &'a str) -> Vec<PathBuf> {
    remote::fields(doc, field)
        .flat_map(|(_, list)| list.as_array().into_iter().flatten())
        .filter_map(serde_json::Value::as_str)
        .filter(|entry| remote::base(entry).is_none() && !entry.contains('\n'))
        .map(|entry| lexical_join(dir, entry))
        .filter(|path| path.is_file())
        .collect()
}

/// The kustomizations `dir`'s kustomization builds on (its tree, itself first).
fn tree(root: &Root, dir: &Path, limits: &Limits) -> Result<Vec<Node>, RenderError> {
    let mut nodes = Vec::new();
    kustomization_tree(root, dir, limits, true, None, &mut nodes)?;
    Ok(nodes)
}

/// Splits kustomization directories (as a walk that stops at them finds them) into roots,
/// each with its inputs; a directory another one builds on is part of that one's run.
pub fn roots(root: &Root, dirs: &[PathBuf], limits: &Limits) -> Result<Vec<Inputs>, RenderError> {
    let mut trees = Vec::new();
    let mut included = HashSet::new();
    for dir in dirs {
        let nodes = tree(root, dir, limits)?;
        included.extend(nodes.iter().skip(1).map(|n| n.canonical.clone()));
        trees.push((dir, nodes));
    }
    let mut out = Vec::new();
    for (dir, nodes) in trees {
        if nodes
            .first()
            .is_some_and(|n| included.contains(&n.canonical))
        {
            continue;
        }
        let mut inputs = Inputs {
            dir: dir.clone(),
            ..Inputs::default()
        };
        for node in &nodes {
            let doc = match &node.doc {
                Ok(doc) => doc,
                Err(e) => {
                    inputs.broken.push((node.file.clone(), e.clone()));
                    continue;
                }
            };
            // `prod/../base` shown as `base`; a path as given (`./apps/web`) kept as it is.
            let parent = node.file.parent().unwrap_or(Path::new("."));
            let here = if parent
                .components()
                .any(|c| c == std::path::Component::ParentDir)
            {
                lexical_join(Path::new(""), &parent.to_string_lossy())
            } else {
                parent.to_path_buf()
            };
            for field in BASE_FIELDS {
                let listed = files(doc, &here, field);
                if node.plugin.is_some() {
                    inputs.configs.extend(listed);
                } else {
                    inputs.resources.extend(listed);
                }
            }
            if node.plugin.is_none() {
                for field in PLUGIN_FIELDS {
                    inputs.configs.extend(files(doc, &here, field));
                }
            }
        }
        for path in inputs.resources.iter().chain(&inputs.configs) {
            root.resolve(path)?;
        }
        out.push(inputs);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_base_and_a_shared_platform_are_part_of_the_roots_that_use_them() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().canonicalize().unwrap();
        write(
            &d.join("platform/kustomization.yaml"),
            "resources: [platform.yaml]\n",
        );
        write(&d.join("platform/platform.yaml"), "kind: PlatformConfig\n");
        write(
            &d.join("base/kustomization.yaml"),
            "resources: [app.yaml]\n",
        );
        write(&d.join("base/app.yaml"), "kind: AppSpec\n");
        write(&d.join("base/out.yaml"), "kind: Deployment\n");
        write(
            &d.join("prod/kustomization.yaml"),
            "resources: [../base, ns.yaml]\npatches: [{path: patch.yaml}]\ntransformers: [../platform, fix.yaml]\n",
        );
        write(&d.join("prod/ns.yaml"), "kind: Namespace\n");
        write(&d.join("prod/patch.yaml"), "kind: AppSpec\n");
        write(&d.join("prod/fix.yaml"), "kind: PatchTransformer\n");
        write(&d.join("other/kustomization.yaml"), "resources: [x.yaml]\n");
        write(&d.join("other/x.yaml"), "kind: ConfigMap\n");
        let dirs = ["base", "other", "platform", "prod"].map(|n| d.join(n));
        let found = roots(&Root::at(&d).unwrap(), &dirs, &Limits::default()).unwrap();
        assert_eq!(
            found,
            vec![
                Inputs {
                    dir: d.join("other"),
                    resources: vec![d.join("other/x.yaml")],
                    ..Inputs::default()
                },
                Inputs {
                    dir: d.join("prod"),
                    resources: vec![d.join("prod/ns.yaml"), d.join("base/app.yaml")],
                    configs: vec![d.join("prod/fix.yaml"), d.join("platform/platform.yaml")],
                    broken: vec![],
                },
            ]
        );
    }
}
