//! Files of the repository: one bounded reader and one walker that stays inside the repository.
//!
//! Repository content is untrusted. Every file `render`, `discover`, `validate`, `risk` and
//! the platform file read goes through [`read`]: regular files only (no `/dev/zero`, no
//! FIFO), at most the input limit. Every directory walk goes through [`walk`]: symbolic
//! links must resolve inside the repository root (like kustomize's load restrictor), a
//! directory reached twice (a link cycle, or two links to one directory) is refused, and
//! each refusal is one clear error.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

/// The kustomization file names kustomize reads, in its order.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, Error)]
pub enum FileError {
    #[error("cannot read {path}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is above the input limit of {limit} bytes (--max-input-bytes)")]
    TooLarge { path: String, limit: usize },
    #[error("{path} is not a regular file (a device, FIFO or socket is never read)")]
    NotRegular { path: String },
    #[error("{path} is not UTF-8 text")]
    NotUtf8 { path: String },
    #[error(
        "{path} leads outside the repository ({root}); files and symbolic links must stay inside it"
    )]
    Outside { path: String, root: String },
    #[error(
        "{path} is a symbolic link back to {target}, which is already being read (a link cycle or a directory reached twice); remove the link"
    )]
    Twice { path: String, target: String },
    #[error("{path} is a broken symbolic link")]
    Broken { path: String },
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// Reads a text file of at most `max_bytes`. Only regular files are read (a link to one is
/// fine); the size is checked while reading, so a file that grows cannot exceed the limit.
pub fn read(path: &Path, max_bytes: usize) -> Result<String, FileError> {
    let io = |source| FileError::Read {
        path: shown(path),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular { path: shown(path) });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::new();
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() > max_bytes {
        return Err(FileError::TooLarge {
            path: shown(path),
            limit: max_bytes,
        });
    }
    String::from_utf8(buf).map_err(|_| FileError::NotUtf8 { path: shown(path) })
}

/// The directory everything read must stay in (canonical).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root(PathBuf);

impl Root {
    /// The repository root: `APPSPEC_ROOT` when set; under Argo CD the working directory
    /// minus `ARGOCD_APP_SOURCE_PATH`; else the nearest ancestor holding `.git`; else the
    /// working directory.
    pub fn discover() -> Root {
        let cwd = std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .unwrap_or_else(|_| PathBuf::from("."));
        if let Some(root) = std::env::var_os("APPSPEC_ROOT").filter(|r| !r.is_empty())
            && let Ok(root) = PathBuf::from(root).canonicalize()
        {
            return Root(root);
        }
        if let Some(source) = std::env::var_os("ARGOCD_APP_SOURCE_PATH")
            && let Some(root) = strip_suffix(&cwd, Path::new(&source))
        {
            return Root(root);
        }
        let git = cwd.ancestors().find(|d| d.join(".git").exists());
        Root(git.unwrap_or(&cwd).to_path_buf())
    }

    /// A root at a given directory.
    pub fn at(dir: &Path) -> Result<Root, FileError> {
        dir.canonicalize()
            .map(Root)
            .map_err(|source| FileError::Read {
                path: shown(dir),
                source,
            })
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The root for walking `path`: the innermost repository (a directory holding `.git`)
    /// around it inside this root, or this root; a path outside it is its own root (a
    /// directory named on the command line, such as a second checkout for `risk`).
    pub fn for_path(&self, path: &Path) -> Result<Root, FileError> {
        let canonical = path.canonicalize().map_err(|source| FileError::Read {
            path: shown(path),
            source,
        })?;
        let dir = if canonical.is_dir() {
            canonical
        } else {
            canonical
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or(canonical)
        };
        if !dir.starts_with(&self.0) {
            return Ok(Root(dir));
        }
        let inner = dir
            .ancestors()
            .take_while(|d| d.starts_with(&self.0) && *d != self.0)
            .find(|d| d.join(".git").exists());
        Ok(inner.map_or_else(|| self.clone(), |d| Root(d.to_path_buf())))
    }

    /// Resolves `path` (symbolic links followed) and checks it stays inside the root.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, FileError> {
        let canonical = path.canonicalize().map_err(|source| {
            if path.symlink_metadata().is_ok() {
                FileError::Broken { path: shown(path) }
            } else {
                FileError::Read {
                    path: shown(path),
                    source,
                }
            }
        })?;
        if canonical.starts_with(&self.0) {
            Ok(canonical)
        } else {
            Err(FileError::Outside {
                path: shown(path),
                root: shown(&self.0),
            })
        }
    }

