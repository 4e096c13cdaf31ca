// The loader's parts off the banner path (a first visit has a 12 KB
// budget): each its own ES module beside assent.js on the edge, imported
// when first needed. The browser fetches each once; a second import of the
// same address answers the same module.
//   panel.js    the preferences panel (assent-panel.js)
//   privacy.js  the privacy center and the subject's state (assent-privacy.js)
// They import nothing: what they work with is handed to them, so no second
// copy of the loader's state can exist (scripts/bundle-widget.mjs checks).
var base;

// Where the parts are: the edge's base address (ending in `/`).
export function lazyFrom(edge) {
  base = edge;
}

export var lazy = (name) => import(base + "assent-" + name + ".js");
