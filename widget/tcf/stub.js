// The CMP API's stub, as the IAB's CMP API v2 asks of a CMP ("Requirements
// for the CMP stub API script"): on a TCF site it runs before any vendor's
// script, so `__tcfapi` exists from the first moment.
//   - `ping` is answered at once (cmpStatus "stub"); every other call waits
//     in `__tcfapi.q` until assent-tcf.js takes over and answers it in order;
//   - an empty frame named `__tcfapiLocator` tells vendors in frames that a
//     CMP is here (put on <html> at once: <body> does not exist yet in
//     <head>, and a frame's place in the tree does not matter to them);
//   - their postMessage calls are answered through whichever `__tcfapi` is
//     current (the stub's, then the real one).
// The edge puts it before the per-site loader of a TCF site; a page with the
// static tag loads assent-tcf-stub.js first (docs/tcf.md). assent-tcf.js
// installs it too when it finds none. It is on a TCF site's banner path, so
// it is written for size (`make size` counts it).
export function install(w) {
  if (w.__tcfapi) return;
  var q = [];
  (w.__tcfapi = function (command, version, callback) {
    // Whether the GDPR applies is the CMP's to say (the visitor's place):
    // until it has loaded, `gdprApplies` is undefined, as the API allows.
    if (command == "ping") callback({ cmpLoaded: false, cmpStatus: "stub", displayStatus: "hidden", apiVersion: "2" }, true);
    else q.push(arguments);
  }).q = q;
  if (!w.frames.__tcfapiLocator) {
    var f = w.document.createElement("iframe");
    f.name = "__tcfapiLocator";
    f.style.display = "none";
    w.document.documentElement.append(f);
  }
  w.addEventListener("message", (e) => {
    var data = e.data, text = typeof data == "string";
    try {
      var call = (text ? JSON.parse(data) : data).__tcfapiCall;
      w.__tcfapi(call.command, call.version, (value, success) => {
        var answer = { __tcfapiReturn: { returnValue: value, success: success, callId: call.callId } };
        e.source.postMessage(text ? JSON.stringify(answer) : answer, "*");
      }, call.parameter);
    } catch (x) {}
  });
}
