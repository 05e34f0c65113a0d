//! Logging: `tracing` to stderr (level from `WARDWATCH_LOG`, then `RUST_LOG`, default `info`),
//! and [`LogSampler`], which rate-limits log lines that traffic can trigger (decode errors,
//! sink failures) the way Zeek samples weirds: the first N per kind, then 1 in M, counts reset
//! every window. Counters are never sampled; only the log lines are.

use prometheus::IntCounter;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Installs the stderr subscriber. Safe to call twice (the second call does nothing).
pub fn init() {
    let filter = std::env::var("WARDWATCH_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// Sampling rule: the first `first` lines per kind and window, then every `every`-th.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SamplingRule {
    /// Lines always logged at the start of a window.
    pub first: u64,
    /// Afterwards, one line in this many.
    pub every: u64,
    /// Window after which the counts restart.
    pub window: Duration,
}

impl Default for SamplingRule {
    fn default() -> Self {
        SamplingRule {
            first: 25,
            every: 1000,
            window: Duration::from_secs(600),
        }
    }
}

/// Most distinct kinds tracked (kinds are fixed names chosen by the code, so this is a backstop).
const MAX_KINDS: usize = 256;

/// Decides which log lines of a kind are written; counts the others.
pub struct LogSampler {
    rule: SamplingRule,
    suppressed: IntCounter,
    kinds: Mutex<HashMap<String, (Instant, u64)>>,
}

impl LogSampler {
    /// A sampler counting suppressed lines in `suppressed`.
    pub fn new(rule: SamplingRule, suppressed: IntCounter) -> LogSampler {
        LogSampler {
            rule,
            suppressed,
            kinds: Mutex::new(HashMap::new()),
        }
    }

    /// True when a line of `kind` should be written now. Returns also how many lines of this
    /// kind occurred in the current window (including this one), for the message.
    pub fn allow(&self, kind: &str) -> (bool, u64) {
        self.allow_at(kind, Instant::now())
    }

    fn allow_at(&self, kind: &str, now: Instant) -> (bool, u64) {
        let mut kinds = self
            .kinds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if kinds.len() >= MAX_KINDS && !kinds.contains_key(kind) {
            kinds.clear();
        }
        let entry = kinds.entry(kind.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.rule.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let n = entry.1;
        let allowed =
            n <= self.rule.first || (n - self.rule.first).is_multiple_of(self.rule.every.max(1));
        if !allowed {
            self.suppressed.inc();
        }
        (allowed, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_n_then_one_in_m_then_reset() {
        let counter = IntCounter::new("s_total", "s").unwrap();
        let rule = SamplingRule {
            first: 3,
            every: 10,
            window: Duration::from_secs(60),
        };
        let sampler = LogSampler::new(rule, counter.clone());
        let t0 = Instant::now();
        let allowed: Vec<u64> = (0..30)
            .filter_map(|_| {
                let (ok, n) = sampler.allow_at("tcp", t0);
                ok.then_some(n)
            })
            .collect();
        assert_eq!(allowed, vec![1, 2, 3, 13, 23]);
        assert_eq!(counter.get(), 25);
        assert_eq!(
            sampler.allow_at("udp", t0),
            (true, 1),
            "kinds are independent"
        );
        let later = t0 + Duration::from_secs(61);
        assert_eq!(
            sampler.allow_at("tcp", later),
            (true, 1),
            "a new window restarts"
        );
    }
}
