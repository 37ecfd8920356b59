//! The fast path of [`check_utf8`](super::check_utf8), for lines whose every byte is
//! printable ASCII but the backslash (bytes 0x20 to 0x7F, `\` excepted): most export lines.
//! There a string is a quote, anything but a quote, a quote: no escape to read, no character
//! to check. So the line is read as simdjson reads JSON, in two stages:
//!
//! 1. Each 64-byte block is sorted into bitmasks ([`blocks`](super::blocks)): quotes,
//!    structurals (`{}[]:,`), the bytes that end a scalar. The prefix XOR of the quotes,
//!    carried from block to block, marks the bytes inside strings; what is left are the
//!    tokens: opening quotes, structurals outside strings, and the first byte of every run of
//!    other bytes outside strings (a number or a literal, or garbage).
//! 2. The grammar walks the tokens only, with the scalar check's stack of container kinds.
//!    A number or a literal is read by the scalar check's own functions from its first byte,
//!    and must fill its run exactly: `1x`, `truex` and `01` are refused as there.
//!
//! A block with another byte (a backslash, a control byte, tab and newline included, or a
//! byte that is not ASCII) ends the fast path: the line goes to the scalar check whole. So
//! does a line refused here (rare) whose blocks are not all read yet: a refusal is final only
//! for a line the fast path reads whole.
//!
//! The cost, in instructions per line (callgrind, `src/export/line_cost.rs`, `lines`): the
//! tests' 322-byte export line 2,024 by the scalar path, 1,464 by this one (stage 1 about 480
//! of them, six blocks; the walk about 870, 58 tokens); the 778-byte project line 4,326 and
//! 2,803 (stage 1 950, thirteen blocks; the walk 1,810, 136 tokens). The walk is most of it:
//! some 8 instructions a token (find it, read its byte, match it) and the grammar's state
//! around them. Stage 1 is AVX2 alone: SSE2's blocks, half the width and without a byte
//! shuffle, cost more than the scalar path saves (2,274 for the export line).
//!
//! [`value_end`] reads one object or array of a line the same way, for the reader of typed
//! rows (`export/typed_row`), which passes over the values it keeps whole or skips (each
//! annotation, `media_attributes`): its blocks sorted one at a time from the value's first
//! byte, the walk ending at its closing bracket. A value it does not read whole (a block up
//! to the one it ends in holds another byte) or refuses goes to the scalar check. Each value
//! costs a block at least and some 60 instructions around the walk, so it gains from about
//! a block of value on: the project line's 130-byte annotation and 48-byte
//! `media_attributes` took 1,194 instructions by the scalar check, 838 here (the line 4,679
//! and 4,518); the export line's two values of 48 and 36 bytes cost 44 more (2,525 and
//! 2,569).

use super::blocks::{Avx2, Blocks, BATCH};
use super::{literal, number, MAX_DEPTH};

/// [`check_utf8`](super::check_utf8)'s answer for a line of printable ASCII without a
/// backslash where the CPU has AVX2, PCLMULQDQ and BMI1; `None` for any other line or CPU
/// (left to the scalar check).
#[inline]
pub(crate) fn check(b: &[u8]) -> Option<bool> {
    // SAFETY: `avx2` says the CPU has the features.
    Avx2::detected().and_then(|avx2| unsafe { check_avx2(avx2, b) })
}

/// [`check`] where the CPU has the features, the walk compiled for them too (BMI1's
/// one-instruction bit tricks).
///
/// # Safety
///
/// The CPU has AVX2, PCLMULQDQ and BMI1 (as `avx2` says).
#[target_feature(enable = "avx2,pclmulqdq,bmi1")]
unsafe fn check_avx2(avx2: Avx2, b: &[u8]) -> Option<bool> {
    // Apart from the walk's state, which can then live in registers: stage 1 writes these.
    let mut blocks = Blocks::new(b);
    let mut batch = [0; BATCH];
    let accepted =
        grammar::<true, BATCH>(&mut Tokens::new(avx2, b, &mut blocks, &mut batch)).is_ok();
    if !accepted {
        // A refusal stands only for a line the fast path reads whole. Finite: each batch
        // moves on, or ends.
        while avx2.fill(&mut blocks, &mut batch) > 0 {}
    }
    (!blocks.odd()).then_some(accepted && !blocks.in_string())
}

/// How many blocks stage 1 sorts at a time for [`value_end`]: one, sorted in the walk itself
/// (no call). A value is often a block or two (an annotation), and the line goes on after
/// it: a batch would sort blocks past its end.
const VALUE_BATCH: usize = 1;

