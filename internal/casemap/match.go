package casemap

import "unicode/utf8"

// Match reports whether s matches the wildcard mask under m. In the mask,
// '*' matches any run of characters (including none) and '?' exactly one
// character; every other character matches itself, case-insensitively
// under m. There is no escape character. A character is a UTF-8 sequence,
// or a single byte where s is not valid UTF-8, so '?' matches "é" as one
// character. Used for bans, exceptions and WHO/LIST masks.
//
// Match does not allocate and runs in O(len(mask)*len(s)) time at worst:
// on a mismatch it only moves the most recent '*' forward, because a later
// '*' can absorb anything an earlier one would have, so no deeper
// backtracking is needed. Typical masks take linear time.
// It is safe to call from any goroutine.
func (m Mapping) Match(mask, s string) bool {
	t := m.table()
	px, sx := 0, 0
	starPx, starSx := -1, 0 // the last '*' seen, and where in s its run ends
	for sx < len(s) {
		if px < len(mask) {
			switch c := mask[px]; {
			case c == '*':
				starPx, starSx = px, sx
				px++
				continue
			case c == '?':
				px++
				sx += charLen(s[sx:])
				continue
			case c < utf8.RuneSelf:
				if t[c] == t[s[sx]] {
					px++
					sx++
					continue
				}
			default:
				if n := charLen(mask[px:]); n == charLen(s[sx:]) && mask[px:px+n] == s[sx:sx+n] {
					px += n
					sx += n
					continue
				}
			}
		}
		if starPx < 0 {
			return false
		}
		// Let the last '*' absorb one more character of s and retry.
		starSx += charLen(s[starSx:])
		px, sx = starPx+1, starSx
	}
	for px < len(mask) && mask[px] == '*' {
		px++
	}
	return px == len(mask)
}

// charLen returns the length in bytes of the first character of s (which
// must not be empty): a valid UTF-8 sequence, or one byte otherwise.
func charLen(s string) int {
	if s[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s)
	return n
}
