// Tests for user commands (static/js/commands.js), text helpers (text.js),
// completion (input.js) and settings (storage.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, lines } from "./harness.mjs";
import { execute, COMMANDS } from "../static/js/commands.js";
import { stripFormatting, linkify, nickHue } from "../static/js/text.js";
import { completions } from "../static/js/input.js";
import { loadSettings, saveSettings, defaultServerURL } from "../static/js/storage.js";

function session(caps = "echo-message") {
  const c = connect({ caps });
  c.register();
  c.ws.receive(":me!u@h JOIN #chan", ":srv 353 me = #chan :me bob", ":srv 366 me #chan :End");
  c.state.setActive("#chan");
  c.ws.take();
  const ctx = { state: c.state, conn: c.conn, quitReason: null, onQuit: (r) => (ctx.quitReason = r) };
  return { ...c, ctx, run: (text) => (execute(ctx, text), c.ws.take()) };
}

test("each command sends the expected line", () => {
  const { run, ctx } = session();
  const cases = [
    ["hello there", ["PRIVMSG #chan :hello there"]],
    ["//not a command", ["PRIVMSG #chan :/not a command"]],
    ["/join #other key", ["JOIN #other key"]],
    ["/msg bob hi you", ["PRIVMSG bob :hi you"]],
    ["/me waves", ["PRIVMSG #chan :\x01ACTION waves\x01"]],
    ["/nick newme", ["NICK newme"]],
    ["/topic new topic here", ["TOPIC #chan :new topic here"]],
    ["/topic", ["TOPIC #chan"]],
    ["/kick bob go away", ["KICK #chan bob :go away"]],
    ["/ban bob", ["MODE #chan +b bob!*@*"]],
    ["/ban *!*@bad.host", ["MODE #chan +b *!*@bad.host"]],
    ["/mode +o bob", ["MODE #chan +o bob"]],
    ["/mode me +i", ["MODE me +i"]],
    ["/whois bob", ["WHOIS bob"]],
    ["/away lunch", ["AWAY lunch"]],
    ["/away", ["AWAY"]],
    ["/invite bob", ["INVITE bob #chan"]],
    ["/invite bob #x", ["INVITE bob #x"]],
    ["/raw PRIVMSG #chan :raw line", ["PRIVMSG #chan :raw line"]],
    ["/part bye all", ["PART #chan :bye all"]],
  ];
  for (const [input, want] of cases) {
    ctx.state.setActive("#chan");
    assert.deepEqual(run(input), want, input);
  }
  run("/quit see you");
  assert.equal(ctx.quitReason, "see you");
});

test("/list shows the server buffer and /query opens a conversation", () => {
  const { run, state } = session();
  assert.deepEqual(run("/list"), ["LIST"]);
  assert.equal(state.active, state.server);
  run("/query Bob hello");
  assert.equal(state.active.name, "Bob");
  assert.equal(state.active.type, "query");
});

test("without echo-message the client shows its own line", () => {
  const { run, state } = session("");
  run("local echo");
  assert.deepEqual(lines(state.get("#chan")).at(-1), "privmsg me: local echo");
});

test("long and multi-line input is split into several messages", () => {
  const { run } = session();
  const sent = run("first\nsecond " + "x".repeat(500));
  assert.equal(sent[0], "PRIVMSG #chan first");
  assert.equal(sent.length, 3, sent.join("\n"));
  const texts = sent.slice(1).map((l) => l.replace(/^PRIVMSG #chan :?/, ""));
  assert.equal(texts.join(""), "second " + "x".repeat(500), "nothing is lost at the cut");
  for (const line of sent) assert.ok(new TextEncoder().encode(line).length < 512);
});

test("bad usage and unknown commands explain themselves without sending", () => {
  const { run, state } = session();
  for (const input of ["/kick", "/msg bob", "/frobnicate", "/join"]) {
    assert.deepEqual(run(input), [], input);
    assert.equal(state.active.lines.at(-1).kind, "error", input);
  }
  state.setActive("*");
  assert.deepEqual(run("/topic x"), []);
  assert.match(state.server.lines.at(-1).text, /needs a channel/);
  run("/help");
  assert.ok(state.server.lines.filter((l) => l.kind === "info").length >= Object.keys(COMMANDS).length);
});

test("stripFormatting removes colours and styles", () => {
  assert.equal(stripFormatting("\x02bold\x02 \x0304,12red\x03 \x1ditalic\x0f \x04ff0000hex"), "bold red italic hex");
});

test("linkify makes only http(s) links and trims trailing punctuation", () => {
  assert.deepEqual(linkify("see https://a.example/x_(y), and javascript:alert(1) www.b.example."), [
    { text: "see " },
    { text: "https://a.example/x_(y)", href: "https://a.example/x_(y)" },
    { text: ", and javascript:alert(1) " },
    { text: "www.b.example", href: "https://www.b.example" },
    { text: "." },
  ]);
});

test("nickHue is stable and case-insensitive", () => {
  assert.equal(nickHue("Alice"), nickHue("alice"));
  assert.ok(nickHue("alice") >= 0 && nickHue("alice") < 360);
  assert.notEqual(nickHue("alice"), nickHue("bob"));
});

test("completions match nicks or channels by prefix", () => {
  assert.deepEqual(completions("al", ["bob", "Alice", "alan"], ["#all"]), ["alan", "Alice"]);
  assert.deepEqual(completions("#a", ["alice"], ["#all", "#b", "#ab"]), ["#ab", "#all"]);
  assert.deepEqual(completions("", ["a"], []), []);
});

test("settings round-trip without the password and survive broken storage", () => {
  const mem = new Map();
  const storage = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) };
  saveSettings({ nick: "n", account: "a", password: "secret", channels: "#x", url: "" }, storage);
  assert.ok(![...mem.values()].join("").includes("secret"));
  assert.deepEqual(loadSettings(storage), { nick: "n", account: "a", channels: "#x" });
  const broken = { getItem: () => "{not json", setItem: () => { throw new Error("quota"); } };
  assert.deepEqual(loadSettings(broken), {});
  saveSettings({ nick: "n" }, broken);
  assert.equal(defaultServerURL({ protocol: "https:", host: "chat.example:8443" }), "wss://chat.example:8443/ws");
  assert.equal(defaultServerURL({ protocol: "http:", host: "127.0.0.1:8080" }), "ws://127.0.0.1:8080/ws");
});
