//! Bounds-checked reads over a borrowed byte slice, shared by the hand-written parsers. Every
//! read returns `None` past the end instead of panicking; nothing here allocates.

use crate::catalog::EvidenceKind;
use crate::identify::{Evidence, MAX_EVIDENCE_VALUE_LEN};

/// A forward-only reader over a slice.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    /// Bytes not read yet.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or_default()
    }

    pub(super) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// The next `n` bytes, or `None` (and nothing consumed) when fewer remain.
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    pub(super) fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|b| b.first().copied())
    }

    pub(super) fn u16_be(&mut self) -> Option<u16> {
        self.array::<2>().map(u16::from_be_bytes)
    }

    pub(super) fn u16_le(&mut self) -> Option<u16> {
        self.array::<2>().map(u16::from_le_bytes)
    }

    pub(super) fn u32_le(&mut self) -> Option<u32> {
        self.array::<4>().map(u32::from_le_bytes)
    }

    pub(super) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).and_then(|s| s.try_into().ok())
    }
}

/// Reads a big-endian u16 at `offset`.
pub(super) fn be_u16_at(data: &[u8], offset: usize) -> Option<u16> {
    let mut reader = Reader::new(data.get(offset..)?);
    reader.u16_be()
}

/// Reads a little-endian u16 at `offset`.
pub(super) fn le_u16_at(data: &[u8], offset: usize) -> Option<u16> {
    let mut reader = Reader::new(data.get(offset..)?);
    reader.u16_le()
}

/// Reads a little-endian u32 at `offset`.
pub(super) fn le_u32_at(data: &[u8], offset: usize) -> Option<u32> {
    let mut reader = Reader::new(data.get(offset..)?);
    reader.u32_le()
}

/// Builds evidence from wire bytes: at most four times the kept length is decoded (lossy UTF-8),
/// then [`Evidence::new`] cleans and cuts it. Returns `None` for values that end up empty.
pub(super) fn text_evidence(kind: EvidenceKind, raw: &[u8]) -> Option<Evidence> {
    let bounded = raw
        .get(..raw.len().min(MAX_EVIDENCE_VALUE_LEN.saturating_mul(4)))
        .unwrap_or_default();
    let evidence = Evidence::new(kind, &String::from_utf8_lossy(bounded));
    (!evidence.value.is_empty()).then_some(evidence)
}

/// Lower-case hex of at most `max` bytes.
pub(super) fn hex(raw: &[u8], max: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(raw.len().min(max).saturating_mul(2));
    for byte in raw.iter().take(max) {
        for nibble in [byte >> 4, byte & 0x0f] {
            if let Some(&digit) = DIGITS.get(usize::from(nibble)) {
                out.push(char::from(digit));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16_be(), Some(0x0102));
        assert_eq!(r.u16_le(), None);
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.u8(), None);
        assert_eq!(r.take(usize::MAX), None);
        assert_eq!(be_u16_at(&[0, 1, 2], 1), Some(0x0102));
        assert_eq!(be_u16_at(&[0, 1, 2], 2), None);
        assert_eq!(le_u32_at(&[1, 0, 0, 0], 0), Some(1));
        assert_eq!(le_u16_at(&[], usize::MAX), None);
        assert_eq!(hex(&[0x01, 0xab, 0xff], 2), "01ab");
        assert_eq!(
            text_evidence(EvidenceKind::DhcpHostname, b" host\x01 "),
            Some(Evidence::new(EvidenceKind::DhcpHostname, "host"))
        );
        assert_eq!(text_evidence(EvidenceKind::DhcpHostname, b"  "), None);
    }
}
