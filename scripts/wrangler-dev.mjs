// The real worker under `wrangler dev` (workerd, SQLite-backed Durable
// Objects, fresh state on free ports), Debian's Chromium, and the built
// `assent` CLI: shared by the end-to-end tests (tests/e2e/harness.mjs) and the
// benchmarks (bench/), which import from here and not from each other.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, mkdirSync, rmSync, openSync, closeSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { tmpdir } from "node:os";

export const ROOT = resolve(import.meta.dirname, "..");
// Outside the repository: nothing a running worker writes may look like a
// source change to a file watcher.
const TMP = join(tmpdir(), "assent-tests");
const BIN = join(ROOT, "node_modules/.bin");

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * A dev-only wrangler config without the rate limiter, for load (benchmarks,
 * tests that post many events from one client). It is `wrangler.toml` with
 * its `[[ratelimits]]` binding and `[build]` step left out (the edge fails
 * open without the binding), absolute paths, and another worker name; it is
 * written under the OS temp folder for one run and never deployed. The
 * production config is not touched and carries no switch to lift the limit.
 */
export function unlimitedConfig(dir) {
  return devConfig(dir, { limits: false });
}

/**
 * The production config for a local run of the built worker: without its
 * custom build (the suite and the benchmarks build first; a build inside
 * `wrangler dev` would race the readiness timeout whenever a source file is
 * newer than the bundle), and with the rate limits unless `limits` is false.
 */
export function devConfig(dir, { limits = true, main } = {}) {
  const text = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const out = [];
  let table = ""; // the current [table] or [[array]] ("" at the top level)
  const absolute = (key) => (line) =>
    line.replace(new RegExp(`^${key}\\s*=\\s*"(.*)"`), (_, p) => `${key} = ${JSON.stringify(resolve(ROOT, p))}`);
  for (let line of text.split("\n")) {
    const header = line.match(/^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?/);
    if (header) table = header[1];
    if ((!limits && table === "ratelimits") || table === "build") continue;
    if (table === "") {
      line = absolute("main")(line.replace(/^name\s*=.*$/, `name = "assent-edge-dev${limits ? "" : "-unlimited"}"`));
      // Another build of the worker (the shard benchmark's, with its sites).
      if (main) line = line.replace(/^main\s*=.*$/, `main = ${JSON.stringify(resolve(main))}`);
    } else if (table === "assets") {
      line = absolute("directory")(line);
    }
    out.push(line);
  }
  const config = out.join("\n");
  if (!limits && /ratelimits|_LIMITER/.test(config.replace(/#.*$/gm, ""))) {
    throw new Error("unlimitedConfig: a rate-limit binding survived");
  }
  const path = join(dir, limits ? "wrangler.dev.toml" : "wrangler.unlimited.toml");
  writeFileSync(path, config);
  return path;
}

/**
 * Starts the built worker with fresh state; resolves once it answers.
 * It runs `devConfig()` (the built bundle, never a build of its own);
 * `rateLimit: false` without the limiter bindings;
 * `https: true` serves it over https with wrangler's self-signed certificate
 * (callers accept it, e.g. `NODE_TLS_REJECT_UNAUTHORIZED=0` for fetch);
 * `main` runs another build of the worker (its shim.mjs).
 */
export async function startEdge({ vars = {}, assets, rateLimit = true, https = false, main, secrets } = {}) {
  mkdirSync(TMP, { recursive: true });
  const state = mkdtempSync(join(TMP, "state-"));
  const config = devConfig(state, { limits: rateLimit, main });
  const port = await freePort();
  // `secrets` ({adminKey, keys}) of another edge: the same deployment's
  // secrets on fresh state (a restore's target).
  const adminKey = secrets?.adminKey ?? randomBytes(24).toString("hex");
  const keys = secrets?.keys ?? { signingKey: newSigningKey(), retiredKeys: "", formSecret: randomBytes(32).toString("base64url") };
  const scheme = https ? "https" : "http";
  // workerd binds loopback ports of its own that wrangler picks at random: on
  // a busy machine one can be taken (an outgoing connection's ephemeral port)
  // before workerd binds it. That start is tried again, never the test.
  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await spawnWrangler({ state, port, adminKey, vars, assets, config, scheme, ...keys });
      } catch (e) {
        if (attempt >= 3 || !/Address already in use/.test(e.message)) throw e;
        console.error(`wrangler dev: a port was taken at start (attempt ${attempt}); starting again`);
      }
    }
  };
  let proc = await start();
  const edge = {
    url: `${scheme}://127.0.0.1:${port}`,
    /** Where workerd keeps this edge's state (Durable Objects' SQLite files under persist/). */
    state,
    adminKey,
    keys,
    log: () => proc.log(),
    /** CPU seconds workerd has used so far (user + system, from /proc): the
     *  worker and every Durable Object it runs, on this machine. */
    workerdCpu: () => workerdCpu(proc.group),
    /** The port of the worker's inspector (DevTools protocol: a CPU profile). */
    inspectorPort: () => proc.inspector,
    /** `sql` on every object's SQLite file, its rows (`storedRows`); with the
     *  worker down (`down()`, `crash()`) it may write. */
    sql: (sql) => storedRows(edge, sql, { write: true }),
    /** Stops workerd and starts it again on the same state (a worker restart),
     *  optionally with other keys (a key rotation). */
    async restart(newKeys = {}) {
      await proc.kill();
      Object.assign(keys, newKeys);
      proc = await start();
    },
    /** Takes the worker down (connections refused) until `up()`. */
    async down() {
      await proc.kill();
    },
    /** Kills wrangler and workerd at once (SIGKILL: no shutdown runs, as in a
     *  crash or a machine lost); `up()` starts them again on the same state. */
    async crash() {
      await proc.kill("SIGKILL");
    },
    /** Starts it again on the same state, with `moreVars` added to its vars. */
    async up(moreVars = {}) {
      vars = { ...vars, ...moreVars };
      proc = await start();
    },
    async stop() {
      await proc.kill();
      rmSync(state, { recursive: true, force: true });
    },
  };
  return edge;
}

