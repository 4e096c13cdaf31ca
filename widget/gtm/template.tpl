___TERMS_OF_SERVICE___

By creating or modifying this file you agree to Google Tag Manager's Community
Template Gallery Developer Terms of Service available at
https://developers.google.com/tag-manager/gallery-tos (or such other URL as
Google may provide), as modified from time to time.


___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "Assent consent banner",
  "categories": ["TAG_MANAGEMENT", "UTILITY"],
  "brand": {
    "id": "brand_dummy",
    "displayName": "Assent"
  },
  "description": "Assent's consent banner and IAB TCF CMP: sets Google Consent Mode defaults (every signal denied), loads the site's Assent tag and updates consent from the visitor's choices. Fire on Consent Initialization - All Pages.",
  "containerContexts": ["WEB"]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "TEXT",
    "name": "edge",
    "displayName": "Assent edge (https origin, e.g. https://consent.example.com)",
    "simpleValueType": true,
    "valueValidators": [
      { "type": "NON_EMPTY" },
      { "type": "REGEX", "args": ["^https://[a-z0-9.-]+(:[0-9]+)?$"] }
    ]
  },
  {
    "type": "TEXT",
    "name": "site",
    "displayName": "Site id (as in the edge's site file)",
    "simpleValueType": true,
    "valueValidators": [
      { "type": "NON_EMPTY" },
      { "type": "REGEX", "args": ["^[a-z0-9][a-z0-9-]{0,62}$"] }
    ]
  },
  {
    "type": "TEXT",
    "name": "waitForUpdate",
    "displayName": "Wait for update (ms)",
    "simpleValueType": true,
    "defaultValue": "500",
    "valueValidators": [{ "type": "NON_NEGATIVE_NUMBER" }]
  },
  {
    "type": "SIMPLE_TABLE",
    "name": "regions",
    "displayName": "Regional defaults: signals granted before a choice (none is the default everywhere)",
    "simpleTableColumns": [
      { "defaultValue": "", "displayName": "Regions (ISO 3166-2, comma-separated, e.g. US-CA)", "name": "region", "type": "TEXT" },
      { "defaultValue": "", "displayName": "Signals granted (comma-separated, e.g. analytics_storage)", "name": "granted", "type": "TEXT" }
    ]
  },
  {
    "type": "CHECKBOX",
    "name": "adsDataRedaction",
    "checkboxText": "Redact ads data while ad_storage is denied",
    "simpleValueType": true,
    "defaultValue": true
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

// Assent in Google Tag Manager, on the Consent Initialization trigger:
//   1. Consent Mode defaults: every signal denied, before any tag can fire,
//      with the regional exceptions the site chose, and a wait for the update;
//   2. the site's Assent tag (the per-site tag: it needs no attribute, which
//      injectScript cannot set), which decides, by its engine, what each
//      choice grants;
//   3. every update the engine makes (after a choice, and on each page with
//      the choice in force) comes here through `assentConsentUpdate` and goes
//      to updateConsentState, GTM's own API. Outside GTM the same update goes
//      to the dataLayer (widget/loader/consent-mode.js): one rule, two doors.
const setDefaultConsentState = require('setDefaultConsentState');
const updateConsentState = require('updateConsentState');
const injectScript = require('injectScript');
const setInWindow = require('setInWindow');
const gtagSet = require('gtagSet');
const makeNumber = require('makeNumber');
const encodeUriComponent = require('encodeUriComponent');
const logToConsole = require('logToConsole');
const createRegex = require('createRegex');
const testRegex = require('testRegex');

const SIGNALS = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage',
  'functionality_storage', 'personalization_storage', 'security_storage'];

const split = (text) => (text || '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

const state = (granted) => {
  const s = {};
  SIGNALS.forEach((k) => { s[k] = granted.indexOf(k) >= 0 ? 'granted' : 'denied'; });
  return s;
};

// Sandboxed JS has no regex literals: createRegex and testRegex instead.
const edgeOk = createRegex('^https://[a-z0-9.-]+(:[0-9]+)?$');
const siteOk = createRegex('^[a-z0-9][a-z0-9-]{0,62}$');
if (!testRegex(edgeOk, data.edge || '') || !testRegex(siteOk, data.site || '')) {
  logToConsole('Assent: the edge must be an https origin and the site an id; nothing loaded');
  // Every signal stays denied: a broken setting never grants.
  const denied = state([]);
  setDefaultConsentState(denied);
  data.gtmOnFailure();
} else {
  const wait = makeNumber(data.waitForUpdate);
  const all = state([]);
  all.wait_for_update = wait >= 0 ? wait : 500;
  setDefaultConsentState(all);
  (data.regions || []).forEach((row) => {
    const regional = state(split(row.granted).filter((k) => SIGNALS.indexOf(k) >= 0));
    regional.region = split(row.region);
    regional.wait_for_update = all.wait_for_update;
    setDefaultConsentState(regional);
  });
  if (data.adsDataRedaction) gtagSet('ads_data_redaction', true);

  // Only the seven signals, only "granted" or "denied", whatever the page passes.
  setInWindow('assentConsentUpdate', (command, action, update) => {
    if (command !== 'consent' || action !== 'update' || !update) return;
    const s = {};
    SIGNALS.forEach((k) => {
      if (update[k] === 'granted' || update[k] === 'denied') s[k] = update[k];
    });
    updateConsentState(s);
  }, true);

  injectScript(data.edge + '/v1/sites/' + encodeUriComponent(data.site) + '/assent.js',
    data.gtmOnSuccess, data.gtmOnFailure, 'assent-' + data.site);
}


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": { "publicId": "access_consent", "versionId": "1" },
      "param": [
        {
          "key": "consentTypes",
          "value": {
            "type": 2,
            "listItem": [
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "ad_storage" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "ad_user_data" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "ad_personalization" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "analytics_storage" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "functionality_storage" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "personalization_storage" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] },
              { "type": 3, "mapKey": [{ "type": 1, "string": "consentType" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }], "mapValue": [{ "type": 1, "string": "security_storage" }, { "type": 8, "boolean": false }, { "type": 8, "boolean": true }] }
            ]
          }
        }
      ]
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": { "publicId": "inject_script", "versionId": "1" },
      "param": [{ "key": "urls", "value": { "type": 2, "listItem": [{ "type": 1, "string": "https://*/v1/sites/*/assent.js" }] } }]
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": { "publicId": "access_globals", "versionId": "1" },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              { "type": 3, "mapKey": [{ "type": 1, "string": "key" }, { "type": 1, "string": "read" }, { "type": 1, "string": "write" }, { "type": 1, "string": "execute" }], "mapValue": [{ "type": 1, "string": "assentConsentUpdate" }, { "type": 8, "boolean": true }, { "type": 8, "boolean": true }, { "type": 8, "boolean": false }] }
            ]
          }
        }
      ]
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": { "publicId": "write_data_layer", "versionId": "1" },
      "param": [{ "key": "keyPatterns", "value": { "type": 2, "listItem": [{ "type": 1, "string": "ads_data_redaction" }] } }]
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": { "publicId": "logging", "versionId": "1" },
      "param": [{ "key": "environments", "value": { "type": 1, "string": "debug" } }]
    },
    "isRequired": true
  }
]


___TESTS___

scenarios: []


___NOTES___

Tested by tests/loader/gtm.test.mjs against a stand-in for the sandbox APIs it calls.
