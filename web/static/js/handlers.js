// Handlers: what each IRC message means for the buffers. Each entry of
// HANDLERS takes (state, msg, ctx); ctx.history is true inside a
// chathistory batch, where a message only adds a line and never changes
// members or topics, since it describes the past.

import { parseTime, parseSource } from "./irc.js";
import { parseModeChanges, applyPrefix, splitPrefix } from "./modes.js";
import { onHistoryBatch, fetchLatest } from "./history.js";

const LIVE = { history: false, target: "" };

// handleItem processes one message or one finished batch.
export function handleItem(state, item, ctx = LIVE) {
  if (item.batch) {
    if (item.type === "chathistory") {
      onHistoryBatch(state, item, (msg, hctx) => handleItem(state, msg, hctx));
      return;
    }
    for (const inner of item.items) handleItem(state, inner, ctx);
    return;
  }
  const handler = HANDLERS[item.command] || (/^\d{3}$/.test(item.command) ? numeric : null);
  if (handler) handler(state, item, ctx);
}

function makeLine(state, msg, kind, text, extra = {}) {
  const nick = msg.source?.nick || "";
  return {
    time: parseTime(msg.tags),
    msgid: msg.tags.msgid || "",
    fromServer: msg.tags.time !== undefined,
    kind,
    nick,
    text,
    self: nick !== "" && state.conn.isMe(nick),
    highlight: false,
    ...extra,
  };
}

function last(msg) {
  return msg.params[msg.params.length - 1] || "";
}

// stripStatusPrefix removes a STATUSMSG prefix such as "@#chan" → "#chan".
function stripStatusPrefix(state, target) {
  const { symbols } = state.conn.isupport.prefix;
  let i = 0;
  while (i < target.length - 1 && symbols.includes(target[i]) && !state.isChannel(target.slice(i))) i++;
  return state.isChannel(target.slice(i)) ? target.slice(i) : target;
}

// messageBuffer picks the buffer for a PRIVMSG or NOTICE. Notices from the
// server and from services without an open conversation go to the server buffer.
function messageBuffer(state, msg) {
  const target = stripStatusPrefix(state, msg.params[0] || "");
  if (state.isChannel(target)) return state.ensure(target);
  const from = msg.source?.nick || "";
  const fromServer = !msg.source || !msg.source.raw.includes("!") || !state.conn.registered;
  if (from && state.conn.isMe(from)) return target === "*" ? state.server : state.ensure(target);
  if (fromServer) return state.server;
  if (msg.command === "NOTICE" && !state.get(from)) return state.server;
  return state.ensure(from);
}

function onMessage(state, msg, ctx) {
  let text = msg.params[1] ?? "";
  let kind = msg.command === "NOTICE" ? "notice" : "privmsg";
  if (text.startsWith("\x01")) {
    const body = text.replace(/^\x01|\x01$/g, "");
    const space = body.indexOf(" ");
    const verb = (space < 0 ? body : body.slice(0, space)).toUpperCase();
    if (verb === "ACTION") {
      kind = "action";
      text = space < 0 ? "" : body.slice(space + 1);
    } else if (kind === "privmsg") {
      return; // CTCP queries other than ACTION are not answered.
    } else {
      text = `CTCP ${body}`;
    }
  }
  const buf = messageBuffer(state, msg);
  const line = makeLine(state, msg, kind, text);
  line.highlight = !line.self && (buf.type === "query" || state.mentions(text));
  state.addLine(buf, line, ctx.history);
}

function onJoin(state, msg, ctx) {
  const chan = msg.params[0];
  const nick = msg.source.nick;
  const buf = state.ensure(chan);
  const line = makeLine(state, msg, "join", `joined ${chan}`);
  if (!ctx.history) {
    if (line.self) {
      buf.joined = true;
      buf.members.clear();
      state.emit({ kind: "members", buffer: buf });
      if (state.wantActive === state.key(chan)) {
        state.wantActive = null;
        state.setActive(chan);
      }
    }
    // extended-join: JOIN <channel> <account> :<realname>, "*" for no account.
    const account = msg.params.length > 2 && msg.params[1] !== "*" ? msg.params[1] : "";
    state.setMember(buf, nick, { account, away: false });
  }
  state.addLine(buf, line, ctx.history);
  if (!ctx.history && line.self) fetchLatest(state, buf);
}

