//! The JSON check of a raw export line: one RFC 8259 value, whitespace around it allowed,
//! nothing else. A byte state machine that builds nothing, allocates nothing and converts no
//! number: it accepts exactly what `serde_json::from_str::<IgnoredAny>` accepts (the tests
//! hold it to that on generated and mutated lines), except that nesting is bounded
//! ([`MAX_DEPTH`]; serde_json's `Value` refuses such depths too).
//!
//! [`check`] takes a `&str` (UTF-8 checked before, by `std::str::from_utf8`);
//! [`check_utf8`] takes the line's bytes and checks UTF-8 in the same pass, where a line JSON
//! accepts can hold anything but ASCII: inside its strings.
//!
//! [`check_utf8`] has two paths, with one answer (the tests hold them to each other on
//! generated and mutated lines). Where the CPU has AVX2 (x86_64 only), a line of printable
//! ASCII without a backslash, most export lines, takes the fast path (`fast`, on `blocks`):
//! bitmasks of 64-byte blocks find the strings and the tokens outside them, and the grammar
//! walks the tokens alone: a quarter to a third fewer instructions than the scalar path
//! (figures in `fast`). Every other line, and every line on another CPU,
//! takes the scalar path ([`check_utf8_scalar`]): the byte state machine, with an SSE2 scan
//! inside strings.

use std::fmt;

#[cfg(target_arch = "x86_64")]
mod blocks;
#[cfg(target_arch = "x86_64")]
mod fast;

/// The deepest nesting of arrays and objects accepted (one bit per level of a `u128`).
pub(crate) const MAX_DEPTH: u32 = 128;

/// Why a line is not one JSON value, and where (a byte offset in the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid {
    pub(crate) at: usize,
    pub(crate) what: &'static str,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

type Checked = Result<usize, Invalid>;

fn invalid(at: usize, what: &'static str) -> Invalid {
    Invalid { at, what }
}

/// Checks that `text` holds exactly one JSON value.
pub(crate) fn check(text: &str) -> Result<(), Invalid> {
    let b = text.as_bytes();
    let end = skip_ws(b, value_end(b, skip_ws(b, 0))?);
    if end == b.len() {
        Ok(())
    } else {
        Err(invalid(end, "trailing characters"))
    }
}

/// Whether `bytes` are UTF-8 holding exactly one JSON value: the same answer as
/// `std::str::from_utf8` followed by [`check`], in one pass (the tests hold it to that on
/// generated and mutated bytes). Every byte of such a line outside its strings is ASCII (the
/// grammar matches nothing else there), so UTF-8 is checked inside strings only, character by
/// character where a byte is not ASCII. Says nothing of why: a refused line is rare, and
/// asked again the long way for its reason.
pub(crate) fn check_utf8(b: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Some(answer) = fast::check(b) {
        return answer;
    }
    check_utf8_scalar(b)
}

/// [`check_utf8`] byte by byte, for any line: the only way off x86_64, and there for the
/// lines the fast path leaves (a backslash, a control byte or a byte that is not ASCII).
pub(crate) fn check_utf8_scalar(b: &[u8]) -> bool {
    match value_end_in::<true>(b, skip_ws(b, 0)) {
        Ok(end) => skip_ws(b, end) == b.len(),
        Err(_) => false,
    }
}

/// Checks the value starting at `i` (whitespace skipped) of a `&str`'s bytes: the index just
/// past it.
pub(crate) fn value_end(b: &[u8], i: usize) -> Checked {
    value_end_in::<false>(b, i)
}

/// [`value_end`] for bytes not known to be UTF-8: every string is checked to be. An object
/// or array of printable ASCII is read by the fast path where the CPU has it.
pub(crate) fn value_end_utf8(b: &[u8], i: usize) -> Checked {
    #[cfg(target_arch = "x86_64")]
    if let Some(end) = fast::value_end(b, i) {
        return Ok(end);
    }
    value_end_in::<true>(b, i)
}

