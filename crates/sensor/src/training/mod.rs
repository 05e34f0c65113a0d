//! Offline learning for `wardwatch retrain`: the inputs ([`input`]), the time-ordered hold-out
//! cut ([`split`]), the validation of new profiles on the hold-out ([`validate`]), the summary
//! table and threshold diff ([`summary`]), and [`ordered`], which reads inputs on every core
//! while handing their results over in input order (so the outcome never depends on timing).

pub mod input;
pub mod split;
pub mod summary;
pub mod validate;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Items buffered per input ahead of the consumer.
const CHANNEL_CAPACITY: usize = 4096;

/// A job of [`ordered`]: job index, and where to emit its items.
pub type Produce<'a, T> = dyn Fn(usize, &mut dyn FnMut(T)) -> anyhow::Result<()> + Sync + 'a;

enum Message<T> {
    Item(T),
    Done(anyhow::Result<()>),
}

/// Worker threads for `count` jobs: the machine's cores, at most one per job.
pub fn workers(count: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(count)
        .max(1)
}

/// Runs `produce(i, emit)` for every job `i` on `workers` threads (jobs start in index order)
/// and calls `consume(i, item)` for every emitted item on the calling thread, job by job in
/// index order and each job's items in emission order. Memory is bounded: a job more than
/// [`CHANNEL_CAPACITY`] items ahead of the consumer waits. The first error (of a job or of the
/// consumer) is returned; jobs not yet started then do not start.
pub fn ordered<T: Send>(
    count: usize,
    workers: usize,
    produce: &Produce<'_, T>,
    consume: &mut dyn FnMut(usize, T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut senders: Vec<SyncSender<Message<T>>> = Vec::with_capacity(count);
    let mut receivers: Vec<Receiver<Message<T>>> = Vec::with_capacity(count);
    for _ in 0..count {
        let (tx, rx) = sync_channel(CHANNEL_CAPACITY);
        senders.push(tx);
        receivers.push(rx);
    }
    let next = AtomicUsize::new(0);
    let cancelled = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let (senders, next, cancelled) = (&senders, &next, &cancelled);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(tx) = senders.get(i) else { break };
                    if cancelled.load(Ordering::SeqCst) {
                        let _ = tx.send(Message::Done(Err(anyhow::anyhow!("cancelled"))));
                        continue;
                    }
                    let result = produce(i, &mut |item| {
                        let _ = tx.send(Message::Item(item));
                    });
                    let _ = tx.send(Message::Done(result));
                }
            });
        }
        let outcome = drain(receivers, consume);
        if outcome.is_err() {
            cancelled.store(true, Ordering::SeqCst);
        }
        outcome
    })
}

/// Consumes every job's channel in order; dropping the receivers on return unblocks workers.
fn drain<T>(
    receivers: Vec<Receiver<Message<T>>>,
    consume: &mut dyn FnMut(usize, T) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for (i, rx) in receivers.iter().enumerate() {
        loop {
            match rx.recv() {
                Ok(Message::Item(item)) => consume(i, item)?,
                Ok(Message::Done(result)) => {
                    result?;
                    break;
                }
                Err(_) => anyhow::bail!("a reader thread died"),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_arrive_in_job_order_whatever_the_timing() {
        let produce = |i: usize, emit: &mut dyn FnMut(usize)| {
            // Later jobs finish first.
            std::thread::sleep(std::time::Duration::from_millis((5 - i as u64) * 5));
            for k in 0..3 {
                emit(i * 10 + k);
            }
            Ok(())
        };
        let mut seen = Vec::new();
        ordered(5, 3, &produce, &mut |_, item| {
            seen.push(item);
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42]
        );
    }

    #[test]
    fn the_first_error_is_returned_and_blocked_workers_are_released() {
        let produce = |i: usize, emit: &mut dyn FnMut(usize)| {
            if i == 1 {
                anyhow::bail!("input 1 is broken");
            }
            for k in 0..(CHANNEL_CAPACITY * 2) {
                emit(k);
            }
            Ok(())
        };
        let err = ordered(4, 2, &produce, &mut |_, _| Ok(())).unwrap_err();
        assert_eq!(err.to_string(), "input 1 is broken");
        let err = ordered(2, 2, &produce, &mut |_, _| {
            anyhow::bail!("consumer refuses")
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "consumer refuses");
    }
}
