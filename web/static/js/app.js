// App: wires the connect form, the connection, the state, the UI and the
// input box together. It is the only module that knows about all of them.

import { Connection } from "./conn.js";
import { State } from "./state.js";
import { UI } from "./ui.js";
import { InputController } from "./input.js";
import { handleItem } from "./handlers.js";
import { execute } from "./commands.js";
import { fetchLatest } from "./history.js";
import { loadSettings, saveSettings, defaultServerURL } from "./storage.js";

const $ = (id) => document.getElementById(id);
const NICK_RE = /^[^\s:!@#&,*?$+%~.][^\s!@,*?]*$/;

const els = {
  connectScreen: $("connect-screen"),
  connectForm: $("connect-form"),
  connectError: $("connect-error"),
  chat: $("chat"),
  bufferList: $("buffer-list"),
  messages: $("messages"),
  topic: $("topic"),
  bufferTitle: $("buffer-title"),
  nicklist: $("nicklist"),
  memberCount: $("member-count"),
  status: $("status"),
  input: $("input"),
  inputForm: $("input-form"),
  sidebarToggle: $("sidebar-toggle"),
  nicklistToggle: $("nicklist-toggle"),
};

let session = null;

function fillForm() {
  const s = loadSettings();
  $("nick").value = s.nick || "";
  $("account").value = s.account || "";
  $("channels").value = s.channels || "";
  $("server-url").value = s.url || "";
  $("server-url").placeholder = defaultServerURL();
  if (s.account) $("account-details").open = true;
  if (s.url) $("advanced-details").open = true;
}

function readForm() {
  return {
    nick: $("nick").value.trim(),
    account: $("account").value.trim(),
    password: $("password").value,
    channels: $("channels").value.trim(),
    url: $("server-url").value.trim(),
  };
}

function autojoinList(text) {
  return text.split(/[\s,]+/).filter(Boolean).map((c) => (/^[#&]/.test(c) ? c : `#${c}`));
}

// joinAll sends JOINs for many channels, several per line but each line
// short enough for the server's limit.
function joinAll(conn, channels) {
  let batch = [];
  const flush = () => {
    if (batch.length > 0) conn.sendCommand("JOIN", batch.join(","));
    batch = [];
  };
  for (const chan of channels) {
    if (batch.join(",").length + chan.length > 400) flush();
    batch.push(chan);
  }
  flush();
}

function showChat(visible) {
  els.connectScreen.hidden = visible;
  els.chat.hidden = !visible;
  (visible ? els.input : $("nick")).focus();
}

function start(form) {
  const conn = new Connection(
    { url: form.url || defaultServerURL(), nick: form.nick, account: form.account, password: form.password },
    {},
  );
  const state = new State(conn);
  const ctx = { state, conn, onQuit: (reason) => stop(reason) };
  const ui = new UI(state, els, {
    onSelectBuffer: (name) => {
      state.setActive(name);
      els.chat.classList.remove("sidebar-open");
      els.input.focus();
    },
    onOpenQuery: (nick) => {
      if (!conn.isMe(nick)) execute(ctx, `/query ${nick}`);
      els.chat.classList.remove("nicklist-open");
      els.input.focus();
    },
  });
  let firstRegistration = true;
  conn.events = {
    onItem: (item) => handleItem(state, item),
    onNotice: (text) => state.info(text, state.server),
    onStatus: (status, detail) => {
      ui.setStatus(detail ? `${status} ${detail}` : status);
      if (status === "reconnecting" || status === "disconnected") forgetMemberships(state, status);
    },
    onRegistered: () => {
      // Rejoin what was open before a reconnect; the first time, the
      // channels from the connect form.
      const channels = [...state.buffers.values()].filter((b) => b.type === "channel" && b.rejoin).map((b) => b.name);
      if (firstRegistration) {
        const wanted = autojoinList(form.channels);
        channels.push(...wanted);
        if (wanted.length > 0) state.wantActive = state.key(wanted[0]);
        firstRegistration = false;
      }
      joinAll(conn, channels);
      for (const buf of state.buffers.values()) if (buf.type === "query") fetchLatest(state, buf);
      ui.schedule("buffers", "topic");
    },
  };
  const input = new InputController(els.input, () => ({
    nicks: [...state.active.members.values()].map((m) => m.nick).concat(state.active.type === "query" ? [state.active.name] : []),
    channels: [...state.buffers.values()].filter((b) => b.type === "channel").map((b) => b.name),
    chantypes: conn.isupport.chantypes,
  }));
  session = { conn, state, ui, input, ctx };
  conn.connect();
  showChat(true);
}

// forgetMemberships runs when the connection drops: channel lists are stale
// until the server sends them again, and the channels are rejoined.
function forgetMemberships(state, status) {
  if (state.conn.registered || state.server.lines.at(-1)?.kind !== "error") {
    state.error(status === "reconnecting" ? "Connection lost; reconnecting…" : "Disconnected.", state.server);
  }
  for (const buf of state.buffers.values()) {
    if (buf.type !== "channel") continue;
    if (buf.joined) buf.rejoin = true;
    buf.joined = false;
    buf.members.clear();
    buf.history.pending = null;
    state.emit({ kind: "members", buffer: buf });
  }
  state.emit({ kind: "buffers" });
}

function stop(reason) {
  if (!session) return;
  session.conn.quit(reason);
  session = null;
  els.chat.classList.remove("sidebar-open", "nicklist-open");
  els.messages.replaceChildren();
  delete els.messages.dataset.buffer;
  showChat(false);
}

els.connectForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = readForm();
  if (!NICK_RE.test(form.nick)) {
    els.connectError.textContent = "Choose a nickname without spaces that does not start with a symbol.";
    $("nick").focus();
    return;
  }
  if (form.account && !form.password) {
    els.connectError.textContent = "Enter the password for the account, or leave the account empty.";
    $("password").focus();
    return;
  }
  els.connectError.textContent = "";
  saveSettings(form);
  $("password").value = "";
  start(form);
});

els.inputForm.addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (!session) return;
  const text = els.input.value;
  els.input.value = "";
  session.input.remember(text);
  execute(session.ctx, text);
});

