// Tests for what server messages do to buffers (static/js/handlers.js,
// state.js, history.js, modes.js), driven through the real Connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, lines } from "./harness.mjs";

const CAPS = "server-time message-tags batch echo-message draft/chathistory multi-prefix userhost-in-names extended-join away-notify draft/read-marker";

function joined(opts = {}) {
  const c = connect({ caps: CAPS, ...opts });
  c.register();
  c.ws.receive(
    ":me!u@h JOIN #chan * :Me",
    ":srv 332 me #chan :Welcome to #chan",
    ":srv 353 me = #chan :~@owner!o@h me!u@h +voice!v@h %half!x@h plain!p@h",
    ":srv 366 me #chan :End of /NAMES list.",
  );
  return c;
}

function memberList(state, chan) {
  return [...state.get(chan).members.values()].map((m) => m.prefix + m.nick).sort();
}

test("joining a channel creates its buffer with topic, members and a history request", () => {
  const { state, ws } = joined();
  const buf = state.get("#CHAN");
  assert.ok(buf && buf.joined);
  assert.equal(buf.topic, "Welcome to #chan");
  assert.deepEqual(memberList(state, "#chan"), ["%half", "+voice", "me", "plain", "~@owner"]);
  assert.ok(ws.sent.includes("CHATHISTORY LATEST #chan * 50"), ws.sent.join("\n"));
});

test("membership follows JOIN, PART, KICK, QUIT, NICK and MODE", () => {
  const { state, ws } = joined();
  ws.receive(
    ":new!n@h JOIN #chan acct :Real Name",
    ":plain!p@h PART #chan :bye",
    ":owner!o@h KICK #chan half :behave",
    ":voice!v@h NICK loud",
    ":owner!o@h MODE #chan +o-v+b loud loud *!*@spam",
    ":owner!o@h MODE #chan +k-q secret owner",
    ":new!n@h QUIT :gone",
  );
  assert.deepEqual(memberList(state, "#chan"), ["@loud", "@owner", "me"]);
  assert.deepEqual(lines(state.get("#chan")).slice(-7), [
    "join new: joined #chan",
    "part plain: left #chan (bye)",
    "kick owner: kicked half from #chan (behave)",
    "nick voice: is now known as loud",
    "mode owner: sets mode +o-v+b loud loud *!*@spam",
    "mode owner: sets mode +k-q secret owner",
    "quit new: quit (gone)",
  ]);
  assert.equal(state.member(state.get("#chan"), "new"), undefined);
});

test("messages count as unread, mentions as highlights, and reading clears both", () => {
  const { state, ws } = joined();
  ws.receive(
    "@time=2030-01-01T00:00:01Z;msgid=m1 :plain!p@h PRIVMSG #chan :hello all",
    "@time=2030-01-01T00:00:02Z;msgid=m2 :plain!p@h PRIVMSG #chan :hey me, look",
    "@time=2030-01-01T00:00:03Z;msgid=m3 :plain!p@h PRIVMSG #chan :meme is not a mention",
    "@time=2030-01-01T00:00:04Z;msgid=m4 :me!u@h PRIVMSG #chan :my own line",
  );
  const buf = state.get("#chan");
  assert.equal(buf.unread, 3);
  assert.equal(buf.highlights, 1);
  assert.deepEqual(buf.lines.filter((l) => l.highlight).map((l) => l.msgid), ["m2"]);
  ws.take();
  state.setActive("#chan");
  assert.equal(buf.unread, 0);
  assert.equal(buf.highlights, 0);
  assert.deepEqual(ws.take(), ["MARKREAD #chan timestamp=2030-01-01T00:00:04.000Z"]);
  ws.receive("@time=2030-01-01T00:00:05Z;msgid=m5 :plain!p@h PRIVMSG #chan :seen at once");
  assert.equal(buf.unread, 0, "the active buffer does not count");
});

test("private messages open a query buffer and always highlight", () => {
  const { state, ws } = joined();
  ws.receive(":Friend!f@h PRIVMSG me :psst", ":me!u@h PRIVMSG friend :hi back", ":Friend!f@h PRIVMSG me :\x01ACTION waves\x01");
  const buf = state.get("friend");
  assert.equal(buf.type, "query");
  assert.equal(buf.name, "Friend");
  assert.deepEqual(lines(buf), ["privmsg Friend: psst", "privmsg me: hi back", "action Friend: waves"]);
  assert.equal(buf.highlights, 2);
  ws.receive(":srv NOTICE me :server notice", ":NickServ!s@services NOTICE me :Identify please");
  assert.deepEqual(lines(state.server).slice(-2), ["notice srv: server notice", "notice NickServ: Identify please"]);
});