/// [`value_end`], with `UTF8` also checking that every string is UTF-8 (for bytes not known
/// to be).
#[inline(always)]
fn value_end_in<const UTF8: bool>(b: &[u8], mut i: usize) -> Checked {
    // Container kinds, innermost in bit 0: 1 for an object, 0 for an array.
    let mut kinds: u128 = 0;
    let mut depth: u32 = 0;
    loop {
        // A value starts at `i` (whitespace skipped).
        match b.get(i) {
            Some(&open @ (b'{' | b'[')) => {
                if depth == MAX_DEPTH {
                    return Err(invalid(i, "nesting deeper than 128"));
                }
                depth += 1;
                kinds = (kinds << 1) | u128::from(open == b'{');
                i = ws(b, i + 1);
                let close = if open == b'{' { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    depth -= 1;
                    kinds >>= 1;
                    i += 1;
                } else {
                    if open == b'{' {
                        i = key::<UTF8>(b, i)?;
                    }
                    continue;
                }
            }
            Some(b'"') => i = string_in::<UTF8>(b, i + 1)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = number(b, i)?,
            Some(_) => return Err(invalid(i, "expected a value")),
            None => return Err(invalid(i, "end of line while expecting a value")),
        }
        // A value ended before `i`: close containers until one expects another value.
        loop {
            if depth == 0 {
                return Ok(i);
            }
            i = ws(b, i);
            let object = kinds & 1 == 1;
            match b.get(i) {
                Some(b',') => {
                    i = ws(b, i + 1);
                    if object {
                        i = key::<UTF8>(b, i)?;
                    }
                    break;
                }
                Some(b'}') if object => {}
                Some(b']') if !object => {}
                Some(_) if object => return Err(invalid(i, "expected `,` or `}`")),
                Some(_) => return Err(invalid(i, "expected `,` or `]`")),
                None => return Err(invalid(i, "end of line inside a value")),
            }
            depth -= 1;
            kinds >>= 1;
            i += 1;
        }
    }
}

/// Skips JSON whitespace (space, tab, CR, LF) from `i`.
#[inline]
pub(crate) fn skip_ws(b: &[u8], i: usize) -> usize {
    ws(b, i)
}

/// [`skip_ws`], always inlined: in the checker's loop.
#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// An object's key at `i` (whitespace skipped), its colon and the whitespace after it: the
/// index of the value.
// Inlined, as the scans under it: the checker's loop keeps their constants in registers
// across a line instead of setting them up for every key.
#[inline(always)]
fn key<const UTF8: bool>(b: &[u8], i: usize) -> Checked {
    if b.get(i) != Some(&b'"') {
        return Err(invalid(i, "expected a string key"));
    }
    colon(b, string_in::<UTF8>(b, i + 1)?)
}

/// The colon after a key that ends before `i`, and the whitespace around it: the index of the
/// value.
#[inline(always)]
pub(crate) fn colon(b: &[u8], i: usize) -> Checked {
    // What the service writes: the colon, then the value.
    if b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(|&c| c > b' ') {
        return Ok(i + 1);
    }
    let i = ws(b, i);
    if b.get(i) != Some(&b':') {
        return Err(invalid(i, "expected `:`"));
    }
    Ok(ws(b, i + 1))
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Checked {
    match b.get(i..i + word.len()) {
        Some(found) if found == word => Ok(i + word.len()),
        _ => Err(invalid(i, "expected a value")),
    }
}

/// A string's rest from `i` (just past its opening quote) in a `&str`'s bytes: the index
/// past its closing quote.
#[inline(always)]
pub(crate) fn string(b: &[u8], i: usize) -> Checked {
    string_in::<false>(b, i)
}

/// [`string`] for bytes not known to be UTF-8: its non-ASCII bytes are checked to be.
pub(crate) fn string_utf8(b: &[u8], i: usize) -> Checked {
    string_in::<true>(b, i)
}

/// [`string`], with `UTF8` also checking that its non-ASCII bytes are UTF-8.
#[inline(always)]
fn string_in<const UTF8: bool>(b: &[u8], mut i: usize) -> Checked {
    loop {
        i = if UTF8 {
            to_special_or_high(b, i)
        } else {
            special(b, i)
        };
        match b.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => i = escape(b, i + 1)?,
            Some(&lead) if UTF8 && lead >= 0x80 => i = utf8_char(b, i, lead)?,
            Some(_) => return Err(invalid(i, "control character inside a string")),
            None => return Err(invalid(i, "end of line inside a string")),
        }
    }
}

