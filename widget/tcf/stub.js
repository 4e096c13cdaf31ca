// The CMP API's stub, as the IAB's CMP API v2 asks of a CMP ("Requirements
// for the CMP stub API script"): on a TCF site it runs before any vendor's
// script, so `__tcfapi` exists from the first moment.
//   - `ping` is answered at once (cmpStatus "stub"); every other call waits
//     in `__tcfapi.q` until assent-tcf.js takes over and answers it in order;
//   - an empty frame named `__tcfapiLocator` tells vendors in frames that a
//     CMP is here, and their postMessage calls are answered through
//     whichever `__tcfapi` is current (the stub's, then the real one).
// The edge puts it before the per-site loader of a TCF site; a page with the
// static tag loads assent-tcf-stub.js first (docs/tcf.md). assent-tcf.js
// installs it too when it finds none.
export function install(w) {
  if (w.__tcfapi) return;
  var d = w.document, q = [];
  var api = (w.__tcfapi = function (command, version, callback) {
    if (command == "ping") callback({ gdprApplies: true, cmpLoaded: false, cmpStatus: "stub", displayStatus: "hidden", apiVersion: "2" }, true);
    else q.push(arguments);
  });
  api.q = q;
  (function locate() {
    if (w.frames.__tcfapiLocator) return;
    if (!d.body) return setTimeout(locate, 5);
    var f = d.createElement("iframe");
    f.name = "__tcfapiLocator";
    f.style.display = "none";
    f.title = "";
    f.setAttribute("aria-hidden", "true");
    d.body.appendChild(f);
  })();
  w.addEventListener("message", (e) => {
    var data = e.data, text = typeof data == "string";
    try {
      if (text) data = JSON.parse(data);
    } catch (x) {
      return;
    }
    var call = data && data.__tcfapiCall;
    if (!call || typeof call.command != "string") return;
    w.__tcfapi(call.command, call.version, (value, success) => {
      var answer = { __tcfapiReturn: { returnValue: value, success: success, callId: call.callId } };
      if (e.source && e.source.postMessage) e.source.postMessage(text ? JSON.stringify(answer) : answer, "*");
    }, call.parameter);
  });
}
