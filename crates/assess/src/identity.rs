//! Component identities used for matching: package URLs (through the `packageurl` crate) and CPE
//! names (2.3 formatted strings and 2.2 URIs, parsed here: no maintained Rust crate parses CPE).
//! Keys are lowercased so `pkg:generic/OpenSSL` and `pkg:generic/openssl` match; this may
//! over-match on the few purl types whose names are case-sensitive, which errs toward reporting.

use serde::Serialize;
use std::str::FromStr;

/// The identity part of a package URL (no version, qualifiers or subpath), lowercased.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PurlKey {
    /// Package type (`generic`, `conan`, `npm`, …).
    pub ty: String,
    /// Namespace, if any.
    pub namespace: Option<String>,
    /// Package name.
    pub name: String,
}

/// A parsed package URL: its identity and its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    /// Identity used for matching.
    pub key: PurlKey,
    /// Version, if the purl names one.
    pub version: Option<String>,
}

impl Purl {
    /// Parses a package URL; `Err` carries the parser's message.
    pub fn parse(text: &str) -> Result<Purl, String> {
        let purl = packageurl::PackageUrl::from_str(text.trim())
            .map_err(|e| format!("not a package URL: {e}"))?;
        Ok(Purl {
            key: PurlKey {
                ty: purl.ty().to_ascii_lowercase(),
                namespace: purl
                    .namespace()
                    .filter(|n| !n.is_empty())
                    .map(str::to_ascii_lowercase),
                name: purl.name().to_ascii_lowercase(),
            },
            version: purl.version().map(str::to_owned).filter(|v| !v.is_empty()),
        })
    }
}

impl PurlKey {
    /// True when two identities name the same package: same type and name, and the same
    /// namespace when both have one.
    pub fn matches(&self, other: &PurlKey) -> bool {
        self.ty == other.ty
            && self.name == other.name
            && match (&self.namespace, &other.namespace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// The identity part of a CPE name: part, vendor, product (lowercased).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CpeKey {
    /// `a` application, `o` operating system, `h` hardware, or `*`.
    pub part: String,
    /// Vendor.
    pub vendor: String,
    /// Product.
    pub product: String,
}

/// A parsed CPE name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpe {
    /// Identity used for matching.
    pub key: CpeKey,
    /// Version, unless the CPE says any (`*`) or not applicable (`-`).
    pub version: Option<String>,
}

impl Cpe {
    /// Parses a CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:version:…`) or a CPE 2.2 URI
    /// (`cpe:/a:vendor:product:version`).
    pub fn parse(text: &str) -> Result<Cpe, String> {
        let text = text.trim();
        let fields: Vec<String> = if let Some(rest) = text.strip_prefix("cpe:2.3:") {
            split_escaped(rest)
        } else if let Some(rest) = text.strip_prefix("cpe:/") {
            rest.split(':').map(|f| f.replace("%20", " ")).collect()
        } else {
            return Err("not a CPE name (expected `cpe:2.3:` or `cpe:/`)".into());
        };
        let field = |i: usize| fields.get(i).map(|f| f.trim().to_ascii_lowercase());
        let (Some(part), Some(vendor), Some(product)) = (field(0), field(1), field(2)) else {
            return Err("a CPE name needs part, vendor and product".into());
        };
        if !matches!(part.as_str(), "a" | "o" | "h" | "*")
            || vendor.is_empty()
            || product.is_empty()
        {
            return Err("a CPE name needs part (a, o or h), vendor and product".into());
        }
        let version = fields
            .get(3)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v != "*" && v != "-");
        Ok(Cpe {
            key: CpeKey {
                part,
                vendor,
                product,
            },
            version,
        })
    }
}

impl CpeKey {
    /// True when vendor and product are equal and the parts agree (or one is `*`).
    pub fn matches(&self, other: &CpeKey) -> bool {
        self.vendor == other.vendor
            && self.product == other.product
            && (self.part == other.part || self.part == "*" || other.part == "*")
    }
}

/// Splits a CPE 2.3 body on unescaped colons and removes the backslash escapes.
fn split_escaped(text: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ':' => fields.push(std::mem::take(&mut current)),
            other => current.push(other),
        }
        if fields.len() > 16 {
            break;
        }
    }
    fields.push(current);
    fields
}

/// Normalises a component or package name for name matching: lowercase, trimmed.
pub fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_identity_and_version() {
        let p = Purl::parse("pkg:conan/OpenSSL@1.0.2k?arch=armv7").unwrap();
        assert_eq!(p.key.ty, "conan");
        assert_eq!(p.key.name, "openssl");
        assert_eq!(p.key.namespace, None);
        assert_eq!(p.version.as_deref(), Some("1.0.2k"));
        let q = Purl::parse("pkg:generic/acme/infusafe-fw@3.2.1").unwrap();
        assert_eq!(q.key.namespace.as_deref(), Some("acme"));
        assert!(Purl::parse("not a purl").is_err());
        let no_ns = PurlKey {
            ty: "generic".into(),
            namespace: None,
            name: "infusafe-fw".into(),
        };
        assert!(no_ns.matches(&q.key));
        assert!(!p.key.matches(&q.key));
    }

    #[test]
    fn cpe_23_and_22() {
        let c = Cpe::parse("cpe:2.3:o:linux:linux_kernel:4.4.14:*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.key.part, "o");
        assert_eq!(c.key.product, "linux_kernel");
        assert_eq!(c.version.as_deref(), Some("4.4.14"));
        let any = Cpe::parse("cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*").unwrap();
        assert_eq!(any.version, None);
        assert!(any.key.matches(&c.key));
        let escaped = Cpe::parse(r"cpe:2.3:a:acme:pump\:fw:1.0:*:*:*:*:*:*:*").unwrap();
        assert_eq!(escaped.key.product, "pump:fw");
        let uri = Cpe::parse("cpe:/a:openssl:openssl:1.0.2k").unwrap();
        assert_eq!(uri.key.vendor, "openssl");
        assert_eq!(uri.version.as_deref(), Some("1.0.2k"));
        assert!(Cpe::parse("cpe:2.3:x:a:b").is_err());
        assert!(Cpe::parse("cpe:2.3:a").is_err());
        assert!(Cpe::parse("openssl").is_err());
    }
}