/// The index just past the object or array at `b[i]` (whitespace before it skipped), where
/// the CPU has AVX2, PCLMULQDQ and BMI1 and the value is printable ASCII without a backslash
/// (the block where it ends too); `None` for any other value or CPU, and for a value the
/// fast grammar refuses (left to the scalar check, which says why).
#[inline]
pub(crate) fn value_end(b: &[u8], i: usize) -> Option<usize> {
    let value = b.get(i..)?;
    // An empty container costs the scalar check a few instructions: not worth the call.
    match value {
        [b'{', b'}', ..] | [b'[', b']', ..] => None,
        // SAFETY: `avx2` says the CPU has the features.
        [b'{' | b'[', ..] => Avx2::detected()
            .and_then(|avx2| unsafe { value_end_avx2(avx2, value) })
            .map(|len| i + len),
        _ => None,
    }
}

/// [`value_end`] where the CPU has the features: the length of the container `b` starts
/// with.
///
/// # Safety
///
/// The CPU has AVX2, PCLMULQDQ and BMI1 (as `avx2` says).
#[target_feature(enable = "avx2,pclmulqdq,bmi1")]
unsafe fn value_end_avx2(avx2: Avx2, b: &[u8]) -> Option<usize> {
    let mut blocks = Blocks::new(b);
    let mut batch = [0; VALUE_BATCH];
    grammar::<false, VALUE_BATCH>(&mut Tokens::new(avx2, b, &mut blocks, &mut batch)).ok()
}

/// A line refused by the fast grammar (the scalar check says why, when asked).
struct Refused;

/// The line's tokens, left to right, a batch of `N` blocks sorted at a time (one: in the
/// walk itself).
struct Tokens<'a, 'b, const N: usize> {
    avx2: Avx2,
    b: &'b [u8],
    blocks: &'a mut Blocks<'b>,
    /// The tokens of the batch's blocks, `filled` of them.
    batch: &'a mut [u64; N],
    filled: usize,
    /// The current block: its index in the batch, the line from its start on, its tokens
    /// not taken.
    block: usize,
    from_base: &'b [u8],
    bits: u64,
}

impl<'a, 'b, const N: usize> Tokens<'a, 'b, N> {
    /// The tokens of line `b`, none sorted yet.
    #[inline(always)]
    fn new(avx2: Avx2, b: &'b [u8], blocks: &'a mut Blocks<'b>, batch: &'a mut [u64; N]) -> Self {
        Tokens {
            avx2,
            b,
            blocks,
            batch,
            // As if a full batch were used up: the first token sorts one.
            filled: N,
            block: N - 1,
            from_base: b,
            bits: 0,
        }
    }

