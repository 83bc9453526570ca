package commands

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/store"
)

func init() {
	register("SEARCH", Command{Handler: handleSearch, MinParams: 1})
}

// searchMax is the most results one SEARCH returns.
const searchMax = 100

// handleSearch serves soju.im/search: "SEARCH in=#chan;from=nick;after=<time>;before=<time>;
// text=words;limit=N" (attributes escaped like message-tag values). Results come in a
// soju.im/search batch, oldest first: the newest matches the client may read.
func handleSearch(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	sr, ok := s.Net.History().(store.Searcher)
	if !ok {
		rb.Fail("SEARCH", "INTERNAL_ERROR", "Search is not available")
		return
	}
	q, in, err := s.parseSearch(m.Params[0])
	if err != "" {
		rb.Fail("SEARCH", "INVALID_PARAMS", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	if in != "" {
		t, _, ok := s.historyTarget(c, in)
		if !ok {
			rb.Fail("SEARCH", "INVALID_PARAMS", "in="+in+" is not a conversation you can read")
			return
		}
		q.Targets = []store.Target{t}
	} else {
		q.Targets = s.readableTargets(ctx, c)
	}
	evs, e := sr.Search(ctx, q)
	if e != nil {
		rb.Fail("SEARCH", "INTERNAL_ERROR", "The search failed")
		return
	}
	replayBatch(c, rb, "soju.im/search", "", evs)
}

// parseSearch reads the attributes; a non-empty problem describes what is wrong.
func (s *Server) parseSearch(attrs string) (q store.SearchQuery, in, problem string) {
	q.Limit = searchMax
	for _, kv := range strings.Split(attrs, ";") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		v = ircmsg.UnescapeTagValue(v)
		switch k {
		case "in":
			in = v
		case "from":
			q.From = v
		case "text":
			q.Text = v
		case "after", "before":
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return q, "", k + " must be an RFC 3339 time"
			}
			if k == "after" {
				q.After = t
			} else {
				q.Before = t
			}
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return q, "", "limit must be a positive number"
			}
			q.Limit = min(n, searchMax)
		default:
			return q, "", "unknown attribute " + k
		}
	}
	return q, in, ""
}

// readableTargets are the conversations a search without in= covers: the client's channels and
// its account's private conversations.
func (s *Server) readableTargets(ctx context.Context, c *Client) []store.Target {
	var ts []store.Target
	for _, ch := range c.User.Channels() {
		ts = append(ts, store.Channel(ch.Name()))
	}
	if acc := c.User.Account(); acc != "" {
		if h := s.history(); h != nil {
			infos, _ := h.Targets(ctx, acc, nil, time.Unix(0, 0), time.Now().Add(time.Hour), 0)
			for _, in := range infos {
				ts = append(ts, in.Target)
			}
		}
	}
	return ts
}