/** CPU seconds (user + system) of the `workerd` processes in process group `group`. */
function workerdCpu(group) {
  const r = spawnSync("ps", ["-o", "pid=,comm=", "-g", String(group)], { encoding: "utf8" });
  const hz = 100; // USER_HZ: /proc's clock ticks on Linux
  return r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/)).filter(([, comm]) => comm === "workerd")
    .reduce((sum, [pid]) => {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return sum + (Number(fields[11]) + Number(fields[12])) / hz;
    }, 0);
}

/** A fresh Ed25519 signing key in the edge's secret form (base64url seed). */
export function newSigningKey() {
  return randomBytes(32).toString("base64url");
}

async function spawnWrangler({ state, port, adminKey, signingKey, retiredKeys, formSecret, vars, assets, config, scheme = "http" }) {
  const inspector = await freePort();
  const env = {
    ...process.env,
    PATH: `${BIN}:${process.env.HOME}/.cargo/bin:${process.env.PATH}`,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WASM_OPT_BIN: join(BIN, "wasm-opt"),
    TMPDIR: state,
  };
  const child = spawn(
    join(BIN, "wrangler"),
    ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--local-protocol", scheme,
     ...(config ? ["--config", config] : []),
     "--inspector-port", String(inspector), "--persist-to", join(state, "persist"),
     "--var", `ADMIN_KEY:${adminKey}`, "--var", `SIGNING_KEY:${signingKey}`,
     // The forms' secret, and the local mailbox the tests read (never in a deploy).
     "--var", `FORM_SECRET:${formSecret}`, "--var", "MAILER:dev",
     // Geography from the X-Assent-Geo header (workerd's own is a placeholder).
     "--var", "ASSENT_DEV:1",
     // The edge's public origin is configuration, never the Host header.
     "--var", `PUBLIC_ORIGINS:${scheme}://127.0.0.1:${port}`,
     ...(retiredKeys ? ["--var", `RETIRED_KEYS:${retiredKeys}`] : []),
     ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
     ...(assets ? ["--assets", assets] : []),
     "--show-interactive-dev-session=false"],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let log = "";
  // ASSENT_EDGE_LOGS=<dir>: every edge's output kept in <dir>/<port>.log as
  // well, for a run whose failure needs wrangler's own account (with
  // WRANGLER_LOG=debug: its reloads, the proxy's pause and play).
  const keep = process.env.ASSENT_EDGE_LOGS && join(process.env.ASSENT_EDGE_LOGS, `${port}.log`);
  if (keep) mkdirSync(process.env.ASSENT_EDGE_LOGS, { recursive: true });
  const take = (d) => { log += d; if (keep) appendFileSync(keep, d); };
  child.stdout.on("data", take);
  child.stderr.on("data", take);
  const exited = new Promise((r) => child.on("exit", r));
  const url = `${scheme}://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      const r = await fetch(`${url}/assent.js`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`wrangler dev not ready in time:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    log: () => log,
    /** The process group: wrangler's node and its workerd. */
    group: child.pid,
    /** wrangler's inspector (Chrome DevTools protocol) for the worker. */
    inspector,
    async kill(signal = "SIGTERM") {
      try { process.kill(-child.pid, signal); } catch {}
      const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch {} }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Rows of `sql` run read-only on every Durable Object's SQLite file that has
 * its tables (a site's log shards, its directory), with Debian's `sqlite3` CLI.
 * For tests that must see what is stored without asking the worker, whose
 * reads would change it (a checkpoint read signs on demand).
 */
export function storedRows(edge, sql, { write = false } = {}) {
  const dir = join(edge.state, "persist/v3/do");
  const files = readdirSync(dir, { recursive: true })
    .filter((f) => /(SiteLog|SiteDirectory)\/[0-9a-f]+\.sqlite$/.test(f))
    .map((f) => join(dir, f));
  return files.flatMap((file) => {
    const r = spawnSync("sqlite3", [...(write ? [] : ["-readonly"]), "-json", file, sql], { encoding: "utf8" });
    // A directory has no log tables, a shard no directory tables: skip them.
    if (r.status !== 0 && /no such table/.test(r.stderr)) return [];
    if (r.status !== 0) throw new Error(`sqlite3 ${file}: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  });
}

/** Launches Debian's Chromium, headless, quiet on a closed network (plus `extraArgs`). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  // Every wait of a page (a selector, a navigation, a function) ends when
  // what it waits for happens; its bound only catches a hang. Playwright's
  // 30 s default is a fixed timeout a busy machine can reach (a cold `make
  // test` on 2 cores once did, loading the 50th banner of a test): the bound
  // is PAGE_WAIT_MS instead.
  const bounded = (target) => {
    target.setDefaultTimeout(PAGE_WAIT_MS);
    target.setDefaultNavigationTimeout(PAGE_WAIT_MS);
    return target;
  };
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = async (...args) => bounded(await newContext(...args));
  browser.newPage = async (...args) => bounded(await newPage(...args));
  return browser;
}

/** How long a page's wait may take before the test calls it a hang: 2 minutes. */
export const PAGE_WAIT_MS = 120_000;

/** The edge's public config for a language. */
export async function siteConfig(edge, lang, site = "demo") {
  const r = await fetch(`${edge.url}/v1/sites/${site}/config?lang=${lang}`);
  return r.json();
}

/** A UUIDv7 drawn at `ms` (RFC 9562): what the widget draws for a new subject (its time places it in a shard). */
export function uuidv7(ms = Date.now()) {
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A valid refusal on the demo site for the notice `en` (a config answer), with overrides. */
export function demoEvent(en, overrides = {}) {
  return {
    event_id: randomUUID(),
    site: "demo",
    subject: randomUUID(),
    action: "refuse",
    decisions: { necessary: true, analytics: false, marketing: false, personalisation: false },
    notice: { version: en.notice_version, language: en.language, hash: en.notice_hash },
    ui: { surface: "banner", control: "reject_all" },
    client_time_ms: Date.now(),
    gpc: false,
    page: { origin: "https://demo.assent.example", path: "/" },
    widget_version: "test",
    ...overrides,
  };
}

/**
 * The built `assent` CLI: the release build (`make cli`), or `ASSENT_CLI`
 * (`make test` points it at the debug build its unit tests already made: the
 * same code, without a second whole-program optimised build).
 */
export const ASSENT_CLI = process.env.ASSENT_CLI ? resolve(ROOT, process.env.ASSENT_CLI) : join(ROOT, "target/release/assent");

/** Runs the built `assent` CLI; resolves to {status, stdout, stderr}. */
export function assent(args, input) {
  const r = spawnSync(ASSENT_CLI, args, {
    input, encoding: "utf8", timeout: 600_000, maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the `assent` CLI with stdout going to a file (large exports). */
export function assentToFile(args, path) {
  const out = openSync(path, "w");
  try {
    const r = spawnSync(ASSENT_CLI, args, {
      stdio: ["ignore", out, "pipe"], encoding: "utf8", timeout: 600_000,
    });
    if (r.error) throw r.error;
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(out);
  }
}

/**
 * What a consent store must hold after a load (the benchmarks' check): every
 * event id in `acked` is in `site`'s export, none is there twice, and `assent
 * verify log` rebuilds every shard's signed checkpoint from it. Answers
 * `{lost, doubled, perShard (events in shards 0..shards-1), valid, stderr}`.
 */
export async function auditLog(edge, site, acked, shards) {
  const dir = scratch();
  const cps = join(dir, "checkpoints.json");
  // Let the last checkpoints be signed.
  await new Promise((ok) => setTimeout(ok, 1500));
  writeFileSync(cps, await (await fetch(`${edge.url}/v1/sites/${site}/log/checkpoints`)).text());
  const exported = assent(["export", "--edge", edge.url, "--site", site, "--admin-key", edge.adminKey]);
  if (exported.status !== 0) throw new Error(`export: ${exported.stderr}`);
  const lines = exported.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const ids = new Set(lines.map((l) => l.record.event.event_id));
  const exportPath = join(dir, "export.jsonl");
  writeFileSync(exportPath, exported.stdout);
  const verify = assent(["verify", "log", "--export", exportPath, "--checkpoint", cps, "--jwks", `${edge.url}/.well-known/jwks.json`]);
  return {
    lost: [...acked].filter((id) => !ids.has(id)).length,
    doubled: lines.length - ids.size,
    perShard: Array.from({ length: shards }, (_, k) => lines.filter((l) => (l.shard ?? 0) === k).length),
    valid: verify.status === 0,
    stderr: verify.stderr,
  };
}

/** A scratch folder for files a test or bench writes (receipts, checkpoints, exports). */
export function scratch() {
  mkdirSync(TMP, { recursive: true });
  return mkdtempSync(join(TMP, "files-"));
}
