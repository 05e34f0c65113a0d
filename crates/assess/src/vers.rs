//! `vers:` version range specifiers (package-url/vers-spec) as CSAF product_version_range uses them.
//! Supported schemes: `semver`, `intdot`, `openssl` (see [`crate::version`]), `all` and `none`.
//! `generic` is refused because the vers specification leaves its comparison algorithm undefined;
//! every other scheme (deb, rpm, pypi, maven, …) is refused too. A refused range yields unknown
//! applicability, never a guess.

use crate::version::{Scheme, compare};
use std::cmp::Ordering;

/// Most constraints read from one `vers:` string.
pub const MAX_CONSTRAINTS: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Whether `version` is inside the `vers:` range; `Err` says why it cannot be decided.
pub fn contains(range: &str, version: &str) -> Result<bool, String> {
    let rest = range
        .trim()
        .strip_prefix("vers:")
        .ok_or_else(|| format!("`{range}` is not a vers: range"))?;
    let (scheme_name, constraints) = rest
        .split_once('/')
        .ok_or_else(|| format!("`{range}` has no `/` after its scheme"))?;
    let scheme_name = scheme_name.to_ascii_lowercase();
    let constraints = constraints.trim();
    match scheme_name.as_str() {
        "all" => return Ok(true),
        "none" => return Ok(false),
        _ => {}
    }
    let scheme = match scheme_name.as_str() {
        "semver" => Scheme::SemVer,
        "intdot" => Scheme::IntDot,
        "openssl" => Scheme::OpenSsl,
        "generic" => {
            return Err(
                "vers scheme `generic` has no defined comparison in the vers specification".into(),
            );
        }
        other => return Err(format!("vers scheme `{other}` is not supported")),
    };
    if constraints == "*" {
        return Ok(true);
    }
    let parsed = parse_constraints(constraints, range)?;
    evaluate(scheme, &parsed, version)
}

fn parse_constraints<'a>(text: &'a str, range: &str) -> Result<Vec<(Op, &'a str)>, String> {
    let mut out = Vec::new();
    for raw in text.split('|') {
        if out.len() >= MAX_CONSTRAINTS {
            return Err(format!(
                "`{range}` has more than {MAX_CONSTRAINTS} constraints"
            ));
        }
        let raw = raw.trim();
        let (op, version) = if let Some(v) = raw.strip_prefix(">=") {
            (Op::Ge, v)
        } else if let Some(v) = raw.strip_prefix("<=") {
            (Op::Le, v)
        } else if let Some(v) = raw.strip_prefix("!=") {
            (Op::Ne, v)
        } else if let Some(v) = raw.strip_prefix('<') {
            (Op::Lt, v)
        } else if let Some(v) = raw.strip_prefix('>') {
            (Op::Gt, v)
        } else if let Some(v) = raw.strip_prefix('=') {
            (Op::Eq, v)
        } else {
            (Op::Eq, raw)
        };
        let version = version.trim();
        if version.is_empty() || version == "*" {
            return Err(format!(
                "`{range}` has an empty or misplaced `*` constraint"
            ));
        }
        out.push((op, version));
    }
    Ok(out)
}

/// The containment algorithm of the vers specification.
fn evaluate(scheme: Scheme, constraints: &[(Op, &str)], version: &str) -> Result<bool, String> {
    let mut bounds = Vec::new();
    for &(op, v) in constraints {
        let order = compare(scheme, version, v)?;
        match op {
            Op::Eq if order == Ordering::Equal => return Ok(true),
            Op::Ne if order == Ordering::Equal => return Ok(false),
            Op::Eq | Op::Ne => {}
            _ => bounds.push((op, v, order)),
        }
    }
    let mut sort_error = None;
    bounds.sort_by(|a, b| {
        compare(scheme, a.1, b.1).unwrap_or_else(|e| {
            sort_error.get_or_insert(e);
            Ordering::Equal
        })
    });
    if let Some(e) = sort_error {
        return Err(e);
    }
    let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
        return Ok(false);
    };
    // `order` is version compared with the bound's version.
    if matches!(first.0, Op::Lt | Op::Le) && below(first.0, first.2) {
        return Ok(true);
    }
    if matches!(last.0, Op::Gt | Op::Ge) && above(last.0, last.2) {
        return Ok(true);
    }
    for pair in bounds.windows(2) {
        if let [low, high] = pair
            && matches!(low.0, Op::Gt | Op::Ge)
            && matches!(high.0, Op::Lt | Op::Le)
            && above(low.0, low.2)
            && below(high.0, high.2)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn below(op: Op, order: Ordering) -> bool {
    order == Ordering::Less || (op == Op::Le && order == Ordering::Equal)
}

fn above(op: Op, order: Ordering) -> bool {
    order == Ordering::Greater || (op == Op::Ge && order == Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_and_points() {
        let kernel = "vers:intdot/>=4.2|<4.4.26|>=4.5|<4.7.9|>=4.8|<4.8.3";
        assert_eq!(contains(kernel, "4.4.14"), Ok(true));
        assert_eq!(contains(kernel, "4.4.26"), Ok(false));
        assert_eq!(contains(kernel, "4.7.8"), Ok(true));
        assert_eq!(contains(kernel, "4.8.3"), Ok(false));
        assert_eq!(contains(kernel, "4.1.10"), Ok(false));
        assert_eq!(contains("vers:intdot/<1.4.50", "1.4.45"), Ok(true));
        assert_eq!(contains("vers:intdot/<=1.27.2", "1.27.2"), Ok(true));
        assert_eq!(contains("vers:intdot/<=1.27.2", "1.28.0"), Ok(false));
        assert_eq!(contains("vers:intdot/1.0|1.2", "1.2"), Ok(true));
        assert_eq!(contains("vers:intdot/>=1.0|!=1.5", "1.5"), Ok(false));
        assert_eq!(contains("vers:intdot/>=1.0|!=1.5", "1.6"), Ok(true));
        assert_eq!(contains("vers:openssl/>=1.0.2|<1.0.2p", "1.0.2k"), Ok(true));
        assert_eq!(contains("vers:semver/>=1.0.0|<2.0.0", "1.9.9"), Ok(true));
        assert_eq!(contains("vers:all/*", "anything"), Ok(true));
        assert_eq!(contains("vers:none/*", "anything"), Ok(false));
    }

    #[test]
    fn unsupported_and_malformed_ranges_are_errors() {
        assert!(
            contains("vers:generic/<2.0", "1.0")
                .unwrap_err()
                .contains("generic")
        );
        assert!(
            contains("vers:deb/<2.0", "1.0")
                .unwrap_err()
                .contains("`deb`")
        );
        assert!(contains("<2.0", "1.0").is_err());
        assert!(contains("vers:intdot", "1.0").is_err());
        assert!(contains("vers:intdot/<", "1.0").is_err());
        assert!(contains("vers:intdot/<1.0.2k", "1.0").is_err());
    }
}
