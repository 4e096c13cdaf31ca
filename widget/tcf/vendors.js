// The panel's vendor list on a TCF site, as the TCF policies ask of a CMP's
// UI: each vendor with the purposes it asks consent for, the purposes it
// claims a legitimate interest for and the person's objection to them, its
// special purposes and features, its special features, how long it keeps
// data, how it stores, and its privacy policy.
//
// The texts are the vendor list's (the disclosure the notice's hash covers),
// put in with textContent: a vendor's text can never become markup. The
// section is added to the panel each time it opens, inside its scroll area,
// with the panel's own classes (panel.css), so it looks like the purposes.
//
// Assent asks consent only: no vendor processes on a legitimate interest on
// this site, so each objection is shown as made (a switch on, locked), with
// why. The labels are English, like the vendor list committed (docs/tcf.md).
var el = (tag, cls, text) => {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
};

// A line of the vendor: a label and the names of `ids` in `kind`.
var line = (list, label, kind, ids) => {
  if (!ids || !ids.length) return;
  var li = el("li", null, label + ": ");
  li.append(ids.map((id) => (kind[id] ? kind[id].name : "#" + id)).join(", "));
  list.append(li);
};

function section(config, d) {
  var serviceOf = {}, names = {};
  config.notice.purposes.forEach((p) => p.services.forEach((s) => { names[s.id] = s.name; }));
  Object.entries(config.notice.tcf.vendors).forEach(([service, ids]) => ids.forEach((id) => { serviceOf[id] = names[service] || service; }));
  var box = el("div", "purpose tcf");
  var details = box.appendChild(el("details"));
  details.append(el("summary", null, "Advertising vendors (IAB TCF) · " + d.vendors.length));
  details.append(el("p", "desc", "These vendors take part in IAB Europe's Transparency and Consent Framework. Each follows the service it is part of: " +
    "granting that service's purpose grants them consent for the purposes below. This site relies on consent only: " +
    "no vendor processes on a legitimate interest here, so your objection to each stands."));
  var list = details.appendChild(el("ul", "services"));
  d.vendors.forEach((v) => {
    var li = list.appendChild(el("li", "service tcf-vendor"));
    li.dataset.vendor = v.id;
    var head = li.appendChild(el("div"));
    var who = head.appendChild(el("span"));
    who.append(el("span", "name", v.name), el("span", "by", "IAB vendor " + v.id + (serviceOf[v.id] ? " · " + serviceOf[v.id] : "")));
    var facts = li.appendChild(el("ul", "cookies"));
    line(facts, "Consent for", d.purposes, v.purposes);
    if (v.legIntPurposes.length) {
      var object = el("li", "object");
      var sw = el("label", "sw");
      var input = sw.appendChild(el("input"));
      input.type = "checkbox";
      input.setAttribute("role", "switch");
      input.checked = input.disabled = true;
      input.setAttribute("aria-label", "Object to " + v.name + "'s legitimate interest");
      object.append(sw, "Legitimate interest claimed, objected to: " + v.legIntPurposes.map((id) => d.purposes[id] ? d.purposes[id].name : "#" + id).join(", "));
      facts.append(object);
    }
    line(facts, "Special purposes (no choice)", d.special_purposes, v.specialPurposes);
    line(facts, "Features", d.features, v.features);
    line(facts, "Special features (opt in)", d.special_features, v.specialFeatures);
    line(facts, "Data collected", d.data_categories, v.dataDeclaration);
    if (v.dataRetention && v.dataRetention.stdRetention != null) facts.append(el("li", null, "Data kept: " + v.dataRetention.stdRetention + " days"));
    var storage = [v.usesCookies ? "cookies" + (v.cookieMaxAgeSeconds > 0 ? " for up to " + Math.ceil(v.cookieMaxAgeSeconds / 86400) + " days" : "") : "", v.usesNonCookieAccess ? "other storage" : ""].filter(Boolean);
    if (storage.length) facts.append(el("li", null, "Stores on your device: " + storage.join(" and ")));
    var url = (v.urls || []).find((u) => u.privacy);
    if (url && /^https:\/\//.test(url.privacy)) {
      var a = el("a", "link", "Privacy policy");
      a.href = url.privacy;
      a.target = "_blank";
      a.rel = "noopener";
      var p = el("li");
      p.append(a);
      facts.append(p);
    }
  });
  return box;
}

// Adds the vendor list to the panel whenever it opens.
export function vendorList(config, disclosure) {
  var root = document.getElementById("assent-host")?.shadowRoot;
  if (!root) return;
  var add = () => {
    var body = root.querySelector(".panel .body");
    if (body && !body.querySelector(".tcf")) body.insertBefore(section(config, disclosure), body.querySelector(".who"));
  };
  new MutationObserver(add).observe(root, { childList: true });
  add();
}
