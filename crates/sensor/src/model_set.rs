//! The models as the daemon, `eval` and `retrain` load them: the reference data in `models.dir`
//! — `catalog.toml` (device models, required), `oui.tsv` (IEEE MAC prefixes, required),
//! `advisories.toml` (known advisories per model, optional), `declared/*.json` (manufacturer
//! profiles, optional) — and the trained profiles of the model store's active version
//! (`models.store`, none yet is allowed). Start and reload check everything the same way.
//! Loading is all-or-nothing: a missing or damaged file is an error naming it, and at reload the
//! previous set stays in use.

use crate::declared::{self, DeclaredError};
use crate::metrics::{LabelPolicy, ModelSetInfo};
use crate::model_store::{ModelStore, ModelStoreError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wardwatch_baseline::ProfileKey;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::{Catalog, CatalogError};
use wardwatch_flow::identify::advisory::{AdvisoryDb, AdvisoryError};
use wardwatch_flow::identify::{OuiError, OuiTable};

/// File name of the catalog inside the model directory.
pub const CATALOG_FILE: &str = "catalog.toml";
/// File name of the IEEE MAC prefix extract inside the model directory.
pub const OUI_FILE: &str = "oui.tsv";
/// File name of the known advisories inside the model directory (optional).
pub const ADVISORIES_FILE: &str = "advisories.toml";
/// Largest reference file read (a backstop against pointing `--models` at the wrong thing).
const MAX_CATALOG_BYTES: u64 = 16 * 1024 * 1024;

/// Why the model set could not be loaded. Messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The directory or a file could not be read.
    #[error("models.dir {}: cannot read {}: {source}", dir.display(), path.display())]
    Read {
        /// The model directory.
        dir: PathBuf,
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is too large to be a catalog.
    #[error("{}: {size} bytes is too large for a catalog (limit {MAX_CATALOG_BYTES})", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The catalog is not valid.
    #[error("{}: {source}", path.display())]
    Catalog {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: CatalogError,
    },
    /// The OUI registry extract is not valid.
    #[error("{}: {source}", path.display())]
    Oui {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: OuiError,
    },
    /// The advisories file is not valid or names models the catalog lacks.
    #[error("{}: {source}", path.display())]
    Advisories {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: AdvisoryError,
    },
    /// A declared profile is not valid.
    #[error(transparent)]
    Declared(#[from] DeclaredError),
    /// The model store's active version is damaged or unreadable.
    #[error("models.store: {0}")]
    Store(#[from] ModelStoreError),
}

/// A loaded, validated model set.
#[derive(Clone, Debug)]
pub struct ModelSet {
    /// Where it was loaded from.
    pub dir: PathBuf,
    /// The device-model catalog.
    pub catalog: Catalog,
    /// MAC prefix → vendor.
    pub oui: OuiTable,
    /// Known advisories per catalog model (empty when the file is absent).
    pub advisories: AdvisoryDb,
    /// Content version: the store's active version id (when there is one), `+`, and the first
    /// hex digits of SHA-256 over the reference files and declared profiles loaded.
    pub version: String,
    /// SHA-256 (hex) of `catalog.toml` (recorded by retraining, compared at load).
    pub catalog_sha256: String,
    /// 12 hex digits of SHA-256 over the reference files (catalog, OUI, advisories): when it
    /// changes, the flow pipeline must be rebuilt.
    pub reference_digest: String,
    /// Trained profiles of the store's active version plus the declared profiles; empty when
    /// the store has none yet (rules still run; statistical alerts wait for maturity).
    pub profiles: Arc<wardwatch_baseline::ModelSet>,
    /// The store the profiles come from.
    pub store: PathBuf,
    /// The store's active version id, if any.
    pub store_version: Option<String>,
    /// Packet time of the end of the training data of the active version.
    pub trained_at: Option<Timestamp>,
    /// Things worth a log line: declared rules that could not be represented, a catalog that
    /// changed since training.
    pub notes: Vec<String>,
}

impl ModelSet {
    /// Loads and checks the reference data in `dir` and the active version of the store.
    pub fn load(dir: &Path, store: &Path) -> Result<ModelSet, ModelError> {
        let mut set = ModelSet::load_reference(dir)?;
        let declarations = declared::load(dir, &set.catalog)?;
        let mut digest = Sha256::new();
        digest.update(set.version.as_bytes());
        let store_handle = ModelStore::new(store);
        let loaded = store_handle.load_active()?;
        let mut profiles = match &loaded {
            Some(v) => {
                if v.manifest.catalog_sha256 != set.catalog_sha256 {
                    set.notes.push(format!(
                        "model store version {} was trained with another catalog.toml (SHA-256 {}); retrain to learn the current one",
                        v.manifest.version, v.manifest.catalog_sha256
                    ));
                }
                set.trained_at = v.manifest.trained_at;
                set.store_version = Some(v.manifest.version.clone());
                v.profiles.clone()
            }
            None => wardwatch_baseline::ModelSet::empty(),
        };
        for d in declarations {
            digest.update(&d.bytes);
            set.notes
                .extend(d.notes.iter().map(|n| format!("{}: {n}", d.file.display())));
            profiles.declare(d.model, d.profile);
        }
        let reference = hex::encode(digest.finalize());
        set.version = match &set.store_version {
            Some(v) => format!("{v}+{}", reference.get(..8).unwrap_or_default()),
            None => reference.get(..12).unwrap_or_default().to_owned(),
        };
        set.profiles = Arc::new(profiles);
        set.store = store.to_path_buf();
        Ok(set)
    }

    /// The same reference data with the catalog read from `path` instead (`retrain --catalog`).
    pub fn with_catalog_file(mut self, path: &Path) -> Result<ModelSet, ModelError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (path, text) = read_text(dir, &name)?;
        self.catalog =
            Catalog::parse(&text).map_err(|source| ModelError::Catalog { path, source })?;
        self.catalog_sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        let digest = hex::encode(Sha256::digest(
            format!("{}{}", self.reference_digest, self.catalog_sha256).as_bytes(),
        ));
        self.reference_digest = digest.get(..12).unwrap_or_default().to_owned();
        self.version.clone_from(&self.reference_digest);
        Ok(self)
    }

    /// Loads and checks the reference files only (catalog, OUI registry, advisories).
    pub fn load_reference(dir: &Path) -> Result<ModelSet, ModelError> {
        let mut digest = Sha256::new();
        let (path, text) = read_text(dir, CATALOG_FILE)?;
        digest.update(text.as_bytes());
        let catalog_sha256 = hex::encode(Sha256::digest(text.as_bytes()));
        let catalog =
            Catalog::parse(&text).map_err(|source| ModelError::Catalog { path, source })?;
        let (path, text) = read_text(dir, OUI_FILE)?;
        digest.update(text.as_bytes());
        let oui = OuiTable::parse(&text).map_err(|source| ModelError::Oui { path, source })?;
        let advisories = match read_text(dir, ADVISORIES_FILE) {
            Err(ModelError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                AdvisoryDb::default()
            }
            other => {
                let (path, text) = other?;
                digest.update(text.as_bytes());
                AdvisoryDb::parse(&text)
                    .and_then(|db| db.check_models(&catalog).map(|()| db))
                    .map_err(|source| ModelError::Advisories { path, source })?
            }
        };
        let digest = hex::encode(digest.finalize());
        Ok(ModelSet {
            dir: dir.to_path_buf(),
            catalog,
            oui,
            advisories,
            version: digest.get(..12).unwrap_or_default().to_owned(),
            reference_digest: digest.get(..12).unwrap_or_default().to_owned(),
            catalog_sha256,
            profiles: Arc::new(wardwatch_baseline::ModelSet::empty()),
            store: PathBuf::new(),
            store_version: None,
            trained_at: None,
            notes: Vec::new(),
        })
    }

    /// The values admitted as metric labels: the catalog's, plus the OUI registry's vendor
    /// names (a file the project ships, not wire data).
    pub fn label_policy(&self) -> LabelPolicy {
        let mut policy = LabelPolicy::from_catalog(&self.catalog);
        policy.allow_vendors(self.oui.vendors());
        policy
    }

    /// The set as the metrics describe it.
    pub fn info(&self) -> ModelSetInfo {
        ModelSetInfo {
            version: self.version.clone(),
            trained_at: self.trained_at,
            model_count: self.catalog.models.len(),
            maturity: self
                .profiles
                .maturities()
                .filter_map(|(key, m)| match key {
                    ProfileKey::Model(model) => Some((model.clone(), m.figure)),
                    ProfileKey::Device(_) => None,
                })
                .collect(),
        }
    }
}

/// Reads one UTF-8 reference file of the model directory, size-capped.
fn read_text(dir: &Path, name: &str) -> Result<(PathBuf, String), ModelError> {
    let path = dir.join(name);
    let read_error = |source| ModelError::Read {
        dir: dir.to_path_buf(),
        path: path.clone(),
        source,
    };
    let size = std::fs::metadata(&path).map_err(read_error)?.len();
    if size > MAX_CATALOG_BYTES {
        return Err(ModelError::TooLarge { path, size });
    }
    let bytes = std::fs::read(&path).map_err(read_error)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })?;
    Ok((path, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
    }

    #[test]
    fn the_shipped_models_load() {
        let set = ModelSet::load(&shipped(), &shipped().join("default")).unwrap();
        assert!(
            set.catalog.models.len() >= 30,
            "{}",
            set.catalog.models.len()
        );
        let store_version = set
            .store_version
            .clone()
            .expect("the shipped store is active");
        assert_eq!(
            std::fs::read_to_string(shipped().join("default/ACTIVE")).unwrap(),
            format!("{store_version}\n")
        );
        let (trained, reference) = set.version.split_once('+').unwrap();
        assert_eq!(trained, store_version);
        assert_eq!(reference.len(), 8);
        assert!(set.trained_at.is_some());
        assert!(set.notes.is_empty(), "{:?}", set.notes);
        assert!(set.oui.len() > 40_000, "{}", set.oui.len());
        assert!(!set.advisories.advisories().is_empty());
        let info = set.info();
        assert_eq!(info.model_count, set.catalog.models.len());
        let alaris = info
            .maturity
            .iter()
            .find(|(m, _)| m.as_str() == "bd-alaris-pcu-8015")
            .expect("a fleet profile of the Alaris pump");
        assert_eq!(alaris.1, 1.0);
        assert!(
            info.maturity.len() >= 20,
            "only model ids: {:?}",
            info.maturity
        );
    }

    #[test]
    fn declared_profiles_join_the_profiles_and_change_the_version() {
        let dir = tempfile::tempdir().unwrap();
        for file in [CATALOG_FILE, OUI_FILE] {
            std::fs::copy(shipped().join(file), dir.path().join(file)).unwrap();
        }
        let empty = dir.path().join("no-store");
        let plain = ModelSet::load(dir.path(), &empty).unwrap();
        assert_eq!(plain.version.len(), 12);
        assert!(plain.store_version.is_none());
        assert!(plain.profiles.profiles().next().is_none());
        std::fs::create_dir(dir.path().join("declared")).unwrap();
        std::fs::write(
            dir.path().join("declared/pump.json"),
            r#"{"format":1,"model":"bd-alaris-pcu-8015","sources":[{"kind":"mud","file":"p.json","url":"https://bd.example/p.json"}],
               "rules":[{"direction":"from-device","transport":"tcp","ports":{"first":8443,"last":8443},"peer":"internal","source":"mud:a/b"}]}"#,
        )
        .unwrap();
        let declared = ModelSet::load(dir.path(), &empty).unwrap();
        assert_ne!(declared.version, plain.version);
        let profile = declared
            .profiles
            .declared(&wardwatch_flow::ModelId::from("bd-alaris-pcu-8015"))
            .unwrap();
        assert_eq!(profile.source, "MUD https://bd.example/p.json");
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        let catalog = dir.path().join("catalog.toml");
        assert_eq!(
            err,
            format!(
                "models.dir {}: cannot read {}: No such file or directory (os error 2)",
                dir.path().display(),
                catalog.display()
            )
        );
        std::fs::write(&catalog, "format = 1\n[[model]]\nid = \"Bad Id\"\n").unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("{}: catalog is not valid TOML", catalog.display())),
            "{err}"
        );
        std::fs::write(&catalog, [0xff, 0xfe, 0x00]).unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("not UTF-8 text (invalid utf-8 sequence of 1 bytes from index 0)"),
            "{err}"
        );
        std::fs::copy(shipped().join(CATALOG_FILE), &catalog).unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("oui.tsv: No such file"), "{err}");
        std::fs::write(dir.path().join(OUI_FILE), "0009FB/24\tPhilips\n").unwrap();
        let set = ModelSet::load_reference(dir.path()).unwrap();
        assert!(set.advisories.advisories().is_empty());
        std::fs::write(dir.path().join(ADVISORIES_FILE), "nonsense").unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&dir.path().join(ADVISORIES_FILE).display().to_string()),
            "{err}"
        );
        std::fs::write(&catalog, [0xff, 0xfe, 0x00]).unwrap();
        let err = ModelSet::load_reference(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("not UTF-8 text (invalid utf-8 sequence of 1 bytes from index 0)"),
            "{err}"
        );
    }
}
