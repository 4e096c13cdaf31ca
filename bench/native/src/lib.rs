//! Benchmarks only: `benches/append.rs` (the CPU of one banner event,
//! criterion) and `benches/growth.rs` (an append against the log's size, on
//! SQLite). What both append.

use assent_core::event::ConsentEvent;
use assent_core::log::sequencer::{AppendRequest, Proof};
use assent_core::log::LogOrigin;

/// The append the edge makes for a banner `event` (received 5 ms after the
/// client sent it, from Germany, under the vectors' origin).
pub fn request(event: ConsentEvent) -> AppendRequest {
    AppendRequest {
        received_at_ms: event.client_time_ms + 5,
        event,
        sec_gpc: false,
        country: Some("DE".into()),
        origin: LogOrigin::parse("edge.example/vectors").unwrap(),
        issuer: "https://edge.example".into(),
        form: None,
        regime: None,
        import: None,
        proof: Proof::Edge,
    }
}