    /// The next token: where it is in the current block (its block, now) and its byte.
    /// `None` at the line's end, and at a block the fast path leaves to the scalar check.
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, u8)> {
        // Finite: each step moves on by a block, or ends.
        while self.bits == 0 {
            self.next_block()?;
        }
        let bits = self.bits;
        let i = bits.trailing_zeros() as usize;
        self.bits = bits & (bits - 1);
        debug_assert!(i < self.from_base.len(), "token {i} past the line's end");
        // SAFETY: `i < from_base.len()`. The bits are those of a block the last batch sorted
        // (`block < filled`, which `next_block` keeps), `Blocks::block_with` sets bits for
        // the line's bytes only, and `from_base` is the line from that block's start on (the
        // batch's start, 64 bytes on per block before it, as `Blocks::fill_with` sorts
        // them). (Read checked, the walk costs a tenth more.)
        let c = unsafe { *self.from_base.get_unchecked(i) };
        Some((i, c))
    }

    /// Moves on to the next block, sorting a batch where the last is used up.
    #[inline(always)]
    fn next_block(&mut self) -> Option<()> {
        if N == 1 {
            // A block at a time, sorted in the walk itself: no call, no batch to keep.
            let from = self.blocks.next();
            self.bits = self.avx2.block(self.blocks)?;
            self.from_base = self.b.get(from..).unwrap_or_default();
            return Some(());
        }
        self.block += 1;
        let mut from = 64;
        if self.block >= self.filled {
            if self.filled < N {
                // The last batch stopped short: at the line's end or at an odd block.
                return None;
            }
            from = self.blocks.next();
            self.from_base = self.b;
            self.filled = self.avx2.fill(self.blocks, self.batch);
            self.block = 0;
            if self.filled == 0 {
                return None;
            }
        }
        self.from_base = self.from_base.get(from..).unwrap_or_default();
        // `block < filled <= N`: no block past the batch (none taken if it were).
        self.bits = self.batch.get(self.block).copied().unwrap_or(0);
        Some(())
    }

    /// [`next`](Self::next), which must be `want`.
    #[inline(always)]
    fn expect(&mut self, want: u8) -> Result<(), Refused> {
        match self.next() {
            Some((_, c)) if c == want => Ok(()),
            _ => Err(Refused),
        }
    }

    /// The answer once the value's last token `c`, at `i` in the current block, is taken:
    /// (`WHOLE`) no token after it, the line's length; or the index past it, a closing
    /// bracket (the end of a string or scalar is not known here).
    #[inline(always)]
    fn ended<const WHOLE: bool>(&mut self, i: usize, c: u8) -> Result<usize, Refused> {
        if WHOLE {
            return self.next().map_or(Ok(self.b.len()), |_| Err(Refused));
        }
        match c {
            b'}' | b']' => Ok(self.place(i) + 1),
            _ => Err(Refused),
        }
    }

    /// [`next`](Self::next), which must be there.
    #[inline(always)]
    fn value(&mut self) -> Result<(usize, u8), Refused> {
        self.next().ok_or(Refused)
    }

    /// Where the token at `i` in the current block is in the line. Asked only where it is
    /// needed (a scalar, a value's end), out of the walk's every step.
    #[inline(always)]
    fn place(&self, i: usize) -> usize {
        self.b.len() - self.from_base.len() + i
    }

    /// The number or literal whose first byte `c` is at `i` in the current block (taken
    /// last), which must fill its run: the byte after it ends a scalar (a structural, a
    /// quote, a space) or the line.
    fn scalar(&self, i: usize, c: u8) -> Result<(), Refused> {
        let at = self.place(i);
        let end = match c {
            b't' => literal(self.b, at, b"true"),
            b'f' => literal(self.b, at, b"false"),
            b'n' => literal(self.b, at, b"null"),
            b'-' | b'0'..=b'9' => number(self.b, at),
            _ => return Err(Refused),
        };
        match end.map(|end| self.b.get(end)) {
            Ok(None | Some(b' ' | b'"' | b'{' | b'}' | b'[' | b']' | b':' | b',')) => Ok(()),
            _ => Err(Refused),
        }
    }
}

/// The scalar check's grammar ([`value_end_in`](super::value_end_in)) over tokens: one value,
/// then (`WHOLE`) no token, or else the value a container, whose end is the answer (the
/// index past its closing bracket). Strings need nothing more than their opening quote here
/// (stage 1 found where they end), whitespace is no token.
#[inline(always)]
fn grammar<const WHOLE: bool, const N: usize>(t: &mut Tokens<'_, '_, N>) -> Result<usize, Refused> {
    // Container kinds, innermost in bit 0: 1 for an object, 0 for an array.
    let mut kinds: u128 = 0;
    let mut depth: u32 = 0;
    let (mut i, mut c) = t.value()?;
    loop {
        // A value starts with token `c`, at `i` in the current block.
        match c {
            b'{' | b'[' => {
                if depth == MAX_DEPTH {
                    return Err(Refused);
                }
                depth += 1;
                kinds = (kinds << 1) | u128::from(c == b'{');
                let (object, close) = (c == b'{', if c == b'{' { b'}' } else { b']' });
                (i, c) = t.value()?;
                if c != close {
                    if object {
                        (i, c) = key(t, c)?;
                    }
                    continue;
                }
                depth -= 1;
                kinds >>= 1;
            }
            b'"' => {}
            _ => t.scalar(i, c)?,
        }
        // A value ended: close containers until one expects another value.
        if depth == 0 {
            return t.ended::<WHOLE>(i, c);
        }
        loop {
            let object = kinds & 1 == 1;
            let Some((at, close)) = t.next() else {
                return Err(Refused);
            };
            match close {
                b',' => {
                    (i, c) = t.value()?;
                    if object {
                        (i, c) = key(t, c)?;
                    }
                    break;
                }
                b'}' if object => {}
                b']' if !object => {}
                _ => return Err(Refused),
            }
            depth -= 1;
            kinds >>= 1;
            if depth == 0 {
                return t.ended::<WHOLE>(at, close);
            }
        }
    }
}

