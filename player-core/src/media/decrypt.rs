//! AES-128-CBC decryption of HLS media segments (`#EXT-X-KEY:METHOD=AES-128`).
//!
//! RFC 8216 §4.3.2.4 encrypts each whole segment with AES-128 in CBC mode and PKCS#7 padding,
//! under a 16-byte key fetched from the key URI and an IV that is either the tag's `IV`
//! attribute or, when absent, the segment's media sequence number ([`iv_from_sequence_number`]).
//!
//! The cipher follows FIPS-197 (the "equivalent inverse cipher" of §5.3.5) and the chaining
//! follows NIST SP 800-38A §6.2. It uses one 1 KiB lookup table that merges InvSubBytes and
//! InvMixColumns; it and the S-boxes are computed at compile time from their FIPS-197
//! definitions rather than typed in by hand (1.5 KiB of data in all). Table lookups are not
//! constant-time; that is acceptable here because an HLS content key is delivered to, and
//! known by, the very browser that decrypts with it.
//!
//! ```
//! use player_core::media::decrypt::{iv_from_sequence_number, key_from_bytes, Aes128Decryptor};
//!
//! let key = key_from_bytes(&[0x2b; 16])?; // the body of the key URI's response
//! let decryptor = Aes128Decryptor::new(&key); // expand once, reuse for every segment
//! let mut segment = vec![0u8; 32]; // the segment's bytes as fetched
//! let iv = iv_from_sequence_number(7); // no IV attribute: the media sequence number
//! match decryptor.decrypt_segment_in_place(&iv, &mut segment) {
//!     Ok(()) => { /* `segment` now holds the MPEG-TS / fMP4 plaintext */ }
//!     Err(e) => eprintln!("segment 7: {e}"), // garbage in, typed error out: never a panic
//! }
//! # Ok::<(), player_core::media::decrypt::DecryptError>(())
//! ```

use thiserror::Error;

/// Why an encrypted segment or key could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DecryptError {
    /// An AES-128 segment always holds at least one (padding) block.
    #[error("encrypted segment is empty: AES-128 segments hold at least one 16-byte block")]
    EmptyData,
    /// CBC works on whole 16-byte blocks; a truncated download usually causes this.
    #[error("encrypted segment is {len} bytes, not a multiple of the 16-byte AES block")]
    UnalignedLength {
        /// The length of the data received.
        len: usize,
    },
    /// The decrypted data does not end in valid PKCS#7 padding: usually a wrong key or IV.
    #[error(
        "invalid PKCS#7 padding (last byte {pad}) after decryption: wrong key or IV, or corrupt data"
    )]
    InvalidPadding {
        /// The final byte of the decrypted data, which PKCS#7 makes the padding length.
        pad: u8,
    },
    /// A key URI must answer with exactly 16 bytes.
    #[error("AES-128 key is {len} bytes, expected exactly 16")]
    WrongKeyLength {
        /// The length of the key response.
        len: usize,
    },
}

/// The AES block size in bytes.
const BLOCK: usize = 16;

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2).
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        a = (a << 1) ^ if a & 0x80 != 0 { 0x1b } else { 0 };
        b >>= 1;
    }
    product
}

/// SubBytes (FIPS-197 §5.1.1): the multiplicative inverse, then the affine transformation.
const SBOX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        // x^254 is the inverse of x in GF(2^8), and maps 0 to 0 as the standard requires.
        let (mut inverse, mut base, mut exp) = (1u8, x as u8, 254u8);
        while exp != 0 {
            if exp & 1 != 0 {
                inverse = gf_mul(inverse, base);
            }
            base = gf_mul(base, base);
            exp >>= 1;
        }
        let b = inverse;
        table[x] =
            b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        x += 1;
    }
    table
};

/// InvSubBytes (FIPS-197 §5.3.2): the inverse permutation of [`SBOX`].
const INV_SBOX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        table[SBOX[x] as usize] = x as u8;
        x += 1;
    }
    table
};

