//! An append's cost against the log's size, from 10^3 to 10^6 leaves, on the
//! SQL the Durable Object runs: the edge's `SqlLogStore` over SQLite
//! (rusqlite, bundled; in memory, so the figure is the code's and SQLite's,
//! not a disk's). The log is filled by real appends (distinct subjects,
//! each a banner event with its receipt); at each size the next
//! `SAMPLE` appends are timed one by one (read, validate, append, sign).
//! The tree's frontier and the subject index keep an append's work
//! logarithmic or constant; this shows whether it is.
//!
//! `cargo bench --manifest-path bench/native/Cargo.toml --bench growth`
//! (`make bench-cpu`); `GROWTH_MAX=100000` stops earlier.
use std::time::{Duration, Instant};

use assent_bench_native::request;
use assent_core::event::{ConsentEvent, Context};
use assent_core::log::conformance::{config, event, key};
use assent_core::log::sequencer;
use assent_edge::log_store::{native, SqlLogStore, SCHEMA};

const T0: u64 = 1_795_000_000_000;
const SAMPLE: usize = 2_000;

fn main() {
    let max: u64 = std::env::var("GROWTH_MAX").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let config = config();
    let key = key();
    let mut store = SqlLogStore(native::connection(SCHEMA));
    let mut n = 0u64;
    let append = |store: &mut SqlLogStore<_>, n: u64| {
        let json = serde_json::to_vec(&event(&config, n, n, "give", true, T0 + n)).unwrap();
        let e = ConsentEvent::from_json(&json).unwrap();
        e.validate(&config, &Context { now_ms: e.client_time_ms + 5, self_origin: None }).unwrap();
        sequencer::append(store, &config, &key, request(e)).unwrap();
    };
    println!("| leaves | append p50 | p90 | p99 | mean | fill rate before |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut size = 1_000u64;
    while size <= max {
        let fill = Instant::now();
        let filled = size - n;
        while n < size {
            append(&mut store, n);
            n += 1;
        }
        let rate = filled as f64 / fill.elapsed().as_secs_f64();
        let mut times: Vec<Duration> = (0..SAMPLE)
            .map(|_| {
                let t = Instant::now();
                append(&mut store, n);
                n += 1;
                t.elapsed()
            })
            .collect();
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
        let mean = times.iter().sum::<Duration>().as_secs_f64() * 1e6 / times.len() as f64;
        println!(
            "| {size} | {:.0} µs | {:.0} µs | {:.0} µs | {mean:.0} µs | {rate:.0}/s |",
            at(0.5),
            at(0.9),
            at(0.99)
        );
        size *= 10;
    }
}
