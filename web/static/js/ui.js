// UI: draws the state into the page. Everything from the network goes in
// through textContent and attributes, never as HTML. Redraws are coalesced
// into one animation frame, so a history batch of many lines costs one
// render.

import { stripFormatting, linkify, nickHue, formatTime } from "./text.js";
import { rank } from "./modes.js";
import { fetchBefore } from "./history.js";
import { SERVER_BUFFER } from "./state.js";

const TYPE_ORDER = { server: 0, channel: 1, query: 2 };
const SCROLL_LOAD_PX = 40;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("aria-") || k === "role" || k === "title") node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children);
  return node;
}

function nickSpan(nick) {
  const span = el("span", { class: "nick" }, nick);
  span.style.setProperty("--nick-hue", String(nickHue(nick)));
  return span;
}

function richText(text) {
  const frag = document.createDocumentFragment();
  for (const part of linkify(stripFormatting(text))) {
    if (part.href) {
      frag.append(el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer" }, part.text));
    } else {
      frag.append(part.text);
    }
  }
  return frag;
}

export class UI {
  constructor(state, els, actions) {
    this.state = state;
    this.els = els;
    this.actions = actions; // {onSelectBuffer(name), onOpenQuery(nick)}
    this.dirty = new Set();
    this.frame = 0;
    this.lastDay = "";
    state.subscribe((change) => this.onChange(change));
    els.messages.addEventListener("scroll", () => this.onScroll());
    els.bufferList.addEventListener("click", (ev) => {
      const item = ev.target.closest("[data-buffer]");
      if (item) actions.onSelectBuffer(item.dataset.buffer);
    });
    els.nicklist.addEventListener("click", (ev) => {
      const item = ev.target.closest("[data-nick]");
      if (item) actions.onOpenQuery(item.dataset.nick);
    });
    this.schedule("buffers", "messages", "members", "topic");
  }

  schedule(...parts) {
    for (const p of parts) this.dirty.add(p);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    const dirty = this.dirty;
    this.dirty = new Set();
    if (dirty.has("buffers")) this.renderBuffers();
    if (dirty.has("messages")) this.renderMessages();
    if (dirty.has("members")) this.renderMembers();
    if (dirty.has("topic")) this.renderTopic();
  }

  onChange(change) {
    const active = this.state.active;
    switch (change.kind) {
      case "buffers":
      case "nick":
        this.schedule("buffers");
        break;
      case "active":
        this.schedule("buffers", "messages", "members", "topic");
        break;
      case "line":
        if (change.buffer !== active) break;
        // A new line at the end is appended in place; a line inserted
        // earlier (history) needs the view rebuilt.
        if (change.buffer.newest === change.line && !this.dirty.has("messages")) this.appendLine(change.line);
        else this.schedule("messages");
        break;
      case "history":
      case "loading":
        if (change.buffer === active) this.schedule("messages");
        break;
      case "members":
        if (change.buffer === active) this.schedule("members");
        break;
      case "topic":
        if (change.buffer === active) this.schedule("topic");
        break;
    }
  }

  setStatus(text) {
    this.els.status.textContent = text;
    this.els.status.dataset.state = text.split(" ")[0];
  }

  renderBuffers() {
    const buffers = [...this.state.buffers.values()].sort(
      (a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.name.localeCompare(b.name),
    );
    const active = this.state.active;
    const items = buffers.map((buf) => {
      const label = buf.type === "server" ? this.state.conn.isupport.network || "Server" : buf.name;
      const button = el("button", { type: "button", class: "buffer-button", dataset: { buffer: buf.name } },
        el("span", { class: "buffer-name" }, label));
      if (buf.type === "channel" && !buf.joined) button.classList.add("parted");
      if (buf.highlights > 0) {
        button.append(el("span", { class: "badge highlight", title: "mentions" }, String(buf.highlights)));
      }
      if (buf.unread > 0) button.append(el("span", { class: "badge unread", title: "unread" }, String(buf.unread)));
      if (buf === active) button.setAttribute("aria-current", "true");
      return el("li", {}, button);
    });
    this.els.bufferList.replaceChildren(...items);
    const total = buffers.reduce((n, b) => n + b.highlights, 0);
    document.title = total > 0 ? `(${total}) parley` : "parley";
  }

  renderTopic() {
    const buf = this.state.active;
    const title = buf.type === "server" ? this.state.conn.isupport.network || "Server" : buf.name;
    this.els.bufferTitle.textContent = title;
    this.els.topic.replaceChildren(richText(buf.topic || ""));
    this.els.topic.title = stripFormatting(buf.topic || "");
  }

  renderMembers() {
    const buf = this.state.active;
    const isupport = this.state.conn.isupport;
    const members = [...buf.members.values()].sort(
      (a, b) => rank(isupport, a.prefix) - rank(isupport, b.prefix) ||
        a.nick.toLowerCase().localeCompare(b.nick.toLowerCase()),
    );
    const items = members.map((m) => {
      const button = el("button", { type: "button", title: m.away ? `${m.nick} (away)` : m.nick },
        el("span", { class: "prefix" }, m.prefix.slice(0, 1)), nickSpan(m.nick));
      return el("li", { dataset: { nick: m.nick }, class: m.away ? "away" : "" }, button);
    });
    this.els.nicklist.replaceChildren(...items);
    this.els.memberCount.textContent = buf.type === "channel" ? `${members.length} ${members.length === 1 ? "member" : "members"}` : "";
    this.els.chat.classList.toggle("no-members", buf.type !== "channel");
  }

  lineElement(line) {
    const node = el("div", { class: `message kind-${line.kind}`, dataset: { nick: line.nick } });
    if (line.msgid) node.dataset.msgid = line.msgid;
    if (line.self) node.classList.add("self");
    if (line.highlight) node.classList.add("highlight");
    node.append(el("time", { dateTime: line.time.toISOString(), title: line.time.toLocaleString() }, formatTime(line.time)));
    const text = el("span", { class: "text" });
    switch (line.kind) {
      case "privmsg":
        node.append(nickSpan(line.nick));
        break;
      case "notice":
        node.append(nickSpan(line.nick || "notice"));
        break;
      case "action":
        node.append(el("span", { class: "marker", "aria-hidden": "true" }, "*"), nickSpan(line.nick));
        break;
      case "info":
      case "error":
        node.append(el("span", { class: "marker" }, line.kind === "error" ? "!" : "–"));
        break;
      default:
        node.append(el("span", { class: "marker", "aria-hidden": "true" }, "•"), nickSpan(line.nick));
    }
    text.append(richText(line.text));
    node.append(text);
    return node;
  }

  dayDivider(line) {
    const day = line.time.toDateString();
    if (day === this.lastDay) return null;
    this.lastDay = day;
    return el("div", { class: "day", role: "separator" }, line.time.toLocaleDateString());
  }

  atBottom() {
    const m = this.els.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 8;
  }

  appendLine(line) {
    const stick = this.atBottom();
    const divider = this.dayDivider(line);
    if (divider) this.els.messages.append(divider);
    this.els.messages.append(this.lineElement(line));
    if (stick) this.els.messages.scrollTop = this.els.messages.scrollHeight;
  }

  // renderMessages rebuilds the view, keeping the reader's place: stuck to
  // the bottom if they were there, else at the same distance from the bottom,
  // so lines added above (scrollback) do not move what they are reading.
  renderMessages() {
    const m = this.els.messages;
    const buf = this.state.active;
    const switched = m.dataset.buffer !== buf.name;
    const stick = switched || this.atBottom();
    const fromBottom = m.scrollHeight - m.scrollTop;
    this.lastDay = "";
    const nodes = [];
    if (buf.history.pending === "before" || buf.history.pending === "latest") {
      nodes.push(el("div", { class: "loading", role: "status" }, "Loading history…"));
    } else if (buf.history.done) {
      nodes.push(el("div", { class: "loading" }, "Start of history"));
    }
    for (const line of buf.lines) {
      const divider = this.dayDivider(line);
      if (divider) nodes.push(divider);
      nodes.push(this.lineElement(line));
    }
    m.replaceChildren(...nodes);
    m.dataset.buffer = buf.name;
    m.scrollTop = stick ? m.scrollHeight : m.scrollHeight - fromBottom;
    if (buf.name !== SERVER_BUFFER && m.scrollHeight <= m.clientHeight) this.onScroll();
  }

  // onScroll asks for older history when the reader reaches the top
  // (or when a short history does not fill the view yet).
  onScroll() {
    if (this.els.messages.scrollTop > SCROLL_LOAD_PX) return;
    const buf = this.state.active;
    if (buf.lines.length > 0) fetchBefore(this.state, buf);
  }
}
