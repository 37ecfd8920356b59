//! Retry policy (exponential backoff with full jitter), the clock the SDK waits on, and the
//! random source of the jitter. Both the clock and the random source can be replaced through
//! [`ClientBuilder`](crate::ClientBuilder) so that tests of waiting and retrying are exact.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Source of time for every wait of the SDK: backoff between retries, the polling of
/// [`Task::wait_till_done`](crate::Task::wait_till_done) and its deadline.
///
/// The default is [`SystemClock`]; a test can supply a fake whose `sleep` advances `now`.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant on a monotonic clock.
    fn now(&self) -> Instant;
    /// Blocks the calling thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// The real monotonic clock: [`Instant::now`] and [`std::thread::sleep`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// How transient failures are retried.
///
/// The delay before retry `n` (1-based) is drawn uniformly from
/// `[0, min(max_delay, initial_delay × multiplier^(n-1))]` ("full jitter"), or is the
/// service's `Retry-After` when it sent one. Retrying stops after `max_attempts` sends, or
/// when the next delay would end past `total_budget` counted from the first send; the caller
/// then gets the last error, with the number of attempts.
///
/// The defaults follow the official SDK: 1 s initial delay, ×2, 60 s cap, 120 s budget
/// (and at most 10 attempts).
///
/// Naming: the by-value setters own the plain names (`max_attempts`), as in every builder of this
/// crate; what was set reads back through the same name with `_value` (`max_attempts_value`).
///
/// ```
/// use std::time::Duration;
/// use labelbox::{Client, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .max_delay(Duration::from_secs(10))
///     .total_budget(Duration::from_secs(30));
/// assert_eq!(policy.ceiling(1), Duration::from_secs(1));
/// assert_eq!(policy.ceiling(5), Duration::from_secs(10)); // 16 s, capped
/// let client = Client::builder().api_key("...").retry_policy(policy).build()?;
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_delay: Duration,
    multiplier: f64,
    max_delay: Duration,
    total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(60),
            total_budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (every request is sent once).
    #[must_use]
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Maximum number of sends of one request, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Ceiling of the first backoff delay.
    #[must_use]
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// Growth factor of the ceiling between retries (values below 1 are taken as 1).
    #[must_use]
    pub fn multiplier(mut self, m: f64) -> Self {
        self.multiplier = if m.is_finite() && m >= 1.0 { m } else { 1.0 };
        self
    }

    /// Largest ceiling of one backoff delay.
    #[must_use]
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Total time, from the first send, after which no retry is started.
    #[must_use]
    pub fn total_budget(mut self, d: Duration) -> Self {
        self.total_budget = d;
        self
    }

    /// The maximum number of sends set with [`max_attempts`](Self::max_attempts).
    #[must_use]
    pub fn max_attempts_value(&self) -> u32 {
        self.max_attempts
    }

    /// The total budget set with [`total_budget`](Self::total_budget).
    #[must_use]
    pub fn total_budget_value(&self) -> Duration {
        self.total_budget
    }

    /// The ceiling of the backoff before retry `retry` (1-based).
    #[must_use]
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = self.multiplier.powi(retry.saturating_sub(1).min(64) as i32);
        let secs = self.initial_delay.as_secs_f64() * factor;
        if !secs.is_finite() || secs >= self.max_delay.as_secs_f64() {
            self.max_delay
        } else {
            Duration::from_secs_f64(secs)
        }
    }
}

/// `Retry-After` (RFC 9110, section 10.2.3): delay-seconds, or an HTTP-date counted from
/// `now` (a date already past asks for no wait). A value too large for a `Duration` is
/// `Duration::MAX` (no retry budget reaches it). `None` when the value is neither form.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A failed attempt that is about to be sent again, as given to the observer set with
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
///
/// ```
/// use labelbox::Client;
///
/// let client = Client::builder()
///     .api_key("my-key")
///     .on_retry(|retry| {
///         if retry.attempt() == 1 {
///             eprintln!("{}; retrying for up to {:?}", retry.error(), retry.retrying_for());
///         }
///     })
///     .build()?;
/// # Ok::<_, labelbox::Error>(())
/// ```
#[derive(Debug)]
pub struct Retry<'a> {
    pub(crate) attempt: u32,
    pub(crate) max_attempts: u32,
    pub(crate) delay: Duration,
    pub(crate) retrying_for: Option<Duration>,
    pub(crate) error: &'a crate::Error,
}

impl Retry<'_> {
    /// The attempt that failed, counted from 1: `1` is the first retry's notice.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The most sends the policy allows ([`RetryPolicy::max_attempts`]).
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// How long the SDK waits before sending again.
    #[must_use]
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// How much longer, from now, retries may go on before the request fails: what is left
    /// of the retry budget, or of the wait's deadline if sooner. `None` when neither bounds it.
    #[must_use]
    pub fn retrying_for(&self) -> Option<Duration> {
        self.retrying_for
    }

    /// Why the attempt failed (the key is never in its text).
    #[must_use]
    pub fn error(&self) -> &crate::Error {
        self.error
    }
}

/// The observer of retries set with [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
pub(crate) type RetryObserver = Arc<dyn Fn(&Retry<'_>) + Send + Sync>;

/// Picks the actual backoff delay given its ceiling; must return a value in `[0, ceiling]`.
pub(crate) type Jitter = Arc<dyn Fn(Duration) -> Duration + Send + Sync>;

/// The default full jitter: uniform in `[0, ceiling]` from a small xorshift generator
/// seeded by the standard library's per-process random hasher keys.
pub(crate) fn default_jitter() -> Jitter {
    let state = AtomicU64::new(seed());
    Arc::new(move |ceiling: Duration| {
        let x = next_xorshift(&state);
        // 53 random bits -> a float in [0, 1).
        let unit = (x >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(unit)
    })
}

/// 64 bits that differ between calls and processes (multipart boundaries, jitter seed).
pub(crate) fn random_u64() -> u64 {
    seed()
}

fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9E37_79B9_7F4A_7C15);
    h.finish() | 1 // xorshift must not start at 0
}

fn next_xorshift(state: &AtomicU64) -> u64 {
    let mut x = state.load(Ordering::Relaxed);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    state.store(x, Ordering::Relaxed);
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_grow_and_cap() {
        let p = RetryPolicy::default();
        let got: Vec<u64> = (1..=8).map(|n| p.ceiling(n).as_secs()).collect();
        assert_eq!(got, vec![1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let parse = |v| parse_retry_after(v, now);
        assert_eq!(parse("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse("0"), Some(Duration::ZERO));
        // A day or more is a real answer (it used to be ignored).
        assert_eq!(parse("86400"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse("1e300"), Some(Duration::MAX));
        assert_eq!(parse("-1"), None);
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse("soon"), None);
        // The HTTP-date form (IMF-fixdate, and the obsolete forms httpdate also reads).
        assert_eq!(
            parse("Wed, 21 Oct 2015 07:28:42 GMT"),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            parse("Wednesday, 21-Oct-15 07:29:00 GMT"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
    }

    #[test]
    fn default_jitter_stays_within_ceiling() {
        let j = default_jitter();
        let cap = Duration::from_millis(500);
        let draws: Vec<Duration> = (0..1000).map(|_| j(cap)).collect();
        assert!(draws.iter().all(|d| *d <= cap));
        // Not constant: a broken generator would repeat one value.
        assert!(draws.iter().any(|d| *d != draws[0]));
    }
}
