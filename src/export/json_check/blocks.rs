//! Stage 1 of the fast path: the bytes of a 64-byte block sorted into bitmasks, bit `i` for
//! byte `i`, thirty-two bytes at a time by AVX2 (with PCLMULQDQ for the quotes' prefix XOR),
//! a batch of blocks a call. Only where the CPU has them: sixteen bytes at a time, by SSE2
//! alone, the two stages cost more than the scalar check (2,274 instructions against 2,024
//! for the tests' export line, by callgrind), so without AVX2 the scalar check does it all.
//!
//! A line is read a batch at a time ([`BATCH`] blocks, a KiB): one call, its constants in
//! registers, its carries (inside a string or not, after a scalar or not) in registers from
//! block to block. The line's last bytes are read as the 64 bytes ending the line, the masks
//! shifted ([`Classes::shifted`]); a line shorter than a block is copied into one of spaces.

use std::sync::atomic::{AtomicU8, Ordering};

use std::arch::x86_64::{
    __m256i, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
    _mm256_or_si256, _mm256_set1_epi8, _mm256_setr_epi8, _mm256_shuffle_epi8, _mm_clmulepi64_si128,
    _mm_cvtsi128_si64, _mm_set1_epi8, _mm_set_epi64x,
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
    /// scalar check. Where it is set, the other masks mean nothing.
    pub(super) odd: bool,
}

impl Classes {
    /// The classes of the line's last `64 - shift` bytes from those of the 64 bytes ending
    /// the line (`shift` in `1..64`), what comes after the line counted as spaces. (`odd`
    /// stays that of all 64: the bytes before were found not odd already.)
    fn shifted(self, shift: u32) -> Classes {
        let parity = self.quote_parity;
        // The parity of the quotes before the kept bytes, cancelled; past the line's end
        // the parity of its last byte, by the arithmetic shift.
        let before = 0u64.wrapping_sub((parity >> (shift - 1)) & 1);
        Classes {
            quote: self.quote >> shift,
            quote_parity: (((parity as i64) >> shift) as u64) ^ before,
            structural: self.structural >> shift,
            not_scalar: (self.not_scalar >> shift) | !(u64::MAX >> shift),
            odd: self.odd,
        }
    }
}

/// How many blocks stage 1 sorts at a time: a KiB of line, most lines whole.
pub(super) const BATCH: usize = 16;

/// What stage 1 carries from block to block of a line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Blocks<'a> {
    b: &'a [u8],
    /// Where the next block starts.
    next: usize,
    /// All ones where the blocks sorted so far end inside a string, else zero.
    in_string: u64,
    /// 1 where the last byte sorted ends a scalar run (or no byte is sorted yet), else 0.
    after_not_scalar: u64,
    /// A block held a byte the fast path leaves to the scalar check.
    odd: bool,
}

