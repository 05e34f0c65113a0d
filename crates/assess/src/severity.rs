//! CVSS 3.x base scores computed from the vector with the `cvss` crate (RustSec), never copied
//! from an advisory; a score an advisory states is kept and compared.

use cvss::v3::Vector;
use cvss::v3::metric::base::AttackVector as CvssAttackVector;
use serde::Serialize;
use std::str::FromStr;

/// A stated score further than this from the computed one is reported as a mismatch.
pub const MISMATCH_TOLERANCE: f64 = 0.05;

/// How the vulnerable component is reached (the vector's AV metric).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackVector {
    /// AV:N — across routed networks.
    Network,
    /// AV:A — from the same network segment (or Bluetooth, …).
    Adjacent,
    /// AV:L — needs local access (a shell, a file the user opens).
    Local,
    /// AV:P — needs physical access.
    Physical,
}

/// A CVSS 3.x score of one finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CvssScore {
    /// The vector as the advisory gives it.
    pub vector: String,
    /// `3.0` or `3.1`.
    pub version: String,
    /// Base score computed from the vector.
    pub base_score: f64,
    /// Base score the advisory states, if any.
    pub stated_score: Option<f64>,
    /// True when the stated score disagrees with the vector.
    pub stated_score_mismatch: bool,
    /// Attack vector metric.
    pub attack_vector: AttackVector,
}

/// Scores a CVSS 3.0/3.1 vector; `Err` says why it is refused (not 3.x, a base metric missing).
pub fn score(vector: &str, stated: Option<f64>) -> Result<CvssScore, String> {
    let vector = vector.trim();
    if vector.len() > 256 {
        return Err("CVSS vector longer than 256 characters".into());
    }
    let parsed = Vector::from_str(vector).map_err(|e| format!("not a CVSS 3.x vector: {e}"))?;
    let missing: Vec<&str> = [
        ("AV", parsed.av.is_none()),
        ("AC", parsed.ac.is_none()),
        ("PR", parsed.pr.is_none()),
        ("UI", parsed.ui.is_none()),
        ("S", parsed.s.is_none()),
        ("C", parsed.c.is_none()),
        ("I", parsed.i.is_none()),
        ("A", parsed.a.is_none()),
    ]
    .iter()
    .filter(|(_, absent)| *absent)
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        return Err(format!(
            "CVSS vector lacks base metric(s) {}",
            missing.join(", ")
        ));
    }
    let attack_vector = match parsed.av {
        Some(CvssAttackVector::Network) => AttackVector::Network,
        Some(CvssAttackVector::Adjacent) => AttackVector::Adjacent,
        Some(CvssAttackVector::Local) => AttackVector::Local,
        _ => AttackVector::Physical,
    };
    let base_score = parsed.base_score().value();
    let stated = stated.filter(|s| s.is_finite());
    Ok(CvssScore {
        vector: vector.to_owned(),
        version: format!("3.{}", parsed.minor_version),
        base_score,
        stated_score: stated,
        stated_score_mismatch: stated.is_some_and(|s| (s - base_score).abs() > MISMATCH_TOLERANCE),
        attack_vector,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_the_fixture_vectors() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ];
        for (vector, expected) in cases {
            let s = score(vector, Some(expected)).unwrap();
            assert_eq!(s.base_score, expected, "{vector}");
            assert!(!s.stated_score_mismatch);
        }
    }

    #[test]
    fn stated_score_disagreeing_with_vector_is_flagged() {
        let s = score("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", Some(7.8)).unwrap();
        assert_eq!(s.base_score, 7.0);
        assert_eq!(s.stated_score, Some(7.8));
        assert!(s.stated_score_mismatch);
        assert_eq!(s.attack_vector, AttackVector::Local);
        assert_eq!(s.version, "3.1");
    }

    #[test]
    fn incomplete_or_foreign_vectors_are_refused() {
        assert!(
            score("CVSS:3.1/AV:N", None)
                .unwrap_err()
                .contains("AC, PR, UI, S, C, I, A")
        );
        assert!(score("AV:N/AC:L/Au:N/C:P/I:P/A:P", None).is_err());
        assert!(
            score(
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                None
            )
            .is_err()
        );
    }
}
