//! A set of IAB vendor ids and its two encodings in a TC string: a bit field
//! (one bit per id up to the largest) or ranges (runs of consecutive ids).
//! The encoder writes whichever is shorter, as the specification asks; the
//! decoder reads both, and bounds what a range may cover so a short string
//! cannot make it expand millions of ids.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::bits::{BitReader, BitWriter};
use super::Invalid;

/// IAB Global Vendor List ids (1 to 65,535), in ascending order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VendorSet(pub BTreeSet<u16>);

/// Bits of a range entry: whether it is a run, and its first id.
const ENTRY_BITS: usize = 1 + 16;

impl VendorSet {
    /// The set of `ids` (0 is not a vendor id and is left out).
    pub fn of(ids: impl IntoIterator<Item = u16>) -> Self {
        VendorSet(ids.into_iter().filter(|&id| id != 0).collect())
    }

    /// Whether `id` is in the set.
    pub fn contains(&self, id: u16) -> bool {
        self.0.contains(&id)
    }

    /// The largest id, 0 for none.
    pub fn max_id(&self) -> u16 {
        self.0.last().copied().unwrap_or(0)
    }

    /// Runs of consecutive ids, as (first, last).
    pub fn runs(&self) -> Vec<(u16, u16)> {
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for &id in &self.0 {
            match runs.last_mut() {
                Some((_, last)) if u32::from(*last) + 1 == u32::from(id) => *last = id,
                _ => runs.push((id, id)),
            }
        }
        runs
    }

    /// Writes the section: MaxVendorId, IsRangeEncoding, then the shorter of
    /// the bit field and the ranges (the bit field where they tie).
    pub(crate) fn write(&self, w: &mut BitWriter) {
        let max = self.max_id();
        w.int(u64::from(max), 16);
        let runs = self.runs();
        if range_bits(&runs) < usize::from(max) {
            w.bit(true);
            // Shorter than a bit field of at most 65,535 bits: under 4,096 runs.
            write_ranges(w, &runs).expect("fewer than 4,096 runs");
        } else {
            w.bit(false);
            for id in 1..=max {
                w.bit(self.contains(id));
            }
        }
    }

    /// Reads a section written by [`VendorSet::write`] (or any encoder).
    pub(crate) fn read(r: &mut BitReader) -> Result<Self, Invalid> {
        let max = r.int(16)? as u16;
        if r.bit()? {
            let set = read_ranges(r)?;
            if set.max_id() > max {
                return Err(Invalid::VendorAboveMax);
            }
            Ok(set)
        } else {
            let mut set = BTreeSet::new();
            for id in 1..=max {
                if r.bit()? {
                    set.insert(id);
                }
            }
            Ok(VendorSet(set))
        }
    }
}

/// Bits the ranges take after IsRangeEncoding: NumEntries, then each entry.
fn range_bits(runs: &[(u16, u16)]) -> usize {
    12 + runs
        .iter()
        .map(|(first, last)| ENTRY_BITS + if first == last { 0 } else { 16 })
        .sum::<usize>()
}

/// NumEntries, then each run: IsARange, its first id, its last if a run.
/// At most 4,095 runs fit the 12 bits of NumEntries.
pub(crate) fn write_ranges(w: &mut BitWriter, runs: &[(u16, u16)]) -> Result<(), Invalid> {
    if runs.len() > 4095 {
        return Err(Invalid::IdOutOfRange);
    }
    w.int(runs.len() as u64, 12);
    for &(first, last) in runs {
        w.bit(first != last);
        w.int(u64::from(first), 16);
        if first != last {
            w.int(u64::from(last), 16);
        }
    }
    Ok(())
}

