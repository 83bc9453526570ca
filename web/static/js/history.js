// History: CHATHISTORY requests (IRCv3 draft/chathistory) and the
// chathistory batches that answer them. One request per buffer is in
// flight at a time; buf.history.pending names its kind.

const PAGE = 50;

export function canFetch(state) {
  return state.conn.hasCap("draft/chathistory") && state.conn.hasCap("batch");
}

function pageSize(state) {
  return state.conn.isupport.historyLimit(PAGE);
}

// anchor names a line for CHATHISTORY: its msgid if it has one, else its
// server time. Lines made up by the client (no server time) cannot anchor.
function anchor(line) {
  if (!line) return null;
  if (line.msgid) return `msgid=${line.msgid}`;
  if (line.fromServer) return `timestamp=${line.time.toISOString()}`;
  return null;
}

function request(state, buf, kind, ...params) {
  buf.history.pending = kind;
  buf.history.limit = pageSize(state);
  state.conn.sendCommand("CHATHISTORY", ...params, String(buf.history.limit));
}

// fetchLatest runs after joining (or opening a conversation): the latest page
// for a fresh buffer, or, after a reconnect, what was missed since the
// newest line already shown.
export function fetchLatest(state, buf) {
  if (!canFetch(state) || buf.history.pending) return;
  let newest = null;
  for (let i = buf.lines.length - 1; i >= 0 && !newest; i--) newest = anchor(buf.lines[i]);
  if (newest) request(state, buf, "after", "AFTER", buf.name, newest);
  else request(state, buf, "latest", "LATEST", buf.name, "*");
}

// fetchBefore asks for the page before the oldest line, for scrollback.
export function fetchBefore(state, buf) {
  if (!canFetch(state) || buf.type === "server" || buf.history.pending || buf.history.done) return false;
  let oldest = null;
  for (let i = 0; i < buf.lines.length && !oldest; i++) oldest = anchor(buf.lines[i]);
  if (!oldest) {
    request(state, buf, "latest", "LATEST", buf.name, "*");
  } else {
    request(state, buf, "before", "BEFORE", buf.name, oldest);
  }
  state.emit({ kind: "loading", buffer: buf });
  return true;
}

// onHistoryBatch adds a chathistory batch to its target's buffer. A short
// page means the start of history is reached; a full AFTER page means more
// was missed, so the next page is requested.
export function onHistoryBatch(state, batch, handle) {
  const target = batch.params[0] || "";
  const buf = state.ensure(target);
  const ctx = { history: true, target };
  for (const item of batch.items) handle(item, ctx);
  const pending = buf.history.pending;
  buf.history.pending = null;
  const full = batch.items.length >= (buf.history.limit || PAGE);
  if ((pending === "before" || pending === "latest") && !full) buf.history.done = true;
  state.emit({ kind: "history", buffer: buf });
  if (pending === "after" && full) fetchLatest(state, buf);
}
