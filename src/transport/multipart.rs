//! The GraphQL multipart request of `uploadFile` (PROTOCOL 3.6 step 2), streamed: the file's
//! bytes (up to 10 MB) are sent from the caller's slice, never copied into a body buffer.

use std::io::Read;

use serde_json::Value;

/// The parts of one multipart body around the file's bytes: `operations`, `map` and the file
/// part's header before them, the closing boundary after.
pub(super) struct Multipart {
    head: String,
    tail: String,
    content_type: String,
}

impl Multipart {
    /// The body for `operations` with one file (form field `1`, mapped to `variables.file`).
    pub(super) fn new(operations: &Value, file_name: &str, content_type: &str) -> Self {
        let boundary = format!("labelbox-rs-{:016x}", super::retry::random_u64());
        let file_name = safe_file_name(file_name);
        let file_type = safe_content_type(content_type);
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"1\": [\"variables.file\"]}}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"1\"; filename=\"{file_name}\"\r\nContent-Type: {file_type}\r\n\r\n"
        );
        Multipart {
            head,
            tail: format!("\r\n--{boundary}--\r\n"),
            content_type: format!("multipart/form-data; boundary={boundary}"),
        }
    }

    /// The request's `Content-Type`, boundary included.
    pub(super) fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The body's length with `file` in it (sent as `Content-Length`, so the body is not chunked).
    pub(super) fn len(&self, file: &[u8]) -> u64 {
        (self.head.len() + file.len() + self.tail.len()) as u64
    }

    /// The body's length with a file of `file_len` bytes in it.
    pub(super) fn len_with(&self, file_len: u64) -> u64 {
        (self.head.len() + self.tail.len()) as u64 + file_len
    }

    /// The body around a file read from `file`, which must give exactly `file_len` bytes: a
    /// shorter or longer file is an I/O error, so the request fails instead of sending a body
    /// its `Content-Length` misstates.
    pub(super) fn reader_of<'a>(&'a self, file: impl Read + 'a, file_len: u64) -> impl Read + 'a {
        let file = ExactLength {
            inner: file,
            left: file_len,
        };
        self.head.as_bytes().chain(file).chain(self.tail.as_bytes())
    }

    /// The body with `file` in it, read from the parts where they are. A new reader per send,
    /// so a retry sends the same bytes again.
    pub(super) fn reader<'a>(&'a self, file: &'a [u8]) -> impl Read + 'a {
        self.head.as_bytes().chain(file).chain(self.tail.as_bytes())
    }
}

/// A file name for the part header: quotes and line breaks would end it early.
fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '"' | '\r' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// A content type for the part header, without line breaks (they would start a new header).
fn safe_content_type(content_type: &str) -> String {
    content_type
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n'))
        .collect()
}

/// A reader that must give exactly `left` bytes.
struct ExactLength<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for ExactLength<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One more byte would mean the file is longer than announced.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the file is longer than its announced length",
                )),
            };
        }
        let cap = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..cap])?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than its announced length",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
