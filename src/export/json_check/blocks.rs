//! Stage 1 of the fast path: the bytes of a 64-byte block sorted into bitmasks, bit `i` for
//! byte `i`, sixteen bytes at a time by SSE2 (every x86_64) or thirty-two by AVX2 (where the
//! CPU has it, with PCLMULQDQ for the quotes' prefix XOR).

use std::arch::x86_64::{
    __m128i, __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256,
    _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8, _mm_clmulepi64_si128, _mm_cmpeq_epi8,
    _mm_cmplt_epi8, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
    _mm_set1_epi8, _mm_set_epi64x, _mm_setzero_si128,
};

/// What the token walk needs of one block, bit `i` for byte `i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Classes {
    /// `"`.
    pub(super) quote: u64,
    /// The prefix XOR of `quote`: bit `i` set where an odd number of quotes is at or before
    /// byte `i` of the block.
    pub(super) quote_parity: u64,
    /// `{`, `}`, `[`, `]`, `:` and `,`.
    pub(super) structural: u64,
    /// The bytes that end a number or a literal: structurals, quotes and spaces.
    pub(super) not_scalar: u64,
    /// Some byte is a backslash, below 0x20 or not ASCII: a line the fast path leaves to the
    /// scalar check.
    pub(super) odd: bool,
}

/// A way to sort a block's bytes.
pub(super) trait Classify: Copy {
    fn classify(self, block: &[u8; 64]) -> Classes;
}

/// SSE2, part of the x86_64 baseline.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sse2;

impl Classify for Sse2 {
    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> Classes {
        let mut classes = Classes::default();
        // SAFETY: SSE2 is part of the x86_64 baseline (no runtime detection needed), and each
        // unaligned load reads sixteen of the block's sixty-four bytes (`n < 4`).
        unsafe {
            let mut odd = _mm_setzero_si128();
            for n in 0..4 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * n).cast::<__m128i>());
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                // `[` and `]` are `{` and `}` but for bit 0x20.
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let structural = _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'{' as i8)),
                        _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'}' as i8)),
                    ),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b':' as i8)),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
                    ),
                );
                let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                // Signed: below 0x20 are the control bytes and every byte from 0x80.
                let low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
                let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                odd = _mm_or_si128(odd, _mm_or_si128(low_or_high, backslash));
                let shift = 16 * n;
                classes.quote |= u64::from(_mm_movemask_epi8(quote) as u16) << shift;
                classes.structural |= u64::from(_mm_movemask_epi8(structural) as u16) << shift;
                let not_scalar = _mm_or_si128(_mm_or_si128(structural, quote), space);
                classes.not_scalar |= u64::from(_mm_movemask_epi8(not_scalar) as u16) << shift;
            }
            classes.odd = _mm_movemask_epi8(odd) != 0;
        }
        classes.quote_parity = prefix_xor(classes.quote);
        classes
    }
}

/// Bit `i` of the answer is the XOR of bits `0..=i` of `bits`: six shifts and XORs.
#[inline(always)]
pub(super) fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// AVX2 and PCLMULQDQ, which the CPU was found to have: only [`Avx2::detected`] makes one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` where the CPU has AVX2 and PCLMULQDQ (`std` caches what it asked the CPU).
    #[inline]
    pub(super) fn detected() -> Option<Avx2> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("pclmulqdq"))
            .then_some(Avx2(()))
    }
}

impl Classify for Avx2 {
    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> Classes {
        // SAFETY: an `Avx2` exists only where the CPU has AVX2 and PCLMULQDQ.
        unsafe { classify_avx2(block) }
    }
}

