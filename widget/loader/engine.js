// The engine's answers about the choice in force, by name. One wasm export
// (`ask`, see `Question` in widget/src/lib.rs) answers them all, its ids
// marked first: each export and each string parameter costs glue and wasm
// (BENCHMARKS.md).
import { ask, mark } from "../pkg/glue.js";

function question(q, ids, on) {
  ids.forEach((id, i) => { mark(id, !i && on, false); });
  return ask(q);
}

// The decision on `purpose` itself, services aside (its panel switch).
export var chosen = (purpose) => question(0, [purpose]);
// Whether any optional purpose is granted ("Withdraw all" is offered then).
export var grants = () => question(0, []);
// Whether the banner must ask (before a choice, or after an embed's allow only).
export var asking = () => question(1, []);
// Whether the switch `other` follows the switch `id` (a service switch if
// `service`), just switched `on`: the panel's linked switches.
export var follows = (service, id, on, other) => question(service ? 3 : 2, [id, other], on);
// Whether the Consent Mode signal mapped to `purposes` is granted now.
export var signal = (purposes) => question(4, purposes);