/// The UTF-8 character at `i`, whose first byte `lead` is not ASCII: the index past it.
/// `std` judges the character's bytes (overlong forms, surrogates, the range's end).
#[cold]
fn utf8_char(b: &[u8], i: usize, lead: u8) -> Checked {
    let len = match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    };
    match b.get(i..i + len).map(std::str::from_utf8) {
        Some(Ok(_)) => Ok(i + len),
        _ => Err(invalid(i, "invalid UTF-8")),
    }
}

/// The first index at or after `i` holding `"`, `\` or a control character (`len` if none):
/// sixteen bytes at a time where SSE2 is there (every x86_64), then eight at a time.
#[inline]
pub(crate) fn to_special(b: &[u8], i: usize) -> usize {
    special(b, i)
}

/// [`to_special`], always inlined: in the checker's loop.
#[inline(always)]
fn special(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        if let Some(found) = sse2::special_in_16(b, i) {
            return i + found;
        }
        i += 16;
    }
    to_special_swar(b, i)
}

/// The first index at or after `i` holding `"`, `\`, a control character or a byte that is
/// not ASCII (`len` if none).
#[inline(always)]
pub(crate) fn to_special_or_high(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        if let Some(found) = sse2::special_or_high_in_16(b, i) {
            return i + found;
        }
        i += 16;
    }
    to_special_swar_in::<true>(b, i)
}

/// [`to_special`] eight bytes at a time (the rest of a line, or every line off x86_64).
#[inline]
fn to_special_swar(b: &[u8], i: usize) -> usize {
    to_special_swar_in::<false>(b, i)
}

/// [`to_special_swar`], stopping at bytes that are not ASCII too with `HIGH_TOO`. Out of the
/// checker's loop on x86_64, where it scans the last few bytes of a line only.
#[cfg_attr(target_arch = "x86_64", inline(never))]
#[cfg_attr(not(target_arch = "x86_64"), inline)]
fn to_special_swar_in<const HIGH_TOO: bool>(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    const HIGH: u64 = ONES << 7;
    while let Some(chunk) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte's high bit is set where it is zero (`quote`, `backslash`) or below 0x20:
        // exact for the first such byte, which is all that is used.
        let found = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        // A byte's own high bit says it is not ASCII.
        let found = (found | if HIGH_TOO { word } else { 0 }) & HIGH;
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 || (HIGH_TOO && c >= 0x80) {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    /// Where the first `"`, `\` or control character is among `b[i..i + 16]`, if any.
    #[inline(always)]
    pub(super) fn special_in_16(b: &[u8], i: usize) -> Option<usize> {
        mask_16::<false>(b, i)
    }

    /// Where the first `"`, `\`, control character or byte that is not ASCII is among
    /// `b[i..i + 16]`, if any.
    #[inline(always)]
    pub(super) fn special_or_high_in_16(b: &[u8], i: usize) -> Option<usize> {
        mask_16::<true>(b, i)
    }

    #[inline(always)]
    fn mask_16<const HIGH_TOO: bool>(b: &[u8], i: usize) -> Option<usize> {
        let chunk: &[u8; 16] = b.get(i..i + 16)?.try_into().ok()?;
        // SAFETY: SSE2 is part of the x86_64 baseline (no runtime detection needed), and the
        // unaligned load reads exactly the 16 bytes of `chunk`.
        let mask = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Unsigned: max(v, 0x1f) == 0x1f exactly where v <= 0x1f.
            let low = _mm_set1_epi8(0x1f);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(v, low), low);
            let special = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
            // The byte's own high bit: set where it is not ASCII.
            special | if HIGH_TOO { _mm_movemask_epi8(v) } else { 0 }
        };
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }
}

