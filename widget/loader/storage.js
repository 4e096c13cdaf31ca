// The widget's storage: the choice, the outbox and the receipts live in
// localStorage under "assent:<site>" + key, as JSON. Storage may be missing,
// full or throw (blocked cookies, private modes, sandboxed frames): then they
// live in memory for this page view only, which fails closed (the next page
// asks again and nothing optional runs).
//
// DOM-free: `open` takes the storage to use, so the tests hand it one.
import { uuid } from "./ids.js";

var mem = {}, ls, prefix;

// Some browsers hand out a storage that throws on write: probe it once, at
// start (`storage` is a function: merely reading `localStorage` may throw).
export function open(site, storage) {
  prefix = "assent:" + site;
  try {
    ls = storage();
    ls.setItem("assent:probe", "1");
    ls.removeItem("assent:probe");
  } catch (e) {
    ls = null;
  }
}

export function read(key) {
  key = prefix + key;
  try {
    return JSON.parse(key in mem ? mem[key] : ls && ls.getItem(key));
  } catch (e) {
    return null;
  }
}

export function write(key, value) {
  key = prefix + key;
  value = JSON.stringify(value);
  try {
    ls.setItem(key, value);
    delete mem[key];
  } catch (e) {
    mem[key] = value;
  }
}

// A stored list, or [] when there is none (or it is not a list).
export function list(key) {
  var l = read(key);
  return Array.isArray(l) ? l : [];
}

// The subject key (assent_core::subject_key): 122 random bits, drawn once, on the first
// event's way out, kept beside the choice. The edge keeps its hash from the
// subject's first record; with it, this browser alone opens the subject's
// privacy center (the subject id, in every receipt, is no credential).
export var key = () => read(":key") || (write(":key", uuid()), read(":key"));
