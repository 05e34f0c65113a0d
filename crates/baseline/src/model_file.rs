//! The model file format, as bytes (the sensor does the file IO and the atomic write).
//!
//! ```text
//! offset  size  field
//! 0       8     magic "WWMODEL\0"
//! 8       4     format version, u32 little-endian (this build: 1)
//! 12      4     feature schema version, u32 LE (wardwatch_flow::FEATURE_SCHEMA_VERSION)
//! 16      8     body length N, u64 LE
//! 24      N     body: UTF-8 JSON (params, profiles, declared profiles, training report)
//! 24+N    32    SHA-256 of bytes 0 .. 24+N (header and body)
//! ```
//!
//! Decoding checks, in order: magic, format version, length (truncation, trailing bytes),
//! checksum, feature schema, JSON, then the contents. Nothing is allocated from the length
//! field; the body is a slice of the input. Encoding is deterministic: sorted maps, serde_json's
//! shortest round-trip float formatting.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use wardwatch_flow::FEATURE_SCHEMA_VERSION;

/// File magic.
pub const MAGIC: [u8; 8] = *b"WWMODEL\0";
/// Format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Header length in bytes.
pub const HEADER_LEN: usize = 24;
/// Checksum length in bytes.
pub const CHECKSUM_LEN: usize = 32;
/// Largest body accepted (256 MiB).
pub const MAX_BODY_LEN: u64 = 256 * 1024 * 1024;

/// Why model bytes were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelFileError {
    /// The file does not start with the model magic.
    #[error("not a wardwatch model file (bad magic)")]
    BadMagic,
    /// The file ends early.
    #[error("model file truncated at byte {at} (expected {expected} bytes)")]
    Truncated {
        /// Bytes present.
        at: u64,
        /// Bytes the header promises (or the header length).
        expected: u64,
    },
    /// Bytes after the checksum.
    #[error("model file has {found} bytes, expected {expected}: trailing bytes")]
    TrailingBytes {
        /// Bytes present.
        found: u64,
        /// Bytes the header promises.
        expected: u64,
    },
    /// A format this build does not read.
    #[error(
        "model file format version {0} unsupported (this build reads version {FORMAT_VERSION})"
    )]
    UnsupportedVersion(u32),
    /// The body length field is absurd.
    #[error("model file body of {0} bytes exceeds the {MAX_BODY_LEN}-byte limit")]
    TooLarge(u64),
    /// The SHA-256 does not match: the file is corrupt.
    #[error("model file checksum mismatch: the file is corrupt or was changed")]
    ChecksumMismatch,
    /// Trained on another feature list.
    #[error(
        "model file feature schema mismatch: file has version {found}, this build uses {expected}; retrain"
    )]
    FeatureSchemaMismatch {
        /// Schema version in the file.
        found: u32,
        /// Schema version of this build.
        expected: u32,
    },
    /// The body is not the expected JSON.
    #[error("model file body does not parse: {0}")]
    Body(String),
    /// The body parses but its contents are inconsistent.
    #[error("model file contents invalid: {0}")]
    Invalid(String),
}

/// The verified header of a model file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFileHeader {
    /// Format version.
    pub format_version: u32,
    /// Feature schema version.
    pub feature_schema_version: u32,
    /// Body length in bytes.
    pub body_len: u64,
    /// SHA-256 of header and body, lowercase hex (for audit logs).
    pub sha256: String,
}

/// Encodes a body with header and checksum.
pub(crate) fn encode<T: Serialize>(body: &T) -> Vec<u8> {
    // Serialising our own types cannot fail (string map keys, no custom errors); an empty body
    // would be refused on decode rather than accepted.
    let json = serde_json::to_vec(body).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + json.len() + CHECKSUM_LEN);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&FEATURE_SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

