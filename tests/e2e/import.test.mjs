// List imports against the real worker and the built `assent` CLI: a CSV of
// 100,000 rows with 1% bad rows of every kind (invalid addresses, formulas,
// a 10 MB line, invalid UTF-8, empty rows) and duplicates (the same address
// in another spelling, and keyed hashes the site computed itself) is
// imported into the suppressions of site `example`. The report's counts and
// rejected rows are exact; every batch is one `import` record whose count
// and digest match the suppression rows it put there; no address reaches a
// stored file or the worker's log; an imported address opting in later is
// flagged `readds` with its batch's record; a `read` key may not import.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { startEdge, storedRows, assent, scratch, stored, siteKey, lookupKey as harnessLookupKey } from "./harness.mjs";

const ROWS = 100_000;
const IMPORT = "/v1/admin/sites/example/suppressions/import";

let edge, form, dir, writer, reader;
before(async () => {
  edge = await startEdge({ rateLimit: false });
  form = await (await fetch(`${edge.url}/v1/sites/example/forms/newsletter?lang=en`)).json();
  dir = scratch();
  writer = createKey("list desk", "write");
  reader = createKey("analyst", "read");
});
after(async () => {
  await edge?.stop();
});

const owner = (key) => ["--edge", edge.url, "--site", "example", "--admin-key", key];
const call = async (path, key, init = {}) => {
  const go = () => fetch(`${edge.url}${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) } });
  try {
    return await go();
  } catch (e) {
    // A long `assent` run (spawnSync) blocks the event loop: fetch's pooled
    // connection may have been closed by workerd meanwhile. A GET is retried.
    if ((init.method ?? "GET") !== "GET" || e.cause?.code !== "UND_ERR_SOCKET") throw e;
    return go();
  }
};

const createKey = (name, scopes) => siteKey(edge, name, scopes);
/** The site's lookup key of an address, as the site itself can compute it from FORM_SECRET. */
const lookupKey = (email) => harnessLookupKey(edge, email);

const suppressionsCount = () =>
  storedRows(edge, "SELECT count(*) AS n FROM suppressions WHERE kind = 'opt_out'").reduce((n, r) => n + r.n, 0);

/**
 * Writes the list: row i+1 (no header) is an address, except every 100th
 * (1% bad, five kinds in turn), an earlier address in capitals, a keyed
 * hash of an earlier address, and a keyed hash of an address not otherwise
 * listed (every 1000th). Returns the file and what the report must say.
 */
function writeList(path) {
  const fd = openSync(path, "w");
  const errors = [];
  const byCode = {};
  const expect = { rows: ROWS, accepted: 0, duplicated: 0, rejected: 0 };
  let chunk = [];
  const flush = () => {
    writeSync(fd, Buffer.concat(chunk));
    chunk = [];
  };
  const reject = (row, code) => {
    errors.push([row, code]);
    byCode[code] = (byCode[code] ?? 0) + 1;
    expect.rejected++;
  };
  let bigWritten = false;
  for (let i = 0; i < ROWS; i++) {
    const row = i + 1;
    const end = i % 2 ? "\r\n" : "\n";
    let line;
    if (i % 100 === 50) {
      switch (Math.floor(i / 100) % 5) {
        case 0: line = `not-an-address-${i}`; reject(row, "email_invalid"); break;
        case 1: line = `=cmd|' /C calc'!A0`; reject(row, "email_invalid"); break;
        case 2:
          if (!bigWritten) {
            flush();
            writeSync(fd, Buffer.alloc(10 * 1024 * 1024, "a"));
            line = `@example.com`;
            bigWritten = true;
          } else {
            line = `${"b".repeat(5000)}${i}@example.com`;
          }
          reject(row, "line_too_long");
          break;
        case 3: line = Buffer.concat([Buffer.from(`user`), Buffer.from([0xff, 0xfe]), Buffer.from(`${i}@example.com`)]); reject(row, "encoding_invalid"); break;
        case 4: line = i % 200 === 50 ? "" : "   "; reject(row, "empty"); break;
      }
    } else if (i % 100 === 77) {
      line = `USER${i - 50}@EXAMPLE.COM`; // the same address as row i - 49
      expect.duplicated++;
    } else if (i % 100 === 88) {
      line = lookupKey(`user${i - 10}@example.com`); // the site's own hash of row i - 9
      expect.duplicated++;
    } else if (i % 1000 === 999) {
      line = lookupKey(`hashonly${i}@example.com`);
      expect.accepted++;
    } else {
      line = i % 3 === 0 ? `"User${i}@Example.com"` : ` user${i}@example.com `;
      expect.accepted++;
    }
    chunk.push(Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from(end));
    if (chunk.length > 2000) flush();
  }
  flush();
  closeSync(fd);
  return { expect, errors, byCode };
}

/** Every byte of every file of the worker's state (databases, WALs, journals). */
function everyStoredByte() {
  const root = join(edge.state, "persist");
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath ?? d.path, d.name)));
}

/** A form submission to the example newsletter (not confirmed); its answer. */
async function submit(email) {
  const offers = Object.fromEntries(form.notice.offers.map((o) => [o.key, o.key === "email:newsletter"]));
  const body = {
    event: {
      event_id: randomUUID(), site: "example", subject: randomUUID(), action: "give", decisions: {},
      form: { id: "newsletter", offers },
      notice: { version: form.notice.notice_version, language: form.language, hash: form.notice_hash },
      ui: { surface: "form", control: "submit" }, client_time_ms: Date.now(), gpc: false,
      page: { origin: "https://shop.assent.example", path: "/newsletter" }, widget_version: "test",
    },
    identity: { email },
    age: 1990,
  };
  const r = await fetch(`${edge.url}/v1/sites/example/forms/newsletter/submissions`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  assert.equal(r.status, 202, await r.clone().text());
  return { ...(await r.json()), ...(await stored(edge, "example", body.event.event_id)) };
}

const importRecords = async () =>
  (await (await call("/v1/admin/sites/example/events?limit=500", reader.key)).json()).records
    .filter((r) => r.record.event.action === "import");

let report;

test("a list of 100,000 rows with 1% bad rows and duplicates: exact counts, rejected rows by number and code", () => {
  const file = join(dir, "optouts.csv");
  const { expect, errors, byCode } = writeList(file);
  const started = process.hrtime.bigint();
  const r = assent(["import", ...owner(writer.key), file]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  assert.equal(r.status, 0, r.stderr);
  report = JSON.parse(r.stdout);
  assert.deepEqual(
    { rows: report.rows, accepted: report.accepted, duplicated: report.duplicated, rejected: report.rejected },
    expect,
  );
  assert.deepEqual(report.rejected_by_code, byCode);
  assert.deepEqual(report.rejected_by_code, { email_invalid: 400, line_too_long: 200, encoding_invalid: 200, empty: 200 });
  assert.equal(report.errors.length, 1000, "every rejected row listed (at most 1000 are)");
  assert.deepEqual(report.errors, errors);
  assert.match(r.stderr, new RegExp(`${ROWS} rows: ${expect.accepted} accepted, ${expect.duplicated} duplicated, ${expect.rejected} rejected`));
  // No row's content is echoed: not the formula, not an address.
  assert.ok(!r.stdout.includes("calc") && !r.stdout.includes("@"), "the report holds numbers and codes only");
  const rate = Math.round(ROWS / seconds);
  console.log(`# import: ${ROWS} rows (13 MB with the 10 MB line) in ${seconds.toFixed(1)} s: ${rate} rows/s`);
  test.diagnostic?.(`import rate ${rate} rows/s`);
});