/// An object's key, whose token `c` must be an opening quote, and its colon: the token of
/// the value after them.
#[inline(always)]
fn key<const N: usize>(t: &mut Tokens<'_, '_, N>, c: u8) -> Result<(usize, u8), Refused> {
    if c != b'"' {
        return Err(Refused);
    }
    t.expect(b':')?;
    t.value()
}

#[cfg(test)]
mod tests {
    use super::super::blocks::Avx2;
    use super::super::tests::{mutate, value, Rng, EXPORT_LINE};
    use super::super::{check_utf8, check_utf8_scalar, value_end_in, value_end_utf8, MAX_DEPTH};
    use super::{check_avx2, value_end};
    use crate::export::line_cost::PROJECT_LINE;

    /// Whether the fast path reads `line` whole: printable ASCII, no backslash.
    fn fast_reads(line: &[u8]) -> bool {
        line.iter()
            .all(|&c| (0x20..0x80).contains(&c) && c != b'\\')
    }

    /// The fast path answers as the scalar path on the lines it reads and leaves it the
    /// others, and `check_utf8` answers as the scalar path on all. (On a CPU without AVX2
    /// there is no fast path to compare: `check_utf8` is the scalar path.)
    #[track_caller]
    fn assert_same(line: &[u8]) -> bool {
        let scalar = check_utf8_scalar(line);
        let expected = fast_reads(line).then_some(scalar);
        let shown = String::from_utf8_lossy(line);
        if let Some(avx2) = Avx2::detected() {
            // SAFETY: `avx2` says the CPU has the features.
            let answer = unsafe { check_avx2(avx2, line) };
            assert_eq!(answer, expected, "{shown:?}");
        }
        assert_eq!(check_utf8(line), scalar, "{shown:?}");
        scalar
    }

    /// A generated line made fast-path material: each byte it cannot read replaced by one
    /// that matters to it.
    fn plain(rng: &mut Rng, line: &str) -> Vec<u8> {
        const SIGNIFICANT: &[u8] = b"\"{}[]:, ae1-0.t";
        line.bytes()
            .filter(|c| !(0x80..0xC0).contains(c))
            .map(|c| {
                if (0x20..0x80).contains(&c) && c != b'\\' {
                    c
                } else {
                    SIGNIFICANT[rng.below(SIGNIFICANT.len())]
                }
            })
            .collect()
    }

    /// `line` as the property tests read it, one time in three each: made fast-path
    /// material, edited then made so, or edited (now and then with a byte the fast path
    /// leaves to the scalar check).
    fn edited(rng: &mut Rng, line: &str) -> Vec<u8> {
        match rng.below(3) {
            0 => plain(rng, line),
            1 => {
                let mutated = mutate(rng, line);
                plain(rng, &mutated)
            }
            _ => mutate(rng, line).into_bytes(),
        }
    }

    /// The containers the block-boundary tests wrap a run of filler in (opening, closing):
    /// a string, a key, a number, a literal or a bracket ending at each byte.
    const WRAPPERS: [(&str, &str); 5] = [
        ("[\"", "\"]"),
        ("{\"k\":\"", "\"}"),
        ("{\"", "\":1}"),
        ("[1,\"", "\",true]"),
        ("[\"", "\",-0.5e3, null ]"),
    ];

