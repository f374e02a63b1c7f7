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

/// The eight bytes of `v` from `at`, little-endian (`v` must hold them).
#[inline(always)]
pub(crate) fn word_at(v: &[u8], at: usize) -> u64 {
    word(&v[at..at + 8])
}

/// The first `byte` in `v`. The values searched are mostly short (attribute values, test
/// names): the first words are searched eight bytes at a time, where a memchr call costs ~60
/// instructions of set-up; whatever is left past [`SHORT`] bytes goes to memchr.
#[inline]
pub(crate) fn find(byte: u8, v: &[u8]) -> Option<usize> {
    /// Bytes searched a word at a time before memchr takes over.
    const SHORT: usize = 64;
    let mut at = 0;
    while at + 8 <= v.len() {
        let m = equal(word(&v[at..at + 8]), byte);
        if m != 0 {
            // The lowest mark is the first equal byte (see `equal`).
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
        if at >= SHORT {
            return memchr::memchr(byte, &v[at..]).map(|i| at + i);
        }
    }
    v[at..].iter().position(|&b| b == byte).map(|i| at + i)
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

    #[test]
    fn find_is_the_first_equal_byte() {
        for len in 0..150 {
            for at in (0..=len).chain([usize::MAX]) {
                let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                if at < len {
                    v[at] = b'"';
                    if at + 3 < len {
                        v[at + 3] = b'"';
                    }
                }
                let want = v.iter().position(|&b| b == b'"');
                assert_eq!(find(b'"', &v), want, "{len} {at}");
            }
        }
    }
}
