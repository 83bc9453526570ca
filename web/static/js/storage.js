// Storage: the connect form's values, remembered in localStorage. The
// password is never stored. Every access tolerates storage being disabled
// (private browsing, blocked cookies): the client then just forgets.

const KEY = "parley.settings";
const FIELDS = ["nick", "account", "channels", "url"];

export function loadSettings(storage = globalThis.localStorage) {
  try {
    const data = JSON.parse(storage.getItem(KEY) || "{}");
    const settings = {};
    for (const field of FIELDS) {
      if (typeof data[field] === "string") settings[field] = data[field];
    }
    return settings;
  } catch {
    return {};
  }
}

export function saveSettings(settings, storage = globalThis.localStorage) {
  const data = {};
  for (const field of FIELDS) {
    if (typeof settings[field] === "string" && settings[field] !== "") data[field] = settings[field];
  }
  try {
    storage.setItem(KEY, JSON.stringify(data));
  } catch {
    // Storage full or disabled: nothing to remember then.
  }
}

// defaultServerURL is the page's own host with /ws, over wss when the page
// came over https.
export function defaultServerURL(location = globalThis.location) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
