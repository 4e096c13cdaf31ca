// Who may do what, and what they did: the site's keys (create one with its
// scopes, see it once, revoke it) and the audit trail, filtered by who, by
// operation, by outcome and by day. Keys are the operator's to manage (the
// edge answers a site key `403 operator_only`, said here in words); the
// trail needs `export`. The rules stay the edge's: this only asks.
import { h, table, day } from "./dom.js";
import { download } from "./api.js";

const SCOPES = [
  ["read", "Read: lists, counts, states and the audit trail"],
  ["export", "Export: the log, a subject's history and identity"],
  ["write", "Write: erasure, restriction, imports, requests"],
  ["attest", "Attest: consent given offline, other lawful bases"],
  ["edit", "Edit: draft the site's texts and configuration, preview them"],
  ["publish", "Publish: put a draft in force (a new notice version)"],
];

/** The keys: a create form (the new key shown once) and the list with Revoke. */
export async function keysView(api, describe) {
  const wrap = h("section", { "data-keys": "" });
  const said = h("div", { "aria-live": "polite" });
  async function render() {
    let keys;
    try {
      ({ keys } = await api.keys());
    } catch (err) {
      const operatorOnly = err.code === "operator_only";
      wrap.replaceChildren(h("h2", {}, "Keys"), h("p", { class: operatorOnly ? "" : "error", "data-keys-refused": err.code },
        operatorOnly ? "Keys are managed with the operator's key: sign in with it to create or revoke the site's keys." : describe(err)));
      return;
    }
    const rows = keys.map((k) => [
      k.name, k.scopes.join(", "), day(k.created_at), k.revoked_at ? `revoked ${day(k.revoked_at)}` : "active",
      k.revoked_at ? "" : h("button", { type: "button", class: "quiet", "data-revoke": k.id, onclick: () => revoke(k) }, "Revoke"),
    ]);
    wrap.replaceChildren(h("h2", {}, "Keys"), form(), said,
      rows.length ? table("The site's keys", ["Name", "Scopes", "Created", "State", ""], rows, { "data-key-list": "" }) : h("p", {}, "No keys yet."));
  }
  function form() {
    const boxes = SCOPES.map(([scope, label]) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "scope", value: scope }), ` ${label}`));
    return h("form", { class: "stack", "data-key-create": "", onsubmit: async (e) => {
      e.preventDefault();
      const f = e.target;
      const scopes = [...f.querySelectorAll("input[name=scope]:checked")].map((b) => b.value);
      if (!scopes.length) {
        said.replaceChildren(h("p", { role: "alert", class: "error" }, "Choose at least one scope."));
        return;
      }
      try {
        const made = await api.createKey(f.name.value.trim(), scopes);
        // The list first, then the key, shown once (the edge keeps only its hash).
        await render();
        said.replaceChildren(h("div", { role: "status", "data-new-key": "" },
          h("p", {}, `Key "${made.name}" created. Copy it now: it is not shown again.`),
          h("code", { class: "receipt", "data-key-secret": "" }, made.key)));
        wrap.querySelector("[data-key-create]")?.before(said);
      } catch (err) {
        said.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
      }
    } },
    h("label", { for: "key-name" }, "Name (who holds it, e.g. \"privacy desk\")"),
    h("input", { id: "key-name", name: "name", required: true, maxlength: "64", autocomplete: "off" }),
    h("fieldset", {}, h("legend", {}, "Scopes"), ...boxes),
    h("button", { type: "submit" }, "Create key"));
  }
  async function revoke(k) {
    if (!confirm(`Revoke "${k.name}"? Whoever holds it is refused from now on.`)) return;
    try {
      await api.revokeKey(k.id);
      // The list as it now is, then the word: what the status says is shown.
      await render();
      said.replaceChildren(h("p", { role: "status" }, `Revoked "${k.name}".`));
      wrap.querySelector("[data-key-create]")?.before(said);
    } catch (err) {
      said.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  }
  await render();
  return wrap;
}

/** The most pages of the trail read for the viewer (500 entries each). */
const MAX_PAGES = 20;

