// The site owner's console (`/admin`): sign in with a site key, then the
// opt-in charts, the request queue with deadlines, a subject's history and
// receipts (the owner's word marked, an objection recorded), the recycle
// bin, consent given offline, exports, webhook deliveries and the log's
// checkpoint. Every
// number comes from the owner's API; nothing is computed from the log here.
import { client, download, ApiError } from "./api.js";
import { h, table, day } from "./dom.js";
import { chart, rates, breakdown, totals } from "./charts.js";
import { importList } from "./importer.js";
import { offlineView, objectionForm, ownerWord, notesView } from "./offline.js";
import { contactsView } from "./contacts.js";
import { breachesView } from "./breaches.js";
import { keysView, auditView, mailboxView } from "./access.js";
import { settingsView } from "./settings.js";
import initVerify, { batch_fits as batchFits, checkpoint as verifyCheckpoint, verify_extension as verifyExtension } from "./pkg/verify.js";

const SESSION = "assent-console";

function signedIn() {
  try { return JSON.parse(sessionStorage.getItem(SESSION) ?? "null"); } catch { return null; }
}

async function start() {
  const form = document.getElementById("signin");
  const saved = signedIn();
  if (saved) return open(client(saved.site, saved.key));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const site = form.site.value.trim(), key = form.key.value.trim();
    const api = client(site, key);
    try {
      await api.stats(1);
    } catch (err) {
      document.getElementById("signin-error").textContent = err instanceof ApiError
        ? `Refused: ${err.code} (${err.message})` : "The edge could not be reached.";
      return;
    }
    sessionStorage.setItem(SESSION, JSON.stringify({ site, key }));
    open(api);
  });
}

function open(api) {
  document.getElementById("who").textContent = `· site ${api.site}`;
  const app = document.getElementById("app");
  const sections = [
    ["overview", "Opt-ins", overview],
    ["requests", "Requests", requests],
    ["subjects", "Subjects", subjects],
    ["contacts", "Contacts", (api) => contactsView(api, describe)],
    ["deliveries", "Webhooks", deliveries],
    ["retention", "Retention", retention],
    ["import", "Lists", importView],
    ["offline", "Consent offline", (api) => offlineView(api, describe)],
    ["breaches", "Breaches", (api) => breachesView(api, describe)],
    ["settings", "Site settings", (api) => settingsView(api, describe)],
    ["access", "Keys and audit", async (api) => h("div", {}, await keysView(api, describe), await auditView(api, describe))],
    ["log", "Log and exports", log],
    ["mailbox", "Mailbox", (api) => mailboxView(api, describe)],
  ];
  const panel = h("div", { id: "panel", tabindex: "-1" });
  const nav = h("nav", { "aria-label": "Console sections" }, h("ul", { role: "list" },
    sections.map(([id, label]) => h("li", {}, h("button", { type: "button", "data-section": id, onclick: () => show(id) }, label))),
    h("li", {}, h("button", { type: "button", class: "quiet", onclick: () => { sessionStorage.removeItem(SESSION); location.reload(); } }, "Sign out"))));
  app.replaceChildren(nav, panel);
  // The section asked for last is the one shown: an earlier one whose
  // answers arrive later (a slow network, a click on the next section
  // before this one loaded) is dropped, not drawn over it.
  let shown = 0;
  async function show(id) {
    const mine = ++shown;
    for (const b of nav.querySelectorAll("[data-section]")) b.setAttribute("aria-current", b.dataset.section === id ? "page" : "false");
    const [, label, view] = sections.find((s) => s[0] === id);
    delete panel.dataset.ready;
    panel.replaceChildren(h("h1", {}, label), h("p", { role: "status" }, "Loading…"));
    let content;
    try {
      content = await view(api);
    } catch (err) {
      content = h("p", { role: "alert", class: "error" }, describe(err));
    }
    if (mine !== shown) return;
    panel.replaceChildren(h("h1", {}, label), content);
    if (!content.classList?.contains("error")) panel.dataset.ready = id;
  }
  show("overview");
}