els.sidebarToggle.addEventListener("click", () => {
  const open = els.chat.classList.toggle("sidebar-open");
  els.chat.classList.remove("nicklist-open");
  els.sidebarToggle.setAttribute("aria-expanded", String(open));
});

els.nicklistToggle.addEventListener("click", () => {
  const open = els.chat.classList.toggle("nicklist-open");
  els.chat.classList.remove("sidebar-open");
  els.nicklistToggle.setAttribute("aria-expanded", String(open));
});

// On narrow screens a tap on the messages closes an open panel.
$("main").addEventListener("click", () => els.chat.classList.remove("sidebar-open", "nicklist-open"));

// Alt+Up / Alt+Down switch buffers from the keyboard; Escape closes panels.
document.addEventListener("keydown", (ev) => {
  if (!session) return;
  if (ev.key === "Escape") {
    els.chat.classList.remove("sidebar-open", "nicklist-open");
    return;
  }
  if (!ev.altKey || (ev.key !== "ArrowUp" && ev.key !== "ArrowDown")) return;
  const names = [...els.bufferList.querySelectorAll("[data-buffer]")].map((b) => b.dataset.buffer);
  const i = names.indexOf(session.state.active.name);
  const next = names[(i + (ev.key === "ArrowUp" ? -1 : 1) + names.length) % names.length];
  if (next !== undefined) session.state.setActive(next);
  ev.preventDefault();
});

const updateFocus = () => session?.state.setFocused(document.visibilityState === "visible" && document.hasFocus());
window.addEventListener("focus", updateFocus);
window.addEventListener("blur", updateFocus);
document.addEventListener("visibilitychange", updateFocus);
window.addEventListener("online", () => session?.conn.reconnectNow());

fillForm();
showChat(false);