function leave(state, buf, nick, self) {
  if (self) {
    buf.joined = false;
    buf.members.clear();
    state.emit({ kind: "members", buffer: buf });
    state.emit({ kind: "buffers" });
  } else {
    state.removeMember(buf, nick);
  }
}

function onPart(state, msg, ctx) {
  const buf = state.ensure(msg.params[0]);
  const reason = msg.params[1] ? ` (${msg.params[1]})` : "";
  const line = makeLine(state, msg, "part", `left ${msg.params[0]}${reason}`);
  state.addLine(buf, line, ctx.history);
  if (ctx.history) return;
  leave(state, buf, msg.source.nick, line.self);
  if (line.self && state.closing.delete(state.key(buf.name))) state.remove(buf.name);
}

function onKick(state, msg, ctx) {
  const [chan, victim, reason = ""] = msg.params;
  const buf = state.ensure(chan);
  const line = makeLine(state, msg, "kick", `kicked ${victim} from ${chan}${reason ? ` (${reason})` : ""}`);
  line.highlight = state.conn.isMe(victim);
  state.addLine(buf, line, ctx.history);
  if (!ctx.history) leave(state, buf, victim, state.conn.isMe(victim));
}

function onQuit(state, msg, ctx) {
  const reason = msg.params[0] ? ` (${msg.params[0]})` : "";
  if (ctx.history) {
    state.addLine(state.ensure(ctx.target), makeLine(state, msg, "quit", `quit${reason}`), true);
    return;
  }
  for (const buf of state.buffersWith(msg.source.nick)) {
    state.addLine(buf, makeLine(state, msg, "quit", `quit${reason}`));
    state.removeMember(buf, msg.source.nick);
  }
}

function onNick(state, msg, ctx) {
  const oldNick = msg.source.nick;
  const newNick = msg.params[0];
  const text = `is now known as ${newNick}`;
  if (ctx.history) {
    state.addLine(state.ensure(ctx.target), makeLine(state, msg, "nick", text), true);
    return;
  }
  const buffers = msg.self ? [...state.buffers.values()].filter((b) => b.type === "channel") : state.buffersWith(oldNick);
  for (const buf of buffers) {
    const member = state.member(buf, oldNick);
    const line = makeLine(state, msg, "nick", text);
    line.self = Boolean(msg.self);
    state.addLine(buf, line);
    if (member) {
      state.removeMember(buf, oldNick);
      state.setMember(buf, newNick, { prefix: member.prefix, away: member.away, account: member.account });
    }
  }
  if (msg.self) {
    state.info(`You are now known as ${newNick}`, state.server);
    state.emit({ kind: "nick" });
  } else if (state.get(oldNick)) {
    state.rename(oldNick, newNick);
  }
}

function onMode(state, msg, ctx) {
  const [target, modestring = "", ...args] = msg.params;
  const text = `sets mode ${[modestring, ...args].join(" ")}`;
  if (!state.isChannel(target)) {
    state.addLine(state.server, makeLine(state, msg, "mode", text), ctx.history);
    return;
  }
  const buf = state.ensure(target);
  state.addLine(buf, makeLine(state, msg, "mode", text), ctx.history);
  if (ctx.history) return;
  const isupport = state.conn.isupport;
  for (const change of parseModeChanges(isupport, modestring, args)) {
    const member = change.arg && state.member(buf, change.arg);
    if (!member) continue;
    const prefix = applyPrefix(isupport, member.prefix, change.mode, change.add);
    if (prefix !== member.prefix) state.setMember(buf, member.nick, { prefix });
  }
}

function onTopic(state, msg, ctx) {
  const buf = state.ensure(msg.params[0]);
  const topic = msg.params[1] || "";
  state.addLine(buf, makeLine(state, msg, "topic", topic ? `changed the topic to: ${topic}` : "cleared the topic"), ctx.history);
  if (!ctx.history) state.setTopic(buf, topic);
}

// onNames collects RPL_NAMREPLY entries; RPL_ENDOFNAMES swaps them in, so a
// second NAMES does not briefly empty the list.
function onNames(state, msg) {
  const [, , chan, names = ""] = msg.params;
  const buf = state.get(chan);
  if (!buf) return;
  buf.pendingNames = buf.pendingNames || new Map();
  for (const entry of names.split(" ").filter(Boolean)) {
    // userhost-in-names: entries are prefix + nick!user@host.
    const [prefix, rest] = splitPrefix(state.conn.isupport, entry);
    const nick = parseSource(rest).nick;
    const old = state.member(buf, nick);
    buf.pendingNames.set(state.conn.fold(nick), { nick, prefix, away: old?.away || false, account: old?.account || "" });
  }
}

