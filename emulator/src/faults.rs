//! Faults on demand: server errors, rate limiting, latency and dropped connections.
//!
//! Every decision that is not about time (which request gets a 5xx, which one is cut) is a pure
//! function of the seed and the request's sequence number, so a test replays exactly.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};

/// Which faults the emulator injects, built fluently:
///
/// ```
/// use std::time::Duration;
/// use labelbox_emulator::Faults;
/// let faults = Faults::seeded(7)
///     .server_errors(0.2)
///     .dropped_connections(0.1)
///     .rate_limit(20, Duration::from_secs(1))
///     .latency(Duration::from_millis(5))
///     .except_operations(["upsertDataRows"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    seed: u64,
    server_error_rate: f64,
    drop_rate: f64,
    rate_limit: Option<(u32, Duration)>,
    latency: Duration,
    exempt: BTreeSet<String>,
}

/// A fault the emulator applied to one request, as recorded in the request log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Answered with this 5xx status before executing anything.
    ServerError(u16),
    /// Answered 429 before executing anything.
    RateLimited,
    /// Executed, then the answer was cut before its status line.
    DroppedBeforeStatus,
    /// Executed, then the answer was cut in the middle of its body.
    DroppedMidBody,
}

impl Faults {
    /// No faults at all (the default).
    pub fn none() -> Self {
        Self::default()
    }

    /// No faults yet, with `seed` for the random decisions added next.
    pub fn seeded(seed: u64) -> Self {
        Faults {
            seed,
            ..Self::default()
        }
    }

    /// The share (0.0–1.0) of requests answered 500, 502 or 503 before they are executed.
    pub fn server_errors(mut self, rate: f64) -> Self {
        self.server_error_rate = rate;
        self
    }

    /// The share (0.0–1.0) of requests that are executed and whose answer is then cut.
    pub fn dropped_connections(mut self, rate: f64) -> Self {
        self.drop_rate = rate;
        self
    }

    /// Allow `requests` GraphQL requests per `window`; the rest get 429 with `Retry-After`.
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some((requests, window));
        self
    }

    /// Delay every GraphQL answer by `latency`.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Exempt requests whose top-level fields are all in `fields` (e.g. `upsertDataRows`)
    /// from server errors and dropped connections. Rate limiting still applies to them.
    pub fn except_operations<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.exempt.extend(fields.into_iter().map(Into::into));
        self
    }

    /// The added latency.
    pub fn added_latency(&self) -> Duration {
        self.latency
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for (what, rate) in [
            ("server error rate", self.server_error_rate),
            ("drop rate", self.drop_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::InvalidConfig(format!(
                    "{what} must be between 0 and 1, got {rate}"
                )));
            }
        }
        if let Some((n, window)) = self.rate_limit {
            if n == 0 || window.is_zero() {
                return Err(Error::InvalidConfig(
                    "rate limit needs at least 1 request per non-empty window".into(),
                ));
            }
        }
        Ok(())
    }

    fn exempt(&self, fields: &[String]) -> bool {
        !fields.is_empty() && fields.iter().all(|f| self.exempt.contains(f))
    }

    /// The 5xx status (if any) for request number `seq`, decided before executing it.
    pub(crate) fn server_error_for(&self, seq: u64, fields: &[String]) -> Option<u16> {
        if self.server_error_rate <= 0.0 || self.exempt(fields) {
            return None;
        }
        let roll = mix(self.seed, seq, 1);
        if unit(roll) < self.server_error_rate {
            Some([500, 502, 503][(mix(self.seed, seq, 2) % 3) as usize])
        } else {
            None
        }
    }

    /// Whether (and how) the answer to request number `seq` is cut after executing it.
    pub(crate) fn drop_for(&self, seq: u64, fields: &[String]) -> Option<FaultKind> {
        if self.drop_rate <= 0.0 || self.exempt(fields) {
            return None;
        }
        if unit(mix(self.seed, seq, 3)) < self.drop_rate {
            if mix(self.seed, seq, 4) % 2 == 0 {
                Some(FaultKind::DroppedMidBody)
            } else {
                Some(FaultKind::DroppedBeforeStatus)
            }
        } else {
            None
        }
    }
}

