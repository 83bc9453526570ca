// Channel MODE parsing, per the CHANMODES and PREFIX ISUPPORT tokens
// (modern.ircdocs.horse "Channel modes"): which letters take an argument
// decides how the arguments line up with the letters.

// parseModeChanges turns "+ov-k alice bob key" into
// [{add:true, mode:"o", arg:"alice"}, {add:true, mode:"v", arg:"bob"}, {add:false, mode:"k", arg:"key"}].
export function parseModeChanges(isupport, modestring, args) {
  const { a, b, c } = isupport.chanmodes;
  const { modes: prefixModes } = isupport.prefix;
  const changes = [];
  let add = true;
  let next = 0;
  for (const mode of modestring) {
    if (mode === "+" || mode === "-") {
      add = mode === "+";
      continue;
    }
    // Type A (lists) and B always take an argument, C only when set, D never.
    const takesArg = prefixModes.includes(mode) || a.includes(mode) || b.includes(mode) || (add && c.includes(mode));
    const change = { add, mode, arg: null };
    if (takesArg && next < args.length) change.arg = args[next++];
    changes.push(change);
  }
  return changes;
}

// applyPrefix adds or removes the membership symbol for a prefix mode and
// keeps the symbols in rank order, as multi-prefix sends them.
export function applyPrefix(isupport, prefix, mode, add) {
  const { modes, symbols } = isupport.prefix;
  const idx = modes.indexOf(mode);
  if (idx < 0) return prefix;
  const symbol = symbols[idx];
  const set = new Set(prefix);
  if (add) set.add(symbol);
  else set.delete(symbol);
  return [...symbols].filter((s) => set.has(s)).join("");
}

// splitPrefix separates the membership symbols at the start of a NAMES entry.
export function splitPrefix(isupport, entry) {
  const { symbols } = isupport.prefix;
  let i = 0;
  while (i < entry.length && symbols.includes(entry[i])) i++;
  return [entry.slice(0, i), entry.slice(i)];
}

// rank orders members by their highest prefix: lower is more senior.
export function rank(isupport, prefix) {
  const { symbols } = isupport.prefix;
  const idx = prefix.length > 0 ? symbols.indexOf(prefix[0]) : -1;
  return idx < 0 ? symbols.length : idx;
}
