//! The shipped model store `models/default/` and `make models` (`scripts/models.sh`).
//!
//! Re-training the full 72-hour ward in `make test` would cost a 583 MB capture; instead the
//! shipped store is checked against the digests `models/README.md` records (the synthetic input's
//! SHA-256 in the manifest, the active version id, itself a hash of the profiles and manifest
//! that every load verifies), and the script itself is run twice on a three-hour ward into
//! fresh stores, which must come out byte-identical.

use sha2::Digest;
use std::path::Path;
use wardwatch_e2e::{repo_root, stderr, stdout, wardwatch, wardwatch_bin};

fn recorded(readme: &str, before: &str) -> String {
    let at = readme
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in models/README.md"));
    readme[at + before.len()..]
        .split('`')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn the_shipped_store_is_what_make_models_recorded() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("models/README.md")).unwrap();
    let version = recorded(&readme, "active version: `");
    let input = recorded(&readme, "`normal.pcap` SHA-256 `");
    let store = root.join("models/default");
    assert_eq!(
        std::fs::read_to_string(store.join("ACTIVE")).unwrap(),
        format!("{version}\n")
    );
    assert_eq!(
        std::fs::read_to_string(store.join("HISTORY")).unwrap(),
        format!("add {version}\nactivate {version}\n")
    );
    let list = wardwatch(&["models", "list", "--store", "models/default"]);
    assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
    assert!(!stdout(&list).contains("DAMAGED"), "{}", stdout(&list));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join(&version).join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["inputs"][0]["name"], "normal.pcap");
    assert_eq!(manifest["inputs"][0]["sha256"], input.as_str());
    // Trained with the catalog in this tree: a catalog change needs `make models`.
    let catalog = std::fs::read(root.join("models/catalog.toml")).unwrap();
    let digest: String = sha2::Sha256::digest(&catalog)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        manifest["catalog_sha256"].as_str().unwrap(),
        digest,
        "models/catalog.toml changed since `make models`"
    );
    let show = wardwatch(&[
        "models",
        "show",
        "bd-alaris-pcu-8015",
        "--store",
        "models/default",
    ]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    assert!(stdout(&show).contains(" mature ("), "{}", stdout(&show));
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.strip_prefix(dir).unwrap().display().to_string();
        if path.is_dir() {
            for (inner, bytes) in tree(&path) {
                out.push((format!("{name}/{inner}"), bytes));
            }
        } else {
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn make_models_twice_gives_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for run in ["a", "b"] {
        let out = dir.path().join(run).join("default");
        let status = std::process::Command::new(repo_root().join("scripts/models.sh"))
            .env("WARDWATCH_BIN", wardwatch_bin())
            .env("MODELS_DURATION", "3h")
            .env("MODELS_OUT", &out)
            .env("TMPDIR", dir.path())
            .current_dir(repo_root())
            .output()
            .unwrap();
        assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
        let text = stdout(&status);
        assert!(
            text.contains("catalog models without a mature fleet profile"),
            "{text}"
        );
        assert!(text.contains("active version: "), "{text}");
        trees.push(tree(&out));
    }
    assert_eq!(
        trees[0].len(),
        4,
        "ACTIVE, HISTORY, the version's manifest and profiles"
    );
    assert!(trees[0] == trees[1], "two runs of scripts/models.sh differ");
}