function describe(err) {
  if (err instanceof ApiError) {
    return err.code === "scope_missing" ? `This key may not do this (${err.message}).` : `${err.code}: ${err.message}`;
  }
  return "The edge could not be reached.";
}

async function overview(api) {
  const stats = await api.stats(30);
  const purposes = rates(stats, "purpose:", "granted", "refused");
  const offers = rates(stats, "offer:", "ticked", "unticked");
  const t = totals(stats);
  const split = ["accept_all", "reject_all", "save", "withdraw_all"].map((c) => ({ label: c.replace("_", " "), values: stats.counts[`control:${c}`] ?? stats.days.map(() => 0) }));
  return h("div", { class: "grid" },
    h("p", { class: "lede" }, `Last 30 days: ${t.records ?? 0} records, ${t["surface:form"] ?? 0} form submissions, ${t["action:confirm"] ?? 0} confirmations, ${t["subjects:erased"] ?? 0} erasures.`),
    chart("Consent rate per purpose (banner)", stats, purposes.map((p) => ({ label: p.name, values: p.rate })), { percent: true, id: "purposes" }),
    chart("Opt-in rate per channel and purpose (forms)", stats, offers.map((o) => ({ label: o.name, values: o.rate })), { percent: true, id: "offers" }),
    chart("Banner choices", stats, split, { id: "split" }),
    breakdown("By surface", stats, "surface:", "surface"),
    breakdown("By language", stats, "language:", "language"),
    breakdown("By country", stats, "country:", "country"),
    breakdown("By regime", stats, "regime:", "regime"));
}

async function requests(api) {
  const wrap = h("div");
  async function render() {
    const { requests } = await api.requests();
    const rows = requests.map((r) => [
      r.kind, h("code", {}, r.subject), day(r.received_at),
      h("span", { class: r.overdue ? "overdue" : "" }, day(r.due_at) + (r.overdue ? " (overdue)" : "")),
      h("span", { "data-status": r.status }, r.status + (r.decided_by ? ` by ${r.decided_by}` : "") + (r.reason ? `: ${r.reason}` : "")),
      r.status === "open" ? h("span", {},
        h("button", { type: "button", "data-fulfil": r.id, onclick: () => decide(r.id, "fulfil") }, r.kind === "erasure" ? "Erase" : "Release copy"), " ",
        h("button", { type: "button", class: "quiet", onclick: () => decide(r.id, "refuse") }, "Refuse")) : "",
    ]);
    wrap.replaceChildren(requests.length
      ? table("Data-subject requests, open first by deadline", ["Kind", "Subject", "Received", "Due", "Status", ""], rows, { "data-requests": "" })
      : h("p", {}, "No requests."));
  }
  async function decide(id, verb) {
    // A refusal gives its reason, which the person is mailed (Art. 12(4)).
    const reason = verb === "refuse" ? prompt("Why is this request refused? The person is told this reason.") : undefined;
    if (verb === "refuse" && !reason?.trim()) return;
    try {
      await api.decide(id, verb, reason);
      await render();
    } catch (err) {
      wrap.prepend(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  }
  await render();
  return wrap;
}

async function subjects(api) {
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    const q = form.q.value.trim();
    out.replaceChildren(h("p", { role: "status" }, "Looking…"));
    try {
      let subject = q;
      if (q.includes("@")) {
        const found = await api.find(q);
        if (!found.subjects.length) {
          out.replaceChildren(h("p", {}, found.suppressed ? `No contact; the address is suppressed (${found.suppressed.kind === "erased" ? "erased" : "opt-out list"}) since ${found.suppressed.since}.` : "No contact with this address."));
          return;
        }
        subject = found.subjects[0].subject;
      }
      out.replaceChildren(await subjectView(api, subject));
    } catch (err) {
      out.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  } },
  h("label", { for: "q" }, "Email or subject id"), " ",
  h("input", { id: "q", name: "q", required: true, autocomplete: "off" }), " ",
  h("button", { type: "submit" }, "Find"));
  return h("div", {}, form, out, await recycleBin(api));
}

/** Said on `document` when a subject enters or leaves the recycle bin. */
const BIN_CHANGED = "assent:bin-changed";
/** The listeners of the bin shown last (a section shown again replaces them). */
let binListeners = new AbortController();