function onEndOfNames(state, msg) {
  const buf = state.get(msg.params[1] || "");
  if (!buf || !buf.pendingNames) return;
  buf.members = buf.pendingNames;
  buf.pendingNames = null;
  state.emit({ kind: "members", buffer: buf });
}

function setOnEveryBuffer(state, nick, fields) {
  for (const buf of state.buffersWith(nick)) state.setMember(buf, nick, fields);
}

function onInvite(state, msg, ctx) {
  const [invitee, chan] = msg.params;
  if (state.conn.isMe(invitee)) {
    const line = makeLine(state, msg, "invite", `invited you to ${chan}`, { highlight: true });
    state.addLine(state.active, line, ctx.history);
  } else {
    state.addLine(state.ensure(chan), makeLine(state, msg, "invite", `invited ${invitee} to ${chan}`), ctx.history);
  }
}

// onStandardReply shows FAIL / WARN / NOTE (IRCv3 standard-replies).
function onStandardReply(state, msg) {
  const [command = "", code = ""] = msg.params;
  if (command === "CHATHISTORY") {
    for (const buf of state.buffers.values()) buf.history.pending = null;
  }
  const text = `${command} ${code}: ${last(msg)}`;
  if (msg.command === "FAIL") state.error(text);
  else state.info(text);
}

const HANDLERS = {
  PRIVMSG: onMessage,
  NOTICE: onMessage,
  JOIN: onJoin,
  PART: onPart,
  KICK: onKick,
  QUIT: onQuit,
  NICK: onNick,
  MODE: onMode,
  TOPIC: onTopic,
  INVITE: onInvite,
  FAIL: onStandardReply,
  WARN: onStandardReply,
  NOTE: onStandardReply,
  AWAY: (state, msg) => setOnEveryBuffer(state, msg.source.nick, { away: msg.params.length > 0 }),
  ACCOUNT: (state, msg) => setOnEveryBuffer(state, msg.source.nick, { account: msg.params[0] === "*" ? "" : msg.params[0] }),
  ERROR: (state, msg) => state.error(`Disconnected by the server: ${last(msg)}`, state.server),
  MARKREAD: (state, msg) => {
    const buf = state.get(msg.params[0] || "");
    const m = /^timestamp=(.+)$/.exec(msg.params[1] || "");
    if (buf && m && !Number.isNaN(new Date(m[1]).getTime())) state.setReadTime(buf, new Date(m[1]));
  },
  "331": (state, msg) => state.get(msg.params[1]) && state.setTopic(state.get(msg.params[1]), ""),
  "332": (state, msg) => state.setTopic(state.ensure(msg.params[1]), msg.params[2] || ""),
  "333": () => {},
  "353": onNames,
  "366": onEndOfNames,
  "005": () => {},
  "321": (state) => state.info("Channel list:", state.server),
  "322": (state, msg) => state.info(`${msg.params[1]} (${msg.params[2]} users) ${msg.params[3] || ""}`, state.server),
  "323": (state) => state.info("End of channel list", state.server),
  "311": (state, msg) => state.info(`${msg.params[1]} is ${msg.params[2]}@${msg.params[3]} (${last(msg)})`),
  "312": (state, msg) => state.info(`${msg.params[1]} is connected to ${msg.params[2]}`),
  "317": (state, msg) => state.info(`${msg.params[1]} has been idle for ${msg.params[2]}s`),
  "318": () => {},
  "319": (state, msg) => state.info(`${msg.params[1]} is on ${last(msg)}`),
  "330": (state, msg) => state.info(`${msg.params[1]} is logged in as ${msg.params[2]}`),
  "301": (state, msg) => state.info(`${msg.params[1]} is away: ${last(msg)}`),
  "305": (state, msg) => state.info(last(msg)),
  "306": (state, msg) => state.info(last(msg)),
};

// numeric shows any other numeric: errors (4xx, 5xx) where the user is
// looking, the rest (welcome, MOTD, stats) in the server buffer.
function numeric(state, msg) {
  const text = msg.params.slice(1).join(" ");
  const code = Number(msg.command);
  if (code >= 400 && code < 600) state.error(text);
  else state.info(text, state.server);
}
