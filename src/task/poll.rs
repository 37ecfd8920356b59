//! The pacing of every wait that polls the service ([`Task`](crate::Task) waits and the catalog
//! jobs of [`crate::catalog`]): a deadline on the client's [`Clock`](crate::Clock), naps of the
//! check frequency cut to that deadline, one last poll at the deadline, and a zero timeout that
//! still polls once. The caller polls and decides when it is done; this only says when to poll.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::task::WaitOptions;
use crate::transport::retry::Clock;

/// A wait in progress.
pub(crate) struct Pacer {
    clock: Arc<dyn Clock>,
    start: Instant,
    /// `None` for a timeout too large for `Instant`: no deadline.
    deadline: Option<Instant>,
    frequency: Duration,
    polls: u32,
}

/// The wait ran out: the last poll was made at (or after) the deadline.
pub(crate) struct Expired {
    pub(crate) waited: Duration,
    pub(crate) polls: u32,
}

impl Pacer {
    /// Starts a wait on `client`'s clock. A check frequency under the client's floor (or zero,
    /// a busy loop) is [`Error::InvalidInput`].
    pub(crate) fn start(client: &Client, options: &WaitOptions) -> Result<Pacer> {
        check_frequency_allowed(client, options.check_frequency_value())?;
        let clock = client.clock().clone();
        let start = clock.now();
        Ok(Pacer {
            deadline: start.checked_add(options.timeout_value()),
            clock,
            start,
            frequency: options.check_frequency_value(),
            polls: 0,
        })
    }

    /// Blocks until the next poll is due and answers the deadline that poll must end by;
    /// [`Expired`] when the deadline has passed and a poll was already made. With `at_once`,
    /// the first poll is due immediately (a job just started has nothing to wait for yet).
    pub(crate) fn next_poll(
        &mut self,
        at_once: bool,
    ) -> std::result::Result<Option<Instant>, Expired> {
        let now = self.clock.now();
        let remaining = match self.deadline {
            Some(d) => d.saturating_duration_since(now),
            None => self.frequency,
        };
        if remaining.is_zero() && self.polls > 0 {
            return Err(Expired {
                waited: now.saturating_duration_since(self.start),
                polls: self.polls,
            });
        }
        let nap = if at_once && self.polls == 0 {
            Duration::ZERO
        } else {
            self.frequency.min(remaining)
        };
        if !nap.is_zero() {
            self.clock.sleep(nap);
        }
        self.polls = self.polls.saturating_add(1);
        Ok(self.deadline)
    }

    /// The pause before the next poll, for logs.
    pub(crate) fn frequency(&self) -> Duration {
        self.frequency
    }
}

/// Refuses a check frequency under the client's floor (and zero, a busy loop).
pub(crate) fn check_frequency_allowed(client: &Client, frequency: Duration) -> Result<()> {
    let floor = client.min_check_frequency();
    if frequency >= floor && !frequency.is_zero() {
        return Ok(());
    }
    Err(Error::invalid_input(
        "check_frequency",
        format!(
            "{} is below the minimum of {}",
            humantime::format_duration(frequency),
            humantime::format_duration(floor)
        ),
    ))
}