/** The recycle bin: erased subjects waiting for their purge, each with Restore. */
async function recycleBin(api) {
  binListeners.abort();
  binListeners = new AbortController();
  const wrap = h("section", { "data-recycle-bin": "" });
  async function render(note) {
    let bin;
    try {
      bin = await api.recycleBin();
    } catch (err) {
      wrap.replaceChildren(h("h2", {}, "Recycle bin"), h("p", { class: "error" }, describe(err)));
      return;
    }
    if (bin.days === null) {
      wrap.replaceChildren(h("h2", {}, "Recycle bin"),
        h("p", {}, "This site has no recycle bin: an erasure runs at once (rights.recycle_bin_days in its configuration)."));
      return;
    }
    const rows = bin.subjects.map((e) => [
      h("code", {}, e.subject), day(e.deleted_at), day(e.purge_at), e.by,
      h("button", { type: "button", "data-restore": e.subject, onclick: () => restore(e.subject) }, "Restore"),
    ]);
    wrap.replaceChildren(h("h2", {}, "Recycle bin"),
      note ? h("p", { role: "status" }, note) : "",
      h("p", {}, `An erasure waits here ${bin.days} days, with nothing processed for the subject, before it runs; until then it can be undone.`),
      rows.length
        ? table("Erased subjects waiting for their purge, soonest first", ["Subject", "Deleted", "Erased on", "By", ""], rows, { "data-bin": "" })
        : h("p", { "data-bin": "" }, "The recycle bin is empty."));
  }
  async function restore(subject) {
    try {
      await api.restore(subject);
      await render(`Restored ${subject}.`);
    } catch (err) {
      wrap.append(h("p", { class: "error" }, describe(err)));
    }
  }
  // An erasure or a restore made elsewhere on the page (a subject's view).
  document.addEventListener(BIN_CHANGED, () => render(), { signal: binListeners.signal });
  await render();
  return wrap;
}

async function subjectView(api, subject) {
  const x = await api.exportSubject(subject);
  const state = Object.entries(x.state).map(([k, s]) => [k, s.state, day(new Date(s.since_ms).toISOString())]);
  const history = x.records.map((r) => [
    String(r.index), r.ts27560.event_time.slice(0, 16).replace("T", " "), r.ts27560.event_type,
    ownerWord(r.record) ?? r.ts27560.collection_method,
    `${r.ts27560.notice_version} (${r.ts27560.notice_language})`,
    h("details", {}, h("summary", {}, "receipt"), h("code", { class: "receipt" }, r.receipt)),
  ]);
  const view = h("section", { "data-subject": subject },
    h("h2", {}, x.identity ? `${x.identity.email}` : x.erased_by ? "Erased subject" : x.deleted ? "Subject in the recycle bin" : "Subject"),
    h("p", {}, h("code", {}, subject), x.erased_by ? ` · erased by ${x.erased_by}` : ""),
    x.deleted ? h("p", { "data-deleted": "" }, `In the recycle bin since ${day(x.deleted.at)}: nothing is processed for this subject, and the erasure runs on ${day(x.deleted.purge_at)} unless restored.`) : "",
    state.length ? table("State per channel and purpose", ["Offer", "State", "Since"], state, { "data-state": "" }) : "",
    table("History, oldest first", ["Index", "Time (UTC)", "Event", "How", "Notice", "Receipt"], history, { "data-history": "" }),
    x.erased_by || x.deleted || !x.identity ? "" : objectionForm(api, subject, describe, async () => view.replaceWith(await subjectView(api, subject))),
    x.erased_by || x.deleted || !x.identity ? "" : notesView(api, subject, x.notes ?? [], describe, async () => view.replaceWith(await subjectView(api, subject))),
    h("p", {},
      h("button", { type: "button", class: "quiet", onclick: async () => download(await api.exportSubject(subject, "csv"), `assent-${subject}.csv`) }, "Download CSV"), " ",
      h("button", { type: "button", class: "quiet", onclick: () => download(new Response(JSON.stringify(x, null, 2)), `assent-${subject}.json`) }, "Download JSON"), " ",
      x.erased_by ? "" : x.deleted ? h("button", { type: "button", onclick: async (e) => {
        try {
          await api.restore(subject);
          e.target.replaceWith(h("strong", { role: "status" }, "Restored."));
          document.dispatchEvent(new Event(BIN_CHANGED));
        }
        catch (err) { e.target.after(h("span", { role: "alert", class: "error" }, ` ${describe(err)}`)); }
      } }, "Restore") : h("button", { type: "button", class: "danger", onclick: async (e) => {
        if (!confirm("Erase this subject? The identity is destroyed; the proofs stay.")) return;
        try {
          const done = await api.erase(subject);
          // Where the site has a recycle bin, the answer is its entry.
          const said = done.purge_at ? `In the recycle bin: erased on ${day(done.purge_at)} unless restored.` : "Erased.";
          e.target.replaceWith(h("strong", { role: "status" }, said));
          document.dispatchEvent(new Event(BIN_CHANGED));
        } catch (err) { e.target.after(h("span", { role: "alert", class: "error" }, ` ${describe(err)}`)); }
      } }, "Erase")));
  return view;
}

