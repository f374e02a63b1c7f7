//! Eight bytes at a time: the byte searches the readers run on every name and line, too
//! short for memchr's vector set-up to pay off.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of every byte.
pub(crate) const HIGH: u64 = ONES << 7;

/// Marks (with its high bit) each byte of `word` equal to `byte`. The lowest mark is exact
/// (the borrow of the subtraction may also mark bytes above a match, which only matters
/// after it), so the result is non-zero exactly when `word` holds `byte`, and its trailing
/// zeros find the first one.
#[inline(always)]
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    let y = word ^ (ONES * u64::from(byte));
    y.wrapping_sub(ONES) & !y & HIGH
}

/// The eight bytes of `chunk` (from `chunks_exact(8)`) as a little-endian word.
#[inline(always)]
pub(crate) fn word(chunk: &[u8]) -> u64 {
    u64::from_le_bytes(chunk.try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_mark_is_the_first_equal_byte() {
        let bytes = [0u8, 1, b'"', b'&', b'\n', b',', 0x7f, 0x80, 0xff];
        for &target in &bytes {
            for a in bytes {
                for b in bytes {
                    for at in 0..8 {
                        let mut w = [b'x'; 8];
                        w[at] = a;
                        w[(at + 3) % 8] = b;
                        let want = w.iter().position(|&c| c == target);
                        let got = equal(word(&w), target);
                        assert_eq!(
                            (got != 0).then(|| (got.trailing_zeros() / 8) as usize),
                            want,
                            "{w:?} {target}"
                        );
                    }
                }
            }
        }
    }
}