impl<'a> Blocks<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Blocks {
            b,
            next: 0,
            in_string: 0,
            after_not_scalar: 1,
            odd: false,
        }
    }

    /// Whether a block held a byte the fast path leaves to the scalar check.
    pub(super) fn odd(&self) -> bool {
        self.odd
    }

    /// Where the next block starts.
    pub(super) fn next(&self) -> usize {
        self.next
    }

    /// Whether the line sorted so far ends inside a string.
    pub(super) fn in_string(&self) -> bool {
        self.in_string != 0
    }

    /// Sorts the next blocks, up to `N` of them, into their tokens, block `k` in
    /// `tokens[k]`: how many (none at the line's end or at an odd block).
    #[inline(always)]
    fn fill_with<const N: usize>(
        &mut self,
        tokens: &mut [u64; N],
        classify: impl Fn(&[u8; 64]) -> Classes,
    ) -> usize {
        // A copy, which can live in registers through the loop.
        let mut blocks = *self;
        let mut filled = 0;
        for slot in tokens.iter_mut() {
            match blocks.block_with(&classify) {
                Some(bits) => *slot = bits,
                None => break,
            }
            filled += 1;
        }
        *self = blocks;
        filled
    }

    /// Sorts the next block into its tokens (bit `i` for the byte at `next + i`); `None` at
    /// the line's end and at an odd block. The tokens are the opening quotes, the
    /// structurals outside strings and the first byte of each run of other bytes outside
    /// strings (a number, a literal, or garbage).
    #[inline(always)]
    fn block_with(&mut self, classify: impl Fn(&[u8; 64]) -> Classes) -> Option<u64> {
        let base = self.next;
        let rest = self.b.get(base..).filter(|rest| !rest.is_empty())?;
        // `line`: the bits of the block's bytes that are the line's (no token past its end).
        let (classes, line) = match rest.first_chunk::<64>() {
            Some(block) => (classify(block), u64::MAX),
            None => (
                self.last_block(rest, classify),
                u64::MAX >> (64 - rest.len() as u32),
            ),
        };
        if classes.odd {
            self.odd = true;
            return None;
        }
        let inside = classes.quote_parity ^ self.in_string;
        // The carries: whether the block's last byte is inside a string, ends a scalar.
        self.in_string = 0u64.wrapping_sub(inside >> 63);
        let scalar_starts =
            !classes.not_scalar & ((classes.not_scalar << 1) | self.after_not_scalar);
        self.after_not_scalar = classes.not_scalar >> 63;
        self.next = base + 64;
        // `inside` holds a string's opening quote, not its closing one.
        let tokens = (classes.quote & inside) | ((classes.structural | scalar_starts) & !inside);
        Some(tokens & line)
    }

    /// The classes of `rest`, the line's last bytes (fewer than 64), then spaces: read from
    /// the 64 bytes ending the line where it has them (bytes before `rest` already found
    /// not odd), else from a copy.
    #[inline(always)]
    fn last_block(&self, rest: &[u8], classify: impl Fn(&[u8; 64]) -> Classes) -> Classes {
        if let Some(block) = self.b.last_chunk::<64>() {
            return classify(block).shifted(64 - rest.len() as u32);
        }
        let mut block = [b' '; 64];
        if let Some(head) = block.get_mut(..rest.len()) {
            head.copy_from_slice(rest);
        }
        classify(&block)
    }
}

/// What [`Avx2::ask`] found: not asked yet, `NO` or `YES`. Threads asking at once find the
/// same answer.
static CPU_HAS_FEATURES: AtomicU8 = AtomicU8::new(0);
const NO: u8 = 1;
const YES: u8 = 2;

/// AVX2, PCLMULQDQ and BMI1, which the CPU was found to have: only [`Avx2::detected`] makes
/// one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` where the CPU has AVX2, PCLMULQDQ and BMI1: asked once, the answer kept (one
    /// load a line, where `std`'s three cached tests cost a dozen instructions).
    #[inline]
    pub(super) fn detected() -> Option<Avx2> {
        match CPU_HAS_FEATURES.load(Ordering::Relaxed) {
            YES => Some(Avx2(())),
            NO => None,
            _ => Avx2::ask(),
        }
    }

    /// Asks the CPU, keeps the answer.
    #[cold]
    fn ask() -> Option<Avx2> {
        let has = is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("pclmulqdq")
            && is_x86_feature_detected!("bmi1");
        CPU_HAS_FEATURES.store(if has { YES } else { NO }, Ordering::Relaxed);
        has.then_some(Avx2(()))
    }

    /// The next block's tokens ([`Blocks::block_with`]) by AVX2, inlined in a caller
    /// compiled with the features (elsewhere, [`classify_avx2`] is a call a block).
    #[inline(always)]
    pub(super) fn block(self, blocks: &mut Blocks<'_>) -> Option<u64> {
        // SAFETY: an `Avx2` exists only where the CPU has AVX2, PCLMULQDQ and BMI1.
        blocks.block_with(|block| unsafe { classify_avx2(block) })
    }

    /// [`Blocks::fill_with`] by AVX2.
    #[inline(always)]
    pub(super) fn fill<const N: usize>(
        self,
        blocks: &mut Blocks<'_>,
        tokens: &mut [u64; N],
    ) -> usize {
        // SAFETY: an `Avx2` exists only where the CPU has AVX2, PCLMULQDQ and BMI1.
        unsafe { fill_avx2(blocks, tokens) }
    }
}