test("the suppressions hold exactly the accepted entries, each batch is one import record whose count and digest match its rows", async () => {
  assert.equal(suppressionsCount(), report.accepted);
  const records = await importRecords();
  assert.equal(records.length, report.records.length);
  assert.ok(records.length >= 20, `${records.length} batches`);
  assert.deepEqual(
    records.map((r) => r.record.event.event_id).sort(),
    report.records.map((r) => r.event_id).sort(),
  );
  let sum = 0;
  for (const { index, record } of records) {
    const id = record.event.event_id;
    assert.equal(record.import.kind, "opt_out");
    assert.deepEqual([record.event.ui.surface, record.event.ui.control], ["api", "import"]);
    assert.equal(record.event.page.path, IMPORT);
    assert.deepEqual(record.event.decisions, { necessary: true, analytics: false });
    assert.notEqual(record.event.subject, id);
    assert.equal(report.records.find((r) => r.event_id === id).index, index);
    const lookups = storedRows(edge, `SELECT lookup, kind FROM suppressions WHERE event_id = '${id}'`);
    assert.ok(lookups.every((l) => l.kind === "opt_out"));
    assert.equal(lookups.length, record.import.count, `record ${index}`);
    const text = lookups.map((l) => l.lookup).sort().map((l) => `${l}\n`).join("");
    assert.equal(record.import.digest, createHash("sha256").update(text).digest("hex"), `digest of record ${index}`);
    sum += record.import.count;
  }
  assert.equal(sum, report.accepted);
  // The keyed hashes the site computed are the same keys its addresses get.
  const hashed = lookupKey("hashonly999@example.com");
  assert.equal(storedRows(edge, `SELECT count(*) AS n FROM suppressions WHERE lookup = '${hashed}'`)[0].n, 1);
});

test("no address is in any stored file or in the worker's log", () => {
  const bytes = everyStoredByte();
  assert.ok(bytes.length > 0);
  for (const needle of ["user27@example.com", "user99976@example.com", "User99@Example.com", "hashonly999@example.com", "@example.com", "@EXAMPLE.COM"]) {
    const b = Buffer.from(needle);
    assert.ok(!bytes.some((file) => file.indexOf(b) >= 0), `${needle} stored`);
  }
  assert.ok(!edge.log().includes("@example.com"), "no address in the worker's log");
});

