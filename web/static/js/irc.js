// IRC line codec: parse and serialize one line of the IRC protocol, with
// IRCv3 message tags. Pure functions, no I/O, so it runs under node for tests.
//
// Grammar (modern.ircdocs.horse "Message format", IRCv3 message-tags):
//   ['@' tags SPACE] [':' source SPACE] command {SPACE param} [SPACE ':' trailing]

const TAG_UNESCAPES = { ":": ";", s: " ", "\\": "\\", r: "\r", n: "\n" };
const TAG_ESCAPES = { ";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n" };

// unescapeTagValue reverses message-tags value escaping. Per the spec an
// unknown escape drops the backslash and a trailing lone backslash is dropped.
export function unescapeTagValue(value) {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    i++;
    if (i >= value.length) break;
    out += TAG_UNESCAPES[value[i]] ?? value[i];
  }
  return out;
}

export function escapeTagValue(value) {
  return String(value).replace(/[; \\\r\n]/g, (c) => TAG_ESCAPES[c]);
}

// parseSource splits "nick!user@host" (or a bare server name) into parts.
export function parseSource(raw) {
  const source = { raw, nick: raw, user: "", host: "" };
  const at = raw.indexOf("@");
  if (at >= 0) {
    source.host = raw.slice(at + 1);
    raw = raw.slice(0, at);
  }
  const bang = raw.indexOf("!");
  if (bang >= 0) {
    source.user = raw.slice(bang + 1);
    raw = raw.slice(0, bang);
  }
  source.nick = raw;
  return source;
}

function parseTags(text) {
  const tags = {};
  for (const item of text.split(";")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) {
      tags[item] = "";
    } else {
      tags[item.slice(0, eq)] = unescapeTagValue(item.slice(eq + 1));
    }
  }
  return tags;
}

// nextToken returns the token starting at i and the index past the spaces after it.
function nextToken(line, i) {
  let end = line.indexOf(" ", i);
  if (end < 0) end = line.length;
  const token = line.slice(i, end);
  while (end < line.length && line[end] === " ") end++;
  return [token, end];
}

// parseLine parses one IRC line (with or without its CRLF). A CR or LF ends
// the message wherever it appears. It returns null for a line without a
// command, so a caller can skip garbage instead of crashing on it.
export function parseLine(line) {
  line = line.split(/[\r\n]/, 1)[0];
  let i = 0;
  while (i < line.length && line[i] === " ") i++;
  const msg = { tags: {}, source: null, command: "", params: [] };
  let token;
  if (line[i] === "@") {
    [token, i] = nextToken(line, i + 1);
    msg.tags = parseTags(token);
  }
  if (line[i] === ":") {
    [token, i] = nextToken(line, i + 1);
    msg.source = parseSource(token);
  }
  [token, i] = nextToken(line, i);
  if (token === "") return null;
  msg.command = token.toUpperCase();
  while (i < line.length) {
    if (line[i] === ":") {
      msg.params.push(line.slice(i + 1));
      break;
    }
    [token, i] = nextToken(line, i);
    msg.params.push(token);
  }
  return msg;
}

// formatLine serializes a message to one line without CRLF: over WebSocket
// each message is one line (IRCv3 WebSocket spec). Only the last parameter
// may contain spaces or start with ':'; it is sent as a trailing parameter
// when it needs to be. CR, LF and NUL are removed from parameters, so user
// input can never smuggle a second command into one line.
export function formatLine(msg) {
  let line = "";
  const tagNames = Object.keys(msg.tags || {});
  if (tagNames.length > 0) {
    const parts = tagNames.map((k) => {
      const v = msg.tags[k];
      return v === "" || v === undefined || v === null || v === true ? k : `${k}=${escapeTagValue(v)}`;
    });
    line += "@" + parts.join(";") + " ";
  }
  if (msg.source) {
    line += ":" + (typeof msg.source === "string" ? msg.source : msg.source.raw) + " ";
  }
  line += msg.command;
  const params = (msg.params || []).map((p) => String(p).replace(/[\r\n\0]/g, " "));
  params.forEach((p, idx) => {
    const last = idx === params.length - 1;
    if (last && (p === "" || p.includes(" ") || p.startsWith(":"))) {
      line += " :" + p;
    } else {
      line += " " + p;
    }
  });
  return line;
}

// message is a shorthand for building a client command.
export function message(command, ...params) {
  return { tags: {}, source: null, command, params };
}

// parseTime reads the server-time tag (ISO 8601, UTC) and falls back to now.
export function parseTime(tags) {
  if (tags && tags.time) {
    const t = new Date(tags.time);
    if (!Number.isNaN(t.getTime())) return t;
  }
  return new Date();
}

// isChannel reports whether name starts with one of the CHANTYPES.
export function isChannel(name, chantypes = "#&") {
  return name.length > 0 && chantypes.includes(name[0]);
}

// casefold folds a name per the CASEMAPPING ISUPPORT token.
export function casefold(name, casemapping = "rfc1459") {
  if (casemapping.startsWith("rfc7613") || casemapping === "precis") return name.toLowerCase();
  let out = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (casemapping === "rfc1459" || casemapping === "strict-rfc1459") {
    out = out.replace(/[[\]\\]/g, (c) => ({ "[": "{", "]": "}", "\\": "|" })[c]);
    if (casemapping === "rfc1459") out = out.replace(/~/g, "^");
  }
  return out;
}