/// [`Sse2::classify`] thirty-two bytes at a time, and the prefix XOR in one carry-less
/// multiplication by all ones. A function of its own, called once a block: the features are
/// enabled here only, where the CPU was found to have them.
#[target_feature(enable = "avx2,pclmulqdq")]
unsafe fn classify_avx2(block: &[u8; 64]) -> Classes {
    let mut classes = Classes::default();
    let mut odd = 0;
    for n in 0..2 {
        // Reads thirty-two of the block's sixty-four bytes (`n < 2`).
        let v = _mm256_loadu_si256(block.as_ptr().add(32 * n).cast::<__m256i>());
        let quote = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8));
        let folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
        let structural = _mm256_or_si256(
            _mm256_or_si256(
                _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'{' as i8)),
                _mm256_cmpeq_epi8(folded, _mm256_set1_epi8(b'}' as i8)),
            ),
            _mm256_or_si256(
                _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b':' as i8)),
                _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b',' as i8)),
            ),
        );
        let space = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
        let low_or_high = _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v);
        let backslash = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8));
        odd |= _mm256_movemask_epi8(_mm256_or_si256(low_or_high, backslash));
        let shift = 32 * n;
        classes.quote |= u64::from(_mm256_movemask_epi8(quote) as u32) << shift;
        classes.structural |= u64::from(_mm256_movemask_epi8(structural) as u32) << shift;
        let not_scalar = _mm256_or_si256(_mm256_or_si256(structural, quote), space);
        classes.not_scalar |= u64::from(_mm256_movemask_epi8(not_scalar) as u32) << shift;
    }
    classes.odd = odd != 0;
    let product = _mm_clmulepi64_si128(
        _mm_set_epi64x(0, classes.quote as i64),
        _mm_set1_epi8(-1),
        0,
    );
    classes.quote_parity = _mm_cvtsi128_si64(product) as u64;
    classes
}

#[cfg(test)]
mod tests {
    use super::{prefix_xor, Avx2, Classes, Classify, Sse2};
    use crate::export::json_check::tests::Rng;

    /// What each class means, byte by byte.
    fn naive(block: &[u8; 64]) -> Classes {
        let mut classes = Classes::default();
        let mut parity = false;
        for (i, &c) in block.iter().enumerate() {
            let bit = 1u64 << i;
            let structural = matches!(c, b'{' | b'}' | b'[' | b']' | b':' | b',');
            parity ^= c == b'"';
            classes.quote |= if c == b'"' { bit } else { 0 };
            classes.quote_parity |= if parity { bit } else { 0 };
            classes.structural |= if structural { bit } else { 0 };
            classes.not_scalar |= if structural || c == b'"' || c == b' ' {
                bit
            } else {
                0
            };
            classes.odd |= c == b'\\' || c < 0x20 || c >= 0x80;
        }
        classes
    }

    #[test]
    fn both_ways_sort_bytes_as_their_meaning_says() {
        let mut rng = Rng(0x5851_F42D_4C95_7F2D);
        let avx2 = Avx2::detected();
        const SIGNIFICANT: &[u8] = b"{}[]:,\" \\\t\x00\x1f\x7f\x80\xff\x5b\x5d\x7b\x7d\x3a\x2c";
        for case in 0..20_000 {
            let mut block = [0u8; 64];
            for c in &mut block {
                *c = match rng.below(4) {
                    0 => SIGNIFICANT[rng.below(SIGNIFICANT.len())],
                    // Every byte, from time to time a rare one.
                    1 if case % 2 == 0 => rng.below(256) as u8,
                    _ => b' ' + rng.below(0x5f) as u8,
                };
            }
            let expected = naive(&block);
            assert_eq!(Sse2.classify(&block), expected, "{block:?}");
            if let Some(avx2) = avx2 {
                assert_eq!(avx2.classify(&block), expected, "{block:?}");
            }
        }
    }

    #[test]
    fn prefix_xor_is_the_running_parity() {
        let mut rng = Rng(3);
        for _ in 0..1_000 {
            let bits = (rng.below(usize::MAX) as u64) ^ ((rng.below(usize::MAX) as u64) << 32);
            let naive = (0..64).fold(0u64, |out, i| {
                out | (u64::from((bits & (u64::MAX >> (63 - i))).count_ones() % 2 == 1) << i)
            });
            assert_eq!(prefix_xor(bits), naive, "{bits:#x}");
        }
    }
}
