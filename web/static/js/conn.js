// Connection: one IRC session over WebSocket (IRCv3 WebSocket spec,
// subprotocol text.ircv3.net, one line per message). It owns registration,
// capability negotiation, SASL PLAIN, keep-alive, BATCH assembly and
// reconnecting with exponential backoff. What the lines mean for buffers is
// decided elsewhere: every line or finished batch is handed to onItem.

import { parseLine, formatLine, message, casefold } from "./irc.js";
import { ISupport } from "./isupport.js";

// WANTED_CAPS are requested when the server offers them (IRCv3 capability
// negotiation, CAP LS 302).
export const WANTED_CAPS = [
  "server-time", "message-tags", "batch", "echo-message", "labeled-response",
  "multi-prefix", "away-notify", "account-notify", "extended-join", "chghost",
  "setname", "sasl", "draft/chathistory", "draft/event-playback",
  "draft/read-marker", "invite-notify", "userhost-in-names",
];

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30000;
const IDLE_PING_MS = 90000;
const IDLE_CLOSE_MS = 150000;
const SASL_CHUNK = 400; // IRCv3 SASL: AUTHENTICATE payloads are split at 400 bytes.

function base64Utf8(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

// backoffDelay is the wait before reconnect attempt n (0-based): 1s, 2s, 4s … 30s.
export function backoffDelay(attempt) {
  return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.min(attempt, 16));
}

export class Connection {
  // options: {url, nick, account, password, realname}; events: {onItem,
  // onStatus, onRegistered, onNotice}. All callbacks run on the page's event loop.
  constructor(options, events) {
    this.options = options;
    this.events = events;
    this.ws = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.watchdog = null;
    this.closing = false;
    this.resetSession();
  }

