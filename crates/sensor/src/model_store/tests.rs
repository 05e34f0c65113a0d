use super::*;
use crate::model_manifest::{InputRecord, MANIFEST_FORMAT};
use wardwatch_baseline::testkit::{FleetSpec, fleet_windows};
use wardwatch_baseline::{TrainParams, train};
use wardwatch_flow::Timestamp;

/// Profiles of a small pump fleet trained on `days` days (different days, different bytes).
pub(crate) fn profiles(days: u32) -> Vec<u8> {
    let spec = FleetSpec::pumps(3, days, 600);
    let windows = fleet_windows(&spec);
    let (set, _) = train(&windows, &TrainParams::default()).unwrap();
    set.encode()
}

pub(crate) fn manifest(end_secs: u64) -> Manifest {
    Manifest {
        format: MANIFEST_FORMAT,
        version: String::new(),
        feature_schema: wardwatch_flow::FEATURE_SCHEMA_VERSION,
        trained_at: Some(Timestamp::from_secs(end_secs)),
        catalog_sha256: "00".repeat(32),
        holdout: 0.2,
        inputs: vec![InputRecord {
            name: "ward.pcap".into(),
            kind: "capture".into(),
            bytes: 1,
            sha256: "11".repeat(32),
            windows: 1,
        }],
        profiles: Vec::new(),
        files: BTreeMap::new(),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn an_empty_or_missing_store_has_no_active_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(&dir.path().join("none"));
    assert_eq!(store.active().unwrap(), None);
    assert!(store.load_active().unwrap().is_none());
    assert_eq!(store.versions().unwrap(), Vec::<String>::new());
    assert_eq!(store.remove_stale().unwrap(), 0);
}

#[test]
fn add_activate_load_and_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path());
    let bytes = profiles(1);
    let v1 = store.add(manifest(1_000), &bytes).unwrap();
    assert_eq!(
        store.add(manifest(1_000), &bytes).unwrap(),
        v1,
        "same content, same id"
    );
    assert_eq!(store.active().unwrap(), None, "adding does not activate");
    store.activate(&v1).unwrap();
    let loaded = store.load_active().unwrap().unwrap();
    assert_eq!(loaded.manifest.version, v1);
    assert_eq!(loaded.profiles.encode(), bytes);
    assert_eq!(
        loaded.manifest.files[PROFILES_FILE],
        hex::encode(Sha256::digest(&bytes))
    );

    let v2 = store.add(manifest(2_000), &bytes).unwrap();
    store.activate(&v2).unwrap();
    assert_eq!(store.active().unwrap().as_deref(), Some(v2.as_str()));
    assert_eq!(store.rollback().unwrap(), (v2.clone(), v1.clone()));
    assert_eq!(store.active().unwrap().as_deref(), Some(v1.as_str()));
    let err = store.rollback().unwrap_err().to_string();
    assert!(
        err.contains(&format!("no earlier version than {v1}")),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(HISTORY_FILE)).unwrap(),
        format!("add {v1}\nactivate {v1}\nadd {v2}\nactivate {v2}\nrollback {v1}\n")
    );
    assert_eq!(
        names(dir.path()),
        vec![v1, v2, ACTIVE_FILE.to_owned(), HISTORY_FILE.into()]
    );
}

#[test]
fn rollback_walks_back_through_earlier_activations() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path());
    let bytes = profiles(1);
    let ids: Vec<String> = (1..=3)
        .map(|i| {
            let v = store.add(manifest(i * 1000), &bytes).unwrap();
            store.activate(&v).unwrap();
            v
        })
        .collect();
    assert_eq!(store.rollback().unwrap().1, ids[1]);
    assert_eq!(store.rollback().unwrap().1, ids[0]);
    store.activate(&ids[2]).unwrap();
    assert_eq!(
        store.rollback().unwrap().1,
        ids[0],
        "back to what was active before"
    );
}

#[test]
fn the_active_and_three_earlier_versions_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path());
    let bytes = profiles(1);
    let ids: Vec<String> = (1..=6)
        .map(|i| {
            let v = store.add(manifest(i * 1000), &bytes).unwrap();
            store.activate(&v).unwrap();
            v
        })
        .collect();
    assert_eq!(store.versions().unwrap(), ids[2..].to_vec());
    for _ in 0..3 {
        store.rollback().unwrap();
    }
    assert_eq!(store.active().unwrap().as_deref(), Some(ids[2].as_str()));
}

#[test]
fn every_kind_of_damage_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path());
    let bytes = profiles(1);
    let v = store.add(manifest(1_000), &bytes).unwrap();
    store.activate(&v).unwrap();
    let vdir = dir.path().join(&v);
    let wwm = vdir.join(PROFILES_FILE);

    let mut flipped = bytes.clone();
    flipped[100] ^= 1;
    fs::write(&wwm, &flipped).unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: SHA-256 mismatch", wwm.display())),
        "{err}"
    );

    // Damage the file and the manifest's hash consistently: the model file's own checksum.
    let mut m: Manifest =
        serde_json::from_slice(&fs::read(vdir.join(MANIFEST_FILE)).unwrap()).unwrap();
    m.files
        .insert(PROFILES_FILE.into(), hex::encode(Sha256::digest(&flipped)));
    fs::write(vdir.join(MANIFEST_FILE), m.to_bytes()).unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}: ", wwm.display())), "{err}");
    assert!(err.contains("checksum"), "{err}");

    // A consistent but edited manifest: the id no longer matches the content.
    fs::write(&wwm, &bytes).unwrap();
    m.files
        .insert(PROFILES_FILE.into(), hex::encode(Sha256::digest(&bytes)));
    m.holdout = 0.5;
    fs::write(vdir.join(MANIFEST_FILE), m.to_bytes()).unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(
        err.ends_with("its content does not match the version id (edited or damaged)"),
        "{err}"
    );

    fs::write(vdir.join(MANIFEST_FILE), b"{").unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: EOF", vdir.join(MANIFEST_FILE).display())),
        "{err}"
    );

    fs::write(dir.path().join(ACTIVE_FILE), "../etc\n").unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(err.contains("does not hold a version id"), "{err}");
    fs::write(
        dir.path().join(ACTIVE_FILE),
        "20990101T000000Z-000000000000\n",
    )
    .unwrap();
    let err = store.load_active().unwrap_err().to_string();
    assert!(err.ends_with("no such version in the store"), "{err}");
}

#[test]
fn temp_leftovers_of_dead_writers_are_removed_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = ModelStore::new(dir.path());
    let dead = dir.path().join(".tmp-999999999-0");
    fs::create_dir(&dead).unwrap();
    fs::write(dead.join(PROFILES_FILE), b"half").unwrap();
    fs::write(dir.path().join(".ACTIVE.wwtmp-999999999-3"), b"x").unwrap();
    let live = dir
        .path()
        .join(format!(".tmp-{}-77", std::os::unix::process::parent_id()));
    fs::create_dir(&live).unwrap();
    assert_eq!(store.remove_stale().unwrap(), 2);
    assert!(!dead.exists());
    assert!(live.exists(), "a running writer's temp dir is left alone");
    assert_eq!(temp_owner(".tmp-12-0"), Some(12));
    assert_eq!(temp_owner(".HISTORY.wwtmp-34-1"), Some(34));
    assert_eq!(temp_owner("tmp-12-0"), None);
    assert_eq!(temp_owner("20260105T000000Z-abc"), None);
}