async function deliveries(api) {
  const { deliveries } = await api.deliveries();
  // A webhook (or mailer) without its address or secret is said so, not
  // left looking like a receiver that never answers.
  const unset = (d) => d.state === "pending" && d.last_error?.startsWith("not configured");
  return deliveries.length
    ? table("Webhook and mail deliveries, newest first", ["Webhook", "Kind", "State", "Tries", "Last status"],
      deliveries.map((d) => [d.webhook, d.kind,
        h("span", { "data-delivery-state": unset(d) ? "not_configured" : d.state }, unset(d) ? "not configured" : d.state),
        String(d.tries ?? 0), d.last_error ?? String(d.last_status ?? "–")]), { "data-deliveries": "" })
    : h("p", {}, "No deliveries.");
}

/** Core's rules compiled to wasm (proof checks, the import's batches), loaded once. */
let wasmReady = null;
const coreWasm = () => (wasmReady ??= initVerify({ module_or_path: "/admin/verify.wasm" }));

const CHANNELS = ["email", "sms", "phone", "post"];

/** The opt-out and block lists: import one (a kind, the channels an
 *  opt-out list withdraws), and list, search, export and remove entries. */
async function importView(api) {
  const out = h("div", { "aria-live": "polite" });
  const progress = h("progress", { max: "1", value: "0", "aria-label": "Import progress" });
  const entries = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    const file = form.list.files[0];
    if (!file) return;
    const kind = form.kind.value;
    const channels = CHANNELS.filter((c) => form[`ch-${c}`].checked);
    const list = kind === "blocked" || channels.length === 0 ? `kind=${kind}` : `kind=${kind}&channels=${channels.join(",")}`;
    out.replaceChildren(h("p", { role: "status" }, `Importing ${file.name}…`));
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      await coreWasm();
      const report = await importList(api, bytes, (done, total) => { progress.max = total; progress.value = done; }, batchFits, list);
      out.replaceChildren(
        h("p", { role: "status", "data-import-done": "" }, `${report.rows} rows: ${report.accepted} suppressed, ${report.duplicated} already on the list, ${report.rejected} rejected.`),
        h("p", { "data-import-withdrawn": "" }, `${report.withdrawn} contacts' consent withdrawn, each by an event the CRM is told of.`),
        table("Rejected rows by reason", ["Reason", "Rows"], Object.entries(report.rejected_by_code).map(([c, n]) => [c, String(n)]), { "data-import-codes": "" }),
        report.errors.length ? h("details", {}, h("summary", {}, "Rejected rows"),
          table("Rejected rows (the first 1000 a batch)", ["Row", "Reason"], report.errors.map(([row, code]) => [String(row), code]), { "data-import-errors": "" })) : "");
      await show();
    } catch (err) {
      out.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  } },
  h("label", { for: "list" }, "List (CSV: an email address or keyed hash a line)"), " ",
  h("input", { id: "list", name: "list", type: "file", accept: ".csv,text/csv", required: true }), " ",
  h("label", { for: "kind" }, "Kind"), " ",
  h("select", { id: "kind", name: "kind" }, h("option", { value: "opt_out" }, "Opt-out list"), h("option", { value: "blocked" }, "Block list")), " ",
  h("fieldset", {}, h("legend", {}, "Channels an opt-out list withdraws (none ticked: all)"),
    CHANNELS.map((c) => h("label", {}, h("input", { type: "checkbox", name: `ch-${c}`, id: `ch-${c}` }), ` ${c} `))), " ",
  h("button", { type: "submit" }, "Import"), " ", progress);

  // The lists: a page at a time, by lookup key; one address by search.
  let after = null;
  async function show({ email, more = false } = {}) {
    if (!more) after = null;
    const page = await api.lists({ email, after });
    after = page.next;
    const rows = page.entries.map((e) => [
      h("code", { title: e.lookup }, `${e.lookup.slice(0, 12)}…`), e.kind, day(e.since),
      e.kind === "erased" ? "kept with its erasure" : h("button", { type: "button", class: "quiet", "data-unlist": e.lookup, onclick: async () => {
        if (!confirm("Take this address off the list? It may opt in again.")) return;
        try {
          await api.unlist(e.lookup);
          await show({ email });
          // After the list is drawn again, which would replace it.
          entries.prepend(h("p", { role: "status", "data-unlisted": "" }, "Taken off the list; the removal is recorded in the log."));
        } catch (err) {
          entries.prepend(h("p", { role: "alert", class: "error" }, describe(err)));
        }
      } }, "Remove"),
    ]);
    const list = table(email ? "The address on the lists" : "Opt-out and block lists, by keyed hash", ["Entry", "Kind", "Since", ""], rows, { "data-lists": "" });
    const next = after ? h("button", { type: "button", class: "quiet", onclick: () => show({ email, more: true }) }, "More") : "";
    entries.replaceChildren(rows.length ? list : h("p", { "data-lists-empty": "" }, email ? "That address is on no list." : "The lists are empty."), next);
  }
  const search = h("form", { class: "inline-form", onsubmit: async (e) => {
    e.preventDefault();
    try { await show({ email: search.q.value.trim() || undefined }); } catch (err) { entries.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err))); }
  } },
  h("label", { for: "lists-q" }, "Find an address"), " ",
  h("input", { id: "lists-q", name: "q", type: "email", autocomplete: "off" }), " ",
  h("button", { type: "submit" }, "Find"), " ",
  h("button", { type: "button", class: "quiet", "data-lists-export": "", onclick: async () => download(await api.listsCsv(), `${api.site}-lists.csv`) }, "Export CSV"));
  await show();
  return h("div", {},
    h("p", {}, "An opt-out list withdraws the listed contacts' consent on its channels, and their later opt-in waits for the link mailed to them. A block list withdraws every channel, and a blocked address cannot opt in at all (its form answer reads as anyone else's). Each batch is one record in the log."),
    form, out, h("h2", {}, "On the lists"), search, entries);
}

