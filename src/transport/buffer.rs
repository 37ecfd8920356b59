//! [`AnswerBuffer`]: the memory an answer's body is read into, kept from one answer to the
//! next by a walk over pages.

use std::fmt;
use std::io::{self, Read};

/// The bytes of the answers of one walk over pages. The memory stays allocated and
/// initialized from one answer to the next, so reading a page neither grows, zeroes nor
/// faults in a fresh buffer (about a tenth of the CPU of streaming an import's results went
/// there). A one-off query reads into a new one.
#[derive(Default)]
pub(crate) struct AnswerBuffer {
    /// Initialized bytes: its length is the space in use, of which an answer fills the start.
    bytes: Vec<u8>,
}

impl fmt::Debug for AnswerBuffer {
    /// Its size, not its bytes (a page's answer is megabytes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerBuffer")
            .field("space", &self.bytes.len())
            .finish()
    }
}

/// The first space of a new buffer: a small answer (a task, a poll) fits.
const FIRST_SPACE: usize = 16 * 1024;

impl AnswerBuffer {
    /// Reads `reader` to its end and gives the bytes read. The space doubles when full, so
    /// an answer bounded by the reader's limit costs at most twice that limit.
    pub(super) fn read_all(&mut self, mut reader: impl Read) -> io::Result<&[u8]> {
        let mut filled = 0;
        loop {
            if filled == self.bytes.len() {
                let space = (self.bytes.len() * 2).max(FIRST_SPACE);
                self.bytes.resize(space, 0);
            }
            match reader.read(&mut self.bytes[filled..]) {
                Ok(0) => return Ok(&self.bytes[..filled]),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a read, and is interrupted once.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn trickle(data: &[u8]) -> Trickle<'_> {
        Trickle {
            data,
            step: 7_000,
            interrupted: false,
        }
    }

    #[test]
    fn answers_read_one_after_another_keep_the_space_and_only_their_bytes() {
        let large: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut buffer = AnswerBuffer::default();
        assert_eq!(buffer.read_all(trickle(&large)).unwrap(), &large[..]);
        let space = buffer.bytes.len();
        assert!(space >= large.len() && space <= 2 * large.len().max(FIRST_SPACE));

        assert_eq!(
            buffer.read_all(trickle(b"{\"small\":1}")).unwrap(),
            b"{\"small\":1}"
        );
        assert_eq!(
            buffer.bytes.len(),
            space,
            "the space is kept, not shrunk or grown"
        );
        assert_eq!(buffer.read_all(trickle(b"")).unwrap(), b"");
        assert_eq!(
            format!("{buffer:?}"),
            format!("AnswerBuffer {{ space: {space} }}")
        );
    }

    #[test]
    fn a_read_error_is_given_back() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"))
            }
        }
        let err = AnswerBuffer::default().read_all(Broken).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    }
}
