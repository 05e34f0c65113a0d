//! The IEEE MAC prefix registry extract (`models/oui.tsv`): prefix → vendor name.
//!
//! Format (written by `scripts/oui.sh`): `#` comment lines, then one block per line,
//! `PREFIX/BITS<TAB>VENDOR`, the prefix as 6, 7 or 9 hex digits for 24-, 28- and 36-bit blocks
//! (MA-L, MA-M, MA-S/IAB). Lookups try the most specific block first.

use crate::ids::MacAddr;
use std::collections::HashMap;
use std::sync::Arc;

/// A prefix table that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("OUI table line {line}: {reason}")]
pub struct OuiError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Block sizes the registry assigns, most specific first.
const BLOCK_BITS: [u8; 3] = [36, 28, 24];

#[derive(Debug, Default)]
struct Blocks {
    /// Per block size (index as in [`BLOCK_BITS`]): (prefix value, vendor index), sorted.
    by_bits: [Vec<(u64, u32)>; 3],
    vendors: Vec<Box<str>>,
}

/// MAC prefix → vendor, for 24-, 28- and 36-bit registry blocks. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct OuiTable {
    blocks: Arc<Blocks>,
}

fn parse_line(line: &str) -> Result<(usize, u64, &str), String> {
    let (block, vendor) = line
        .split_once('\t')
        .ok_or("expected PREFIX/BITS, a tab, then the vendor name")?;
    let vendor = vendor.trim();
    if vendor.is_empty() {
        return Err("vendor name is empty".into());
    }
    let (prefix, bits) = block
        .split_once('/')
        .ok_or("expected PREFIX/BITS, e.g. 0009FB/24")?;
    let bits: u8 = bits
        .parse()
        .map_err(|_| format!("bit length {bits:?} is not a number"))?;
    let slot = BLOCK_BITS
        .iter()
        .position(|&b| b == bits)
        .ok_or_else(|| format!("bit length {bits} is not 24, 28 or 36"))?;
    if prefix.len() * 4 != usize::from(bits) {
        return Err(format!(
            "prefix {prefix:?} has {} hex digits, a /{bits} block needs {}",
            prefix.len(),
            bits / 4
        ));
    }
    let value =
        u64::from_str_radix(prefix, 16).map_err(|_| format!("prefix {prefix:?} is not hex"))?;
    Ok((slot, value, vendor))
}

impl OuiTable {
    /// Parses the tab-separated registry extract.
    pub fn parse(text: &str) -> Result<OuiTable, OuiError> {
        let mut blocks = Blocks::default();
        let mut vendor_index: HashMap<&str, u32> = HashMap::new();
        let mut first_line: HashMap<(usize, u64), usize> = HashMap::new();
        for (number, line) in text.lines().enumerate() {
            let line_no = number.saturating_add(1);
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (slot, value, vendor) = parse_line(line).map_err(|reason| OuiError {
                line: line_no,
                reason,
            })?;
            if let Some(earlier) = first_line.insert((slot, value), line_no) {
                return Err(OuiError {
                    line: line_no,
                    reason: format!("block already listed on line {earlier}"),
                });
            }
            let next = u32::try_from(blocks.vendors.len()).map_err(|_| OuiError {
                line: line_no,
                reason: "too many vendors".into(),
            })?;
            let index = *vendor_index.entry(vendor).or_insert_with(|| {
                blocks.vendors.push(vendor.into());
                next
            });
            if let Some(list) = blocks.by_bits.get_mut(slot) {
                list.push((value, index));
            }
        }
        for list in &mut blocks.by_bits {
            list.sort_unstable();
        }
        Ok(OuiTable {
            blocks: Arc::new(blocks),
        })
    }

    /// The vendor registered for the MAC's block, most specific block first. Locally
    /// administered and group addresses have no registered vendor.
    pub fn vendor(&self, mac: MacAddr) -> Option<&str> {
        if mac.is_local() || mac.is_group() {
            return None;
        }
        let value = mac.0.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        for (slot, &bits) in BLOCK_BITS.iter().enumerate() {
            let prefix = value >> (48 - u32::from(bits));
            let list = self.blocks.by_bits.get(slot)?;
            if let Ok(at) = list.binary_search_by_key(&prefix, |&(p, _)| p) {
                let index = list.get(at)?.1;
                return self
                    .blocks
                    .vendors
                    .get(usize::try_from(index).ok()?)
                    .map(|v| &**v);
            }
        }
        None
    }

    /// Every vendor name of the registry (each once).
    pub fn vendors(&self) -> impl Iterator<Item = &str> {
        self.blocks.vendors.iter().map(|v| &**v)
    }

    /// Number of prefixes held.
    pub fn len(&self) -> usize {
        self.blocks.by_bits.iter().map(Vec::len).sum()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\n0050C205B/36\tRadiometer Medical\n70B3D5144/36\tGS Elektromedizinsiche Geräte\n0009FB/24\tPhilips Patient Monitoring\n0050C2/24\tIEEE Registration Authority\nA0B1C2D/28\tExample MA-M\n";

    fn mac(text: &str) -> MacAddr {
        text.parse().unwrap()
    }

    #[test]
    fn most_specific_block_wins() {
        let table = OuiTable::parse(SAMPLE).unwrap();
        assert_eq!(table.len(), 5);
        assert_eq!(
            table.vendor(mac("00:50:c2:05:b3:21")),
            Some("Radiometer Medical")
        );
        assert_eq!(
            table.vendor(mac("00:50:c2:99:00:01")),
            Some("IEEE Registration Authority")
        );
        assert_eq!(
            table.vendor(mac("00:09:fb:12:34:56")),
            Some("Philips Patient Monitoring")
        );
        assert_eq!(table.vendor(mac("a0:b1:c2:d9:99:99")), Some("Example MA-M"));
        assert_eq!(table.vendor(mac("a0:b1:c2:e0:00:00")), None);
        assert_eq!(
            table.vendor(mac("02:09:fb:12:34:56")),
            None,
            "locally administered"
        );
        assert_eq!(table.vendor(mac("01:00:5e:00:00:fb")), None, "multicast");
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line, needle) in [
            ("0009FB\tX", 1, "PREFIX/BITS"),
            ("#\n0009FB/25\tX", 2, "not 24, 28 or 36"),
            ("0009F/24\tX", 1, "needs 6"),
            ("0009FG/24\tX", 1, "not hex"),
            ("0009FB/24\t ", 1, "empty"),
        ] {
            let err = OuiTable::parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text}");
            assert!(err.to_string().contains(needle), "{err}");
        }
        let dup = OuiTable::parse("0009FB/24\tA\n0009FB/24\tB\n").unwrap_err();
        assert_eq!(dup.line, 2);
        assert!(dup.reason.contains("already listed on line 1"), "{dup}");
    }

    #[test]
    fn shipped_table_parses_and_knows_the_catalog_vendors() {
        let table = OuiTable::parse(include_str!("../../../../models/oui.tsv")).unwrap();
        assert!(table.len() > 40_000, "{}", table.len());
        assert_eq!(
            table.vendor(mac("00:09:fb:00:00:01")),
            Some("Philips Patient Monitoring")
        );
        assert_eq!(
            table.vendor(mac("00:d0:75:00:00:01")),
            Some("ALARIS MEDICAL SYSTEMS")
        );
        assert_eq!(
            table.vendor(mac("00:50:c2:05:b0:01")),
            Some("Radiometer Medical")
        );
        assert_eq!(table.vendor(mac("f4:8e:38:00:00:01")), Some("Dell"));
    }
}
