//! The time-ordered hold-out cut: training learns from the first part of the inputs' packet
//! time, validation replays the last part. The cut falls on a window boundary of the span the
//! inputs cover, so every window is on one side.

use wardwatch_flow::{Span, Timestamp};

/// Largest hold-out share accepted (something must be left to learn from).
pub const MAX_HOLDOUT: f64 = 0.9;

/// The first window start that is held out, or `None` when nothing is (`holdout` 0, or the
/// span has a single window). `span` is the earliest and latest window start of the inputs;
/// at least one window slot is always left for training.
pub fn cutoff(
    span: Option<(Timestamp, Timestamp)>,
    window: Span,
    holdout: f64,
) -> Option<Timestamp> {
    let (first, last) = span?;
    if holdout.is_nan() || holdout <= 0.0 || window.micros() == 0 {
        return None;
    }
    let slots = last.since(first).micros() / window.micros() + 1;
    if slots < 2 {
        return None;
    }
    let held = ((slots as f64) * holdout.min(MAX_HOLDOUT)).round() as u64;
    let held = held.clamp(1, slots - 1);
    Some(first.add(Span((slots - held).saturating_mul(window.micros()))))
}

/// True when a window starting at `start` is held out.
pub fn held_out(start: Timestamp, cut: Option<Timestamp>) -> bool {
    cut.is_some_and(|c| start >= c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Span = Span::from_secs(60);

    fn t(minutes: u64) -> Timestamp {
        Timestamp::from_secs(1_767_600_000 + minutes * 60)
    }

    #[test]
    fn the_last_fifth_of_the_span_is_held_out_on_a_window_boundary() {
        // 100 windows (minutes 0..=99): 20 held out, the cut at minute 80.
        assert_eq!(cutoff(Some((t(0), t(99))), W, 0.2), Some(t(80)));
        assert!(held_out(t(80), Some(t(80))));
        assert!(!held_out(t(79), Some(t(80))));
        // Ten windows, a tiny share: still one window held out.
        assert_eq!(cutoff(Some((t(0), t(9))), W, 0.01), Some(t(9)));
        // A huge share: one window left to learn from.
        assert_eq!(cutoff(Some((t(0), t(9))), W, 0.9), Some(t(1)));
    }

    #[test]
    fn nothing_is_held_out_without_a_share_or_a_span() {
        assert_eq!(cutoff(Some((t(0), t(99))), W, 0.0), None);
        assert_eq!(cutoff(None, W, 0.2), None);
        assert_eq!(
            cutoff(Some((t(5), t(5))), W, 0.5),
            None,
            "one window: all of it trains"
        );
        assert!(!held_out(t(99), None));
    }
}
