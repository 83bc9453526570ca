// Text helpers for displaying IRC message bodies: removing formatting codes,
// finding links, and picking a stable colour for a nick. No DOM here; the
// UI turns the pieces into text nodes and anchors.

// stripFormatting removes mIRC-style formatting (modern.ircdocs.horse
// "Formatting"): bold, italics, underline, strikethrough, monospace,
// reverse, reset, and colour codes with their arguments.
export function stripFormatting(text) {
  return text
    .replace(/\x03(\d{1,2}(,\d{1,2})?)?/g, "")
    .replace(/\x04([0-9a-fA-F]{6}(,[0-9a-fA-F]{6})?)?/g, "")
    .replace(/[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, "");
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

// trimURL drops trailing punctuation that usually ends the sentence rather
// than the link, keeping a closing parenthesis that has an opening one.
function trimURL(url) {
  for (;;) {
    const lastChar = url[url.length - 1];
    if (".,;:!?'\"".includes(lastChar)) {
      url = url.slice(0, -1);
    } else if (lastChar === ")" && !url.includes("(")) {
      url = url.slice(0, -1);
    } else {
      return url;
    }
  }
}

// linkify splits text into [{text}, {text, href}] parts. Only http(s) links
// are made, so a message can never produce a javascript: or data: link.
export function linkify(text) {
  const parts = [];
  let pos = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = trimURL(m[0]);
    if (m.index > pos) parts.push({ text: text.slice(pos, m.index) });
    const href = url.toLowerCase().startsWith("www.") ? `https://${url}` : url;
    parts.push({ text: url, href });
    pos = m.index + url.length;
  }
  if (pos < text.length) parts.push({ text: text.slice(pos) });
  return parts;
}

// nickHue hashes a nick (case-insensitively) to a hue in [0, 360), so a
// person keeps one colour everywhere. The CSS picks lightness per theme.
export function nickHue(nick) {
  let h = 2166136261;
  for (const c of nick.toLowerCase()) {
    h ^= c.codePointAt(0);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 360;
}

// formatTime gives HH:MM in the user's locale.
export function formatTime(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