/// InvSubBytes followed by InvMixColumns for a byte in row 0: the column
/// `{0e, 09, 0d, 0b} · InvS[x]`, most significant byte first. Rows 1..3 use the same entry
/// rotated right by 8, 16 and 24 bits, because each InvMixColumns row is the previous one
/// rotated; one table instead of four keeps the bundle 3 KiB smaller.
const INV_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut x = 0;
    while x < 256 {
        let s = INV_SBOX[x];
        table[x] = u32::from_be_bytes([
            gf_mul(s, 0x0e),
            gf_mul(s, 0x09),
            gf_mul(s, 0x0d),
            gf_mul(s, 0x0b),
        ]);
        x += 1;
    }
    table
};

/// The 44 words of the AES-128 key schedule (FIPS-197 §5.2), most significant byte first.
fn expand_key(key: &[u8; 16]) -> [u32; 44] {
    let mut w = [0u32; 44];
    for (word, bytes) in w.iter_mut().zip(key.as_chunks::<4>().0) {
        *word = u32::from_be_bytes(*bytes);
    }
    let mut rcon = 1u8;
    for i in 4..44 {
        let mut temp = w[i - 1];
        if i.is_multiple_of(4) {
            temp = sub_word(temp.rotate_left(8)) ^ (u32::from(rcon) << 24);
            rcon = gf_mul(rcon, 2);
        }
        w[i] = w[i - 4] ^ temp;
    }
    w
}

fn sub_word(word: u32) -> u32 {
    u32::from_be_bytes(word.to_be_bytes().map(|b| SBOX[usize::from(b)]))
}

/// InvMixColumns of one key-schedule word, for the equivalent inverse cipher (§5.3.5).
/// `INV_TABLE[SBOX[b]]` is `{0e, 09, 0d, 0b} · b`, so the decryption table does the job.
fn inv_mix_word(word: u32) -> u32 {
    let [b0, b1, b2, b3] = word
        .to_be_bytes()
        .map(|b| INV_TABLE[usize::from(SBOX[usize::from(b)])]);
    b0 ^ b1.rotate_right(8) ^ b2.rotate_right(16) ^ b3.rotate_right(24)
}

/// One output column of an inverse round: InvShiftRows picks row r from column `c - r`,
/// hence the four columns arrive already rotated.
#[inline(always)]
fn inv_round_column(c0: u32, c1: u32, c2: u32, c3: u32) -> u32 {
    INV_TABLE[(c0 >> 24) as usize]
        ^ INV_TABLE[((c1 >> 16) & 0xff) as usize].rotate_right(8)
        ^ INV_TABLE[((c2 >> 8) & 0xff) as usize].rotate_right(16)
        ^ INV_TABLE[(c3 & 0xff) as usize].rotate_right(24)
}

/// The last inverse round has no InvMixColumns: InvShiftRows and InvSubBytes only.
#[inline(always)]
fn inv_final_column(c0: u32, c1: u32, c2: u32, c3: u32) -> u32 {
    u32::from_be_bytes([
        INV_SBOX[(c0 >> 24) as usize],
        INV_SBOX[((c1 >> 16) & 0xff) as usize],
        INV_SBOX[((c2 >> 8) & 0xff) as usize],
        INV_SBOX[(c3 & 0xff) as usize],
    ])
}

fn to_words(block: u128) -> [u32; 4] {
    [
        (block >> 96) as u32,
        (block >> 64) as u32,
        (block >> 32) as u32,
        block as u32,
    ]
}

fn from_words([a, b, c, d]: [u32; 4]) -> u128 {
    (u128::from(a) << 96) | (u128::from(b) << 64) | (u128::from(c) << 32) | u128::from(d)
}

/// An expanded AES-128 decryption key. Build it once per key and reuse it for every segment
/// that key protects: expansion costs about as much as decrypting a few blocks.
#[derive(Clone)]
pub struct Aes128Decryptor {
    /// Round keys in the order decryption uses them: round 10's, then rounds 9..1 passed
    /// through InvMixColumns, then round 0's.
    round_keys: [[u32; 4]; 11],
}

impl std::fmt::Debug for Aes128Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Round 0's key is the key itself: keep it out of logs.
        f.write_str("Aes128Decryptor { .. }")
    }
}