/// Reads NumEntries range entries. Ids are 1 or more, a run's last is not
/// before its first, and what they expand to comes out of the segment's
/// budget (`bits::RANGE_BUDGET`).
pub(crate) fn read_ranges(r: &mut BitReader) -> Result<VendorSet, Invalid> {
    let entries = r.int(12)?;
    let mut set = BTreeSet::new();
    for _ in 0..entries {
        let is_run = r.bit()?;
        let first = r.int(16)? as u16;
        let last = if is_run { r.int(16)? as u16 } else { first };
        if first == 0 || last < first {
            return Err(Invalid::BadRange);
        }
        r.expand(u32::from(last - first) + 1)?;
        set.extend(first..=last);
    }
    Ok(VendorSet(set))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(set: &VendorSet) -> (VendorSet, bool, usize) {
        let mut w = BitWriter::default();
        set.write(&mut w);
        let bits = w.len();
        let text = w.finish();
        let mut r = BitReader::new(&text).unwrap();
        let _max = r.int(16).unwrap();
        let ranged = r.bit().unwrap();
        let mut r = BitReader::new(&text).unwrap();
        (VendorSet::read(&mut r).unwrap(), ranged, bits)
    }

    #[test]
    fn the_shorter_encoding_is_written_and_the_bit_field_wins_a_tie() {
        // One vendor, id 29: bit field 29 bits, ranges 12 + 17 = 29: a tie.
        let (back, ranged, bits) = round_trip(&VendorSet::of([29]));
        assert_eq!((back, ranged, bits), (VendorSet::of([29]), false, 17 + 29));
        // Id 30: the ranges are a bit shorter.
        let (back, ranged, bits) = round_trip(&VendorSet::of([30]));
        assert_eq!((back, ranged, bits), (VendorSet::of([30]), true, 17 + 29));
        // A run costs 12 + 33 = 45 bits: shorter than a bit field to 46.
        let (_, ranged, _) = round_trip(&VendorSet::of(2..=46));
        assert!(ranged);
        let (_, ranged, _) = round_trip(&VendorSet::of(1..=45));
        assert!(!ranged);
        // Dense sets stay bit fields.
        let dense = VendorSet::of((1..=300).filter(|id| id % 2 == 0));
        assert_eq!(round_trip(&dense), (dense.clone(), false, 17 + 300));
    }

    #[test]
    fn the_empty_set_is_max_zero_and_no_bits() {
        assert_eq!(
            round_trip(&VendorSet::default()),
            (VendorSet::default(), false, 17)
        );
    }

    #[test]
    fn runs_group_consecutive_ids() {
        assert_eq!(
            VendorSet::of([1, 2, 3, 7, 9, 10, 65535]).runs(),
            vec![(1, 3), (7, 7), (9, 10), (65535, 65535)]
        );
    }

    fn ranges(entries: &[(u16, u16)], max: u16) -> Result<VendorSet, Invalid> {
        let mut w = BitWriter::default();
        w.int(u64::from(max), 16);
        w.bit(true);
        write_ranges(&mut w, entries).unwrap();
        VendorSet::read(&mut BitReader::new(&w.finish()).unwrap())
    }

    #[test]
    fn ranges_that_cannot_be_a_set_are_refused() {
        assert_eq!(
            ranges(&[(3, 1)], 3),
            Err(Invalid::BadRange),
            "a run that ends before it starts"
        );
        assert_eq!(ranges(&[(0, 0)], 3), Err(Invalid::BadRange), "vendor id 0");
        assert_eq!(ranges(&[(1, 5)], 4), Err(Invalid::VendorAboveMax));
        assert_eq!(ranges(&[(1, 5)], 5), Ok(VendorSet::of(1..=5)));
        // A segment's ranges expand to at most twice every id; one more is refused.
        assert_eq!(
            ranges(&[(1, 65535), (1, 65535)], 65535).map(|s| s.0.len()),
            Ok(65535)
        );
        assert_eq!(
            ranges(&[(1, 65535), (1, 65535), (7, 7)], 65535),
            Err(Invalid::BadRange)
        );
    }
}