/** The audit trail, oldest first as kept, shown newest first with filters. */
export async function auditView(api, describe) {
  const wrap = h("section", { "data-audit": "" });
  let entries = [];
  try {
    let after;
    for (let page = 0; page < MAX_PAGES; page++) {
      const got = await api.audit(after);
      entries = entries.concat(got.entries);
      if (got.next_after == null) break;
      after = got.next_after;
    }
  } catch (err) {
    wrap.replaceChildren(h("h2", {}, "Audit trail"), h("p", { class: "error" }, describe(err)));
    return wrap;
  }
  const options = (values) => [h("option", { value: "" }, "all"), ...[...new Set(values)].sort().map((v) => h("option", { value: v }, v))];
  const out = h("div", { "aria-live": "polite" });
  const filters = h("form", { class: "inline-form", "data-audit-filters": "", oninput: () => show(), onsubmit: (e) => { e.preventDefault(); show(); } },
    h("label", { for: "audit-who" }, "Who"), " ", h("select", { id: "audit-who", name: "who" }, ...options(entries.map((e) => e.who || "(name erased)"))), " ",
    h("label", { for: "audit-op" }, "Operation"), " ", h("select", { id: "audit-op", name: "op" }, ...options(entries.map((e) => e.op))), " ",
    h("label", { for: "audit-allowed" }, "Outcome"), " ", h("select", { id: "audit-allowed", name: "allowed" },
      h("option", { value: "" }, "all"), h("option", { value: "true" }, "allowed"), h("option", { value: "false" }, "refused")), " ",
    h("label", { for: "audit-from" }, "From"), " ", h("input", { id: "audit-from", name: "from", type: "date" }), " ",
    h("label", { for: "audit-to" }, "To"), " ", h("input", { id: "audit-to", name: "to", type: "date" }));
  function show() {
    const f = filters;
    const kept = entries.filter((e) => {
      const at = new Date(e.at_ms).toISOString().slice(0, 10);
      return (!f.who.value || (e.who || "(name erased)") === f.who.value)
        && (!f.op.value || e.op === f.op.value)
        && (!f.allowed.value || String(e.allowed) === f.allowed.value)
        && (!f.from.value || at >= f.from.value)
        && (!f.to.value || at <= f.to.value);
    }).reverse();
    out.replaceChildren(
      h("p", { role: "status", "data-audit-count": String(kept.length) }, `${kept.length} of ${entries.length} entries`),
      kept.length ? table("The audit trail, newest first", ["#", "When (UTC)", "Who", "Operation", "Target", "Outcome"],
        kept.slice(0, 500).map((e) => [String(e.seq), new Date(e.at_ms).toISOString().slice(0, 16).replace("T", " "), e.who || "(name erased)", e.op, e.target ?? "",
          h("span", { "data-allowed": String(e.allowed) }, e.allowed ? "allowed" : "refused")]), { "data-audit-list": "" }) : "");
  }
  show();
  wrap.replaceChildren(h("h2", {}, "Audit trail"),
    h("p", {}, "Every call made with a key, kept as a hash chain the CLI checks (assent audit)."), filters, out,
    h("p", {}, h("button", { type: "button", class: "quiet", onclick: async () => download(new Response(JSON.stringify({ entries }, null, 2)), `assent-${api.site}-audit.json`) }, "Download the audit trail")));
  return wrap;
}

/**
 * The local mailbox of `make dev` (MAILER=dev): the mails and texts the edge
 * would have sent, newest first, each link ready to open. Deployed, mail goes
 * through the operator's mailer and this says so.
 */
export async function mailboxView(api, describe) {
  const wrap = h("section", { "data-mailbox": "" });
  let mails;
  try {
    ({ mails } = await api.mailbox());
  } catch (err) {
    wrap.replaceChildren(h("h2", {}, "Mailbox"), h("p", { "data-mailbox-closed": err.code },
      err.code === "not_found" ? "The mailbox is the local stand-in of make dev: deployed, mails and texts go through the mailer and SMS provider the operator set (MAILER, SMS)." : describe(err)));
    return wrap;
  }
  const texts = mails.filter((m) => m.mail.subject === "SMS");
  const letters = mails.filter((m) => m.mail.subject !== "SMS");
  const body = (m) => h("div", {}, h("pre", { class: "mail" }, m.mail.text),
    m.mail.link ? h("p", {}, h("a", { href: m.mail.link, "data-mail-link": "" }, m.mail.link)) : "",
    m.mail.footer ? h("pre", { class: "mail" }, m.mail.footer) : "");
  wrap.replaceChildren(h("h2", {}, "Mailbox"),
    h("p", {}, "What the edge would have sent under make dev: confirmation mails, privacy-center links, answers to requests, and texted codes."),
    letters.length
      ? table("Mails, newest first", ["To", "Subject", "Mail"], letters.map((m) => [m.mail.to, m.mail.subject, body(m)]), { "data-mails": "" })
      : h("p", {}, "No mail yet."),
    h("h2", {}, "Texts (SMS)"),
    texts.length
      ? table("Texts, newest first", ["To", "Text"], texts.map((m) => [m.mail.to, m.mail.text]), { "data-texts": "" })
      : h("p", {}, "No text yet."));
  return wrap;
}
