package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/core"
)

// rplWhoSpcRpl is RPL_WHOSPCRPL, the WHOX reply (modern.ircdocs.horse "WHOX").
const rplWhoSpcRpl = "354"

// whoxFields is a parsed WHOX request: which fields to send and the query token.
type whoxFields struct {
	fields string // the requested field letters, as given
	token  string
}

// whoxOrder is the order WHOX fields appear in a 354 reply, whatever order they were asked in.
const whoxOrder = "tcuihsnfdlaor"

// splitWhoOptions splits WHO's second parameter "[<flags>][%<fields>[,<token>]]" into the classic
// flags ("o") and the WHOX request, nil when there is none.
func splitWhoOptions(opt string) (flags string, x *whoxFields) {
	flags, spec, ok := strings.Cut(opt, "%")
	if !ok {
		return flags, nil
	}
	fields, token, _ := strings.Cut(spec, ",")
	// The token is at most three digits (WHOX); anything else is dropped, as other servers do.
	if len(token) > 3 || strings.Trim(token, "0123456789") != "" {
		token = ""
	}
	return flags, &whoxFields{fields: fields, token: token}
}

func (x *whoxFields) has(f byte) bool { return strings.IndexByte(x.fields, f) >= 0 }

// params builds the 354 parameters after the client's nick for one matching user.
func (x *whoxFields) params(s *Server, c *Client, channel string, u *core.User, info core.Info, prefixes string) []string {
	out := make([]string, 0, len(whoxOrder))
	for i := 0; i < len(whoxOrder); i++ {
		f := whoxOrder[i]
		if !x.has(f) {
			continue
		}
		out = append(out, x.field(f, s, c, channel, u, info, prefixes))
	}
	return out
}

func (x *whoxFields) field(f byte, s *Server, c *Client, channel string, u *core.User, info core.Info, prefixes string) string {
	switch f {
	case 't':
		if x.token == "" {
			return "0"
		}
		return x.token
	case 'c':
		return channel
	case 'u':
		return info.User
	case 'i':
		// The address is shown to its owner and to operators only.
		if (u == c.User || c.User.IsOper()) && info.IP != "" {
			return info.IP
		}
		return "255.255.255.255"
	case 'h':
		return info.Host
	case 's':
		return s.Name()
	case 'n':
		return info.Nick
	case 'f':
		return whoFlags(info, prefixes)
	case 'd':
		return "0"
	case 'l':
		return strconv.FormatInt(int64(s.Net.Now().Sub(info.LastActive).Seconds()), 10)
	case 'a':
		if info.Account == "" {
			return "0"
		}
		return info.Account
	case 'o':
		return "n/a"
	case 'r':
		return info.Realname
	}
	return ""
}
