// Load benchmark against the real worker under wrangler dev (workerd, the
// SQLite-backed Durable Objects on disk), driven from this process on
// loopback by a small client of our own: every request is a distinct banner
// event (its own event id and UUIDv7 subject, so the demo site's 4 shards all
// take load), sent by CLIENTS concurrent clients for SECONDS.
//
// Usage: node bench/load.mjs [seconds=20] [clients=16] [--kill]
//   --kill  kills workerd halfway and starts it again on the same state; the
//           clients retry what was not acknowledged with the same event, as the
//           widget's outbox does (a fault test with figures).
//
// Afterwards it checks what a consent store must: every acknowledged event is
// in the owner's export exactly once, no event is there twice, and `assent
// verify log` rebuilds every shard's signed checkpoint from the export.
// Reports the sustained rate, p50/p95/p99 latency, errors and retries.
import { performance } from "node:perf_hooks";
import { startEdge, siteConfig, demoEvent, uuidv7, auditLog } from "../scripts/wrangler-dev.mjs";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const SECONDS = Number(args[0] ?? 20);
const CLIENTS = Number(args[1] ?? 16);
const KILL = process.argv.includes("--kill");

const edge = await startEdge({ rateLimit: false });
try {
  const en = await siteConfig(edge, "en");
  const acked = new Set();
  const latencies = [];
  let errors = 0;
  let retries = 0;
  let sent = 0;
  let stopping = false;
  let down = false;

  async function send(event) {
    // Like the widget's outbox: the same event until it is acknowledged.
    for (;;) {
      const t = performance.now();
      try {
        const r = await fetch(`${edge.url}/v1/sites/demo/events`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(event),
        });
        await r.arrayBuffer();
        if (r.status === 201 || r.status === 200) {
          latencies.push(performance.now() - t);
          acked.add(event.event_id);
          return;
        }
        if (r.status < 500) throw new Error(`refused: HTTP ${r.status}`);
        errors++;
      } catch (e) {
        if (String(e.message).startsWith("refused")) throw e;
        errors++; // connection refused or reset: the worker is down
      }
      retries++;
      await new Promise((ok) => setTimeout(ok, down ? 250 : 50));
    }
  }

  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const killer = KILL
    ? (async () => {
        await new Promise((ok) => setTimeout(ok, (SECONDS * 1000) / 2));
        down = true;
        const t = performance.now();
        await edge.restart();
        down = false;
        console.error(`workerd killed and restarted in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      })()
    : Promise.resolve();
  await Promise.all([
    killer,
    ...Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline && !stopping) {
        sent++;
        await send(demoEvent(en, { subject: uuidv7() }));
      }
    }),
  ]);
  const elapsed = (performance.now() - started) / 1000;

  // What the log holds: every acknowledged event once, every shard's tree rebuilt.
  const { lost, doubled, perShard, valid, stderr } = await auditLog(edge, "demo", acked, 4);

  const pct = (p) => latencies.slice().sort((a, b) => a - b)[Math.floor((latencies.length - 1) * p)] ?? NaN;
  console.log(`\nLoad: banner events, ${CLIENTS} clients, ${SECONDS} s${KILL ? ", workerd killed and restarted halfway" : ""} (wrangler dev on this machine)`);
  console.log("| acknowledged | rate | p50 | p95 | p99 | errors (retried) | lost | doubled | per shard | assent verify log |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  console.log(
    `| ${acked.size.toLocaleString("en")} | ${(acked.size / elapsed).toFixed(0)}/s | ${pct(0.5).toFixed(1)} ms | ${pct(0.95).toFixed(1)} ms | ${pct(0.99).toFixed(1)} ms | ${errors} (${retries}) | ${lost} | ${doubled} | ${perShard.join(" / ")} | ${valid ? "valid" : "INVALID"} |`,
  );
  if (!valid) console.error(stderr);
  if (lost || doubled || !valid) process.exitCode = 1;
} finally {
  await edge.stop();
}
