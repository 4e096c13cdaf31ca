//! The TC string's bit layer: fields written most significant bit first, one
//! after another with no alignment, then base64url without padding.
//!
//! The IAB's library pads a segment with zero bits to a multiple of 24, so
//! its base64 needs no `=`; this writer does the same, so a segment encoded
//! here is the same text as the library's wherever the fields are the same.
//! A reader reads past the end as an error, never as zeros: a string cut
//! short is refused, not read as a string that says "no".

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};

use super::Invalid;

/// base64url as TC strings use it: no padding written, none accepted, and
/// trailing bits of the last character allowed (they are the padding).
const TC_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Bits appended most significant first.
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    len: usize,
}

impl BitWriter {
    /// Appends the low `width` bits of `value`, most significant first.
    pub(crate) fn int(&mut self, value: u64, width: u32) {
        debug_assert!(
            width == 64 || value >> width == 0,
            "{value} does not fit in {width} bits"
        );
        for shift in (0..width).rev() {
            self.bit(value >> shift & 1 == 1);
        }
    }

    /// Appends one bit.
    pub(crate) fn bit(&mut self, on: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if on {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 0x80 >> (self.len % 8);
        }
        self.len += 1;
    }

    /// How many bits have been written.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The segment as text: padded with zero bits to a multiple of 24 (whole
    /// base64 quanta, as the IAB's library writes it), then base64url.
    pub(crate) fn finish(mut self) -> String {
        while !self.len.is_multiple_of(24) {
            self.bit(false);
        }
        TC_BASE64.encode(&self.bytes)
    }
}

/// Bits read most significant first from a decoded segment.
pub(crate) struct BitReader {
    bytes: Vec<u8>,
    at: usize,
    /// Ids that ranges may still expand to in this segment.
    budget: u32,
}

/// Ids the ranges of one segment may expand to: twice every vendor id there
/// can be. A real string names at most the list's few thousand vendors a
/// few times; a string made to be expensive (4,095 restrictions each
/// covering every id: 268 million) is refused after this many.
pub(crate) const RANGE_BUDGET: u32 = 2 * 65_535;

impl BitReader {
    /// Decodes one segment's base64url text.
    pub(crate) fn new(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            return Err(Invalid::Empty);
        }
        // Six bits that end the text alone make no byte: they can only be
        // padding, so a zero character completes them (no bit is invented
        // where a field could be).
        let mut owned;
        let text = if text.len() % 4 == 1 {
            owned = String::with_capacity(text.len() + 1);
            owned.push_str(text);
            owned.push('A');
            owned.as_str()
        } else {
            text
        };
        let bytes = TC_BASE64.decode(text).map_err(|_| Invalid::NotBase64)?;
        Ok(BitReader {
            bytes,
            at: 0,
            budget: RANGE_BUDGET,
        })
    }

    /// Reads `width` bits as an unsigned number.
    pub(crate) fn int(&mut self, width: u32) -> Result<u64, Invalid> {
        let mut value = 0u64;
        for _ in 0..width {
            value = value << 1 | u64::from(self.bit()?);
        }
        Ok(value)
    }

    /// Reads one bit.
    pub(crate) fn bit(&mut self) -> Result<bool, Invalid> {
        let byte = *self.bytes.get(self.at / 8).ok_or(Invalid::Truncated)?;
        let on = byte & (0x80 >> (self.at % 8)) != 0;
        self.at += 1;
        Ok(on)
    }

    /// Takes `ids` from the segment's range budget.
    pub(crate) fn expand(&mut self, ids: u32) -> Result<(), Invalid> {
        self.budget = self.budget.checked_sub(ids).ok_or(Invalid::BadRange)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_written_most_significant_bit_first_and_padded_to_whole_quanta() {
        let mut w = BitWriter::default();
        w.int(2, 6); // 000010
        w.int(1, 1);
        assert_eq!(w.len(), 7);
        // 0000 1010 0000 ... : "CgAA" (24 bits)
        assert_eq!(w.finish(), "CgAA");
    }

    #[test]
    fn a_reader_reads_back_what_was_written_and_refuses_to_read_past_the_end() {
        let mut w = BitWriter::default();
        w.int(0xABCDE, 20);
        w.bit(true);
        let text = w.finish();
        let mut r = BitReader::new(&text).unwrap();
        assert_eq!(r.int(20).unwrap(), 0xABCDE);
        assert!(r.bit().unwrap());
        assert_eq!(r.int(3).unwrap(), 0, "padding to 24 bits");
        assert_eq!(r.bit(), Err(Invalid::Truncated));
    }

    #[test]
    fn text_outside_base64url_is_refused() {
        assert_eq!(BitReader::new("").err(), Some(Invalid::Empty));
        for bad in ["AA+A", "AA/A", "AA=A", "AAA=", "A A", "AÄ"] {
            assert_eq!(BitReader::new(bad).err(), Some(Invalid::NotBase64), "{bad}");
        }
        // A lone sixth bit group is padding, read as such.
        let mut r = BitReader::new("BAAAB").unwrap();
        assert_eq!(r.int(6).unwrap(), 1);
    }
}