/// An escape from `i` (just past its backslash): the index past it.
#[inline(never)]
fn escape(b: &[u8], i: usize) -> Checked {
    match b.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
        Some(b'u') => match b.get(i + 1..i + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(i + 5),
            _ => Err(invalid(i + 1, "expected four hex digits")),
        },
        Some(_) => Err(invalid(i, "invalid escape")),
        None => Err(invalid(i, "end of line inside a string")),
    }
}

/// A number at `i`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; the index past it.
pub(crate) fn number(b: &[u8], mut i: usize) -> Checked {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i + 1),
        _ => return Err(invalid(i, "invalid number")),
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(b, i + 1);
        if end == i + 1 {
            return Err(invalid(end, "invalid number"));
        }
        i = end;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let end = digits(b, i);
        if end == i {
            return Err(invalid(i, "invalid number"));
        }
        i = end;
    }
    Ok(i)
}

fn digits(b: &[u8], mut i: usize) -> usize {
    while let Some(b'0'..=b'9') = b.get(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{check, MAX_DEPTH};
    use serde::de::IgnoredAny;

    /// A small deterministic generator (xorshift64*): no dependency, reproducible cases.
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<IgnoredAny>(text).is_ok()
    }

    fn ws(rng: &mut Rng, out: &mut String) {
        if rng.below(4) == 0 {
            out.push_str(rng.pick(&[" ", "\t", "\r", "\n", "  ", " \r\n\t"]));
        }
    }

    /// A JSON value, mostly valid, with the pieces where validators go wrong.
    pub(crate) fn value(rng: &mut Rng, out: &mut String, depth: usize) {
        ws(rng, out);
        match rng.below(if depth > 6 { 3 } else { 6 }) {
            0 => out.push_str(rng.pick(&[
                "0",
                "-0",
                "1",
                "-12",
                "0.5",
                "1e5",
                "1E+5",
                "2.5e-3",
                "-0.0e0",
                "123456789012345678901234567890",
                "1e400",
                "01",
                "1.",
                ".5",
                "-",
                "1e",
                "1e+",
                "+1",
                "0x1",
                "1.5E",
                "-a",
                "00",
                "1.e3",
            ])),
            1 => string(rng, out),
            2 => out.push_str(rng.pick(&["true", "false", "null", "tru", "nul", "falsey", "True"])),
            3 => {
                out.push('[');
                for n in 0..rng.below(4) {
                    if n > 0 {
                        out.push(',');
                    }
                    value(rng, out, depth + 1);
                }
                ws(rng, out);
                out.push(']');
            }
            _ => {
                out.push('{');
                for n in 0..rng.below(4) {
                    if n > 0 {
                        out.push(',');
                    }
                    ws(rng, out);
                    if rng.below(4) == 0 {
                        // Repeated keys: the last one wins.
                        out.push_str(rng.pick(&["\"k\"", "\"k\""]));
                    } else {
                        string(rng, out);
                    }
                    ws(rng, out);
                    out.push(':');
                    value(rng, out, depth + 1);
                }
                ws(rng, out);
                out.push('}');
            }
        }
        ws(rng, out);
    }

    fn string(rng: &mut Rng, out: &mut String) {
        out.push('"');
        for _ in 0..rng.below(24) {
            out.push_str(rng.pick(&[
                "a",
                "b",
                "Z",
                "0",
                " ",
                "é",
                "日本",
                "🐱",
                "\\\"",
                "\\\\",
                "\\/",
                "\\b",
                "\\f",
                "\\n",
                "\\r",
                "\\t",
                "\\u00e9",
                "\\uD83D\\uDE00",
                "\\ud800",
                "\\u12",
                "\\uZZZZ",
                "\\x",
                "\\",
                "\u{1}",
                "\u{1f}",
                "\u{7f}",
                "https://example.com/a.jpg",
                "abcdefghijklmnop",
            ]));
        }
        if rng.below(40) != 0 {
            out.push('"');
        }
    }

    /// The property tests' line for case `case`: every fourth case the emulator's line,
    /// edited; the others a generated [`value`], edited one time in three.
    pub(crate) fn case_line(rng: &mut Rng, case: usize) -> String {
        case_line_with(rng, case, |rng| {
            let mut line = String::new();
            value(rng, &mut line, 0);
            line
        })
    }

    /// [`case_line`] with the other cases' lines made by `generate`.
    pub(crate) fn case_line_with(
        rng: &mut Rng,
        case: usize,
        generate: impl FnOnce(&mut Rng) -> String,
    ) -> String {
        let line = if case % 4 == 0 {
            EXPORT_LINE.to_owned()
        } else {
            generate(rng)
        };
        if case % 4 == 0 || rng.below(3) == 0 {
            mutate(rng, &line)
        } else {
            line
        }
    }

    /// Edits a line the way a broken server or transfer would.
    pub(crate) fn mutate(rng: &mut Rng, line: &str) -> String {
        let mut bytes = line.as_bytes().to_vec();
        for _ in 0..=rng.below(3) {
            let at = rng.below(bytes.len() + 1);
            const SIGNIFICANT: &[u8] = b"{}[]:,\"\\ 0123456789-+.eEtfnu\x00\x1f\t\r\nax";
            match rng.below(5) {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, SIGNIFICANT[rng.below(SIGNIFICANT.len())]),
                2 if at < bytes.len() => bytes[at] = SIGNIFICANT[rng.below(SIGNIFICANT.len())],
                3 => bytes.truncate(at),
                _ => {
                    let from = rng.below(bytes.len() + 1);
                    let piece = bytes[from.min(at)..from.max(at)].to_vec();
                    bytes.splice(at..at, piece);
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Edits a line's bytes anywhere: bytes that are not ASCII (leads, continuations, bytes
    /// UTF-8 never holds) put in, characters cut.
    fn mutate_bytes(rng: &mut Rng, line: &str) -> Vec<u8> {
        let mut bytes = line.as_bytes().to_vec();
        for _ in 0..=rng.below(2) {
            let at = rng.below(bytes.len() + 1);
            const ODD: &[u8] = &[
                0x80, 0x9F, 0xA9, 0xBF, 0xC0, 0xC1, 0xC3, 0xDF, 0xE0, 0xE6, 0xED, 0xEF, 0xF0, 0xF4,
                0xF5, 0xF8, 0xFF, b'"', b'\\',
            ];
            match rng.below(3) {
                0 if at < bytes.len() => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, ODD[rng.below(ODD.len())]),
                _ if at < bytes.len() => bytes[at] = ODD[rng.below(ODD.len())],
                _ => bytes.truncate(at),
            }
        }
        bytes
    }

    /// The one-pass check answers as `std`'s UTF-8 check followed by [`check`].
    #[test]
    fn checks_utf8_and_json_as_the_two_checks_do() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        let (mut accepted, mut not_utf8, mut not_json) = (0, 0, 0);
        for case in 0..60_000 {
            let mut line = String::new();
            if case % 4 == 0 {
                line.push_str(EXPORT_LINE);
            } else {
                value(&mut rng, &mut line, 0);
            }
            let bytes = match rng.below(3) {
                0 => line.into_bytes(),
                1 => mutate(&mut rng, &line).into_bytes(),
                _ => mutate_bytes(&mut rng, &line),
            };
            let expected = match std::str::from_utf8(&bytes) {
                Ok(text) => check(text).is_ok(),
                Err(_) => false,
            };
            assert_eq!(
                super::check_utf8(&bytes),
                expected,
                "case {case}: {bytes:?} ({:?})",
                String::from_utf8_lossy(&bytes)
            );
            match (expected, std::str::from_utf8(&bytes).is_ok()) {
                (true, _) => accepted += 1,
                (false, false) => not_utf8 += 1,
                (false, true) => not_json += 1,
            }
        }
        assert!(
            accepted > 10_000 && not_utf8 > 5_000 && not_json > 10_000,
            "{accepted} accepted, {not_utf8} not UTF-8, {not_json} not JSON"
        );
    }

    /// A line as the emulator's exports serve them.
    pub(crate) const EXPORT_LINE: &str = r#"{"data_row":{"id":"c00b5s9q8rc0000000000000a","global_key":"bench-large-0","row_data":"https://storage.example.com/bench/large/00000000.jpg","external_id":"large-0.jpg"},"media_attributes":{"asset_type":"image","mime_type":"image/jpeg"},"metadata_fields":[{"schema_id":"s1","value":-1.5e3}],"projects":{},"experiments":{}}"#;

    #[test]
    fn accepts_and_refuses_exactly_what_serde_json_does() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut accepted, mut refused) = (0, 0);
        for case in 0..60_000 {
            let line = case_line(&mut rng, case);
            let expected = serde_accepts(&line);
            assert_eq!(
                check(&line).is_ok(),
                expected,
                "case {case}: {line:?} (serde_json accepts: {expected})"
            );
            if expected {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // Both sides were exercised.
        assert!(
            accepted > 10_000 && refused > 10_000,
            "{accepted} accepted, {refused} refused"
        );
    }

    #[test]
    fn hand_picked_lines() {
        for line in [
            "{}",
            "[]",
            " {\"a\" : [1, -2.5e+3, true, false, null, \"x\\u00e9\"]}\r",
            "\"\"",
            "0",
            "{\"data_row\":{\"id\":\"r1\"},\"projects\":{}}",
        ] {
            assert_eq!(check(line), Ok(()), "{line:?}");
            assert!(serde_accepts(line));
        }
        for line in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\"}",
            "{1:2}",
            "[1 2]",
            "{} {}",
            "1 1",
            "\"a\u{1}\"",
            "\"\\u00G0\"",
            "[01]",
            "-",
            "NaN",
            "[1.]",
            "{\"a\":1]",
            "[}",
            "'a'",
        ] {
            assert!(check(line).is_err(), "{line:?}");
            assert!(!serde_accepts(line), "{line:?}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let depth = MAX_DEPTH as usize;
        let deepest = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(check(&deepest), Ok(()));
        let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        assert_eq!(check(&objects), Ok(()));
        // serde_json's `IgnoredAny` takes any depth: what the check takes, it takes.
        assert!(serde_accepts(&deepest) && serde_accepts(&objects));
        let deeper = format!("{}{}", "[".repeat(depth + 1), "]".repeat(depth + 1));
        let refused = check(&deeper).unwrap_err();
        assert_eq!(
            (refused.at, refused.what),
            (depth, "nesting deeper than 128")
        );
        // A million open brackets are refused at the bound, nothing held for them.
        assert!(check(&"[".repeat(1 << 20)).is_err());
    }

    /// Both scans find what a byte-by-byte search finds, wherever it sits in a chunk.
    #[test]
    fn scans_find_the_first_special_byte() {
        let mut rng = Rng(7);
        for _ in 0..20_000 {
            let len = rng.below(70);
            let line: Vec<u8> = (0..len)
                .map(|_| match rng.below(30) {
                    0 => b'"',
                    1 => b'\\',
                    2 => rng.below(0x20) as u8,
                    3 => 0x80 + rng.below(0x80) as u8,
                    _ => b' ' + rng.below(0x5f) as u8,
                })
                .collect();
            let start = rng.below(len + 1);
            let naive = (start..len)
                .find(|&i| matches!(line[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(len);
            assert_eq!(
                super::to_special(&line, start),
                naive,
                "{line:?} from {start}"
            );
            assert_eq!(
                super::to_special_swar(&line, start),
                naive,
                "{line:?} from {start}"
            );
            let naive = (start..len)
                .find(|&i| matches!(line[i], b'"' | b'\\' | 0..=0x1f | 0x80..))
                .unwrap_or(len);
            assert_eq!(
                super::to_special_or_high(&line, start),
                naive,
                "{line:?} from {start}"
            );
            assert_eq!(
                super::to_special_swar_in::<true>(&line, start),
                naive,
                "{line:?} from {start}"
            );
        }
    }

    #[test]
    fn errors_say_where() {
        let refused = check("{\"a\":tru}").unwrap_err();
        assert_eq!(refused.at, 5);
        assert_eq!(refused.to_string(), "expected a value at byte 5");
    }
}
