// Commands: what the user types in the input box. Plain text goes to the
// active buffer; "/name args" runs an entry of COMMANDS; "//text" sends
// "/text" as a message.

import { message } from "./irc.js";
import { fetchLatest } from "./history.js";

// Keep each PRIVMSG comfortably inside the 512-byte line limit once the
// server has added the sender's prefix.
const MAX_TEXT = 400;

function splitText(text) {
  const chunks = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    let rest = line;
    while (new TextEncoder().encode(rest).length > MAX_TEXT) {
      let cut = MAX_TEXT;
      while (new TextEncoder().encode(rest.slice(0, cut)).length > MAX_TEXT) cut--;
      const space = rest.lastIndexOf(" ", cut);
      if (space > cut / 2) cut = space;
      chunks.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, "");
    }
    chunks.push(rest);
  }
  return chunks;
}

// say sends text to a target. Without echo-message the client shows its own
// line; with it, the server's echo is what appears (IRCv3 echo-message).
export function say(ctx, target, text, kind = "privmsg") {
  const { state, conn } = ctx;
  if (!conn.connected) {
    state.error("Not connected.");
    return;
  }
  for (const chunk of splitText(text)) {
    const body = kind === "action" ? `\x01ACTION ${chunk}\x01` : chunk;
    conn.send(message(kind === "notice" ? "NOTICE" : "PRIVMSG", target, body));
    if (!conn.hasCap("echo-message")) {
      const buf = state.ensure(target);
      state.addLine(buf, { time: new Date(), msgid: "", kind, nick: conn.nick, text: chunk, self: true, highlight: false });
    }
  }
}

// words splits off the first n-1 space-separated words; the last element is the rest.
function words(args, n) {
  const out = [];
  let rest = args.trim();
  while (out.length < n - 1 && rest !== "") {
    const space = rest.indexOf(" ");
    if (space < 0) {
      out.push(rest);
      rest = "";
    } else {
      out.push(rest.slice(0, space));
      rest = rest.slice(space + 1).trimStart();
    }
  }
  while (out.length < n - 1) out.push("");
  out.push(rest);
  return out;
}

class UsageError extends Error {}

function activeChannel(ctx) {
  const buf = ctx.state.active;
  if (buf.type !== "channel") throw new UsageError("This command needs a channel: switch to one first.");
  return buf.name;
}

function need(value, usage) {
  if (!value) throw new UsageError(`Usage: ${usage}`);
  return value;
}

function send(ctx, command, ...params) {
  if (!ctx.conn.send(message(command, ...params))) ctx.state.error("Not connected.");
}

