//! The structured-input layout of the fuzz targets: a thin reader over
//! `arbitrary::Unstructured` and the writer that produces the same layout for seeds.
//!
//! Integers are `u8`/`u16`/`u32`/`u64` as `arbitrary` reads them (little endian, missing bytes
//! read as zero); byte strings are a `u16` length then that many bytes (fewer when the input
//! ends). [`Writer`] is the exact inverse, checked by a test in `tests/e2e/fuzz_corpus.rs`.

use arbitrary::Unstructured;

/// Reads fuzz input; never fails (an exhausted input reads zeros and empty strings).
pub struct Reader<'a> {
    u: Unstructured<'a>,
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            u: Unstructured::new(data),
        }
    }
    /// True when every byte was read.
    pub fn is_empty(&self) -> bool {
        self.u.is_empty()
    }
    /// Bytes left.
    pub fn len(&self) -> usize {
        self.u.len()
    }
    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.u.arbitrary().unwrap_or_default()
    }
    /// A bool (low bit of a byte).
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    /// Two bytes, little endian.
    pub fn u16(&mut self) -> u16 {
        self.u.arbitrary().unwrap_or_default()
    }
    /// Four bytes, little endian.
    pub fn u32(&mut self) -> u32 {
        self.u.arbitrary().unwrap_or_default()
    }
    /// Eight bytes, little endian.
    pub fn u64(&mut self) -> u64 {
        self.u.arbitrary().unwrap_or_default()
    }
    /// Eight bytes as an `f64` bit pattern (NaN, infinities and subnormals included).
    pub fn f64(&mut self) -> f64 {
        f64::from_bits(self.u64())
    }
    /// A `u16` length, then up to that many bytes.
    pub fn bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.u16()).min(self.u.len());
        self.u.bytes(n).unwrap_or_default()
    }
    /// One of `items`, chosen by a byte.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = usize::from(self.u8()) % items.len().max(1);
        items[i]
    }
    /// Everything left.
    pub fn rest(self) -> &'a [u8] {
        self.u.take_rest()
    }
}

/// Writes the layout [`Reader`] reads (for seed corpora).
#[derive(Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty input.
    pub fn new() -> Self {
        Writer::default()
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.out.push(v);
        self
    }
    /// A bool.
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(u8::from(v))
    }
    /// Two bytes.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Four bytes.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Eight bytes.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.out.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// An `f64`.
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.u64(v.to_bits())
    }
    /// A length-prefixed byte string (at most 65,535 bytes).
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        let v = &v[..v.len().min(usize::from(u16::MAX))];
        self.u16(u16::try_from(v.len()).unwrap_or(u16::MAX));
        self.out.extend_from_slice(v);
        self
    }
    /// The index of `item` in `items` (what [`Reader::pick`] reads back).
    pub fn pick<T: PartialEq>(&mut self, items: &[T], item: &T) -> &mut Self {
        let i = items.iter().position(|x| x == item).unwrap_or(0);
        self.u8(u8::try_from(i).unwrap_or(0))
    }
    /// Raw bytes, unprefixed (what [`Reader::rest`] reads back at the end).
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.out.extend_from_slice(v);
        self
    }
    /// The input.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}
