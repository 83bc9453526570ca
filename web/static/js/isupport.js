// Server features advertised with RPL_ISUPPORT (005), with the defaults that
// modern.ircdocs.horse gives for servers that do not advertise a token.

function unescapeValue(value) {
  // ISUPPORT values escape bytes as \xHH (modern.ircdocs.horse "RPL_ISUPPORT").
  return value.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

export class ISupport {
  constructor() {
    this.tokens = new Map();
  }

  // add takes the parameters of one 005 line (without the leading nick and
  // the trailing "are supported by this server").
  add(params) {
    for (const token of params) {
      if (token.startsWith("-")) {
        this.tokens.delete(token.slice(1).toUpperCase());
        continue;
      }
      const eq = token.indexOf("=");
      const key = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
      this.tokens.set(key, eq < 0 ? "" : unescapeValue(token.slice(eq + 1)));
    }
  }

  get(key) {
    return this.tokens.get(key);
  }

  get casemapping() {
    return this.tokens.get("CASEMAPPING") || "rfc1459";
  }

  get chantypes() {
    return this.tokens.has("CHANTYPES") ? this.tokens.get("CHANTYPES") : "#&";
  }

  get network() {
    return this.tokens.get("NETWORK") || "";
  }

  // prefix returns the membership modes and their symbols, highest rank first.
  get prefix() {
    const value = this.tokens.has("PREFIX") ? this.tokens.get("PREFIX") : "(ov)@+";
    const m = /^\(([^)]*)\)(.*)$/.exec(value);
    if (!m || m[1].length !== m[2].length) return { modes: "", symbols: "" };
    return { modes: m[1], symbols: m[2] };
  }

  // chanmodes returns the CHANMODES type A..D letter groups.
  get chanmodes() {
    const value = this.tokens.get("CHANMODES") || "beI,k,l,imnpst";
    const [a = "", b = "", c = "", d = ""] = value.split(",");
    return { a, b, c, d };
  }

  // historyLimit is the largest CHATHISTORY page the server allows; 0 means
  // no stated maximum (IRCv3 chathistory "CHATHISTORY" ISUPPORT token).
  historyLimit(wanted) {
    const max = parseInt(this.tokens.get("CHATHISTORY") || "0", 10);
    return max > 0 ? Math.min(wanted, max) : wanted;
  }
}