    /// Checks a path that repository content (an Argo CD parameter) names: relative, and
    /// inside the root once resolved against `base`. Refused the same way whether or not
    /// the file exists, so the answer reveals nothing about files outside.
    pub fn resolve_untrusted(&self, base: &Path, path: &Path) -> Result<PathBuf, FileError> {
        let outside = || FileError::Outside {
            path: shown(path),
            root: shown(&self.0),
        };
        if path.is_absolute() || path.components().any(|c| matches!(c, Component::Prefix(_))) {
            return Err(outside());
        }
        // Lexically first: `..` may not climb above the root, whatever exists.
        let base = base.canonicalize().map_err(|_| outside())?;
        let mut joined = base.clone();
        for c in path.components() {
            match c {
                Component::ParentDir => {
                    joined.pop();
                }
                Component::Normal(n) => joined.push(n),
                _ => {}
            }
        }
        if !joined.starts_with(&self.0) {
            return Err(outside());
        }
        match self.resolve(&joined) {
            Ok(_) => Ok(base.join(path)),
            Err(FileError::Outside { .. }) => Err(outside()),
            Err(e) => Err(e),
        }
    }
}

fn strip_suffix(dir: &Path, suffix: &Path) -> Option<PathBuf> {
    let parts: Vec<_> = suffix
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    let mut root = dir.to_path_buf();
    for part in parts.iter().rev() {
        if root.file_name() != Some(part.as_os_str()) {
            return None;
        }
        root.pop();
    }
    Some(root)
}

/// Creates a new private directory (mode 0700 on Unix) under the temporary directory. It
/// must not exist yet: a directory someone else prepared there is never used.
pub fn private_dir(prefix: &str) -> std::io::Result<PathBuf> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let mut last = None;
    for attempt in 0..16u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("{prefix}-{}-{nanos}-{attempt}", std::process::id()));
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
}

/// The kustomization file of a directory, if it has one.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.symlink_metadata().is_ok())
}

/// Hidden entries, and `node_modules` (a package tree, never manifests), are skipped.
pub fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| (n.starts_with('.') && n != "." && n != "..") || n == "node_modules")
}

/// Whether the file name says manifest (`.yaml`, `.yml`, `.json`).
pub fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// What a walk finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    File(PathBuf),
    /// A directory holding a kustomization (only when the walk stops at them).
    Kustomization(PathBuf),
}

/// Walks `start` (a file or a directory) in a stable order, hidden entries skipped, and
/// returns its manifest files. With `stop_at_kustomization`, a directory holding a
/// kustomization is returned as such and not entered.
pub fn walk(
    root: &Root,
    start: &Path,
    stop_at_kustomization: bool,
) -> Result<Vec<Found>, FileError> {
    let mut w = Walker {
        root,
        stop_at_kustomization,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    let canonical = root.resolve(start)?;
    if canonical.is_dir() {
        w.dir(start, canonical)?;
    } else {
        w.out.push(Found::File(start.to_path_buf()));
    }
    Ok(w.out)
}

struct Walker<'a> {
    root: &'a Root,
    stop_at_kustomization: bool,
    seen: HashSet<PathBuf>,
    out: Vec<Found>,
}

impl Walker<'_> {
    fn dir(&mut self, dir: &Path, canonical: PathBuf) -> Result<(), FileError> {
        if !self.seen.insert(canonical.clone()) {
            return Err(FileError::Twice {
                path: shown(dir),
                target: shown(&canonical),
            });
        }
        if self.stop_at_kustomization
            && let Some(k) = kustomization_in(dir)
        {
            self.root.resolve(&k)?;
            self.out.push(Found::Kustomization(dir.to_path_buf()));
            return Ok(());
        }
        let io = |source| FileError::Read {
            path: shown(dir),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort();
        for path in entries {
            if is_hidden(&path) {
                continue;
            }
            let meta = path.symlink_metadata().map_err(|source| FileError::Read {
                path: shown(&path),
                source,
            })?;
            let is_link = meta.file_type().is_symlink();
            if is_link && !is_manifest(&path) {
                // A link is followed only when it matters: to a directory, or to a manifest.
                let target = self.root.resolve(&path)?;
                if target.is_dir() {
                    self.dir(&path, target)?;
                }
                continue;
            }
            if meta.is_dir() {
                let canonical = self.root.resolve(&path)?;
                self.dir(&path, canonical)?;
            } else if is_manifest(&path) {
                if is_link {
                    let target = self.root.resolve(&path)?;
                    if target.is_dir() {
                        self.dir(&path, target)?;
                        continue;
                    }
                }
                self.out.push(Found::File(path));
            }
        }
        Ok(())
    }
}

