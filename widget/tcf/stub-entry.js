// Entry of assent-tcf-stub.js: the CMP API's stub (./stub.js), as a plain script.
import { install } from "./stub.js";

install(window);
