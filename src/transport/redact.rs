//! Keeping the API key, and unbounded text, out of errors: every text taken from an answer
//! (a message, a header, a body excerpt) goes through [`Redactor::text`] before it enters an
//! [`Error`](crate::Error).

use std::borrow::Cow;

use crate::error::{excerpt, excerpt_of_start};

/// Masks one client's key.
pub(crate) struct Redactor {
    key: String,
}

impl Redactor {
    /// A redactor of `key` (an empty key masks nothing).
    pub(crate) fn new(key: &str) -> Self {
        Redactor {
            key: key.to_owned(),
        }
    }

    /// `text` with every occurrence of the key replaced by `<redacted>`.
    pub(crate) fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.key.is_empty() || !text.contains(&self.key) {
            Cow::Borrowed(text)
        } else {
            Cow::Owned(text.replace(&self.key, "<redacted>"))
        }
    }

    /// What an error may keep of a text from the service: the key masked (first, so a cut
    /// cannot leave half a key), then cut to a readable excerpt.
    pub(crate) fn text(&self, text: &str) -> String {
        excerpt(&self.mask(text))
    }

    /// [`text`](Self::text) of the start of a body whose rest was not read.
    pub(crate) fn start(&self, text: &str) -> String {
        excerpt_of_start(&self.mask(text))
    }

    /// [`text`](Self::text) of a body that may not be UTF-8.
    pub(crate) fn body(&self, bytes: &[u8]) -> String {
        self.text(&String::from_utf8_lossy(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_then_cuts() {
        let r = Redactor::new("sekrit");
        assert_eq!(r.text("a sekrit b"), "a <redacted> b");
        let long = format!("{}sekrit", "x".repeat(498));
        // The key straddles the cut: masked first, so no part of it is left.
        let shown = r.text(&long);
        assert!(!shown.contains("sek"), "{shown}");
        assert!(shown.ends_with("… (8 more bytes)"), "{shown}");
        assert_eq!(Redactor::new("").text("sekrit"), "sekrit");
    }
}