/// SplitMix64 over (seed, sequence number, purpose): independent, reproducible rolls.
fn mix(seed: u64, seq: u64, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_add(seq.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A roll in [0, 1).
fn unit(roll: u64) -> f64 {
    (roll >> 11) as f64 / (1u64 << 53) as f64
}

/// Fixed-window request counter for [`Faults::rate_limit`].
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: Option<(u32, Duration)>,
    window: Mutex<Option<(Instant, u32)>>,
}

/// A refusal: how long until the window resets, and the message to answer.
pub(crate) struct Refusal {
    pub(crate) retry_after_secs: u64,
    pub(crate) message: String,
}

impl RateLimiter {
    pub(crate) fn new(faults: &Faults) -> Self {
        RateLimiter {
            limit: faults.rate_limit,
            window: Mutex::new(None),
        }
    }

    /// Counts one request at `now`; `Some` when it exceeds the limit.
    pub(crate) fn check(&self, now: Instant) -> Option<Refusal> {
        let (limit, length) = self.limit?;
        let mut guard = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = match *guard {
            Some((start, count)) if now.duration_since(start) < length => {
                (start, count.saturating_add(1))
            }
            _ => (now, 1),
        };
        *guard = Some((start, count));
        if count <= limit {
            return None;
        }
        let left = length.saturating_sub(now.duration_since(start));
        Some(Refusal {
            retry_after_secs: left.as_secs() + u64::from(left.subsec_nanos() > 0),
            message: format!(
                "You have exceeded the limit of {limit} requests per {}",
                humantime::format_duration(length)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_depend_only_on_seed_and_sequence() {
        let f = Faults::seeded(42)
            .server_errors(0.3)
            .dropped_connections(0.2);
        let fields = vec!["user".to_string()];
        let a: Vec<_> = (0..200).map(|s| f.server_error_for(s, &fields)).collect();
        let b: Vec<_> = (0..200).map(|s| f.server_error_for(s, &fields)).collect();
        assert_eq!(a, b);
        let errors = a.iter().filter(|x| x.is_some()).count();
        assert!((30..90).contains(&errors), "{errors} of 200 at 30%");
        let other = Faults::seeded(43).server_errors(0.3);
        let c: Vec<_> = (0..200)
            .map(|s| other.server_error_for(s, &fields))
            .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn exempt_operations_are_spared_only_when_all_fields_are_exempt() {
        let f = Faults::seeded(1)
            .server_errors(1.0)
            .dropped_connections(1.0)
            .except_operations(["upsertDataRows"]);
        let upsert = vec!["upsertDataRows".to_string()];
        let mixed = vec!["upsertDataRows".to_string(), "user".to_string()];
        assert_eq!(f.server_error_for(0, &upsert), None);
        assert_eq!(f.drop_for(0, &upsert), None);
        assert!(f.server_error_for(0, &mixed).is_some());
        assert!(f.drop_for(0, &mixed).is_some());
    }

    #[test]
    fn rate_limiter_counts_per_window() {
        let limiter = RateLimiter::new(&Faults::none().rate_limit(2, Duration::from_secs(10)));
        let t0 = Instant::now();
        assert!(limiter.check(t0).is_none());
        assert!(limiter.check(t0).is_none());
        let refusal = limiter.check(t0 + Duration::from_millis(2500));
        let refusal = refusal.map(|r| (r.retry_after_secs, r.message));
        assert_eq!(
            refusal,
            Some((
                8,
                "You have exceeded the limit of 2 requests per 10s".into()
            ))
        );
        assert!(limiter.check(t0 + Duration::from_secs(10)).is_none());
    }

    #[test]
    fn rates_out_of_range_are_refused() {
        assert!(Faults::none().server_errors(1.5).validate().is_err());
        assert!(Faults::none()
            .rate_limit(0, Duration::from_secs(1))
            .validate()
            .is_err());
        assert!(Faults::seeded(3).server_errors(0.5).validate().is_ok());
    }
}