impl Aes128Decryptor {
    /// Expands `key` into the decryption round keys.
    pub fn new(key: &[u8; 16]) -> Self {
        let w = expand_key(key);
        let mut round_keys = [[0u32; 4]; 11];
        for (i, keys) in round_keys.iter_mut().enumerate() {
            let round = 10 - i;
            for (k, &word) in keys.iter_mut().zip(&w[4 * round..4 * round + 4]) {
                *k = if round == 0 || round == 10 {
                    word
                } else {
                    inv_mix_word(word)
                };
            }
        }
        Self { round_keys }
    }

    /// Decrypts one block (FIPS-197 §5.3.5, equivalent inverse cipher).
    fn decrypt_block(&self, block: u128) -> u128 {
        let [first, middle @ .., last] = &self.round_keys;
        let [mut s0, mut s1, mut s2, mut s3] = to_words(block);
        s0 ^= first[0];
        s1 ^= first[1];
        s2 ^= first[2];
        s3 ^= first[3];
        for k in middle {
            (s0, s1, s2, s3) = (
                inv_round_column(s0, s3, s2, s1) ^ k[0],
                inv_round_column(s1, s0, s3, s2) ^ k[1],
                inv_round_column(s2, s1, s0, s3) ^ k[2],
                inv_round_column(s3, s2, s1, s0) ^ k[3],
            );
        }
        from_words([
            inv_final_column(s0, s3, s2, s1) ^ last[0],
            inv_final_column(s1, s0, s3, s2) ^ last[1],
            inv_final_column(s2, s1, s0, s3) ^ last[2],
            inv_final_column(s3, s2, s1, s0) ^ last[3],
        ])
    }

    /// Decrypts `data` in place in CBC mode (SP 800-38A §6.2), without touching padding.
    /// Empty data is a no-op; data that is not whole blocks is an error and is left unchanged.
    pub fn decrypt_cbc_in_place(&self, iv: &[u8; 16], data: &mut [u8]) -> Result<(), DecryptError> {
        let mut chain = *iv;
        self.decrypt_cbc_chunk_in_place(&mut chain, data)
    }

    /// Like [`decrypt_cbc_in_place`](Self::decrypt_cbc_in_place), for a segment decrypted in
    /// several pieces: `chain` starts as the IV and is left holding the last ciphertext block,
    /// ready for the next piece. This lets the caller split a large segment across tasks to
    /// stay within the main thread's per-task budget; finish with [`remove_pkcs7_padding`].
    ///
    /// ```
    /// # use player_core::media::decrypt::*;
    /// # let (decryptor, iv, mut segment) = (Aes128Decryptor::new(&[1; 16]), [2; 16], vec![0u8; 64]);
    /// let mut chain = iv;
    /// for piece in segment.chunks_mut(32) {
    ///     decryptor.decrypt_cbc_chunk_in_place(&mut chain, piece)?; // e.g. one piece per task
    /// }
    /// # let _ = remove_pkcs7_padding(&mut segment);
    /// # Ok::<(), DecryptError>(())
    /// ```
    pub fn decrypt_cbc_chunk_in_place(
        &self,
        chain: &mut [u8; 16],
        data: &mut [u8],
    ) -> Result<(), DecryptError> {
        let len = data.len();
        let (blocks, []) = data.as_chunks_mut::<BLOCK>() else {
            return Err(DecryptError::UnalignedLength { len });
        };
        let mut previous = u128::from_be_bytes(*chain);
        for block in blocks {
            let ciphertext = u128::from_be_bytes(*block);
            *block = (self.decrypt_block(ciphertext) ^ previous).to_be_bytes();
            previous = ciphertext;
        }
        *chain = previous.to_be_bytes();
        Ok(())
    }

    /// Decrypts a whole segment in place and strips its PKCS#7 padding, without copying.
    ///
    /// On a length error `data` is left unchanged; on a padding error it holds the decrypted
    /// bytes with the padding still attached, which are of no use (the key or IV was wrong).
    pub fn decrypt_segment_in_place(
        &self,
        iv: &[u8; 16],
        data: &mut Vec<u8>,
    ) -> Result<(), DecryptError> {
        check_segment_len(data.len())?;
        self.decrypt_cbc_in_place(iv, data)?;
        remove_pkcs7_padding(data)
    }
}