/// The manifest files of `start` (a file or a directory), every subdirectory entered.
pub fn manifest_files(root: &Root, start: &Path) -> Result<Vec<PathBuf>, FileError> {
    Ok(walk(root, start, false)?
        .into_iter()
        .map(|f| match f {
            Found::File(p) | Found::Kustomization(p) => p,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_the_argo_source_path() {
        assert_eq!(
            strip_suffix(Path::new("/tmp/repo/apps/web"), Path::new("apps/web")),
            Some(PathBuf::from("/tmp/repo"))
        );
        assert_eq!(
            strip_suffix(Path::new("/tmp/repo/apps/web"), Path::new("./apps/web/")),
            Some(PathBuf::from("/tmp/repo"))
        );
        assert_eq!(
            strip_suffix(Path::new("/tmp/repo/web"), Path::new("apps/web")),
            None
        );
        assert_eq!(
            strip_suffix(Path::new("/tmp/repo"), Path::new(".")),
            Some(PathBuf::from("/tmp/repo"))
        );
    }

    #[test]
    fn each_checkout_is_its_own_root() {
        let work = tempfile::tempdir().unwrap();
        let root = Root::at(work.path()).unwrap();
        for side in ["base", "head"] {
            std::fs::create_dir_all(work.path().join(side).join(".git")).unwrap();
            std::fs::create_dir_all(work.path().join(side).join("apps")).unwrap();
            let got = root.for_path(&work.path().join(side).join("apps")).unwrap();
            assert_eq!(got, Root::at(&work.path().join(side)).unwrap());
        }
        std::fs::create_dir(work.path().join("plain")).unwrap();
        assert_eq!(root.for_path(&work.path().join("plain")).unwrap(), root);
    }

    #[test]
    fn reads_only_regular_files_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.yaml");
        std::fs::write(&f, "kind: X\n").unwrap();
        assert_eq!(read(&f, 100).unwrap(), "kind: X\n");
        assert!(matches!(read(&f, 3), Err(FileError::TooLarge { .. })));
        assert!(matches!(
            read(Path::new("/dev/zero"), 100),
            Err(FileError::NotRegular { .. })
        ));
        assert!(matches!(
            read(dir.path(), 100),
            Err(FileError::NotRegular { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_rules() {
        use std::os::unix::fs::symlink;
        let repo = tempfile::tempdir().unwrap();
        let root = Root::at(repo.path()).unwrap();
        let app = repo.path().join("app");
        std::fs::create_dir(&app).unwrap();
        std::fs::write(app.join("a.yaml"), "kind: X\n").unwrap();
        // Inside links are fine.
        std::fs::create_dir(repo.path().join("shared")).unwrap();
        std::fs::write(repo.path().join("shared/s.yaml"), "kind: Y\n").unwrap();
        symlink("../shared", app.join("shared")).unwrap();
        let files = manifest_files(&root, &app).unwrap();
        assert_eq!(files, [app.join("a.yaml"), app.join("shared/s.yaml")]);
        // A cycle is refused, once, quickly.
        symlink(".", app.join("a")).unwrap();
        symlink(".", app.join("b")).unwrap();
        let err = manifest_files(&root, &app).unwrap_err();
        assert!(matches!(err, FileError::Twice { .. }), "{err}");
        std::fs::remove_file(app.join("a")).unwrap();
        std::fs::remove_file(app.join("b")).unwrap();
        // A link out of the repository is refused.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "kind: Secret\n").unwrap();
        symlink(outside.path().join("secret.yaml"), app.join("z.yaml")).unwrap();
        let err = manifest_files(&root, &app).unwrap_err();
        assert!(matches!(err, FileError::Outside { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("z.yaml leads outside the repository"),
            "{err}"
        );
        std::fs::remove_file(app.join("z.yaml")).unwrap();
        // Untrusted names: relative and inside only; the same answer whether or not a
        // file exists.
        std::fs::write(repo.path().join("platform.yaml"), "kind: P\n").unwrap();
        assert!(
            root.resolve_untrusted(&app, Path::new("../platform.yaml"))
                .is_ok()
        );
        for bad in [
            "/etc/passwd",
            "/nonexistent",
            "../../etc/passwd",
            "../../nope",
        ] {
            let err = root.resolve_untrusted(&app, Path::new(bad)).unwrap_err();
            assert!(matches!(err, FileError::Outside { .. }), "{bad}: {err}");
        }
    }
}
