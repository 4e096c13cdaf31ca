// The breach register in the console: record an incident, watch its
// 72-hour clock, see how many contacts it affects (found by the edge from
// the contact list), export them to notify them, and record where each
// notification stands. The rules are core's (assent_core::breach): the
// edge refuses a late notification to the authority without its reasons.
import { h, table } from "./dom.js";
import { download } from "./api.js";

/** `YYYY-MM-DDTHH:MMZ` from a `datetime-local` input read as UTC. */
const minute = (local) => (local ? `${local.slice(0, 16)}Z` : "");
const nowLocal = () => new Date().toISOString().slice(0, 16);

function clock(b) {
  if (b.authority.status !== "pending") return b.authority.status === "notified" ? `notified ${b.authority.at.slice(0, 16).replace("T", " ")}${b.authority.late ? " (late)" : ""}` : "not required";
  return b.overdue ? `OVERDUE by ${-b.hours_left} h` : `${b.hours_left} h left`;
}

const field = (id, label, input) => [h("label", { for: id }, label), input];

/** The notification form of one incident: the authority's or the people's. */
function notifyForm(api, b, who, describe, onDone) {
  const said = h("span", { "aria-live": "polite" });
  const id = `${who}-${b.id}`;
  return h("form", { class: "inline-form", "data-notify": who, onsubmit: async (e) => {
    e.preventDefault();
    const f = e.target;
    const text = f.text.value.trim();
    const delay = f.delay?.value.trim();
    const note = f.status.value === "notified"
      ? { status: "notified", at: minute(f.at.value), ...(text ? { reference: text } : {}), ...(delay ? { delay_reason: delay } : {}) }
      : { status: "not_required", reason: text };
    try {
      await api.updateBreach(b.id, { [who]: note });
      await onDone();
    } catch (err) {
      said.replaceChildren(h("span", { role: "alert", class: "error" }, ` ${describe(err)}`));
    }
  } },
  ...field(`${id}-status`, who === "authority" ? "Authority" : "People affected", h("select", { id: `${id}-status`, name: "status" },
    h("option", { value: "notified" }, "notified"), h("option", { value: "not_required" }, "not required"))), " ",
  ...field(`${id}-at`, "at (UTC)", h("input", { id: `${id}-at`, name: "at", type: "datetime-local", value: nowLocal() })), " ",
  ...field(`${id}-text`, "reference, or why it is not required", h("input", { id: `${id}-text`, name: "text", maxlength: "4000" })), " ",
  ...(who === "authority" ? field(`${id}-delay`, "reasons for a delay past 72 h", h("input", { id: `${id}-delay`, name: "delay", maxlength: "4000" })) : []), " ",
  h("button", { type: "submit" }, "Save"), said);
}

/** The "Breaches" section. */
export function breachesView(api, describe) {
  const list = h("div", { "aria-live": "polite" });
  const out = h("div", { "aria-live": "polite" });
  async function refresh() {
    const { breaches } = await api.breaches();
    if (!breaches.length) return list.replaceChildren(h("p", { "data-breaches-empty": "" }, "No incident recorded."));
    list.replaceChildren(table("The register, newest first", ["Incident", "Aware", "Authority (72 h)", "People", "Contacts affected", ""],
      breaches.map((b) => [
        h("span", { "data-breach": b.id }, b.title),
        b.aware_at.slice(0, 16).replace("T", " "),
        h("span", { "data-clock": "", class: b.overdue ? "error" : "" }, clock(b)),
        h("span", { "data-people": "" }, b.subjects.status.replace("_", " ")),
        h("span", { "data-affected": "" }, String(b.affected ?? "?")),
        b.closed ? h("span", { "data-closed": "" }, `closed ${b.closed.slice(0, 10)}`) : h("div", {},
          b.authority.status === "pending" ? notifyForm(api, b, "authority", describe, refresh) : null,
          b.subjects.status === "pending" ? notifyForm(api, b, "subjects", describe, refresh) : null,
          h("button", { type: "button", "data-export-affected": "", onclick: async () => download(await api.contactsCsv(Object.fromEntries(new URLSearchParams(b.contacts_query))), `breach-${b.id}-contacts.csv`) }, "Export the contacts affected")),
      ])));
  }
  const form = h("form", { class: "card", "data-breach-form": "", onsubmit: async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = { title: f.title.value.trim(), description: f.description.value.trim(), aware_at: minute(f.aware_at.value), from: f.from.value, to: f.to.value };
    for (const k of ["offer", "consequences", "measures"]) if (f[k].value.trim()) body[k] = f[k].value.trim();
    try {
      const b = await api.recordBreach(body);
      out.replaceChildren(h("p", { role: "status", "data-recorded": "" }, `Recorded. ${b.affected} contacts affected; tell the authority by ${b.deadline.slice(0, 16).replace("T", " ")} UTC.`));
      f.reset();
      await refresh();
    } catch (err) {
      out.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  } },
  h("h2", {}, "Breach register"),
  h("p", {}, "Every personal data breach, with its facts, effects and remedies (GDPR Art. 33(5)). The authority must be told within 72 hours of your becoming aware, unless the breach is unlikely to result in a risk; the people affected, when the risk is high (Art. 34)."),
  ...field("breach-title", "What happened", h("input", { id: "breach-title", name: "title", required: true, maxlength: "200" })),
  ...field("breach-description", "The facts: which data, roughly how many records", h("textarea", { id: "breach-description", name: "description", required: true, maxlength: "4000", rows: "3" })),
  ...field("breach-aware_at", "Aware since (UTC)", h("input", { id: "breach-aware_at", name: "aware_at", type: "datetime-local", required: true, value: nowLocal() })),
  ...field("breach-from", "It ran from", h("input", { id: "breach-from", name: "from", type: "date", required: true })),
  ...field("breach-to", "to", h("input", { id: "breach-to", name: "to", type: "date", required: true })),
  ...field("breach-offer", "Only one list (offer, e.g. email:newsletter; empty: every contact)", h("input", { id: "breach-offer", name: "offer" })),
  ...field("breach-consequences", "Likely consequences", h("textarea", { id: "breach-consequences", name: "consequences", maxlength: "4000", rows: "2" })),
  ...field("breach-measures", "Measures taken or proposed", h("textarea", { id: "breach-measures", name: "measures", maxlength: "4000", rows: "2" })),
  h("button", { type: "submit" }, "Record incident"));
  refresh().catch((err) => list.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err))));
  return h("div", {}, form, out, list);
}