  resetSession() {
    this.nick = this.options.nick;
    this.registered = false;
    this.capsAvailable = new Map();
    this.capsEnabled = new Set();
    this.capsPending = 0;
    this.capLsDone = false;
    this.saslDone = false;
    this.isupport = new ISupport();
    this.batches = new Map();
    this.lastActivity = Date.now();
    this.pinged = false;
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  hasCap(name) {
    return this.capsEnabled.has(name);
  }

  fold(name) {
    return casefold(name, this.isupport.casemapping);
  }

  isMe(nick) {
    return this.fold(nick) === this.fold(this.nick);
  }

  connect() {
    this.closing = false;
    clearTimeout(this.reconnectTimer);
    this.resetSession();
    this.status("connecting");
    let ws;
    try {
      ws = new WebSocket(this.options.url, ["text.ircv3.net"]);
    } catch (err) {
      this.events.onNotice?.(`Cannot connect to ${this.options.url}: ${err.message}`);
      this.scheduleReconnect();
      return;
    }
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.onOpen();
    ws.onmessage = (ev) => this.onData(ev.data);
    ws.onclose = () => this.onClose(ws);
    this.ws = ws;
  }

  // send writes one message; it returns false when there is no open socket.
  send(msg) {
    if (!this.connected) return false;
    this.ws.send(formatLine(msg));
    return true;
  }

  sendCommand(command, ...params) {
    return this.send(message(command, ...params));
  }

  sendRaw(line) {
    if (!this.connected) return false;
    this.ws.send(line.replace(/[\r\n]/g, ""));
    return true;
  }

  // quit ends the session for good: no reconnect follows.
  quit(reason = "") {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    if (this.connected) {
      this.send(reason ? message("QUIT", reason) : message("QUIT"));
      const ws = this.ws;
      setTimeout(() => ws.close(), 1000);
    } else if (this.ws) {
      this.ws.close();
    }
    this.status("disconnected");
  }

  // reconnectNow skips the backoff wait, for example when the browser comes online.
  reconnectNow() {
    if (this.closing || this.connected || this.reconnectTimer === null) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  status(state, detail = "") {
    this.events.onStatus?.(state, detail);
  }

  onOpen() {
    this.status("registering");
    this.lastActivity = Date.now();
    this.watchdog = setInterval(() => this.checkIdle(), 15000);
    this.sendCommand("CAP", "LS", "302");
    this.sendCommand("NICK", this.nick);
    this.sendCommand("USER", this.options.account || this.nick, "0", "*", this.options.realname || this.nick);
  }

  onClose(ws) {
    if (ws !== this.ws) return;
    clearInterval(this.watchdog);
    this.ws = null;
    this.batches.clear();
    if (this.closing) {
      this.status("disconnected");
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    const delay = backoffDelay(this.attempt);
    this.attempt++;
    this.status("reconnecting", `in ${Math.round(delay / 1000)}s`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  // checkIdle sends a PING after a quiet spell and gives up on a socket that
  // stays silent, since a dead TCP path may never report a close.
  checkIdle() {
    const idle = Date.now() - this.lastActivity;
    if (idle > IDLE_CLOSE_MS) {
      this.ws?.close();
    } else if (idle > IDLE_PING_MS && !this.pinged) {
      this.pinged = true;
      this.sendCommand("PING", "parley");
    }
  }

  onData(data) {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data);
    this.lastActivity = Date.now();
    this.pinged = false;
    // A server may still send several CRLF-separated lines in one frame.
    for (const line of text.split(/\r?\n/)) {
      if (line === "") continue;
      const msg = parseLine(line);
      if (msg) this.onMessage(msg);
    }
  }

  onMessage(msg) {
    const handler = PROTOCOL_HANDLERS[msg.command];
    if (handler && handler.call(this, msg) === false) return;
    this.route(msg);
  }

  // route files a message into its batch (IRCv3 batch: tag batch=<ref>) or
  // hands it on.
  route(item) {
    const ref = item.tags?.batch;
    const batch = ref === undefined ? undefined : this.batches.get(ref);
    if (batch) {
      batch.items.push(item);
    } else {
      this.events.onItem?.(item);
    }
  }

  onBatch(msg) {
    const ref = msg.params[0] || "";
    if (ref.startsWith("+")) {
      const [, type = "", ...params] = msg.params;
      this.batches.set(ref.slice(1), { batch: true, ref: ref.slice(1), type, params, tags: msg.tags, items: [] });
    } else if (ref.startsWith("-")) {
      const batch = this.batches.get(ref.slice(1));
      if (!batch) return;
      this.batches.delete(batch.ref);
      this.route(batch);
    }
  }

  onCap(msg) {
    const sub = (msg.params[1] || "").toUpperCase();
    const more = msg.params.length > 3 && msg.params[2] === "*";
    const list = (msg.params[msg.params.length - 1] || "").split(" ").filter(Boolean);
    if (sub === "LS" || sub === "NEW") {
      for (const item of list) {
        const eq = item.indexOf("=");
        this.capsAvailable.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? "" : item.slice(eq + 1));
      }
      if (sub === "LS" && more) return;
      if (sub === "LS") this.capLsDone = true;
      this.requestCaps(sub === "NEW" ? list.map((c) => c.split("=")[0]) : [...this.capsAvailable.keys()]);
    } else if (sub === "ACK") {
      for (const cap of list) {
        if (cap.startsWith("-")) this.capsEnabled.delete(cap.slice(1));
        else this.capsEnabled.add(cap);
      }
      this.capsPending = Math.max(0, this.capsPending - 1);
      this.afterCaps();
    } else if (sub === "NAK") {
      this.capsPending = Math.max(0, this.capsPending - 1);
      this.afterCaps();
    } else if (sub === "DEL") {
      for (const cap of list) {
        this.capsAvailable.delete(cap);
        this.capsEnabled.delete(cap);
      }
    }
  }

  requestCaps(offered) {
    const wanted = offered.filter((c) => WANTED_CAPS.includes(c) && !this.capsEnabled.has(c));
    // Keep each CAP REQ well under the 512-byte line limit.
    let chunk = [];
    const flush = () => {
      if (chunk.length === 0) return;
      this.capsPending++;
      this.sendCommand("CAP", "REQ", chunk.join(" "));
      chunk = [];
    };
    for (const cap of wanted) {
      if (chunk.join(" ").length + cap.length > 400) flush();
      chunk.push(cap);
    }
    flush();
    this.afterCaps();
  }

  // afterCaps ends negotiation once every REQ is answered, after SASL when
  // an account was given.
  afterCaps() {
    if (this.registered || !this.capLsDone || this.capsPending > 0) return;
    const mechs = this.capsAvailable.get("sasl") || "";
    const plainOffered = mechs === "" || mechs.split(",").includes("PLAIN");
    if (this.options.account && this.capsEnabled.has("sasl") && plainOffered && !this.saslDone) {
      this.saslDone = true;
      this.sendCommand("AUTHENTICATE", "PLAIN");
      return;
    }
    if (this.options.account && !this.saslDone) {
      this.saslDone = true;
      this.events.onNotice?.("The server does not offer SASL PLAIN; continuing without logging in.");
    }
    this.sendCommand("CAP", "END");
  }

  onAuthenticate(msg) {
    if (msg.params[0] !== "+") return;
    const { account, password } = this.options;
    const payload = base64Utf8(`${account}\0${account}\0${password || ""}`);
    for (let i = 0; i < payload.length; i += SASL_CHUNK) {
      this.sendCommand("AUTHENTICATE", payload.slice(i, i + SASL_CHUNK));
    }
    if (payload.length % SASL_CHUNK === 0) this.sendCommand("AUTHENTICATE", "+");
  }

  onSaslEnd(msg) {
    if (msg.command !== "903") {
      this.events.onNotice?.(`Login failed: ${msg.params[msg.params.length - 1] || msg.command}`);
    }
    if (!this.registered) this.sendCommand("CAP", "END");
  }
}

// PROTOCOL_HANDLERS see a message before it is routed; returning false
// swallows it. They run with `this` bound to the Connection.
const PROTOCOL_HANDLERS = {
  PING(msg) {
    this.send(message("PONG", ...msg.params));
    return false;
  },
  PONG() {
    return false;
  },
  CAP(msg) {
    this.onCap(msg);
    return false;
  },
  AUTHENTICATE(msg) {
    this.onAuthenticate(msg);
    return false;
  },
  BATCH(msg) {
    // A BATCH start may itself belong to an outer batch; the inner batch is
    // routed into the outer one when it ends.
    this.onBatch(msg);
    return false;
  },
  "001"(msg) {
    this.nick = msg.params[0] || this.nick;
    this.registered = true;
    this.attempt = 0;
    this.status("connected");
    this.events.onRegistered?.();
  },
  "005"(msg) {
    this.isupport.add(msg.params.slice(1, -1));
  },
  // ERR_NICKNAMEINUSE before registration: try again with an underscore.
  "433"(msg) {
    if (this.registered) return true;
    this.nick = (msg.params[1] || this.nick) + "_";
    this.sendCommand("NICK", this.nick);
    return true;
  },
  NICK(msg) {
    // Mark the message before the nick changes, so later stages can still
    // tell that it was ours.
    if (msg.source && this.isMe(msg.source.nick)) {
      msg.self = true;
      this.nick = msg.params[0];
    }
  },
  "903": function (msg) { this.onSaslEnd(msg); },
  "902": function (msg) { this.onSaslEnd(msg); },
  "904": function (msg) { this.onSaslEnd(msg); },
  "905": function (msg) { this.onSaslEnd(msg); },
  "906": function (msg) { this.onSaslEnd(msg); },
  "908": function () { return false; },
};
