//! A line built into a [`serde_json::Value`] without serde's visitor machinery: a recursive
//! descent over the line's bytes that hands serde_json only what it must judge itself
//! (numbers, strings with escapes), so the `Value` is the one `serde_json::from_str` gives,
//! whatever serde_json's features (`float_roundtrip`, `arbitrary_precision`, `preserve_order`).
//!
//! Every doubt goes to serde_json: a line this builder does not take whole (a syntax error,
//! a control character, nesting past [`MAX_DEPTH`], serde_json's private magic keys) is
//! parsed again by `serde_json::from_str`, whose answer (its `Value` or its error) is final.
//! So a line is refused exactly when serde_json refuses it.

use serde_json::{Map, Number, Value};

use crate::export::json_check::{number, skip_ws, string, to_special};

/// Nesting this builder takes itself; deeper lines go to serde_json (which refuses 128).
const MAX_DEPTH: u32 = 100;

/// The keys serde_json's `Value` reads as something else than an object's first key.
const MAGIC_KEY: &str = "$serde_json::private::";

/// `text` as serde_json's `Value`, or serde_json's error.
pub(crate) fn decode(text: &str) -> serde_json::Result<Value> {
    match (Builder { text, at: 0 }).line() {
        Some(value) => Ok(value),
        None => serde_json::from_str(text),
    }
}

struct Builder<'a> {
    text: &'a str,
    at: usize,
}

impl Builder<'_> {
    /// The line's one value, whitespace around it; `None` to let serde_json judge.
    fn line(&mut self) -> Option<Value> {
        let value = self.value(0)?;
        self.ws();
        (self.at == self.text.len()).then_some(value)
    }

    /// Skips whitespace: none at all in the lines the service serves, so one byte is looked
    /// at here, inline, and the loop is called only where there is some.
    #[inline(always)]
    fn ws(&mut self) {
        if let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at = skip_ws(self.text.as_bytes(), self.at);
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Consumes `byte` after whitespace.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self, depth: u32) -> Option<Value> {
        self.ws();
        let value = match self.peek()? {
            b'"' => Value::String(self.string()?),
            b'{' => self.object(depth + 1)?,
            b'[' => self.array(depth + 1)?,
            b't' => self.literal("true", Value::Bool(true))?,
            b'f' => self.literal("false", Value::Bool(false))?,
            b'n' => self.literal("null", Value::Null)?,
            _ => {
                let end = number(self.text.as_bytes(), self.at).ok()?;
                let text = &self.text[self.at..end];
                self.at = end;
                Value::Number(serde_json::from_str::<Number>(text).ok()?)
            }
        };
        Some(value)
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.text.get(self.at..end)? == word).then(|| {
            self.at = end;
            value
        })
    }

    /// A string at `at` (its opening quote): copied once when it has no escape, else read by
    /// serde_json (escapes, surrogates). Inline: the common string is one scan and one copy.
    #[inline(always)]
    fn string(&mut self) -> Option<String> {
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let end = to_special(bytes, start);
        if bytes.get(end) == Some(&b'"') {
            self.at = end + 1;
            return Some(self.text.get(start..end)?.to_owned());
        }
        self.escaped_string()
    }

    /// A string with an escape or a control character, left to serde_json.
    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self) -> Option<String> {
        let bytes = self.text.as_bytes();
        let end = string(bytes, self.at + 1).ok()?;
        let quoted = &self.text[self.at..end];
        self.at = end;
        serde_json::from_str(quoted).ok()
    }

    fn object(&mut self, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        let mut map = Map::new();
        self.ws();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(Value::Object(map));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if map.is_empty() && key.starts_with(MAGIC_KEY) {
                return None;
            }
            self.eat(b':')?;
            let value = self.value(depth)?;
            map.insert(key, value);
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(Value::Object(map));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: u32) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.ws();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(Value::Array(items));
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use crate::export::json_check::tests::{case_line, Rng};
    use serde_json::Value;

    /// The builder's answer is serde_json's: the same `Value`, or an error where it errs.
    #[test]
    fn builds_what_serde_json_builds() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let (mut built, mut refused) = (0, 0);
        for case in 0..60_000 {
            let line = case_line(&mut rng, case);
            let expected = serde_json::from_str::<Value>(&line);
            match (decode(&line), expected) {
                (Ok(ours), Ok(theirs)) => {
                    assert_eq!(ours, theirs, "case {case}: {line:?}");
                    built += 1;
                }
                (Err(ours), Err(theirs)) => {
                    assert_eq!(
                        ours.to_string(),
                        theirs.to_string(),
                        "case {case}: {line:?}"
                    );
                    refused += 1;
                }
                (ours, theirs) => {
                    panic!("case {case}: {line:?}: {ours:?} but serde_json {theirs:?}")
                }
            }
        }
        assert!(
            built > 10_000 && refused > 10_000,
            "{built} built, {refused} refused"
        );
    }

    #[test]
    fn what_serde_json_reads_its_own_way_is_left_to_it() {
        for line in [
            // Lone surrogates, numbers out of range, control characters: refused by serde_json.
            r#"{"a":"\ud800"}"#,
            r#"[1e400]"#,
            "[\"\u{1}\"]",
            // Escapes, exponents, big integers, negative zero, repeated keys.
            r#"{"a":"x\u00e9\n\"","b":-0,"c":1.5e-300,"d":18446744073709551616,"a":[true,null]}"#,
            // serde_json's private key (a number under `arbitrary_precision`).
            r#"{"$serde_json::private::Number":"1"}"#,
        ] {
            let theirs = serde_json::from_str::<Value>(line).map_err(|e| e.to_string());
            assert_eq!(decode(line).map_err(|e| e.to_string()), theirs, "{line:?}");
        }
        // Deeper than the builder goes, shallower than serde_json's bound, and past it.
        for depth in [99, 101, 127, 128] {
            let line = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let theirs = serde_json::from_str::<Value>(&line).map_err(|e| e.to_string());
            assert_eq!(
                decode(&line).map_err(|e| e.to_string()),
                theirs,
                "depth {depth}"
            );
        }
    }
}
