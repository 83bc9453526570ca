// Input: the message box's keyboard behaviour. Up/Down walk through what
// was sent before; Tab completes nicks (and channel names) from the active
// buffer, cycling on repeated presses.

const MAX_HISTORY = 100;

// completions lists the candidates for a word prefix: channel names for a
// word starting with a channel type, else members of the buffer.
export function completions(word, nicks, channels, chantypes = "#&") {
  if (word === "") return [];
  const lower = word.toLowerCase();
  const pool = chantypes.includes(word[0]) ? channels : nicks;
  return pool.filter((n) => n.toLowerCase().startsWith(lower)).sort((a, b) => a.localeCompare(b));
}

export class InputController {
  // source() returns {nicks, channels, chantypes} for the active buffer.
  constructor(input, source) {
    this.input = input;
    this.source = source;
    this.history = [];
    this.position = 0;
    this.draft = "";
    this.completion = null;
    input.addEventListener("keydown", (ev) => this.onKey(ev));
  }

  // remember records a sent line for Up/Down.
  remember(text) {
    if (text.trim() !== "" && this.history[this.history.length - 1] !== text) this.history.push(text);
    if (this.history.length > MAX_HISTORY) this.history.shift();
    this.position = this.history.length;
    this.draft = "";
  }

  onKey(ev) {
    if (ev.key === "Tab" && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      if (this.complete(ev.shiftKey ? -1 : 1)) ev.preventDefault();
      return;
    }
    if (ev.key !== "Shift") this.completion = null;
    if (ev.key === "ArrowUp" && !ev.altKey) {
      if (this.position === 0) return;
      if (this.position === this.history.length) this.draft = this.input.value;
      this.position--;
      this.show(this.history[this.position]);
      ev.preventDefault();
    } else if (ev.key === "ArrowDown" && !ev.altKey) {
      if (this.position >= this.history.length) return;
      this.position++;
      this.show(this.position === this.history.length ? this.draft : this.history[this.position]);
      ev.preventDefault();
    }
  }

  show(text) {
    this.input.value = text;
    this.input.setSelectionRange(text.length, text.length);
  }

  // complete replaces the word before the cursor with the next candidate.
  // It returns false when there is nothing to complete, so Tab can still
  // move the focus out of the box (keyboard users must not be trapped).
  complete(step) {
    const value = this.input.value;
    if (!this.completion) {
      const cursor = this.input.selectionStart ?? value.length;
      const start = value.lastIndexOf(" ", cursor - 1) + 1;
      const word = value.slice(start, cursor);
      const { nicks, channels, chantypes } = this.source();
      const candidates = completions(word, nicks, channels, chantypes);
      if (candidates.length === 0) return false;
      this.completion = { start, end: cursor, candidates, index: step > 0 ? -1 : 0, tail: value.slice(cursor) };
    }
    const c = this.completion;
    c.index = (c.index + step + c.candidates.length) % c.candidates.length;
    const suffix = c.start === 0 && !c.candidates[c.index].match(/^[#&]/) ? ": " : " ";
    const before = value.slice(0, c.start) + c.candidates[c.index] + suffix;
    this.input.value = before + c.tail.replace(/^ /, "");
    this.input.setSelectionRange(before.length, before.length);
    return true;
  }
}
