// Tests for the IRC line codec (static/js/irc.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLine, formatLine, unescapeTagValue, escapeTagValue, casefold, parseSource } from "../static/js/irc.js";

test("parseLine splits tags, source, command, params and trailing", () => {
  const cases = [
    ["PING :abc", { tags: {}, source: null, command: "PING", params: ["abc"] }],
    [":nick!user@host PRIVMSG #chan :hello there", {
      tags: {}, source: { raw: "nick!user@host", nick: "nick", user: "user", host: "host" },
      command: "PRIVMSG", params: ["#chan", "hello there"],
    }],
    ["@time=2024-01-02T03:04:05.678Z;msgid=abc;+draft/typing=active :irc.example 001 me :Welcome", {
      tags: { time: "2024-01-02T03:04:05.678Z", msgid: "abc", "+draft/typing": "active" },
      source: { raw: "irc.example", nick: "irc.example", user: "", host: "" },
      command: "001", params: ["me", "Welcome"],
    }],
    ["@a=b\\sc\\:d\\\\e\\r\\nf;flag CMD", { tags: { a: "b c;d\\e\r\nf", flag: "" }, source: null, command: "CMD", params: [] }],
    ["cap ls 302", { tags: {}, source: null, command: "CAP", params: ["ls", "302"] }],
    ["CMD a  b   :", { tags: {}, source: null, command: "CMD", params: ["a", "b", ""] }],
    ["CMD ::colon", { tags: {}, source: null, command: "CMD", params: [":colon"] }],
    ["CMD a :b :c\r\n", { tags: {}, source: null, command: "CMD", params: ["a", "b :c"] }],
    ["@k= CMD", { tags: { k: "" }, source: null, command: "CMD", params: [] }],
    ["@k=a=b CMD", { tags: { k: "a=b" }, source: null, command: "CMD", params: [] }],
  ];
  for (const [line, want] of cases) {
    assert.deepEqual(parseLine(line), want, line);
  }
});

test("parseLine rejects lines without a command", () => {
  for (const line of ["", "   ", "@a=b", ":source", "@a=b :source "]) {
    assert.equal(parseLine(line), null, JSON.stringify(line));
  }
});

test("tag unescaping drops unknown escapes and a trailing backslash", () => {
  assert.equal(unescapeTagValue("a\\b"), "ab");
  assert.equal(unescapeTagValue("end\\"), "end");
  assert.equal(unescapeTagValue("\\s\\s"), "  ");
});

test("tag escaping round-trips every special character", () => {
  const values = ["plain", "a b", "semi;colon", "back\\slash", "cr\rlf\n", "; \\\r\n", "ünïcode ✓", ""];
  for (const v of values) {
    assert.equal(unescapeTagValue(escapeTagValue(v)), v);
    const line = formatLine({ tags: { k: v || "x" }, command: "TAGMSG", params: ["#c"] });
    assert.equal(parseLine(line).tags.k, v || "x", line);
  }
});

test("formatLine writes a trailing parameter only when needed", () => {
  const cases = [
    [{ command: "NICK", params: ["alice"] }, "NICK alice"],
    [{ command: "PRIVMSG", params: ["#c", "hi there"] }, "PRIVMSG #c :hi there"],
    [{ command: "PRIVMSG", params: ["#c", ":)"] }, "PRIVMSG #c ::)"],
    [{ command: "TOPIC", params: ["#c", ""] }, "TOPIC #c :"],
    [{ command: "CAP", params: ["LS", "302"] }, "CAP LS 302"],
    [{ tags: { label: "1", "+typing": "" }, command: "TAGMSG", params: ["#c"] }, "@label=1;+typing TAGMSG #c"],
    [{ source: "srv", command: "PING", params: ["x"] }, ":srv PING x"],
  ];
  for (const [msg, want] of cases) assert.equal(formatLine(msg), want);
});

test("formatLine cannot be made to send a second line", () => {
  const line = formatLine({ command: "PRIVMSG", params: ["#c", "hi\r\nQUIT :bye"] });
  assert.ok(!/[\r\n]/.test(line), line);
});

test("parse(format(m)) round-trips", () => {
  const msgs = [
    { tags: { a: "1 2", b: "" }, source: null, command: "PRIVMSG", params: ["#chan", "hello world"] },
    { tags: {}, source: null, command: "MODE", params: ["#chan", "+ov", "a", "b"] },
    { tags: { msgid: "x;y" }, source: null, command: "NOTICE", params: ["n", ":starts with colon"] },
  ];
  for (const m of msgs) {
    const back = parseLine(formatLine(m));
    assert.deepEqual(back.params, m.params);
    assert.equal(back.command, m.command);
    assert.deepEqual(back.tags, m.tags);
  }
});

test("parseLine never throws on arbitrary input", () => {
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = "@:; =\\!#abcXYZ\r\n\t0123456789ü";
  for (let i = 0; i < 5000; i++) {
    let s = "";
    const n = Math.floor(rand() * 40);
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    const msg = parseLine(s);
    if (msg !== null) {
      assert.ok(msg.command.length > 0);
      assert.ok(!/[ \r\n]/.test(msg.command));
      // Whatever parsed must serialize to one line that parses back the same.
      const line = formatLine(msg);
      assert.ok(!/[\r\n]/.test(line), JSON.stringify(line));
      assert.deepEqual(parseLine(line), msg, JSON.stringify(s));
    }
  }
});

test("casefold follows CASEMAPPING", () => {
  assert.equal(casefold("Nick[]\\~", "rfc1459"), "nick{}|^");
  assert.equal(casefold("Nick[]\\~", "strict-rfc1459"), "nick{}|~");
  assert.equal(casefold("Nick[]", "ascii"), "nick[]");
  assert.equal(casefold("ÉCOLE", "rfc7613"), "école");
});

test("parseSource handles servers and partial prefixes", () => {
  assert.deepEqual(parseSource("irc.example.org"), { raw: "irc.example.org", nick: "irc.example.org", user: "", host: "" });
  assert.deepEqual(parseSource("n@h"), { raw: "n@h", nick: "n", user: "", host: "h" });
});
