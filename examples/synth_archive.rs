//! The benchmark's organization-week (scripts/bench-sessions.sh): the
//! synthetic archive of tests/audit/synth.rs at scale, deterministic.
//!
//! `synth_archive DIR ACCOUNTS REGIONS HOURS FILLER` writes the
//! organization trail's log files (no digests: `sessions` does not read
//! them, and signing half a million digests would dominate the
//! generation) and one planted session of each verdict.

#[path = "../tests/audit/synth.rs"]
mod synth;

use std::path::PathBuf;

use synth::*;
use time::macros::datetime;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let [dir, accounts, regions, hours, filler] = &a[..] else {
        eprintln!("usage: synth_archive DIR ACCOUNTS REGIONS HOURS FILLER");
        std::process::exit(2);
    };
    let root = PathBuf::from(dir);
    let accounts: Vec<String> = (0..accounts.parse::<u64>().unwrap()).map(|i| format!("{:012}", 300_000_000_000 + i)).collect();
    let all = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"];
    let regions: Vec<String> = all[..regions.parse::<usize>().unwrap()].iter().map(|r| r.to_string()).collect();
    let start = datetime!(2026-11-02 00:00 UTC);
    let spec = Spec {
        org: "o-a1b2c3d4e5".into(),
        bucket: "sessionlog-222222222222-us-east-1".into(),
        trail_prefix: "cloudtrail".into(),
        accounts_prefix: "accounts".into(),
        accounts: accounts.clone(),
        regions: regions.clone(),
        start,
        hours: hours.parse().unwrap(),
        filler: filler.parse().unwrap(),
        sessions: plant_each(&accounts, &regions, start + time::Duration::hours(30)),
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let pairs: Vec<(String, String)> = accounts.iter().flat_map(|a| regions.iter().map(move |r| (a.clone(), r.clone()))).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut out = Out::new(&root);
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((a, r)) = pairs.get(i) else { break };
                    write_log_files(&spec, a, r, &mut out);
                }
                bytes.fetch_add(out.bytes, std::sync::atomic::Ordering::Relaxed);
            });
        }
    });
    let mut out = Out::new(&root);
    write_session_logs(&spec, &mut out);
    println!("{} bytes", bytes.into_inner() + out.bytes);
}