/// Verifies everything but the JSON and returns the header and the body slice.
fn verify(bytes: &[u8]) -> Result<(ModelFileHeader, &[u8]), ModelFileError> {
    let len = bytes.len() as u64;
    let magic_part = bytes.get(..MAGIC.len().min(bytes.len())).unwrap_or(&[]);
    if magic_part != MAGIC.get(..magic_part.len()).unwrap_or(&[]) {
        return Err(ModelFileError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(ModelFileError::Truncated {
            at: len,
            expected: HEADER_LEN as u64,
        });
    }
    let version = u32_at(bytes, 8);
    if version != FORMAT_VERSION {
        return Err(ModelFileError::UnsupportedVersion(version));
    }
    let schema = u32_at(bytes, 12);
    let body_len = u64_at(bytes, 16);
    if body_len > MAX_BODY_LEN {
        return Err(ModelFileError::TooLarge(body_len));
    }
    let expected = HEADER_LEN as u64 + body_len + CHECKSUM_LEN as u64;
    if len < expected {
        return Err(ModelFileError::Truncated { at: len, expected });
    }
    if len > expected {
        return Err(ModelFileError::TrailingBytes {
            found: len,
            expected,
        });
    }
    let body_end = HEADER_LEN + body_len as usize;
    let covered = bytes
        .get(..body_end)
        .ok_or(ModelFileError::Truncated { at: len, expected })?;
    let stored = bytes
        .get(body_end..)
        .ok_or(ModelFileError::Truncated { at: len, expected })?;
    let digest = Sha256::digest(covered);
    if digest.as_slice() != stored {
        return Err(ModelFileError::ChecksumMismatch);
    }
    if schema != FEATURE_SCHEMA_VERSION {
        return Err(ModelFileError::FeatureSchemaMismatch {
            found: schema,
            expected: FEATURE_SCHEMA_VERSION,
        });
    }
    let header = ModelFileHeader {
        format_version: version,
        feature_schema_version: schema,
        body_len,
        sha256: hex::encode(digest),
    };
    Ok((header, covered.get(HEADER_LEN..).unwrap_or(&[])))
}

/// Verifies the header, length and checksum of model file bytes without parsing the body.
pub fn header(bytes: &[u8]) -> Result<ModelFileHeader, ModelFileError> {
    verify(bytes).map(|(h, _)| h)
}

/// Verifies and parses a body.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ModelFileError> {
    let (_, body) = verify(bytes)?;
    serde_json::from_slice(body)
        .map_err(|e| ModelFileError::Body(crate::explain::clean(&e.to_string(), 200)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> Vec<u8> {
        encode(&serde_json::json!({"a": 1}))
    }

    #[test]
    fn layout() {
        let f = file();
        assert_eq!(&f[..8], b"WWMODEL\0");
        assert_eq!(u32_at(&f, 8), 1);
        assert_eq!(u32_at(&f, 12), FEATURE_SCHEMA_VERSION);
        assert_eq!(u64_at(&f, 16), 7);
        assert_eq!(&f[24..31], br#"{"a":1}"#);
        assert_eq!(f.len(), 24 + 7 + 32);
        let h = header(&f).unwrap();
        assert_eq!(h.body_len, 7);
        assert_eq!(h.sha256.len(), 64);
        let v: serde_json::Value = decode(&f).unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn each_error_is_specific() {
        let f = file();
        assert_eq!(header(b"PK\x03\x04"), Err(ModelFileError::BadMagic));
        assert_eq!(
            header(&f[..5]),
            Err(ModelFileError::Truncated {
                at: 5,
                expected: 24
            })
        );
        assert_eq!(
            header(&f[..40]),
            Err(ModelFileError::Truncated {
                at: 40,
                expected: 63
            })
        );
        let mut long = f.clone();
        long.push(0);
        assert_eq!(
            header(&long),
            Err(ModelFileError::TrailingBytes {
                found: 64,
                expected: 63
            })
        );
        let mut v2 = f.clone();
        v2[8] = 2;
        assert_eq!(header(&v2), Err(ModelFileError::UnsupportedVersion(2)));
        let mut flip = f.clone();
        flip[26] ^= 0x01;
        assert_eq!(header(&flip), Err(ModelFileError::ChecksumMismatch));
        let mut huge = f.clone();
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(header(&huge), Err(ModelFileError::TooLarge(u64::MAX)));
        // A well-formed file of another feature schema.
        let mut other = f[..31].to_vec();
        other[12..16].copy_from_slice(&(FEATURE_SCHEMA_VERSION + 1).to_le_bytes());
        let digest = Sha256::digest(&other);
        other.extend_from_slice(&digest);
        assert_eq!(
            header(&other),
            Err(ModelFileError::FeatureSchemaMismatch {
                found: FEATURE_SCHEMA_VERSION + 1,
                expected: FEATURE_SCHEMA_VERSION
            })
        );
        assert_eq!(
            ModelFileError::Truncated {
                at: 40,
                expected: 63
            }
            .to_string(),
            "model file truncated at byte 40 (expected 63 bytes)"
        );
    }
}
