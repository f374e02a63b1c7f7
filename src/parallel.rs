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
}
