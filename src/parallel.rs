//! The one way work is spread over the cores: each worker takes the next item until none is
//! left (so one large input does not hold up a fixed share of small ones), and the results
//! come back in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` over every item, on up to all cores, in input order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                out.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
            });
        }
    });
    out.into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .map(|r| r.expect("every item is taken by some worker"))
        .collect()
}

/// `f` over every item on up to all cores, each result handed to `sink` on the calling
/// thread in input order, as soon as it and those before it are done: only the results
/// finished ahead of their turn are held, not every result as [`map`] holds them (with
/// workers taking items in order and items of like cost, a few; behind one item far slower
/// than the rest, as many as the others finish meanwhile). The first error `sink` returns
/// stops the workers taking more items and is returned.
pub(crate) fn map_in_order<T: Sync, R: Send, E>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, R)>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, f) = (&next, &stop, &f);
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers hold senders now: the loop below ends when they are all done.
        drop(tx);
        let mut ahead: std::collections::BTreeMap<usize, R> = std::collections::BTreeMap::new();
        let mut due = 0;
        for (i, r) in rx {
            ahead.insert(i, r);
            while let Some(r) = ahead.remove(&due) {
                due += 1;
                if let Err(e) = sink(r) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

/// [`map`] taking the items by value (each moved to the worker that takes it).
pub fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    map(&slots, |slot| {
        let item = slot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .expect("each item is taken once");
        f(item)
    })
}

/// Frees `value` on a thread of its own: a large model is hundreds of thousands of
/// allocations (a test run's cases each release shared names; tens of milliseconds for a
/// 1 GB repository's reports), and a command that is done with it only has its output left
/// to write.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    use std::sync::{mpsc, OnceLock};
    type Garbage = Box<dyn Send>;
    static LATER: OnceLock<mpsc::Sender<Garbage>> = OnceLock::new();
    let tx = LATER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Garbage>();
        std::thread::spawn(move || rx.into_iter().for_each(drop));
        tx
    });
    // The thread never ends, so the send cannot fail; if it did, the value is dropped here.
    let _ = tx.send(Box::new(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            (0..1000).map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
        let owned: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        assert_eq!(
            super::map_owned(owned.clone(), |s| s + "!"),
            owned.iter().map(|s| format!("{s}!")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn hands_results_over_in_input_order_and_stops_at_an_error() {
        // Uneven work, so that later items are often done before earlier ones.
        let items: Vec<u64> = (0..500).collect();
        let slow = |x: &u64| {
            if x % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            x * 3
        };
        let mut got = Vec::new();
        super::map_in_order(&items, slow, |r| {
            got.push(r);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(got, items.iter().map(|x| x * 3).collect::<Vec<_>>());
        // An error from the sink is returned, after exactly the results before it.
        let mut seen = Vec::new();
        let r = super::map_in_order(&items, slow, |r| {
            if r == 30 {
                return Err("stop");
            }
            seen.push(r);
            Ok(())
        });
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, (0..10).map(|x| x * 3).collect::<Vec<_>>());
        assert_eq!(
            super::map_in_order(&[] as &[u8], |x| *x, |_| Ok::<(), ()>(())),
            Ok(())
        );
    }
}
