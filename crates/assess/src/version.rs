//! Version ordering for the schemes this crate can compare soundly, and nothing else: a pair of
//! versions outside them is "not comparable" with a reason, which callers report as unknown
//! applicability instead of guessing.
//!
//! - `SemVer`: SemVer 2.0 precedence (the `semver` crate); one leading `v` is ignored.
//! - `IntDot`: integers separated by dots (`1.2.11`, `1.2.2.2`), compared component-wise. Two
//!   versions that differ only by trailing zero components (`1.2` vs `1.2.0`) are not comparable:
//!   ecosystems disagree on them (dpkg orders them, PEP 440 calls them equal).
//! - `OpenSsl`: OpenSSL's legacy scheme, IntDot plus a lowercase letter suffix that is a later
//!   patch release (`1.0.2` < `1.0.2a` < `1.0.2k` < `1.0.2z` < `1.0.2za`).

use std::cmp::Ordering;

/// A version ordering this crate implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// SemVer 2.0.
    SemVer,
    /// Dot-separated non-negative integers.
    IntDot,
    /// OpenSSL legacy versions: IntDot with a letter suffix.
    OpenSsl,
}

impl Scheme {
    /// Name used in messages and in `vers:` URIs.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::SemVer => "semver",
            Scheme::IntDot => "intdot",
            Scheme::OpenSsl => "openssl",
        }
    }
}

/// Whether a vulnerability applies to a component version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applicability {
    /// The version is inside an affected range or list.
    Affected,
    /// The version is outside every affected range.
    NotAffected,
    /// The data cannot decide; the reason says why (unsupported range type, incomparable versions).
    Unknown(String),
}

/// Longest version text compared; longer strings are not comparable.
pub const MAX_VERSION_LEN: usize = 128;

/// Compares two versions under `scheme`; `Err` says why they are not comparable.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, String> {
    if a.len() > MAX_VERSION_LEN || b.len() > MAX_VERSION_LEN {
        return Err(format!(
            "a version is longer than {MAX_VERSION_LEN} characters"
        ));
    }
    match scheme {
        Scheme::SemVer => compare_semver(a, b),
        Scheme::IntDot => {
            let (x, y) = (intdot(a, scheme)?, intdot(b, scheme)?);
            compare_components(&x, &y, a, b)
        }
        Scheme::OpenSsl => {
            let (xn, xs) = openssl(a)?;
            let (yn, ys) = openssl(b)?;
            match compare_components(&xn, &yn, a, b)? {
                Ordering::Equal => Ok(xs.cmp(ys)),
                other => Ok(other),
            }
        }
    }
}

/// True when `text` is an IntDot version.
pub fn is_intdot(text: &str) -> bool {
    intdot(text, Scheme::IntDot).is_ok()
}

fn compare_semver(a: &str, b: &str) -> Result<Ordering, String> {
    let parse = |s: &str| {
        let trimmed = s.strip_prefix('v').unwrap_or(s);
        semver::Version::parse(trimmed)
            .map_err(|e| format!("`{s}` is not a SemVer 2.0 version ({e})"))
    };
    Ok(parse(a)?.cmp(&parse(b)?))
}

fn intdot(text: &str, scheme: Scheme) -> Result<Vec<u64>, String> {
    let bad = || {
        format!(
            "`{text}` is not comparable under {}: only dot-separated integers are",
            scheme.name()
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    text.split('.')
        .map(|part| {
            if part.is_empty() || part.len() > 19 || !part.bytes().all(|b| b.is_ascii_digit()) {
                Err(bad())
            } else {
                part.parse::<u64>().map_err(|_| bad())
            }
        })
        .collect()
}

fn openssl(text: &str) -> Result<(Vec<u64>, &str), String> {
    let split = text
        .find(|c: char| c.is_ascii_lowercase())
        .unwrap_or(text.len());
    let (numeric, suffix) = text.split_at(split);
    if !suffix.bytes().all(|b| b.is_ascii_lowercase()) || suffix.len() > 4 {
        return Err(format!(
            "`{text}` is not an OpenSSL version (digits and dots, then at most four lowercase letters)"
        ));
    }
    Ok((intdot(numeric, Scheme::OpenSsl)?, suffix))
}

fn compare_components(x: &[u64], y: &[u64], a: &str, b: &str) -> Result<Ordering, String> {
    for (p, q) in x.iter().zip(y.iter()) {
        match p.cmp(q) {
            Ordering::Equal => continue,
            other => return Ok(other),
        }
    }
    let common = x.len().min(y.len());
    let rest_x = x.get(common..).unwrap_or_default();
    let rest_y = y.get(common..).unwrap_or_default();
    if rest_x.is_empty() && rest_y.is_empty() {
        return Ok(Ordering::Equal);
    }
    if rest_x.iter().chain(rest_y.iter()).all(|&c| c == 0) {
        return Err(format!(
            "`{a}` and `{b}` differ only by trailing zero components, which ecosystems order differently"
        ));
    }
    Ok(x.len().cmp(&y.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn intdot_orders_numerically() {
        assert_eq!(compare(Scheme::IntDot, "1.2.11", "1.2.12"), Ok(Less));
        assert_eq!(compare(Scheme::IntDot, "1.2.11", "1.2.2.2"), Ok(Greater));
        assert_eq!(compare(Scheme::IntDot, "4.4.14", "4.4.26"), Ok(Less));
        assert_eq!(compare(Scheme::IntDot, "1.2", "1.2.1"), Ok(Less));
        assert_eq!(compare(Scheme::IntDot, "01.2", "1.2"), Ok(Equal));
        assert!(compare(Scheme::IntDot, "1.2", "1.2.0").is_err());
        assert!(compare(Scheme::IntDot, "1.0.2k", "1.0.2").is_err());
        assert!(compare(Scheme::IntDot, "1..2", "1.2").is_err());
        assert!(compare(Scheme::IntDot, "", "1").is_err());
    }

    #[test]
    fn openssl_letters_are_later_patch_releases() {
        assert_eq!(compare(Scheme::OpenSsl, "1.0.2", "1.0.2a"), Ok(Less));
        assert_eq!(compare(Scheme::OpenSsl, "1.0.2k", "1.0.2p"), Ok(Less));
        assert_eq!(compare(Scheme::OpenSsl, "1.0.2z", "1.0.2za"), Ok(Less));
        assert_eq!(compare(Scheme::OpenSsl, "0.9.8lt", "0.9.8ztl"), Ok(Less));
        assert_eq!(compare(Scheme::OpenSsl, "1.1.1z", "3.0.0"), Ok(Less));
        assert_eq!(compare(Scheme::OpenSsl, "1.1.1ag", "1.1.1ag"), Ok(Equal));
        assert!(compare(Scheme::OpenSsl, "1.0.2-beta1", "1.0.2").is_err());
    }

    #[test]
    fn semver_precedence() {
        assert_eq!(compare(Scheme::SemVer, "1.2.11", "1.2.13"), Ok(Less));
        assert_eq!(compare(Scheme::SemVer, "1.0.0-rc.1", "1.0.0"), Ok(Less));
        assert_eq!(compare(Scheme::SemVer, "v2.0.0", "2.0.0"), Ok(Equal));
        assert!(compare(Scheme::SemVer, "1.2", "1.2.0").is_err());
    }

    #[test]
    fn overlong_versions_are_not_compared() {
        let long = "1.".repeat(100) + "1";
        assert!(compare(Scheme::IntDot, &long, "1").is_err());
    }
}