test("a chathistory batch fills the buffer in order, without duplicates or unread counts", () => {
  const { state, ws } = joined();
  ws.receive(
    "@time=2030-01-01T00:10:00Z;msgid=live :plain!p@h PRIVMSG #chan :live line",
    ":srv BATCH +h1 chathistory #chan",
    "@batch=h1;time=2030-01-01T00:01:00Z;msgid=a :plain!p@h PRIVMSG #chan :first",
    "@batch=h1;time=2030-01-01T00:02:00Z;msgid=b :voice!v@h JOIN #chan",
    "@batch=h1;time=2030-01-01T00:03:00Z;msgid=c :voice!v@h QUIT :bye",
    "@batch=h1;time=2030-01-01T00:10:00Z;msgid=live :plain!p@h PRIVMSG #chan :live line",
    ":srv BATCH -h1",
  );
  const buf = state.get("#chan");
  assert.deepEqual(buf.lines.map((l) => l.msgid).filter(Boolean), ["a", "b", "c", "live"]);
  assert.equal(buf.unread, 1, "only the live line counts");
  assert.ok(state.member(buf, "voice"), "history QUIT/JOIN do not touch the member list");
  assert.equal(buf.history.done, true, "a short LATEST page reaches the start");
});

test("scrolling back asks for the page before the oldest msgid", async () => {
  const { state, ws } = joined();
  const { fetchBefore } = await import("../static/js/history.js");
  const batch = [":srv BATCH +x chathistory #chan"];
  for (let i = 10; i < 60; i++) batch.push(`@batch=x;time=2030-01-01T00:00:${String(i % 60).padStart(2, "0")}Z;msgid=id${i} :plain!p@h PRIVMSG #chan :${i}`);
  batch.push(":srv BATCH -x");
  ws.receive(...batch);
  const buf = state.get("#chan");
  assert.equal(buf.history.done, false, "a full page may have more before it");
  ws.take();
  assert.equal(fetchBefore(state, buf), true);
  assert.deepEqual(ws.take(), ["CHATHISTORY BEFORE #chan msgid=id10 50"]);
  assert.equal(fetchBefore(state, buf), false, "one request at a time");
  ws.receive(":srv BATCH +y chathistory #chan", ":srv BATCH -y");
  assert.equal(buf.history.done, true);
  assert.equal(fetchBefore(state, buf), false);
});

test("batches nested in labeled-response are unpacked", () => {
  const { state, ws } = joined();
  ws.receive(
    "@label=1 :srv BATCH +outer labeled-response",
    "@batch=outer :srv BATCH +inner chathistory #chan",
    "@batch=inner;time=2030-01-01T00:00:01Z;msgid=n1 :plain!p@h PRIVMSG #chan :nested",
    ":srv BATCH -inner",
    "@batch=outer :srv NOTICE me :done",
    ":srv BATCH -outer",
  );
  assert.ok(state.get("#chan").msgids.has("n1"));
  assert.equal(lines(state.server).at(-1), "notice srv: done");
});

test("our own nick change renames us everywhere", () => {
  const { state, ws, conn } = joined();
  ws.receive(":me!u@h NICK me2");
  assert.equal(conn.nick, "me2");
  assert.ok(state.member(state.get("#chan"), "me2"));
  assert.equal(lines(state.get("#chan")).at(-1), "nick me: is now known as me2");
});

test("being kicked leaves the buffer open but parted; parting on request closes it", () => {
  const { state, ws } = joined();
  ws.receive(":owner!o@h KICK #chan me :out");
  const buf = state.get("#chan");
  assert.equal(buf.joined, false);
  assert.equal(buf.members.size, 0);
  assert.equal(buf.lines.at(-1).highlight, true);
  ws.receive(":me!u@h JOIN #chan");
  state.closing.add(state.key("#chan"));
  ws.receive(":me!u@h PART #chan");
  assert.equal(state.get("#chan"), undefined);
});

test("read markers from the server recount unread lines", () => {
  const { state, ws } = joined();
  ws.receive(
    "@time=2030-01-01T00:00:01Z :plain!p@h PRIVMSG #chan :one",
    "@time=2030-01-01T00:00:02Z :plain!p@h PRIVMSG #chan :two",
    "@time=2030-01-01T00:00:03Z :plain!p@h PRIVMSG #chan :me three",
  );
  assert.equal(state.get("#chan").unread, 3);
  ws.receive(":srv MARKREAD #chan timestamp=2030-01-01T00:00:02.000Z");
  assert.equal(state.get("#chan").unread, 1);
  assert.equal(state.get("#chan").highlights, 1);
});

test("errors show where the user is; other numerics in the server buffer", () => {
  const { state, ws } = joined();
  state.setActive("#chan");
  ws.receive(":srv 482 me #chan :You're not channel operator", ":srv 251 me :There are 3 users");
  assert.deepEqual(lines(state.get("#chan")).at(-1), "error : #chan You're not channel operator");
  assert.equal(lines(state.server).at(-1), "info : There are 3 users");
});
