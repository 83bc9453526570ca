// A scripted server for tests: a fake WebSocket that records what the
// client sends and lets a test deliver server lines, wired to the real
// Connection, State and handlers the page uses.
import { Connection } from "../static/js/conn.js";
import { State } from "../static/js/state.js";
import { handleItem } from "../static/js/handlers.js";

export class FakeWebSocket {
  static OPEN = 1;
  static last = null;
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    FakeWebSocket.last = this;
  }
  send(line) {
    this.sent.push(line);
  }
  close() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({});
  }
  open() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({});
  }
  receive(...lines) {
    for (const line of lines) this.onmessage?.({ data: line });
  }
  // take returns and forgets what the client sent so far.
  take() {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}

globalThis.WebSocket = FakeWebSocket;

// The keep-alive interval must not hold the test process open.
const realSetInterval = globalThis.setInterval;
globalThis.setInterval = (...args) => {
  const timer = realSetInterval(...args);
  timer.unref?.();
  return timer;
};

// connect builds a client and registers it with the given caps and ISUPPORT.
export function connect({ nick = "me", caps = "", account = "", password = "", isupport = "" } = {}) {
  const conn = new Connection({ url: "ws://test/ws", nick, account, password }, {});
  const state = new State(conn);
  const notices = [];
  const statuses = [];
  conn.events = {
    onItem: (item) => handleItem(state, item),
    onNotice: (t) => notices.push(t),
    onStatus: (s, d) => statuses.push(d ? `${s} ${d}` : s),
  };
  conn.connect();
  const ws = FakeWebSocket.last;
  ws.open();
  return { conn, state, ws, notices, statuses, register: () => register(ws, nick, caps, isupport) };
}

function register(ws, nick, caps, isupport) {
  ws.receive(`:srv CAP * LS :${caps}`);
  const req = ws.sent.find((l) => l.startsWith("CAP REQ"));
  if (req) ws.receive(`:srv CAP ${nick} ACK :${req.slice("CAP REQ :".length).replace(/^CAP REQ /, "")}`);
  ws.receive(
    `:srv 001 ${nick} :Welcome`,
    `:srv 005 ${nick} CHANTYPES=# PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnst CASEMAPPING=rfc1459 ${isupport} :are supported`,
  );
}

// lines returns the visible lines of a buffer as "kind nick: text".
export function lines(buf) {
  return buf.lines.map((l) => `${l.kind} ${l.nick}: ${l.text}`);
}
