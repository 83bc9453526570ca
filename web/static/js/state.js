// State: the buffers (server, channels, private messages) with their lines,
// members, topics and unread counts. It changes only through its methods and
// tells subscribers what changed, so the UI can redraw just that part.

import { message } from "./irc.js";

export const SERVER_BUFFER = "*";
const MAX_LINES = 4000;
const COUNTED_KINDS = new Set(["privmsg", "notice", "action"]);

export class Buffer {
  constructor(name, type) {
    this.name = name;
    this.type = type; // "server" | "channel" | "query"
    this.lines = [];
    this.msgids = new Set();
    this.members = new Map(); // folded nick -> {nick, prefix, away, account}
    this.topic = "";
    this.joined = false;
    this.unread = 0;
    this.highlights = 0;
    this.readTime = null;
    this.history = { pending: null, done: false };
  }

  get oldest() {
    return this.lines[0] || null;
  }

  get newest() {
    return this.lines[this.lines.length - 1] || null;
  }

  // insert keeps lines in time order and drops repeats of a msgid, which
  // happen when history and live delivery overlap. It returns false for a
  // repeat.
  insert(line) {
    if (line.msgid) {
      if (this.msgids.has(line.msgid)) return false;
      this.msgids.add(line.msgid);
    }
    let i = this.lines.length;
    while (i > 0 && this.lines[i - 1].time > line.time) i--;
    this.lines.splice(i, 0, line);
    if (this.lines.length > MAX_LINES) {
      const dropped = this.lines.shift();
      if (dropped.msgid) this.msgids.delete(dropped.msgid);
      this.history.done = false;
    }
    return true;
  }
}

export class State {
  constructor(conn) {
    this.conn = conn;
    this.buffers = new Map();
    this.listeners = new Set();
    this.focused = true;
    this.wantActive = null; // folded name of a channel to show once joined
    this.closing = new Set(); // folded names of buffers to close once parted
    const server = new Buffer(SERVER_BUFFER, "server");
    this.buffers.set(SERVER_BUFFER, server);
    this.activeKey = SERVER_BUFFER;
  }

  // subscribe registers fn(change) where change is {kind, buffer, ...}.
  subscribe(fn) {
    this.listeners.add(fn);
  }

  emit(change) {
    for (const fn of this.listeners) fn(change);
  }

  key(name) {
    return name === SERVER_BUFFER ? SERVER_BUFFER : this.conn.fold(name);
  }

  get server() {
    return this.buffers.get(SERVER_BUFFER);
  }

  get active() {
    return this.buffers.get(this.activeKey) || this.server;
  }

  get(name) {
    return this.buffers.get(this.key(name));
  }

  isChannel(name) {
    return name.length > 0 && this.conn.isupport.chantypes.includes(name[0]);
  }

  ensure(name) {
    let buf = this.get(name);
    if (!buf) {
      buf = new Buffer(name, this.isChannel(name) ? "channel" : "query");
      this.buffers.set(this.key(name), buf);
      this.emit({ kind: "buffers" });
    }
    return buf;
  }

  remove(name) {
    const key = this.key(name);
    if (key === SERVER_BUFFER || !this.buffers.delete(key)) return;
    if (this.activeKey === key) this.activeKey = SERVER_BUFFER;
    this.emit({ kind: "buffers" });
    this.emit({ kind: "active", buffer: this.active });
  }

  rename(oldName, newName) {
    const buf = this.get(oldName);
    if (!buf || this.get(newName)) return;
    const wasActive = this.active === buf;
    this.buffers.delete(this.key(oldName));
    buf.name = newName;
    this.buffers.set(this.key(newName), buf);
    if (wasActive) this.activeKey = this.key(newName);
    this.emit({ kind: "buffers" });
  }

  setActive(name) {
    const buf = this.get(name);
    if (!buf) return;
    this.activeKey = this.key(name);
    this.markRead(buf);
    this.emit({ kind: "active", buffer: buf });
  }

  setFocused(focused) {
    this.focused = focused;
    if (focused) this.markRead(this.active);
  }

  // markRead clears the counts and, with draft/read-marker, tells the
  // server so the user's other clients clear theirs too.
  markRead(buf) {
    const newest = buf.newest;
    const changed = buf.unread > 0 || buf.highlights > 0;
    buf.unread = 0;
    buf.highlights = 0;
    if (newest && (!buf.readTime || newest.time > buf.readTime)) {
      buf.readTime = newest.time;
      if (buf.type !== "server" && this.conn.hasCap("draft/read-marker")) {
        this.conn.send(message("MARKREAD", buf.name, "timestamp=" + newest.time.toISOString()));
      }
    }
    if (changed) this.emit({ kind: "buffers" });
  }

  // setReadTime applies a read marker from the server (draft/read-marker)
  // and recounts what is still unread.
  setReadTime(buf, time) {
    if (buf.readTime && time <= buf.readTime) return;
    buf.readTime = time;
    buf.unread = 0;
    buf.highlights = 0;
    for (const line of buf.lines) {
      if (line.time > time && COUNTED_KINDS.has(line.kind) && !line.self) {
        buf.unread++;
        if (line.highlight) buf.highlights++;
      }
    }
    this.emit({ kind: "buffers" });
  }

  // mentions reports whether text names the user as a whole word.
  mentions(text) {
    const nick = this.conn.nick;
    if (!nick) return false;
    const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`(^|[^\\w\\[\\]\\\\^{}|\`-])${escaped}($|[^\\w\\[\\]\\\\^{}|\`-])`, "i").test(text);
  }

  // addLine stores a line in a buffer. History lines count as unread only
  // when they are newer than the buffer's read marker.
  addLine(buf, line, history = false) {
    if (!buf.insert(line)) return;
    const visible = buf === this.active && this.focused;
    if (visible) {
      if (!buf.readTime || line.time > buf.readTime) buf.readTime = line.time;
    } else if (COUNTED_KINDS.has(line.kind) && !line.self) {
      const fresh = history ? buf.readTime !== null && line.time > buf.readTime : true;
      if (fresh) {
        buf.unread++;
        if (line.highlight) buf.highlights++;
        this.emit({ kind: "buffers" });
      }
    }
    this.emit({ kind: "line", buffer: buf, line, history });
  }

  // info adds a client-generated notice line to a buffer (the active one by default).
  info(text, buf = this.active, kind = "info") {
    this.addLine(buf, { time: new Date(), kind, nick: "", text, self: false, highlight: false });
  }

  error(text, buf = this.active) {
    this.info(text, buf, "error");
  }

  // Members.

  setMember(buf, nick, fields = {}) {
    const key = this.conn.fold(nick);
    const old = buf.members.get(key) || { nick, prefix: "", away: false, account: "" };
    buf.members.set(key, { ...old, nick, ...fields });
    this.emit({ kind: "members", buffer: buf });
  }

  removeMember(buf, nick) {
    if (buf.members.delete(this.conn.fold(nick))) this.emit({ kind: "members", buffer: buf });
  }

  member(buf, nick) {
    return buf.members.get(this.conn.fold(nick));
  }

  // buffersWith lists the channel buffers where nick is a member.
  buffersWith(nick) {
    const key = this.conn.fold(nick);
    return [...this.buffers.values()].filter((b) => b.members.has(key));
  }

  setTopic(buf, topic) {
    buf.topic = topic;
    this.emit({ kind: "topic", buffer: buf });
  }
}