export const COMMANDS = {
  join: {
    usage: "/join #channel[,#other] [key]",
    help: "Join channels.",
    run(ctx, args) {
      const [chans, key] = words(args, 2);
      need(chans, this.usage);
      const first = chans.split(",")[0];
      if (ctx.state.get(first)?.joined) ctx.state.setActive(first);
      else ctx.state.wantActive = ctx.state.key(first);
      if (key) send(ctx, "JOIN", chans, key);
      else send(ctx, "JOIN", chans);
    },
  },
  part: {
    usage: "/part [#channel] [reason]",
    help: "Leave a channel and close its buffer.",
    run(ctx, args) {
      let [chan, reason] = words(args, 2);
      if (!chan || !ctx.state.isChannel(chan)) {
        reason = args.trim();
        chan = ctx.state.active.name;
      }
      closeBuffer(ctx, chan, reason);
    },
  },
  close: {
    usage: "/close",
    help: "Close the current buffer (leaving the channel).",
    run(ctx) {
      closeBuffer(ctx, ctx.state.active.name, "");
    },
  },
  msg: {
    usage: "/msg <nick|#channel> <text>",
    help: "Send a message without switching buffers.",
    run(ctx, args) {
      const [target, text] = words(args, 2);
      say(ctx, need(target, this.usage), need(text, this.usage));
    },
  },
  query: {
    usage: "/query <nick> [text]",
    help: "Open a private conversation.",
    run(ctx, args) {
      const [nick, text] = words(args, 2);
      need(nick, this.usage);
      const isNew = !ctx.state.get(nick);
      const buf = ctx.state.ensure(nick);
      ctx.state.setActive(nick);
      if (isNew) fetchLatest(ctx.state, buf);
      if (text) say(ctx, nick, text);
    },
  },
  me: {
    usage: "/me <action>",
    help: "Describe an action.",
    run(ctx, args) {
      const buf = ctx.state.active;
      if (buf.type === "server") throw new UsageError("Switch to a channel or conversation first.");
      say(ctx, buf.name, need(args.trim(), this.usage), "action");
    },
  },
  nick: {
    usage: "/nick <newnick>",
    help: "Change your nickname.",
    run(ctx, args) {
      send(ctx, "NICK", need(words(args, 2)[0], this.usage));
    },
  },
  topic: {
    usage: "/topic [text]",
    help: "Show or set the channel topic.",
    run(ctx, args) {
      const chan = activeChannel(ctx);
      if (args.trim()) send(ctx, "TOPIC", chan, args.trim());
      else send(ctx, "TOPIC", chan);
    },
  },
  kick: {
    usage: "/kick <nick> [reason]",
    help: "Remove someone from the channel.",
    run(ctx, args) {
      const [nick, reason] = words(args, 2);
      const chan = activeChannel(ctx);
      if (reason) send(ctx, "KICK", chan, need(nick, this.usage), reason);
      else send(ctx, "KICK", chan, need(nick, this.usage));
    },
  },
  ban: {
    usage: "/ban <nick|mask>",
    help: "Ban a nick (as nick!*@*) or a mask from the channel.",
    run(ctx, args) {
      const target = need(words(args, 2)[0], this.usage);
      const mask = /[!@*]/.test(target) ? target : `${target}!*@*`;
      send(ctx, "MODE", activeChannel(ctx), "+b", mask);
    },
  },
  mode: {
    usage: "/mode [target] <modes> [args]",
    help: "Show or change modes of a channel (or of yourself).",
    run(ctx, args) {
      const parts = args.trim().split(/\s+/).filter(Boolean);
      if (parts.length === 0 || /^[+-]/.test(parts[0])) parts.unshift(activeChannel(ctx));
      send(ctx, "MODE", ...parts);
    },
  },
  whois: {
    usage: "/whois <nick>",
    help: "Show information about a user.",
    run(ctx, args) {
      send(ctx, "WHOIS", need(words(args, 2)[0], this.usage));
    },
  },
  away: {
    usage: "/away [message]",
    help: "Mark yourself away; without a message, mark yourself back.",
    run(ctx, args) {
      if (args.trim()) send(ctx, "AWAY", args.trim());
      else send(ctx, "AWAY");
    },
  },
  invite: {
    usage: "/invite <nick> [#channel]",
    help: "Invite someone to a channel.",
    run(ctx, args) {
      const [nick, chan] = words(args, 2);
      send(ctx, "INVITE", need(nick, this.usage), chan || activeChannel(ctx));
    },
  },
  list: {
    usage: "/list [filter]",
    help: "List channels; results appear in the server buffer.",
    run(ctx, args) {
      ctx.state.setActive(ctx.state.server.name);
      if (args.trim()) send(ctx, "LIST", args.trim());
      else send(ctx, "LIST");
    },
  },
  quit: {
    usage: "/quit [reason]",
    help: "Disconnect from the server.",
    run(ctx, args) {
      ctx.onQuit(args.trim());
    },
  },
  raw: {
    usage: "/raw <line>",
    help: "Send a raw IRC line.",
    run(ctx, args) {
      if (!ctx.conn.sendRaw(need(args.trim(), this.usage))) ctx.state.error("Not connected.");
    },
  },
  help: {
    usage: "/help",
    help: "List the commands.",
    run(ctx) {
      for (const name of Object.keys(COMMANDS).sort()) {
        ctx.state.info(`${COMMANDS[name].usage} — ${COMMANDS[name].help}`);
      }
    },
  },
};

function closeBuffer(ctx, name, reason) {
  const { state } = ctx;
  const buf = state.get(name);
  if (!buf || buf.type === "server") throw new UsageError("The server buffer cannot be closed.");
  if (buf.type === "channel" && buf.joined && ctx.conn.connected) {
    state.closing.add(state.key(name));
    if (reason) send(ctx, "PART", name, reason);
    else send(ctx, "PART", name);
  } else {
    state.remove(name);
  }
}

// execute runs one submitted line of input.
export function execute(ctx, input) {
  if (input.trim() === "") return;
  const { state } = ctx;
  if (!input.startsWith("/") || input.startsWith("//")) {
    const buf = state.active;
    if (buf.type === "server") {
      state.error("This is the server buffer: join a channel with /join #name, or use /msg.");
      return;
    }
    say(ctx, buf.name, input.startsWith("//") ? input.slice(1) : input);
    return;
  }
  const [name, args] = words(input.slice(1), 2);
  const command = COMMANDS[name.toLowerCase()];
  if (!command) {
    state.error(`Unknown command /${name}. Type /help for the list.`);
    return;
  }
  try {
    command.run(ctx, args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    state.error(err.message);
  }
}
