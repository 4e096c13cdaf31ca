//! The CPU a banner event costs in Assent's own code, natively: what the
//! edge does for one event (read its JSON, validate it against the site,
//! then the sequencer's append: the subject's history, canonical bytes,
//! the leaf hash, the tree update, the signed receipt) on the SQL the
//! Durable Object runs (the edge's `SqlLogStore` over SQLite in memory,
//! rusqlite), from 10^4 leaves (the log grows by the appends measured).
//! How an append's cost holds from 10^3 to 10^6 leaves: `benches/growth.rs`.
//!
//! `cargo bench --manifest-path bench/native/Cargo.toml` (`make bench-cpu`).
use std::hint::black_box;

use assent_core::event::{ConsentEvent, Context};
use assent_core::log::conformance::{config, event, key};
use assent_bench_native::request;
use assent_core::log::sequencer;
use assent_edge::log_store::{native, SqlLogStore, SCHEMA};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

const T0: u64 = 1_795_000_000_000;


fn bench(c: &mut Criterion) {
    let config = config();
    let key = key();
    let mut group = c.benchmark_group("banner event");
    let mut store = SqlLogStore(native::connection(SCHEMA));
    let mut n = 0u64;
    group.bench_function("read and validate", |b| {
        let e = event(&config, 1, 1, "give", true, T0);
        let json = serde_json::to_vec(&e).unwrap();
        b.iter(|| {
            let e = ConsentEvent::from_json(black_box(&json)).unwrap();
            e.validate(&config, &Context { now_ms: T0 + 5, self_origin: None }).unwrap();
            black_box(e)
        })
    });
    for size in [10_000u64] {
        // Fill to `size` with events of distinct subjects.
        while n < size {
            let e = event(&config, n, n, "give", true, T0 + n);
            sequencer::append(&mut store, &config, &key, request(e)).unwrap();
            n += 1;
        }
        let mut next = 10_000_000u64;
        group.bench_function(format!("read, validate and append at {size} leaves"), |b| {
            b.iter_batched(
                || {
                    next += 1;
                    let e = event(&config, next, next, "give", true, T0 + next);
                    serde_json::to_vec(&e).unwrap()
                },
                |json| {
                    let e = ConsentEvent::from_json(&json).unwrap();
                    let ctx = Context {
                        now_ms: e.client_time_ms + 5,
                        self_origin: None,
                    };
                    e.validate(&config, &ctx).unwrap();
                    black_box(sequencer::append(&mut store, &config, &key, request(e)).unwrap())
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(100).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
