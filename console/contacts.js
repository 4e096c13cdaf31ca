// The contact list in the console: filters (core's, the edge applies them),
// the selection a page at a time, its CSV, and bulk work on it (restrict,
// lift, restore, erase), each subject's own call with a progress bar, as
// `assent contacts` does it.
import { h, table, day } from "./dom.js";

const STATES = ["", "granted", "pending", "refused", "withdrawn", "objected", "legitimate_interests", "contract", "expired", "unverified", "parental_consent_required"];

const field = (id, label, input) => h("span", { class: "field" }, h("label", { for: `contacts-${id}` }, label), " ", input);
const text = (id, attrs = {}) => h("input", { id: `contacts-${id}`, name: id, autocomplete: "off", ...attrs });
const choice = (id, values) => h("select", { id: `contacts-${id}`, name: id }, values.map((v) => h("option", { value: v }, v || "any")));

/** The "Contacts" section. */
export function contactsView(api, describe) {
  const out = h("div", { "aria-live": "polite" });
  let selection = [];
  let query = {};
  const form = h("form", { class: "card", "data-contacts": "", onsubmit: async (e) => {
    e.preventDefault();
    query = Object.fromEntries([...new FormData(e.target)].filter(([, v]) => v !== ""));
    out.replaceChildren(h("p", { role: "status" }, "Selecting…"));
    try {
      selection = [];
      let after;
      do {
        const page = await api.contacts({ ...query, ...(after ? { after } : {}) });
        selection.push(...page.contacts);
        after = page.next;
      } while (after);
      render();
    } catch (err) {
      out.replaceChildren(h("p", { role: "alert", class: "error" }, describe(err)));
    }
  } },
  h("h2", {}, "Contacts"),
  field("offer", "Offer", text("offer", { placeholder: "email:newsletter" })),
  field("state", "State", choice("state", STATES)),
  field("country", "Country", text("country", { size: "2", maxlength: "2", placeholder: "DE" })),
  field("regime", "Regime", choice("regime", ["", "opt_in", "opt_out", "notice_only"])),
  field("parental", "Parental consent", choice("parental", ["", "true", "false"])),
  field("restricted", "Restricted", choice("restricted", ["", "true", "false"])),
  field("created_from", "Created from", text("created_from", { type: "date" })),
  field("created_before", "Created before", text("created_before", { type: "date" })),
  field("active_from", "Active from", text("active_from", { type: "date" })),
  field("active_before", "Active before", text("active_before", { type: "date" })),
  h("button", { type: "submit" }, "Select"));

  function render(note) {
    const rows = selection.map((c) => [
      h("code", {}, c.subject), day(c.created_at), day(c.last_activity_at), c.country ?? "",
      Object.entries(c.offers).map(([k, s]) => `${k} ${s}`).join(", "),
      [c.restricted ? "restricted" : "", c.in_recycle_bin ? "in the recycle bin" : "", c.parental ? "parental" : ""].filter(Boolean).join(", "),
    ]);
    const bar = h("progress", { max: String(selection.length), value: "0", hidden: true, "data-progress": "" });
    const bulk = (label, act, danger) => h("button", { type: "button", class: danger ? "danger" : "", "data-bulk": act, disabled: !selection.length, onclick: () => run(act, bar) }, label);
    out.replaceChildren(
      note ? h("p", { role: "status", "data-done": "" }, note) : "",
      h("p", { "data-count": "" }, `${selection.length} contacts selected.`),
      h("p", {},
        h("button", { type: "button", class: "quiet", disabled: !selection.length, onclick: () => downloadCsv() }, "Download CSV"), " ",
        bulk("Restrict all", "restrict"), " ", bulk("Lift restriction", "lift"), " ", bulk("Restore all from the recycle bin", "restore"), " ", bulk("Erase all", "erase", true), " ", bar),
      rows.length ? table("The selection, in subject order", ["Subject", "Created", "Last activity", "Country", "Offers", ""], rows, { "data-contacts-list": "" }) : "");
  }

  async function downloadCsv() {
    const r = await api.contactsCsv(query);
    const a = h("a", { href: URL.createObjectURL(await r.blob()), download: `assent-${api.site}-contacts.csv` });
    document.body.append(a);
    a.click();
    a.remove();
  }

  async function run(act, bar) {
    if (act === "erase" && !confirm(`Erase ${selection.length} contacts? Their identities are destroyed; the proofs stay.`)) return;
    bar.hidden = false;
    let done = 0, refused = 0;
    for (const c of selection) {
      try {
        if (act === "erase") await api.erase(c.subject);
        else if (act === "restore") await api.restore(c.subject);
        else await api.restrict(c.subject, act === "restrict");
        done++;
      } catch {
        refused++;
      }
      bar.value = done + refused;
    }
    render(`${done} done${refused ? `, ${refused} refused` : ""}.`);
  }

  return h("div", {}, form, out);
}