async function retention(api) {
  const wrap = h("div");
  async function render(note) {
    const dry = await api.retention();
    const policy = dry.policy
      ? `Identities are anonymised ${dry.policy.inactive_days ? `after ${dry.policy.inactive_days} days without activity` : ""}${dry.policy.inactive_days && dry.policy.unconfirmed_days ? ", and " : ""}${dry.policy.unconfirmed_days ? `after ${dry.policy.unconfirmed_days} days when never confirmed` : ""}. The schedule runs daily.`
      : "This site has no retention policy (rights.retention in its configuration).";
    wrap.replaceChildren(
      note ? h("p", { role: "status" }, note) : "",
      h("p", {}, policy),
      dry.subjects.length
        ? table(`Due now (dry run at ${dry.as_of.slice(0, 16).replace("T", " ")} UTC)`, ["Subject", "Reason", "Last activity"],
          dry.subjects.map((s) => [h("code", {}, s.subject), s.reason, s.last_activity_at.slice(0, 10)]), { "data-retention": "" })
        : h("p", { "data-retention": "" }, "Nothing is due now."),
      dry.subjects.length ? h("button", { type: "button", class: "danger", onclick: async () => {
        try { const ran = await api.runRetention(); await render(`${ran.subjects.length} anonymised.`); }
        catch (err) { wrap.prepend(h("p", { role: "alert", class: "error" }, describe(err))); }
      } }, "Anonymise them now") : "");
  }
  await render();
  return wrap;
}