    #[test]
    fn fast_path_answers_as_the_scalar_path() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let (mut accepted, mut refused, mut read_fast) = (0, 0, 0);
        for case in 0..120_000 {
            let mut line = String::new();
            // Spaces before the value put its tokens at every offset of a block.
            line.push_str(&" ".repeat(rng.below(70)));
            match case % 8 {
                0 => line.push_str(EXPORT_LINE),
                1 => line.push_str(PROJECT_LINE),
                _ => value(&mut rng, &mut line, 0),
            }
            let line = edited(&mut rng, &line);
            read_fast += usize::from(fast_reads(&line));
            if assert_same(&line) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            accepted > 20_000 && refused > 20_000 && read_fast > 90_000,
            "{accepted} accepted, {refused} refused, {read_fast} for the fast path"
        );
    }

    /// Lines of every length up to three blocks, a string, a number, a literal or a
    /// container ending at each byte, cut or edited anywhere.
    #[test]
    fn lines_around_block_boundaries() {
        let mut rng = Rng(11);
        let mut accepted = 0;
        for len in 1..200 {
            let filler = "x".repeat(len);
            // A bare string too: a whole line may be one.
            for (open, close) in [("\"", "\"")].into_iter().chain(WRAPPERS) {
                let line = format!("{open}{filler}{close}");
                accepted += usize::from(assert_same(line.as_bytes()));
                // Every token shifted through the block's boundary.
                let shifted = format!("{}{line}", " ".repeat(len % 67));
                assert_same(shifted.as_bytes());
                let mut cut = line.clone().into_bytes();
                cut.truncate(rng.below(cut.len() + 1));
                assert_same(&cut);
                for edit in b"\"x1{}[]:, " {
                    let mut edited = line.clone().into_bytes();
                    let at = rng.below(edited.len());
                    edited[at] = *edit;
                    assert_same(&edited);
                    edited.insert(rng.below(edited.len() + 1), *edit);
                    assert_same(&edited);
                    edited.remove(rng.below(edited.len()));
                    assert_same(&edited);
                }
            }
            // A quote, a scalar or a bracket at bytes 62 to 66 and 126 to 130.
            for at in [62, 63, 64, 65, 66, 126, 127, 128, 129, 130] {
                for piece in ["\"", "1", "12", "true", "[", "]", "{}", ",", ":", "\"\""] {
                    let mut bytes = format!("[{}]", "0,".repeat(len / 2)).into_bytes();
                    bytes.truncate(at.min(bytes.len()));
                    bytes.extend_from_slice(piece.as_bytes());
                    bytes.extend_from_slice(b"]");
                    assert_same(&bytes);
                }
            }
        }
        assert!(accepted > 1_000, "{accepted} accepted");
    }

    /// Lines of a batch of blocks and more (stage 1 sorts 16 blocks, 1,024 bytes, a call):
    /// every length around one and two batches, tokens on the batches' edges, edited.
    #[test]
    fn lines_across_batches() {
        let mut rng = Rng(13);
        for len in (990..1_060)
            .chain(2_020..2_080)
            .chain([4_096, 4_097, 10_000])
        {
            let mut line = String::from("[");
            while line.len() + 12 < len {
                line.push_str(["\"ab\",", "1,", "{\"k\":[]},", "\"\","][rng.below(4)]);
            }
            let fill = len - line.len() - 3;
            line.push_str(&format!("\"{}\"]", "x".repeat(fill)));
            assert_eq!(line.len(), len);
            assert!(assert_same(line.as_bytes()), "{len}");
            for _ in 0..8 {
                let mut edited = line.clone().into_bytes();
                let at = rng.below(edited.len());
                const EDITS: &[u8] = b"\"[]{}:,1x ";
                edited[at] = EDITS[rng.below(EDITS.len())];
                assert_same(&edited);
                edited.truncate(rng.below(edited.len() + 1));
                assert_same(&edited);
            }
        }
    }

    #[test]
    fn nesting_at_the_bound_and_past_it() {
        let depth = MAX_DEPTH as usize;
        for levels in [depth - 1, depth, depth + 1] {
            for pad in [0, 1, 31, 63, 64] {
                let pad = " ".repeat(pad);
                let arrays = format!("{pad}{}{}", "[".repeat(levels), "]".repeat(levels));
                let objects = format!("{pad}{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels));
                let (odd_open, odd_close) = if levels % 2 == 1 {
                    ("[", "]")
                } else {
                    ("", "")
                };
                let mixed = format!(
                    "{pad}{odd_open}{}\"x\"{}{odd_close}",
                    "[{\"a\":".repeat(levels / 2),
                    "}]".repeat(levels / 2)
                );
                for line in [arrays, objects, mixed] {
                    assert_eq!(assert_same(line.as_bytes()), levels <= depth, "{levels}");
                }
            }
        }
        assert!(!assert_same("[".repeat(1 << 16).as_bytes()));
    }

    /// The fast path's end of the value at `at` in `line` is the scalar check's, where it
    /// gives one; it gives one for every object or array of printable ASCII without a
    /// backslash (through the block where it ends) that the scalar check accepts, but an
    /// empty one. `value_end_utf8` answers as the scalar check. Answers whether the fast
    /// path read the value.
    #[track_caller]
    fn assert_same_end(line: &[u8], at: usize) -> bool {
        let scalar = value_end_in::<true>(line, at).ok();
        let shown = String::from_utf8_lossy(line);
        let fast = value_end(line, at);
        if fast.is_some() {
            assert_eq!(fast, scalar, "{shown:?} at {at}");
        } else if let Some(end) = scalar {
            let value = &line[at..end];
            // Past the value, to its block's end: the blocks the fast path sorts.
            let sorted = &line[at..(at + (end - at).div_ceil(64) * 64).min(line.len())];
            let empty = matches!(value, [b'{', b'}', ..] | [b'[', b']', ..]);
            let container = matches!(value.first(), Some(b'{' | b'['));
            assert!(
                Avx2::detected().is_none() || empty || !container || !fast_reads(sorted),
                "{shown:?} at {at}: left to the scalar check"
            );
        }
        assert_eq!(value_end_utf8(line, at).ok(), scalar, "{shown:?} at {at}");
        fast.is_some()
    }

    #[test]
    fn value_ends_as_the_scalar_path_finds_them() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut read_fast, mut refused) = (0, 0);
        for case in 0..100_000 {
            // The value inside a line: after a key, whitespace at every offset of a block,
            // and the line going on after it (sometimes with a byte the fast path leaves).
            let mut line = format!("{{\"k\":{}", " ".repeat(rng.below(70)));
            let at = line.len();
            match case % 8 {
                0 => line.push_str(PROJECT_LINE),
                _ => value(&mut rng, &mut line, 0),
            }
            line.push_str([",\"x\":1}", "}", ",\"é\":\"\\n\"}", "", "]"][rng.below(5)]);
            let line = edited(&mut rng, &line);
            let at = at.min(line.len());
            read_fast += usize::from(assert_same_end(&line, at));
            refused += usize::from(value_end_in::<true>(&line, at).is_err());
        }
        let expected = if Avx2::detected().is_some() { 5_000 } else { 0 };
        assert!(
            read_fast >= expected && refused > 20_000,
            "{read_fast} read by the fast path, {refused} refused"
        );
    }

    /// Values of every length up to four blocks, at every offset of a block, ending at each
    /// byte of a block, the line cut or edited anywhere.
    #[test]
    fn value_ends_around_block_boundaries() {
        let mut rng = Rng(17);
        let mut read_fast = 0;
        for len in 1..260 {
            let filler = "x".repeat(len);
            // Nested containers too: the value ends where its outermost one closes.
            for (open, close) in WRAPPERS.into_iter().chain([("[[{\"", "\":[]}]]")]) {
                let pad = " ".repeat(len % 67);
                for after in ["", ",1]", " ,\"\\\"\"]", "é"] {
                    let line = format!("[{pad}{open}{filler}{close}{after}");
                    let at = 1 + pad.len();
                    read_fast += usize::from(assert_same_end(line.as_bytes(), at));
                    let mut cut = line.clone().into_bytes();
                    cut.truncate(rng.below(cut.len() + 1));
                    assert_same_end(&cut, at.min(cut.len()));
                    for edit in b"\"x1{}[]:, " {
                        let mut edited = line.clone().into_bytes();
                        let place = at + rng.below(edited.len() - at);
                        edited[place] = *edit;
                        assert_same_end(&edited, at);
                    }
                }
            }
        }
        // At least those without a byte the fast path leaves in their last block.
        let expected = if Avx2::detected().is_some() {
            259 * 6 * 2
        } else {
            0
        };
        assert!(read_fast >= expected, "{read_fast} read by the fast path");
    }

    #[test]
    fn value_ends_at_the_nesting_bound_and_past_it() {
        let depth = MAX_DEPTH as usize;
        for levels in [depth - 1, depth, depth + 1] {
            let arrays = format!("[{}{},1]", "[".repeat(levels), "]".repeat(levels));
            let objects = format!("[{}1{},1]", "{\"a\":".repeat(levels), "}".repeat(levels));
            for line in [arrays, objects] {
                let read = assert_same_end(line.as_bytes(), 1);
                assert_eq!(
                    value_end_utf8(line.as_bytes(), 1).is_ok(),
                    levels <= depth,
                    "{levels}"
                );
                assert!(read || levels > depth || Avx2::detected().is_none());
            }
        }
    }

    #[test]
    fn hand_picked_lines() {
        for (line, accepted) in [
            ("{}", true),
            ("  [ 1 , \"a\" , {\"b\" : null} ]  ", true),
            ("\"unterminated", false),
            ("\"a\"\"b\"", false),
            ("1x", false),
            ("truex", false),
            ("01", false),
            ("[1 2]", false),
            ("{\"a\" 1}", false),
            ("{\"a\":1}x", false),
            ("{\"a\":1} \"", false),
            ("", false),
            ("   ", false),
            ("-", false),
            ("[1,]", false),
            ("\u{7f}", false),
            ("\"\u{7f}\"", true),
        ] {
            assert_eq!(assert_same(line.as_bytes()), accepted, "{line:?}");
        }
    }
}
