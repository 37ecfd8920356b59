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
    let mut tokens = Tokens {
        avx2,
        b,
        blocks: &mut blocks,
        batch: &mut batch,
        // As if a full batch were used up: the first token sorts one.
        filled: BATCH,
        block: BATCH - 1,
        from_base: b,
        bits: 0,
    };
    let accepted = grammar(&mut tokens).is_ok();
    if !accepted {
        // A refusal stands only for a line the fast path reads whole. Finite: each batch
        // moves on, or ends.
        while avx2.fill(&mut blocks, &mut batch) > 0 {}
    }
    (!blocks.odd()).then_some(accepted && !blocks.in_string())
}

/// A line refused by the fast grammar (the scalar check says why, when asked).
struct Refused;

/// The line's tokens, left to right, a batch of blocks sorted at a time.
struct Tokens<'a, 'b> {
    avx2: Avx2,
    b: &'b [u8],
    blocks: &'a mut Blocks<'b>,
    /// The tokens of the batch's blocks, `filled` of them.
    batch: &'a mut [u64; BATCH],
    filled: usize,
    /// The current block: its index in the batch, the line from its start on, its tokens
    /// not taken.
    block: usize,
    from_base: &'b [u8],
    bits: u64,
}

impl Tokens<'_, '_> {
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
        self.block += 1;
        let mut from = 64;
        if self.block >= self.filled {
            if self.filled < BATCH {
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
        // `block < filled <= BATCH`: no block past the batch (none taken if it were).
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

    /// Whether the line ends here: no token after the value.
    #[inline(always)]
    fn end(&mut self) -> Result<(), Refused> {
        self.next().map_or(Ok(()), |_| Err(Refused))
    }

    /// [`next`](Self::next), which must be there.
    #[inline(always)]
    fn value(&mut self) -> Result<(usize, u8), Refused> {
        self.next().ok_or(Refused)
    }

    /// The number or literal whose first byte `c` is at `i` in the current block (taken
    /// last), which must fill its run: the byte after it ends a scalar (a structural, a
    /// quote, a space) or the line.
    fn scalar(&self, i: usize, c: u8) -> Result<(), Refused> {
        // Here, out of the walk's every step: a token's place in the line is needed for
        // scalars only.
        let at = self.b.len() - self.from_base.len() + i;
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
/// then no token. Strings need nothing more than their opening quote here (stage 1 found
/// where they end), whitespace is no token.
#[inline(always)]
fn grammar(t: &mut Tokens<'_, '_>) -> Result<(), Refused> {
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
            return t.end();
        }
        loop {
            let object = kinds & 1 == 1;
            match t.next() {
                Some((_, b',')) => {
                    (i, c) = t.value()?;
                    if object {
                        (i, c) = key(t, c)?;
                    }
                    break;
                }
                Some((_, b'}')) if object => {}
                Some((_, b']')) if !object => {}
                _ => return Err(Refused),
            }
            depth -= 1;
            kinds >>= 1;
            if depth == 0 {
                return t.end();
            }
        }
    }
}

/// An object's key, whose token `c` must be an opening quote, and its colon: the token of
/// the value after them.
#[inline(always)]
fn key(t: &mut Tokens<'_, '_>, c: u8) -> Result<(usize, u8), Refused> {
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
    use super::super::{check_utf8, check_utf8_scalar, MAX_DEPTH};
    use super::check_avx2;
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
            let line = match rng.below(3) {
                0 => plain(&mut rng, &line),
                1 => {
                    let mutated = mutate(&mut rng, &line);
                    plain(&mut rng, &mutated)
                }
                // Now and then a byte the fast path leaves to the scalar check.
                _ => mutate(&mut rng, &line).into_bytes(),
            };
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
            for (open, close) in [
                ("\"", "\""),
                ("[\"", "\"]"),
                ("{\"k\":\"", "\"}"),
                ("{\"", "\":1}"),
                ("[1,\"", "\",true]"),
                ("[\"", "\",-0.5e3, null ]"),
            ] {
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