/// [`Blocks::fill_with`] by AVX2: the one function with the features enabled, where the
/// CPU was found to have them, so that [`classify_avx2`]'s instructions are inlined in it.
///
/// # Safety
///
/// The CPU has AVX2 and PCLMULQDQ.
#[target_feature(enable = "avx2,pclmulqdq")]
unsafe fn fill_avx2<const N: usize>(blocks: &mut Blocks<'_>, tokens: &mut [u64; N]) -> usize {
    // SAFETY: the caller vouches for the features.
    blocks.fill_with(tokens, |block| unsafe { classify_avx2(block) })
}

/// The classes of a block, thirty-two bytes at a time; the prefix XOR in one carry-less
/// multiplication by all ones.
///
/// # Safety
///
/// The CPU has AVX2 and PCLMULQDQ.
#[inline]
#[target_feature(enable = "avx2,pclmulqdq")]
pub(super) unsafe fn classify_avx2(block: &[u8; 64]) -> Classes {
    // A structural's low four bits pick it out of this table (`[` and `]` match `{` and
    // `}` but for bit 0x20, which the comparison sets on both sides); bytes from 0x80 find
    // zero, and so does any other low nibble, which no byte ORed with 0x20 equals.
    let structurals = _mm256_setr_epi8(
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b':' as i8, b'{' as i8, b',' as i8, b'}' as i8, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, b':' as i8, b'{' as i8, b',' as i8, b'}' as i8, 0, 0,
    );
    let mut classes = Classes::default();
    let mut odd = 0;
    for n in 0..2 {
        // In bounds: thirty-two of the block's sixty-four bytes (`n < 2`).
        let v = _mm256_loadu_si256(block.as_ptr().add(32 * n).cast::<__m256i>());
        let quote = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8));
        // Also 0x1A and 0x0C, control bytes, which make the block odd anyway.
        let structural = _mm256_cmpeq_epi8(
            _mm256_shuffle_epi8(structurals, v),
            _mm256_or_si256(v, _mm256_set1_epi8(0x20)),
        );
        let space = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
        // Signed: below 0x20 are the control bytes and every byte from 0x80.
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
    use super::{classify_avx2, Avx2, Classes};
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
            classes.odd |= c == b'\\' || !(0x20..0x80).contains(&c);
        }
        classes
    }

    /// What the walk reads of a block's classes: nothing but `odd` where it is set.
    fn meaning(classes: Classes) -> Classes {
        if classes.odd {
            Classes {
                odd: true,
                ..Classes::default()
            }
        } else {
            classes
        }
    }

    #[test]
    fn avx2_sorts_bytes_as_their_meaning_says() {
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
            if avx2.is_some() {
                // SAFETY: the CPU has AVX2 and PCLMULQDQ (just detected).
                let classes = unsafe { classify_avx2(&block) };
                assert_eq!(meaning(classes), meaning(expected), "{block:?}");
            }
        }
    }

    /// The classes of a line's last bytes, read from the 64 bytes ending it, are those of
    /// the bytes alone followed by spaces.
    #[test]
    fn a_shifted_block_is_its_last_bytes_then_spaces() {
        let mut rng = Rng(5);
        for _ in 0..20_000 {
            let mut block = [b' '; 64];
            const PIECES: &[u8] = b"\"{}[]:, a1";
            for c in &mut block {
                *c = PIECES[rng.below(PIECES.len())];
            }
            let shift = 1 + rng.below(63);
            let mut alone = [b' '; 64];
            alone[..64 - shift].copy_from_slice(&block[shift..]);
            assert_eq!(
                naive(&block).shifted(shift as u32),
                naive(&alone),
                "{block:?} shifted by {shift}"
            );
        }
    }
}
