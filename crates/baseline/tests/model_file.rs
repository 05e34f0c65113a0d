//! The model file: round trip, every truncation and bit flip rejected with a specific error,
//! feature-schema and version checks, and contents validated after the checksum.

mod support;

use sha2::{Digest, Sha256};
use support::trained;
use wardwatch_baseline::model_file::{self, HEADER_LEN};
use wardwatch_baseline::{
    DeclaredPeer, DeclaredProfile, DeclaredService, ModelFileError, ModelSet,
};
use wardwatch_flow::event::{Direction, Transport};
use wardwatch_flow::{FEATURE_SCHEMA_VERSION, ModelId};

/// Bytes with a valid header and checksum around an arbitrary body.
fn wrap(body: &[u8], version: u32, schema: u32) -> Vec<u8> {
    let mut out = b"WWMODEL\0".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&schema.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

fn small() -> ModelSet {
    let mut set = ModelSet::empty();
    set.declare(
        ModelId::from("bd-alaris-pcu-8015"),
        DeclaredProfile::new(
            vec![DeclaredService {
                direction: Direction::Outbound,
                proto: Transport::Tcp,
                port: 443,
                peer: DeclaredPeer::Internal,
            }],
            "MUD",
        ),
    );
    set
}

#[test]
fn round_trip_keeps_everything() {
    let (set, _) = trained();
    let bytes = set.encode();
    let back = ModelSet::decode(&bytes).unwrap();
    assert_eq!(&back, set.as_ref());
    assert_eq!(back.report(), set.report());
    let header = model_file::header(&bytes).unwrap();
    assert_eq!(header.feature_schema_version, FEATURE_SCHEMA_VERSION);
    assert_eq!(header.body_len as usize, bytes.len() - HEADER_LEN - 32);
    assert_eq!(ModelSet::decode(&small().encode()).unwrap(), small());
}

#[test]
fn every_truncation_is_rejected() {
    let (set, _) = trained();
    let bytes = set.encode();
    for len in 0..bytes.len() {
        let err = ModelSet::decode(&bytes[..len]).unwrap_err();
        let expected = if len < HEADER_LEN {
            HEADER_LEN as u64
        } else {
            bytes.len() as u64
        };
        assert_eq!(
            err,
            ModelFileError::Truncated {
                at: len as u64,
                expected
            },
            "length {len}"
        );
    }
    assert_eq!(
        ModelSet::decode(&bytes[..100]).unwrap_err().to_string(),
        format!(
            "model file truncated at byte 100 (expected {} bytes)",
            bytes.len()
        )
    );
}

#[test]
fn every_bit_flip_is_rejected() {
    // Every bit of a small file.
    let bytes = small().encode();
    for i in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[i / 8] ^= 1 << (i % 8);
        assert!(ModelSet::decode(&b).is_err(), "bit {i} accepted");
    }
    // One bit in every byte of a trained file.
    let (set, _) = trained();
    let bytes = set.encode();
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        let err = ModelSet::decode(&b).unwrap_err();
        if i >= 24 {
            assert_eq!(err, ModelFileError::ChecksumMismatch, "byte {i}");
        }
    }
}

#[test]
fn header_errors_say_what_is_wrong() {
    let bytes = small().encode();
    let body = &bytes[HEADER_LEN..bytes.len() - 32];
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert_eq!(
        ModelSet::decode(&magic).unwrap_err().to_string(),
        "not a wardwatch model file (bad magic)"
    );
    assert_eq!(
        ModelSet::decode(&wrap(body, 7, FEATURE_SCHEMA_VERSION))
            .unwrap_err()
            .to_string(),
        "model file format version 7 unsupported (this build reads version 1)"
    );
    assert_eq!(
        ModelSet::decode(&wrap(body, 1, FEATURE_SCHEMA_VERSION + 1)).unwrap_err(),
        ModelFileError::FeatureSchemaMismatch {
            found: FEATURE_SCHEMA_VERSION + 1,
            expected: FEATURE_SCHEMA_VERSION
        }
    );
    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x80;
    assert_eq!(
        ModelSet::decode(&tampered).unwrap_err().to_string(),
        "model file checksum mismatch: the file is corrupt or was changed"
    );
    assert!(matches!(
        ModelSet::decode(&wrap(b"{}", 1, FEATURE_SCHEMA_VERSION)),
        Err(ModelFileError::Body(_))
    ));
}

#[test]
fn contents_are_validated_after_the_checksum() {
    let (set, _) = trained();
    let bytes = set.encode();
    let text = std::str::from_utf8(&bytes[HEADER_LEN..bytes.len() - 32]).unwrap();
    // Mixture weights that no longer sum to 1.
    let bad = text.replacen("\"weights\":[0.", "\"weights\":[0.9", 1);
    assert_ne!(bad, text);
    let err = ModelSet::decode(&wrap(bad.as_bytes(), 1, FEATURE_SCHEMA_VERSION)).unwrap_err();
    assert!(
        matches!(err, ModelFileError::Body(ref m) if m.contains("mixture weights")),
        "{err}"
    );
    // A profile that claims another model than its key.
    let bad = text.replacen(
        "\"model\":\"bd-alaris-pcu-8015\",\"class\"",
        "\"model\":\"other\",\"class\"",
        1,
    );
    assert_ne!(bad, text);
    let err = ModelSet::decode(&wrap(bad.as_bytes(), 1, FEATURE_SCHEMA_VERSION)).unwrap_err();
    assert!(
        matches!(err, ModelFileError::Invalid(ref m) if m.contains("names model")),
        "{err}"
    );
}