fn check_segment_len(len: usize) -> Result<(), DecryptError> {
    match len {
        0 => Err(DecryptError::EmptyData),
        _ if !len.is_multiple_of(BLOCK) => Err(DecryptError::UnalignedLength { len }),
        _ => Ok(()),
    }
}

/// Removes the PKCS#7 padding (RFC 5652 §6.3) from a decrypted segment: the last byte `n`
/// must be 1..=16 and the last `n` bytes must all equal `n`. On error `plaintext` is unchanged.
pub fn remove_pkcs7_padding(plaintext: &mut Vec<u8>) -> Result<(), DecryptError> {
    let pad = *plaintext.last().ok_or(DecryptError::EmptyData)?;
    let invalid = DecryptError::InvalidPadding { pad };
    if pad == 0 || usize::from(pad) > BLOCK {
        return Err(invalid);
    }
    let start = plaintext
        .len()
        .checked_sub(usize::from(pad))
        .ok_or(invalid)?;
    match plaintext.get(start..) {
        Some(padding) if padding.iter().all(|&b| b == pad) => {
            plaintext.truncate(start);
            Ok(())
        }
        _ => Err(invalid),
    }
}

/// Decrypts an AES-128 HLS segment (CBC, PKCS#7) into a new buffer.
///
/// Prefer [`decrypt_segment_in_place`] for large segments, and an [`Aes128Decryptor`] when
/// many segments share a key.
///
/// ```
/// use player_core::media::decrypt::{decrypt_segment, DecryptError};
///
/// let err = decrypt_segment(&[0; 16], &[0; 16], &[0; 20]).unwrap_err();
/// assert_eq!(err, DecryptError::UnalignedLength { len: 20 });
/// ```
pub fn decrypt_segment(
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &[u8],
) -> Result<Vec<u8>, DecryptError> {
    check_segment_len(data.len())?;
    let mut plaintext = data.to_vec();
    decrypt_segment_in_place(key, iv, &mut plaintext)?;
    Ok(plaintext)
}

/// Decrypts an AES-128 HLS segment (CBC, PKCS#7) in place and truncates the padding.
/// See [`Aes128Decryptor::decrypt_segment_in_place`] for what `data` holds on error.
pub fn decrypt_segment_in_place(
    key: &[u8; 16],
    iv: &[u8; 16],
    data: &mut Vec<u8>,
) -> Result<(), DecryptError> {
    Aes128Decryptor::new(key).decrypt_segment_in_place(iv, data)
}

/// The IV of a segment whose `EXT-X-KEY` has no `IV` attribute (RFC 8216 §5.2): its media
/// sequence number as a big-endian 128-bit integer.
///
/// ```
/// let iv = player_core::media::decrypt::iv_from_sequence_number(0x0102);
/// assert_eq!(iv[14..], [0x01, 0x02]);
/// assert_eq!(iv[..14], [0; 14]);
/// ```
pub fn iv_from_sequence_number(sequence_number: u64) -> [u8; 16] {
    u128::from(sequence_number).to_be_bytes()
}

