//! Runs a job over many objects on a bounded number of threads, with a
//! progress bar on a terminal. Each worker holds one object at a time, so
//! memory is bounded by the number of workers × the largest object.

use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

/// How many objects are read at once.
pub fn parallelism() -> usize {
    std::env::var("SESSIONLOG_PARALLEL")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get() * 4).unwrap_or(8).min(32))
}

pub fn progress(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{elapsed}] {wide_bar}").unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

/// `f` over every item, `parallelism()` at a time; results in no
/// particular order.
pub fn each<T: Sync, R: Send>(items: &[T], what: &str, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let bar = progress(items.len() as u64, what);
    let next = Mutex::new(0usize);
    let out = Mutex::new(Vec::with_capacity(items.len()));
    let workers = parallelism().min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                out.lock().unwrap().push(r);
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    out.into_inner().unwrap()
}

/// `f` over every item, `parallelism()` at a time, without a progress
/// bar; results in the items' order.
pub fn each_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = Mutex::new(0usize);
    let out: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let workers = parallelism().min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    let i = *n;
                    *n += 1;
                    i
                };
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                out.lock().unwrap()[i] = Some(r);
            });
        }
    });
    out.into_inner().unwrap().into_iter().map(|r| r.expect("every item ran")).collect()
}