/**
 * Checks one shard's latest checkpoint with core's own code (wasm): its
 * signature against the edge's keys, and that it extends the last one this
 * browser verified of that shard (kept in localStorage), by the edge's
 * consistency proof.
 */
async function verifyShard(site, shard, note, jwks) {
  const now = JSON.parse(verifyCheckpoint(note, jwks));
  const store = `assent-console-checkpoint:${site}` + (shard ? `/${shard}` : "");
  const seen = localStorage.getItem(store);
  let extended = null;
  if (seen) {
    const old = JSON.parse(verifyCheckpoint(seen, jwks));
    const proof = old.size === now.size
      ? JSON.stringify({ from: old.size, to: now.size, hashes: [] })
      : await (await fetch(`/v1/sites/${site}/log/consistency?from=${old.size}&to=${now.size}` + (shard ? `&shard=${shard}` : ""))).text();
    verifyExtension(seen, note, proof, jwks);
    extended = old.size;
  }
  localStorage.setItem(store, note);
  return { ...now, extended };
}

/** Every shard's checkpoint, verified; one sentence for them all. */
async function verifyLog(site, shards) {
  await coreWasm();
  const jwks = await (await fetch("/.well-known/jwks.json")).text();
  let size = 0, extended = 0, first = false;
  for (const s of shards) {
    const v = await verifyShard(site, s.shard, s.checkpoint, jwks);
    size += v.size;
    if (v.extended === null) first = true; else extended += v.extended;
  }
  const trees = shards.length === 1 ? "" : ` in ${shards.length} trees`;
  return `Verified: signed by the edge's key, ${size} records${trees}` +
    (first ? "; this browser will check the next one extends it." : `, extending the ${extended} this browser verified before: nothing was rewritten.`);
}

async function log(api) {
  const r = await fetch(`/v1/sites/${api.site}/log/checkpoints`);
  const shards = r.ok ? (await r.json()).shards.filter((s) => s.checkpoint) : [];
  const result = h("p", { role: "status", "data-verified": "" });
  const verify = shards.length ? h("button", { type: "button", onclick: async () => {
    result.textContent = "Checking…";
    try {
      result.textContent = await verifyLog(api.site, shards);
      result.dataset.verified = "yes";
    } catch (err) {
      result.dataset.verified = "no";
      result.textContent = `Does not verify: ${err.message ?? err}`;
    }
  } }, "Verify") : "";
  const rows = shards.map((s) => {
    const [origin, size, root] = s.checkpoint.split("\n");
    return h("tr", { "data-shard": s.shard }, h("td", {}, origin), h("td", { "data-size": size }, size), h("td", {}, h("code", {}, root)));
  });
  return h("div", {},
    h("h2", {}, shards.length > 1 ? "Latest signed checkpoints, one per shard" : "Latest signed checkpoint"),
    shards.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Origin"), h("th", {}, "Records"), h("th", {}, "Root hash"))), h("tbody", {}, ...rows))
      : h("p", {}, "The log is empty."),
    ...shards.map((s) => h("pre", { class: "note" }, s.checkpoint)),
    h("p", {}, verify), result,
    h("p", {}, "Check it offline, with the keys you pin: ", h("code", {}, `assent verify consistency OLD NEW --edge ${location.origin}`)),
    h("h2", {}, "Exports"),
    h("p", {},
      h("button", { type: "button", class: "quiet", onclick: async () => download(await api.logExport(), `assent-${api.site}-log.jsonl`) }, "Download the whole log (JSON Lines)"), " ",
      h("button", { type: "button", class: "quiet", onclick: async () => download(new Response(JSON.stringify(await api.audit(), null, 2)), `assent-${api.site}-audit.json`) }, "Download the audit trail")));
}

start();
