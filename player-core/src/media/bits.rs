//! Bit-level reading for H.264 syntax: fixed-width fields and Exp-Golomb codes (H.264 §9.1),
//! over an RBSP from which emulation-prevention bytes have been removed (§7.4.1).

use thiserror::Error;

/// Why a bit field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BitsError {
    #[error("ran out of data at bit {bit}")]
    Eof { bit: usize },
    #[error("Exp-Golomb code longer than 32 bits at bit {bit}")]
    GolombTooLong { bit: usize },
}

/// Reads big-endian bit fields from a byte slice.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    bit: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data, bit: 0 }
    }

    #[cfg(test)]
    pub(crate) fn position(&self) -> usize {
        self.bit
    }

    pub(crate) fn flag(&mut self) -> Result<bool, BitsError> {
        let byte = *self
            .data
            .get(self.bit >> 3)
            .ok_or(BitsError::Eof { bit: self.bit })?;
        let v = (byte >> (7 - (self.bit & 7))) & 1;
        self.bit += 1;
        Ok(v == 1)
    }

    /// Reads `n` (at most 32) bits as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Result<u32, BitsError> {
        debug_assert!(n <= 32);
        let mut v: u64 = 0;
        for _ in 0..n {
            v = (v << 1) | u64::from(self.flag()?);
        }
        Ok(v as u32)
    }

    pub(crate) fn skip(&mut self, n: usize) -> Result<(), BitsError> {
        let end = self.bit + n;
        if end > self.data.len() * 8 {
            return Err(BitsError::Eof { bit: self.bit });
        }
        self.bit = end;
        Ok(())
    }

    /// ue(v): unsigned Exp-Golomb.
    pub(crate) fn ue(&mut self) -> Result<u32, BitsError> {
        let start = self.bit;
        let mut zeros = 0u32;
        while !self.flag()? {
            zeros += 1;
            if zeros > 31 {
                return Err(BitsError::GolombTooLong { bit: start });
            }
        }
        let rest = u64::from(self.bits(zeros)?);
        let v = (1u64 << zeros) - 1 + rest;
        u32::try_from(v).map_err(|_| BitsError::GolombTooLong { bit: start })
    }

    /// se(v): signed Exp-Golomb (1 → 1, 2 → −1, 3 → 2, …).
    pub(crate) fn se(&mut self) -> Result<i32, BitsError> {
        let k = i64::from(self.ue()?);
        let v = if k & 1 == 1 { (k + 1) / 2 } else { -(k / 2) };
        Ok(v as i32)
    }
}

/// Removes emulation-prevention bytes: every `00 00 03` becomes `00 00` (H.264 §7.4.1).
pub(crate) fn unescape_rbsp(nal: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(nal.len());
    let mut zeros = 0u8;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros.saturating_add(1) } else { 0 };
        out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_fields() {
        let mut r = BitReader::new(&[0b1010_1100, 0xFF]);
        assert!(r.flag().unwrap());
        assert_eq!(r.bits(3).unwrap(), 0b010);
        assert_eq!(r.bits(8).unwrap(), 0b1100_1111);
        assert_eq!(r.position(), 12);
        assert_eq!(r.bits(5), Err(BitsError::Eof { bit: 16 }));
    }

    #[test]
    fn exp_golomb_codes() {
        // 1 | 010 | 011 | 00100 | 00101 | 0001000 → ue 0,1,2,3,4,7
        // packed: 1010 0110 0100 0010 1000 1000
        let data = [0b1010_0110, 0b0100_0010, 0b1000_1000];
        let mut r = BitReader::new(&data);
        let got: Vec<u32> = (0..6).map(|_| r.ue().unwrap()).collect();
        assert_eq!(got, [0, 1, 2, 3, 4, 7]);

        let mut r = BitReader::new(&data);
        let got: Vec<i32> = (0..6).map(|_| r.se().unwrap()).collect();
        assert_eq!(got, [0, 1, -1, 2, -2, 4]);
    }

    #[test]
    fn exp_golomb_limits() {
        // 32 leading zeros: longer than any 32-bit value.
        let mut r = BitReader::new(&[0, 0, 0, 0, 0x80, 0, 0, 0, 0]);
        assert_eq!(r.ue(), Err(BitsError::GolombTooLong { bit: 0 }));
        // 31 zeros then all ones: u32::MAX - 1 + ... fits? (2^31 - 1) + (2^31 - 1) = 2^32 - 2.
        let mut r = BitReader::new(&[0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(r.ue(), Ok(u32::MAX - 1));
        // A code cut short by the end of data.
        let mut r = BitReader::new(&[0b0000_0001]);
        assert!(matches!(r.ue(), Err(BitsError::Eof { .. })));
    }

    #[test]
    fn emulation_prevention_removed() {
        let mut out = Vec::new();
        unescape_rbsp(&[0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3], &mut out);
        assert_eq!(out, [0x67, 0, 0, 1, 0, 0, 0, 0]);
        // 03 not after two zeros is data.
        unescape_rbsp(&[0, 3, 0, 0, 0, 3], &mut out);
        assert_eq!(out, [0, 3, 0, 0, 0]);
    }
}
