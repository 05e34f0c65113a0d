//! Software versions as medical-device vendors write them, and the version ranges advisories
//! give: `9.33.1`, `N.02.05`, `22D24`, `012U000061`, `ES 1.2`, `2017.11`, `VE11C`.
//!
//! Comparison scheme: a version is split into tokens, runs of digits (compared as numbers, so
//! leading zeros do not matter) and runs of letters (compared case-insensitively as text); every
//! other character (`.`, `-`, `_`, space, a leading `v`) only separates tokens. Versions compare
//! token by token; a missing token counts as the number 0 (so `16` equals `16.00.00`); a letter
//! token sorts before a number token (so `1.2rc1` is older than `1.2.0`).
//!
//! A version spec is one of: `*` (every version), `V` or `=V` (equal), `<V`, `<=V`, `>V`, `>=V`,
//! `A..B` (from A, before B), `A..=B` (A to B inclusive), `V.x` (every version whose leading
//! tokens are those of V: `2.x` covers `2.0.4` and `2.1`).

use std::cmp::Ordering;
use std::fmt;

/// Most tokens kept per version (longer versions compare on their first tokens).
const MAX_TOKENS: usize = 12;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Number(u64),
    Text(String),
}

impl Token {
    fn cmp_token(&self, other: &Token) -> Ordering {
        match (self, other) {
            (Token::Number(a), Token::Number(b)) => a.cmp(b),
            (Token::Text(a), Token::Text(b)) => a.cmp(b),
            (Token::Text(_), Token::Number(_)) => Ordering::Less,
            (Token::Number(_), Token::Text(_)) => Ordering::Greater,
        }
    }
}

/// A parsed version.
#[derive(Clone, Debug)]
pub struct Version {
    text: String,
    tokens: Vec<Token>,
}

impl Version {
    /// Parses a version; `None` when it holds no digit or letter.
    pub fn parse(text: &str) -> Option<Version> {
        let trimmed = text.trim();
        let body = trimmed
            .strip_prefix(['v', 'V'])
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(trimmed);
        let mut tokens = Vec::new();
        let mut current = String::new();
        let flush = |current: &mut String, tokens: &mut Vec<Token>| {
            if current.is_empty() || tokens.len() >= MAX_TOKENS {
                current.clear();
                return;
            }
            let token = if current.bytes().all(|b| b.is_ascii_digit()) {
                // 19 digits always fit in u64; longer runs saturate.
                Token::Number(current.parse().unwrap_or(u64::MAX))
            } else {
                Token::Text(current.to_ascii_lowercase())
            };
            tokens.push(token);
            current.clear();
        };
        for c in body.chars() {
            let same_class = current
                .chars()
                .last()
                .is_none_or(|last| last.is_ascii_digit() == c.is_ascii_digit());
            if c.is_ascii_alphanumeric() {
                if !same_class {
                    flush(&mut current, &mut tokens);
                }
                current.push(c);
            } else {
                flush(&mut current, &mut tokens);
            }
        }
        flush(&mut current, &mut tokens);
        (!tokens.is_empty()).then(|| Version {
            text: trimmed.to_owned(),
            tokens,
        })
    }

    fn token(&self, index: usize) -> Token {
        self.tokens.get(index).cloned().unwrap_or(Token::Number(0))
    }

