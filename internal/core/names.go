package core

import "strings"

// ValidNick reports whether nick is acceptable: RFC 2812 letters, digits and specials, not starting
// with a digit or '-', within NICKLEN. Safe for concurrent use.
func (n *Network) ValidNick(nick string) bool {
	if nick == "" || len(nick) > n.Settings().NickLen {
		return false
	}
	for i := 0; i < len(nick); i++ {
		c := nick[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c == '[' || c == ']' || c == '\\' || c == '`' || c == '_' || c == '^' || c == '{' || c == '|' || c == '}':
		case (c >= '0' && c <= '9') || c == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// IsChannelName reports whether s names a channel by its first character (CHANTYPES=#).
func IsChannelName(s string) bool { return len(s) > 0 && s[0] == '#' }

// ValidChannelName reports whether name can be created: '#', within CHANNELLEN, and free of the
// bytes that would break the protocol (space, comma, BEL, NUL, CR, LF).
func (n *Network) ValidChannelName(name string) bool {
	if !IsChannelName(name) || len(name) < 2 || len(name) > n.Settings().ChannelLen {
		return false
	}
	return !strings.ContainsAny(name, " ,\x07\x00\r\n")
}

// NormalizeMask completes a ban mask into nick!user@host form: "nick" -> "nick!*@*",
// "user@host" -> "*!user@host", "nick!user" -> "nick!user@*".
func NormalizeMask(mask string) string {
	bang := strings.IndexByte(mask, '!')
	at := strings.IndexByte(mask, '@')
	switch {
	case bang < 0 && at < 0:
		return mask + "!*@*"
	case bang < 0:
		return "*!" + mask
	case at < 0:
		return mask + "@*"
	}
	return mask
}
