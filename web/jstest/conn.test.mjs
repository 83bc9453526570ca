// Tests for registration, capability negotiation, SASL and reconnecting
// (static/js/conn.js), against a scripted fake server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, FakeWebSocket } from "./harness.mjs";
import { backoffDelay, WANTED_CAPS } from "../static/js/conn.js";

test("registration sends CAP LS 302, NICK, USER over text.ircv3.net", () => {
  const { ws } = connect({ nick: "alice" });
  assert.deepEqual(ws.protocols, ["text.ircv3.net"]);
  assert.deepEqual(ws.take(), ["CAP LS 302", "NICK alice", "USER alice 0 * alice"]);
});

test("only offered caps that the client wants are requested, across multi-line LS", () => {
  const { ws, conn } = connect();
  ws.take();
  ws.receive(":srv CAP * LS * :server-time batch unknown-cap sasl=PLAIN,EXTERNAL");
  assert.deepEqual(ws.take(), [], "no REQ before the last LS line");
  ws.receive(":srv CAP * LS :draft/chathistory echo-message another");
  const sent = ws.take();
  assert.equal(sent.length, 1);
  const requested = sent[0].replace(/^CAP REQ :?/, "").split(" ").sort();
  assert.deepEqual(requested, ["batch", "draft/chathistory", "echo-message", "sasl", "server-time"]);
  ws.receive(":srv CAP * ACK :batch draft/chathistory echo-message sasl server-time");
  assert.deepEqual(ws.take(), ["CAP END"], "no account given, so no SASL");
  assert.ok(conn.hasCap("draft/chathistory"));
  assert.ok(WANTED_CAPS.every((c) => typeof c === "string"));
});

test("NAK still ends negotiation", () => {
  const { ws, conn } = connect();
  ws.take();
  ws.receive(":srv CAP * LS :server-time");
  ws.take();
  ws.receive(":srv CAP * NAK :server-time");
  assert.deepEqual(ws.take(), ["CAP END"]);
  assert.ok(!conn.hasCap("server-time"));
});

test("SASL PLAIN authenticates before CAP END", () => {
  const { ws, notices } = connect({ nick: "bob", account: "bob", password: "pä ss" });
  ws.take();
  ws.receive(":srv CAP * LS :sasl=PLAIN");
  ws.take();
  ws.receive(":srv CAP bob ACK :sasl");
  assert.deepEqual(ws.take(), ["AUTHENTICATE PLAIN"]);
  ws.receive("AUTHENTICATE +");
  const [auth] = ws.take();
  const payload = Buffer.from(auth.slice("AUTHENTICATE ".length), "base64").toString("utf8");
  assert.equal(payload, "bob\0bob\0pä ss");
  ws.receive(":srv 900 bob bob!b@h bob :You are now logged in as bob", ":srv 903 bob :SASL authentication successful");
  assert.deepEqual(ws.take(), ["CAP END"]);
  assert.deepEqual(notices, []);
});

test("SASL payloads are split at 400 bytes with a final + when exact", () => {
  const { ws } = connect({ account: "a", password: "x".repeat(297) }); // 1+1+1+1+297 = 301 bytes → 404 base64 chars
  ws.receive(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +");
  const auth = ws.take().filter((l) => l.startsWith("AUTHENTICATE") && l !== "AUTHENTICATE PLAIN");
  assert.equal(auth.length, 2);
  assert.equal(auth[0].length, "AUTHENTICATE ".length + 400);

  const exact = connect({ account: "a", password: "x".repeat(296) }); // 300 bytes → 400 chars exactly
  exact.ws.receive(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +");
  const chunks = exact.ws.take().filter((l) => l.startsWith("AUTHENTICATE") && l !== "AUTHENTICATE PLAIN");
  assert.equal(chunks.length, 2);
  assert.equal(chunks[1], "AUTHENTICATE +");
});

test("SASL failure is reported and registration continues", () => {
  const { ws, notices } = connect({ account: "a", password: "bad" });
  ws.receive(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +");
  ws.take();
  ws.receive(":srv 904 me :SASL authentication failed");
  assert.deepEqual(ws.take(), ["CAP END"]);
  assert.match(notices[0], /Login failed/);
});

test("433 before registration retries with an underscore", () => {
  const { ws, conn } = connect({ nick: "taken" });
  ws.take();
  ws.receive(":srv 433 * taken :Nickname is already in use");
  assert.deepEqual(ws.take(), ["NICK taken_"]);
  ws.receive(":srv 433 * taken_ :Nickname is already in use");
  assert.deepEqual(ws.take(), ["NICK taken__"]);
  ws.receive(":srv 001 taken__ :Welcome");
  assert.equal(conn.nick, "taken__");
});

test("PING is answered with PONG", () => {
  const { ws } = connect();
  ws.take();
  ws.receive("PING :token 123");
  assert.deepEqual(ws.take(), ["PONG :token 123"]);
});

test("status becomes connected on 001 and reconnects with backoff after a drop", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  const { ws, statuses, register } = connect();
  register();
  assert.equal(statuses.at(-1), "connected");
  ws.close();
  assert.equal(statuses.at(-1), "reconnecting in 1s");
  t.mock.timers.tick(1000);
  const second = FakeWebSocket.last;
  assert.notEqual(second, ws, "a new socket was opened");
  second.close();
  assert.equal(statuses.at(-1), "reconnecting in 2s");
});

test("quit does not reconnect", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  const { ws, conn, statuses, register } = connect();
  register();
  ws.take();
  conn.quit("bye");
  assert.deepEqual(ws.take(), ["QUIT bye"]);
  t.mock.timers.tick(1000);
  assert.equal(ws.readyState, 3);
  t.mock.timers.tick(60000);
  assert.equal(FakeWebSocket.last, ws);
  assert.equal(statuses.at(-1), "disconnected");
});

test("backoff doubles from 1s and stops at 30s", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(backoffDelay), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test("an idle connection is pinged, then dropped", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"] });
  const { ws, register } = connect();
  register();
  ws.take();
  t.mock.timers.tick(105000);
  assert.deepEqual(ws.take(), ["PING parley"]);
  t.mock.timers.tick(60000);
  assert.equal(ws.readyState, 3);
});