test("an imported address (or hash) that opts in later is flagged as a re-addition of its batch's record", async () => {
  const imported = (email) =>
    storedRows(edge, `SELECT event_id FROM suppressions WHERE lookup = '${lookupKey(email)}'`)[0].event_id;
  const ids = new Set(report.records.map((r) => r.event_id));
  for (const [typed, normal] of [["USER27@example.com", "user27@example.com"], ["hashonly999@example.com", "hashonly999@example.com"]]) {
    const batch = imported(normal);
    assert.ok(ids.has(batch), "suppressed by one of this import's records");
    const answer = await submit(typed);
    assert.equal(answer.record.form.readds, batch, typed);
    const found = await (await call(`/v1/admin/sites/example/subjects?email=${encodeURIComponent(normal)}`, reader.key)).json();
    assert.equal(found.suppressed.kind, "opt_out");
    assert.ok(!JSON.stringify(found).includes(batch), "never which record listed it");
    assert.deepEqual(found.subjects.map((s) => s.subject), [answer.record.event.subject]);
  }
  // An address never imported is not flagged.
  const fresh = await submit("never-imported@example.com");
  assert.equal(fresh.record.form.readds, undefined);
});

test("a second import from stdin, with a header naming the column: duplicates are not suppressed again, rows keep the file's numbers", async () => {
  const before = suppressionsCount();
  const size = (await importRecords()).length;
  const csv = ["Name,Email,Since", "Ana,user1@example.com,2026", "Bob,,2026", "Cy,new-one@example.com,2026", "Di,=1+1,x", "Ed", "Fi,new-two@example.com"].join("\n") + "\n";
  const r = assent(["import", ...owner(writer.key), "-"], csv);
  assert.equal(r.status, 0, r.stderr);
  const again = JSON.parse(r.stdout);
  assert.deepEqual(
    [again.rows, again.accepted, again.duplicated, again.rejected],
    [6, 2, 1, 3],
  );
  assert.deepEqual(again.errors, [[3, "empty"], [5, "email_invalid"], [6, "field_count"]]);
  assert.equal(again.records.length, 1);
  assert.equal(again.records[0].count, 2);
  assert.equal(suppressionsCount(), before + 2);
  assert.equal(storedRows(edge, `SELECT count(*) AS n FROM suppressions WHERE lookup = '${lookupKey("user1@example.com")}' AND event_id = '${report.records[0].event_id}'`)[0].n, 1, "kept by its first batch");
  // Nothing new at all: no record.
  const none = assent(["import", ...owner(writer.key), "-"], "user2@example.com\nUSER2@example.com\n");
  assert.equal(none.status, 0, none.stderr);
  const nothing = JSON.parse(none.stdout);
  assert.deepEqual([nothing.rows, nothing.accepted, nothing.duplicated, nothing.records.length], [2, 0, 2, 0]);
  assert.equal((await importRecords()).length, size + 1, "one record for the first, none for the second");
});

test("the route's refusals: a read key, the wrong media type, a body or batch too large, an unknown kind", async () => {
  const before = suppressionsCount();
  const post = (key, body, { type = "text/csv", query = "" } = {}) =>
    call(`${IMPORT}${query}`, key, { method: "POST", headers: { "content-type": type }, body });
  const cases = [
    [await post(reader.key, "refused@example.com\n"), 403, "scope_missing"],
    [await post(undefined, "refused@example.com\n"), 401, "unauthorized"],
    [await post(writer.key, "refused@example.com\n", { type: "application/json" }), 415, "content_type_invalid"],
    [await post(writer.key, "x".repeat((1 << 20) + 1)), 413, "body_too_large"],
    [await post(writer.key, "refused@example.com\n".repeat(5001)), 413, "batch_too_large"],
    [await post(writer.key, "refused@example.com\n", { query: "?kind=erased" }), 400, "query_invalid"],
    [await post(writer.key, "refused@example.com\n", { query: "?first_row=0" }), 400, "query_invalid"],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, code);
    assert.equal((await r.json()).error.code, code);
  }
  const cli = assent(["import", ...owner(reader.key), "-"], "refused@example.com\n");
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /403 \[scope_missing\]/);
  assert.equal(suppressionsCount(), before, "nothing was suppressed");
  assert.equal(storedRows(edge, `SELECT count(*) AS n FROM suppressions WHERE lookup = '${lookupKey("refused@example.com")}'`)[0].n, 0);
  // The audit trail names the import and its refusal, never an address.
  const trail = await (await call("/v1/admin/sites/example/audit", edge.adminKey)).json();
  const imports = trail.entries.filter((e) => e.op === "suppressions.import");
  assert.ok(imports.some((e) => e.allowed && e.who === "list desk"));
  assert.ok(imports.some((e) => !e.allowed && e.who === "analyst"));
  assert.ok(!JSON.stringify(trail).includes("@example.com"));
  // A curl user's own numbering: first_row and the body's first line.
  const direct = await post(writer.key, "email\ncurl-one@example.com\nnope\n", { query: "?first_row=41" });
  assert.equal(direct.status, 200);
  const answer = await direct.json();
  assert.deepEqual([answer.rows, answer.accepted, answer.errors], [2, 1, [[43, "email_invalid"]]]);
  assert.match(answer.event_id, /^[0-9a-f-]{36}$/);
  assert.equal(typeof answer.index, "number");
});