/// Checks that a key URI's response is exactly one AES-128 key.
pub fn key_from_bytes(bytes: &[u8]) -> Result<[u8; 16], DecryptError> {
    bytes
        .try_into()
        .map_err(|_| DecryptError::WrongKeyLength { len: bytes.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn hex16(s: &str) -> [u8; 16] {
        hex(s).try_into().unwrap()
    }

    fn to_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A deliberately different, byte-oriented implementation of the forward cipher
    /// (FIPS-197 §5.1), so round trips compare two independent code paths.
    fn encrypt_block(w: &[u32; 44], block: &mut [u8; 16]) {
        // State byte (row r, column c) is block[r + 4c], as in FIPS-197 §3.4.
        let add_round_key = |state: &mut [u8; 16], round: usize| {
            for c in 0..4 {
                for (r, k) in w[4 * round + c].to_be_bytes().into_iter().enumerate() {
                    state[r + 4 * c] ^= k;
                }
            }
        };
        add_round_key(block, 0);
        for round in 1..=10 {
            let shifted = *block;
            for r in 0..4 {
                for c in 0..4 {
                    block[r + 4 * c] = SBOX[usize::from(shifted[r + 4 * ((c + r) % 4)])];
                }
            }
            if round != 10 {
                for col in block.chunks_exact_mut(4) {
                    let a = [col[0], col[1], col[2], col[3]];
                    for r in 0..4 {
                        col[r] = gf_mul(a[r], 2)
                            ^ gf_mul(a[(r + 1) % 4], 3)
                            ^ a[(r + 2) % 4]
                            ^ a[(r + 3) % 4];
                    }
                }
            }
            add_round_key(block, round);
        }
    }

    fn encrypt_cbc(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
        let w = expand_key(key);
        let mut previous = *iv;
        for block in data.chunks_exact_mut(16) {
            let mut b: [u8; 16] = block.try_into().unwrap();
            b.iter_mut().zip(&previous).for_each(|(x, p)| *x ^= p);
            encrypt_block(&w, &mut b);
            block.copy_from_slice(&b);
            previous = b;
        }
    }

    fn encrypt_segment(key: &[u8; 16], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
        let pad = 16 - plaintext.len() % 16;
        let mut data = plaintext.to_vec();
        data.resize(plaintext.len() + pad, pad as u8);
        encrypt_cbc(key, iv, &mut data);
        data
    }

    /// A small deterministic generator (xorshift64*), enough for test data.
    struct TestRng(u64);
    impl TestRng {
        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len)
                .map(|_| {
                    self.0 ^= self.0 >> 12;
                    self.0 ^= self.0 << 25;
                    self.0 ^= self.0 >> 27;
                    (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
                })
                .collect()
        }
        fn block(&mut self) -> [u8; 16] {
            self.bytes(16).try_into().unwrap()
        }
    }

    #[test]
    fn sbox_matches_fips_197_figures_7_and_14() {
        assert_eq!(
            (SBOX[0x00], SBOX[0x53], SBOX[0x01], SBOX[0xff]),
            (0x63, 0xed, 0x7c, 0x16)
        );
        assert_eq!(
            (
                INV_SBOX[0x00],
                INV_SBOX[0xed],
                INV_SBOX[0x63],
                INV_SBOX[0xff]
            ),
            (0x52, 0x53, 0x00, 0x7d)
        );
        let mut seen = [false; 256];
        SBOX.iter().for_each(|&s| seen[usize::from(s)] = true);
        assert!(seen.iter().all(|&s| s), "S-box is a permutation");
    }

    #[test]
    fn key_expansion_matches_fips_197_appendix_a1() {
        let w = expand_key(&hex16("2b7e151628aed2a6abf7158809cf4f3c"));
        assert_eq!(w[4..8], [0xa0fafe17, 0x88542cb1, 0x23a33939, 0x2a6c7605]);
        assert_eq!(w[40..44], [0xd014f9a8, 0xc9ee2589, 0xe13f0cc8, 0xb6630ca6]);
    }

    #[test]
    fn block_matches_fips_197_appendix_c1() {
        let key = hex16("000102030405060708090a0b0c0d0e0f");
        let plaintext = hex16("00112233445566778899aabbccddeeff");
        let ciphertext = hex16("69c4e0d86a7b0430d8cdb78070b4c55a");
        let decrypted = Aes128Decryptor::new(&key).decrypt_block(u128::from_be_bytes(ciphertext));
        assert_eq!(decrypted.to_be_bytes(), plaintext);
        let mut block = plaintext;
        encrypt_block(&expand_key(&key), &mut block);
        assert_eq!(block, ciphertext, "the test encryptor is itself correct");
    }

    const SP800_38A_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
    const SP800_38A_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const SP800_38A_PLAIN: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                                   30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    const SP800_38A_CIPHER: &str = "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
                                    73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7";

    #[test]
    fn cbc_matches_sp800_38a_f22_decrypt() {
        let mut data = hex(SP800_38A_CIPHER);
        let decryptor = Aes128Decryptor::new(&hex16(SP800_38A_KEY));
        decryptor
            .decrypt_cbc_in_place(&hex16(SP800_38A_IV), &mut data)
            .unwrap();
        assert_eq!(to_hex(&data), to_hex(&hex(SP800_38A_PLAIN)));
    }

    #[test]
    fn cbc_matches_sp800_38a_f21_encrypt_with_test_encryptor() {
        let mut data = hex(SP800_38A_PLAIN);
        encrypt_cbc(&hex16(SP800_38A_KEY), &hex16(SP800_38A_IV), &mut data);
        assert_eq!(to_hex(&data), to_hex(&hex(SP800_38A_CIPHER)));
    }

    #[test]
    fn segment_with_full_padding_block() {
        let (key, iv) = (hex16(SP800_38A_KEY), hex16(SP800_38A_IV));
        let plaintext = hex(SP800_38A_PLAIN); // 64 bytes: PKCS#7 appends a whole block of 16s
        let ciphertext = encrypt_segment(&key, &iv, &plaintext);
        assert_eq!(ciphertext.len(), 80);
        assert_eq!(decrypt_segment(&key, &iv, &ciphertext), Ok(plaintext));
        // An empty plaintext is one block of padding, and decrypts to nothing.
        let ciphertext = encrypt_segment(&key, &iv, &[]);
        assert_eq!(ciphertext.len(), 16);
        assert_eq!(decrypt_segment(&key, &iv, &ciphertext), Ok(vec![]));
    }

    /// Encrypts `last_block` as the final plaintext block verbatim (no padding added) and
    /// returns what decrypting the segment reports.
    fn decrypt_with_last_block(last_block: [u8; 16]) -> Result<Vec<u8>, DecryptError> {
        let (key, iv) = ([7; 16], [9; 16]);
        let mut data = [[0x42; 16], last_block].concat();
        encrypt_cbc(&key, &iv, &mut data);
        decrypt_segment(&key, &iv, &data)
    }

    #[test]
    fn padding_is_validated_strictly() {
        let mut block = [0xaa; 16];
        block[13..].copy_from_slice(&[3, 3, 3]);
        assert_eq!(decrypt_with_last_block(block).map(|p| p.len()), Ok(29));
        block[13] = 2; // one padding byte differs from the pad value
        assert_eq!(
            decrypt_with_last_block(block),
            Err(DecryptError::InvalidPadding { pad: 3 })
        );
        block[15] = 0;
        assert_eq!(
            decrypt_with_last_block(block),
            Err(DecryptError::InvalidPadding { pad: 0 })
        );
        assert_eq!(
            decrypt_with_last_block([17; 16]),
            Err(DecryptError::InvalidPadding { pad: 17 })
        );
        assert_eq!(
            decrypt_with_last_block([0xff; 16]),
            Err(DecryptError::InvalidPadding { pad: 0xff })
        );
        assert_eq!(decrypt_with_last_block([16; 16]).map(|p| p.len()), Ok(16));
        let mut block = [16; 16];
        block[0] = 15; // the first byte of a full padding block is checked too
        assert_eq!(
            decrypt_with_last_block(block),
            Err(DecryptError::InvalidPadding { pad: 16 })
        );
    }

    #[test]
    fn padding_removal_leaves_data_alone_on_error() {
        let mut data = vec![];
        assert_eq!(
            remove_pkcs7_padding(&mut data),
            Err(DecryptError::EmptyData)
        );
        let mut data = vec![9, 2, 2];
        assert_eq!(remove_pkcs7_padding(&mut data), Ok(()));
        assert_eq!(data, [9]);
        let mut data = vec![3, 3]; // shorter than its own padding
        assert_eq!(
            remove_pkcs7_padding(&mut data),
            Err(DecryptError::InvalidPadding { pad: 3 })
        );
        assert_eq!(data, [3, 3]);
        let mut chain = [4; 16];
        let unaligned =
            Aes128Decryptor::new(&[0; 16]).decrypt_cbc_chunk_in_place(&mut chain, &mut [0; 17]);
        assert_eq!(
            (unaligned, chain),
            (Err(DecryptError::UnalignedLength { len: 17 }), [4; 16])
        );
    }

    #[test]
    fn wrong_key_is_reported_as_bad_padding_not_a_panic() {
        let ciphertext = encrypt_segment(&[1; 16], &[2; 16], b"#EXTM3U is not a segment");
        assert!(matches!(
            decrypt_segment(&[3; 16], &[2; 16], &ciphertext),
            Err(DecryptError::InvalidPadding { .. })
        ));
    }

    #[test]
    fn lengths_are_checked_before_decrypting() {
        let (key, iv) = ([0; 16], [0; 16]);
        assert_eq!(
            decrypt_segment(&key, &iv, &[]),
            Err(DecryptError::EmptyData)
        );
        for len in [1, 15, 17, 31, 33] {
            assert_eq!(
                decrypt_segment(&key, &iv, &vec![0; len]),
                Err(DecryptError::UnalignedLength { len })
            );
            let mut data = vec![0x5a; len];
            assert_eq!(
                decrypt_segment_in_place(&key, &iv, &mut data),
                Err(DecryptError::UnalignedLength { len })
            );
            assert_eq!(data, vec![0x5a; len], "data is untouched on a length error");
        }
        let mut empty = vec![];
        assert_eq!(
            decrypt_segment_in_place(&key, &iv, &mut empty),
            Err(DecryptError::EmptyData)
        );
        assert_eq!(
            Aes128Decryptor::new(&key).decrypt_cbc_in_place(&iv, &mut []),
            Ok(())
        );
    }

    #[test]
    fn keys_must_be_sixteen_bytes() {
        assert_eq!(key_from_bytes(&[0x11; 16]), Ok([0x11; 16]));
        for len in [0, 1, 15, 17, 32] {
            assert_eq!(
                key_from_bytes(&vec![0; len]),
                Err(DecryptError::WrongKeyLength { len })
            );
        }
    }

    #[test]
    fn iv_is_the_big_endian_sequence_number() {
        assert_eq!(iv_from_sequence_number(0), [0; 16]);
        assert_eq!(
            iv_from_sequence_number(1),
            hex16("00000000000000000000000000000001")
        );
        assert_eq!(
            iv_from_sequence_number(0x0102_0304_0506_0708),
            hex16("00000000000000000102030405060708")
        );
        assert_eq!(
            iv_from_sequence_number(u64::MAX),
            hex16("0000000000000000ffffffffffffffff")
        );
    }

    #[test]
    fn one_decryptor_serves_many_segments() {
        let key = [0x3c; 16];
        let decryptor = Aes128Decryptor::new(&key);
        for seq in 0..4u64 {
            let iv = iv_from_sequence_number(seq);
            let plaintext = TestRng(seq + 1).bytes(188 * 7 + seq as usize);
            let mut data = encrypt_segment(&key, &iv, &plaintext);
            decryptor.decrypt_segment_in_place(&iv, &mut data).unwrap();
            assert_eq!(data, plaintext);
        }
        assert_eq!(format!("{decryptor:?}"), "Aes128Decryptor { .. }");
    }

    #[test]
    fn errors_read_as_human_messages() {
        assert_eq!(
            DecryptError::UnalignedLength { len: 20 }.to_string(),
            "encrypted segment is 20 bytes, not a multiple of the 16-byte AES block"
        );
        assert!(DecryptError::InvalidPadding { pad: 0x42 }
            .to_string()
            .contains("last byte 66"));
    }

    /// Runs `openssl enc -aes-128-cbc` on `input`, or returns None when openssl is missing.
    fn openssl(decrypt: bool, key: &[u8; 16], iv: &[u8; 16], input: Vec<u8>) -> Option<Vec<u8>> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut command = Command::new("openssl");
        command.args([
            "enc",
            "-aes-128-cbc",
            "-K",
            &to_hex(key),
            "-iv",
            &to_hex(iv),
        ]);
        if decrypt {
            command.arg("-d");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        let mut stdin = child.stdin.take()?;
        // Write from another thread: a 1 MiB input would fill the pipes and deadlock.
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let output = child.wait_with_output().expect("openssl runs");
        writer.join().unwrap().unwrap();
        assert!(
            output.status.success(),
            "openssl failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Some(output.stdout)
    }

    #[test]
    fn interoperates_with_openssl() {
        let mut rng = TestRng(0x5eed);
        for len in [0, 1, 15, 16, 17, 31, 32, 188 * 100, 1 << 20] {
            let (key, iv, plaintext) = (rng.block(), rng.block(), rng.bytes(len));
            let Some(ciphertext) = openssl(false, &key, &iv, plaintext.clone()) else {
                println!("NOTICE: `openssl` not found on PATH, interoperability test skipped");
                return;
            };
            assert_eq!(ciphertext.len(), len / 16 * 16 + 16);
            assert!(
                decrypt_segment(&key, &iv, &ciphertext) == Ok(plaintext.clone()),
                "openssl -> ours, {len} bytes"
            );
            // The other direction validates the test-only encryptor that the proptests rely on.
            let ours = encrypt_segment(&key, &iv, &plaintext);
            assert!(
                ours == ciphertext,
                "ours -> same bytes as openssl, {len} bytes"
            );
            assert!(
                openssl(true, &key, &iv, ours) == Some(plaintext),
                "ours -> openssl -d, {len} bytes"
            );
        }
    }

    proptest! {
        #[test]
        fn round_trips_through_the_test_encryptor(
            key in any::<[u8; 16]>(),
            iv in any::<[u8; 16]>(),
            plaintext in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let ciphertext = encrypt_segment(&key, &iv, &plaintext);
            prop_assert_eq!(decrypt_segment(&key, &iv, &ciphertext), Ok(plaintext.clone()));
            let mut in_place = ciphertext;
            prop_assert_eq!(decrypt_segment_in_place(&key, &iv, &mut in_place), Ok(()));
            prop_assert_eq!(in_place, plaintext);
        }

        #[test]
        fn chunked_decryption_equals_whole(
            iv in any::<[u8; 16]>(),
            plaintext in proptest::collection::vec(any::<u8>(), 0..600),
            cuts in proptest::collection::vec(0usize..40, 0..6),
        ) {
            let key = [0x6d; 16];
            let decryptor = Aes128Decryptor::new(&key);
            let mut data = encrypt_segment(&key, &iv, &plaintext);
            let (mut chain, mut rest) = (iv, &mut data[..]);
            for blocks in cuts.into_iter().chain([usize::MAX]) {
                let (piece, tail) = rest.split_at_mut(blocks.saturating_mul(16).min(rest.len()));
                decryptor.decrypt_cbc_chunk_in_place(&mut chain, piece).unwrap();
                rest = tail;
            }
            prop_assert_eq!(remove_pkcs7_padding(&mut data), Ok(()));
            prop_assert_eq!(data, plaintext);
        }

        #[test]
        fn any_input_gives_a_result_never_a_panic(
            key in any::<[u8; 16]>(),
            iv in any::<[u8; 16]>(),
            data in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            match decrypt_segment(&key, &iv, &data) {
                Ok(plaintext) => prop_assert!(data.len() - plaintext.len() <= 16),
                Err(DecryptError::EmptyData) => prop_assert!(data.is_empty()),
                Err(DecryptError::UnalignedLength { len }) => prop_assert_eq!(len, data.len()),
                Err(DecryptError::InvalidPadding { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
            prop_assert!(key_from_bytes(&data).is_ok() == (data.len() == 16));
        }
    }

    /// `cargo test --release -- --ignored --nocapture throughput`
    #[test]
    #[ignore = "benchmark: run in release with --nocapture"]
    fn throughput_on_8_mib() {
        let decryptor = Aes128Decryptor::new(&[0x2b; 16]);
        let mut data = TestRng(1).bytes(8 << 20);
        let iv = [0; 16];
        decryptor.decrypt_cbc_in_place(&iv, &mut data).unwrap(); // warm up
        let runs = 5;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            decryptor
                .decrypt_cbc_in_place(&iv, std::hint::black_box(&mut data))
                .unwrap();
        }
        let seconds = start.elapsed().as_secs_f64();
        let mb_per_s = (runs * data.len()) as f64 / seconds / 1e6;
        println!("AES-128-CBC decrypt: {mb_per_s:.1} MB/s ({runs} x 8 MiB in {seconds:.3} s)");
        assert!(mb_per_s > 0.0);
    }
}