    /// True when `self` starts with every token of `prefix`.
    fn starts_with(&self, prefix: &Version) -> bool {
        prefix
            .tokens
            .iter()
            .enumerate()
            .all(|(i, t)| self.tokens.get(i).is_some_and(|own| own == t))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        let len = self.tokens.len().max(other.tokens.len());
        (0..len)
            .map(|i| self.token(i).cmp_token(&other.token(i)))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A set of versions an advisory names (see the module docs for the syntax).
#[derive(Clone, Debug, PartialEq)]
pub enum VersionSpec {
    /// Every version.
    Any,
    /// Exactly this version.
    Equal(Version),
    /// Older than.
    Below(Version),
    /// Older than or equal.
    AtMost(Version),
    /// Newer than.
    Above(Version),
    /// Newer than or equal.
    AtLeast(Version),
    /// From the first (inclusive) to the second; `inclusive` says whether the end is included.
    Range(Version, Version, bool),
    /// Every version that starts with these tokens (`2.x`).
    Prefix(Version),
}

impl VersionSpec {
    /// Parses one spec; the error says what is wrong.
    pub fn parse(text: &str) -> Result<VersionSpec, String> {
        let text = text.trim();
        let version = |v: &str| Version::parse(v).ok_or_else(|| format!("{v:?} is not a version"));
        if text == "*" {
            return Ok(VersionSpec::Any);
        }
        if let Some((from, to)) = text.split_once("..") {
            let (to, inclusive) = match to.strip_prefix('=') {
                Some(to) => (to, true),
                None => (to, false),
            };
            let (from, to) = (version(from)?, version(to)?);
            if from > to {
                return Err(format!("range {text:?} ends before it starts"));
            }
            return Ok(VersionSpec::Range(from, to, inclusive));
        }
        for (prefix, make) in [
            ("<=", VersionSpec::AtMost as fn(Version) -> VersionSpec),
            (">=", VersionSpec::AtLeast),
            ("<", VersionSpec::Below),
            (">", VersionSpec::Above),
            ("=", VersionSpec::Equal),
        ] {
            if let Some(rest) = text.strip_prefix(prefix) {
                return version(rest).map(make);
            }
        }
        if let Some(stem) = text.strip_suffix(".x").or_else(|| text.strip_suffix(".*")) {
            return version(stem).map(VersionSpec::Prefix);
        }
        version(text).map(VersionSpec::Equal)
    }

    /// True when `version` lies in the set.
    pub fn matches(&self, version: &Version) -> bool {
        match self {
            VersionSpec::Any => true,
            VersionSpec::Equal(v) => version == v,
            VersionSpec::Below(v) => version < v,
            VersionSpec::AtMost(v) => version <= v,
            VersionSpec::Above(v) => version > v,
            VersionSpec::AtLeast(v) => version >= v,
            VersionSpec::Range(from, to, inclusive) => {
                version >= from && (version < to || (*inclusive && version == to))
            }
            VersionSpec::Prefix(v) => version.starts_with(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn spec(text: &str) -> VersionSpec {
        VersionSpec::parse(text).unwrap()
    }

    #[test]
    fn vendor_versions_compare_token_by_token() {
        assert!(v("9.19.2") < v("9.33.1"));
        assert!(v("9.33.1") < v("12.1.3"));
        assert_eq!(v("16"), v("16.00.00"));
        assert_eq!(v("v16D38"), v("16d38"));
        assert!(v("20D29") < v("20D32"));
        assert!(v("012U000061") < v("012U000062"));
        assert!(v("M.00.03") < v("N.00.01"));
        assert!(v("1.2rc1") < v("1.2.0"));
        assert!(v("2017.11") < v("2018.05"));
        assert_eq!(
            v("ES 1.2").tokens,
            vec![Token::Text("es".into()), Token::Number(1), Token::Number(2)]
        );
        assert!(Version::parse(" .-_ ").is_none());
        assert_eq!(
            v("99999999999999999999999").tokens,
            vec![Token::Number(u64::MAX)]
        );
    }

    #[test]
    fn specs_cover_what_they_say() {
        assert!(spec("<=9.33.1").matches(&v("9.33.1")));
        assert!(!spec("<=9.33.1").matches(&v("12.1.3")));
        assert!(spec("<12.1.3").matches(&v("9.19.2")));
        assert!(!spec("<12.1.3").matches(&v("12.1.3")));
        assert!(spec("20D29..=20D32").matches(&v("20D32")));
        assert!(!spec("20D29..20D32").matches(&v("20D32")));
        assert!(!spec("20D29..=20D32").matches(&v("20D19")));
        assert!(spec("2.x").matches(&v("2.0.4")));
        assert!(spec("2.x").matches(&v("2")));
        assert!(!spec("2.x").matches(&v("3.0.1")));
        assert!(spec("16").matches(&v("16.00.00")));
        assert!(spec("*").matches(&v("anything")));
        assert!(spec(">=4.2").matches(&v("4.10")));
        assert!(spec(">4.2").matches(&v("4.2.1")));
        assert!(spec("=B.02").matches(&v("b.2")));
        assert!(
            VersionSpec::parse("3..2")
                .unwrap_err()
                .contains("ends before")
        );
        assert!(
            VersionSpec::parse("<")
                .unwrap_err()
                .contains("not a version")
        );
    }
}
