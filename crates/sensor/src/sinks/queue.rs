//! A sink's bounded alert buffer: pushing never blocks (the pipeline must not wait for a slow
//! sink); when full, the oldest alert is dropped and counted.

use crate::metrics::SinkMetrics;
use crate::metrics::labels::SinkDropReason;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use wardwatch_baseline::Alert;

struct State {
    items: VecDeque<Arc<Alert>>,
    closed: bool,
}

/// Bounded, drop-oldest, multi-producer single-consumer alert queue.
pub struct SinkQueue {
    state: Mutex<State>,
    notify: Notify,
    capacity: usize,
    in_flight: AtomicUsize,
    metrics: SinkMetrics,
}

impl SinkQueue {
    /// A queue holding at most `capacity` alerts (at least 1).
    pub fn new(capacity: usize, metrics: SinkMetrics) -> SinkQueue {
        SinkQueue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
            }),
            notify: Notify::new(),
            capacity: capacity.max(1),
            in_flight: AtomicUsize::new(0),
            metrics,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds an alert; returns false if the queue is closed (the alert is then counted as
    /// dropped at shutdown). A full queue drops its oldest alert.
    pub fn push(&self, alert: Arc<Alert>) -> bool {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            self.metrics.dropped(SinkDropReason::Shutdown, 1);
            return false;
        }
        if state.items.len() >= self.capacity {
            state.items.pop_front();
            self.metrics.dropped(SinkDropReason::QueueFull, 1);
        }
        state.items.push_back(alert);
        self.metrics.queue.set(gauge(state.items.len()));
        drop(state);
        self.notify.notify_one();
        true
    }

    /// Waits for alerts and takes up to `max` of them (oldest first); `None` once the queue is
    /// closed and empty. The taken batch counts as in flight until [`Self::done`].
    pub async fn pop_batch(&self, max: usize) -> Option<Vec<Arc<Alert>>> {
        loop {
            {
                let mut state = self.lock();
                if !state.items.is_empty() {
                    let n = state.items.len().min(max.max(1));
                    let batch: Vec<_> = state.items.drain(..n).collect();
                    self.metrics.queue.set(gauge(state.items.len()));
                    self.in_flight.store(batch.len(), Ordering::Release);
                    return Some(batch);
                }
                if state.closed {
                    return None;
                }
            }
            self.notify.notified().await;
        }
    }

    /// The batch taken by the last [`Self::pop_batch`] is finished (delivered or dropped).
    pub fn done(&self) {
        self.in_flight.store(0, Ordering::Release);
    }

    /// Refuses further pushes and wakes the consumer so it can finish.
    pub fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_one();
    }

    /// Alerts queued or in flight, removed from the queue (used when a sink is abandoned).
    pub fn abandon(&self) -> usize {
        let mut state = self.lock();
        let n = state.items.len() + self.in_flight.swap(0, Ordering::AcqRel);
        state.items.clear();
        self.metrics.queue.set(0);
        n
    }

    /// Alerts waiting (not counting the batch in flight).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;
    use crate::sinks::tests::alert;

    #[test]
    fn full_queue_drops_the_oldest_and_counts_it() {
        let metrics = Metrics::new(1).unwrap();
        let sink = metrics.sink("test");
        let queue = SinkQueue::new(2, sink.clone());
        for n in 1..=3 {
            assert!(queue.push(Arc::new(alert(n))));
        }
        assert_eq!(queue.len(), 2);
        assert_eq!(sink.dropped_total(SinkDropReason::QueueFull), 1);
        assert_eq!(sink.queue.get(), 2);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let batch = runtime.block_on(queue.pop_batch(10)).unwrap();
        let explanations: Vec<_> = batch.iter().map(|a| a.explanation.as_str()).collect();
        assert_eq!(explanations, vec!["alert 2", "alert 3"]);
        assert_eq!(queue.abandon(), 2, "the batch in flight counts");
        queue.close();
        assert!(!queue.push(Arc::new(alert(4))));
        assert_eq!(sink.dropped_total(SinkDropReason::Shutdown), 1);
        assert_eq!(runtime.block_on(queue.pop_batch(10)), None);
    }
}
