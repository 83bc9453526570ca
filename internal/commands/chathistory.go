package commands

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// History capabilities. Their bits sit far above the ones caps.go numbers with iota, so the two
// lists can grow independently; they are offered only when the node keeps history.
const (
	CapChatHistory   Cap = 1 << 48 // draft/chathistory
	CapEventPlayback Cap = 1 << 49 // draft/event-playback
	CapReadMarker    Cap = 1 << 50 // draft/read-marker
	CapRedaction     Cap = 1 << 51 // draft/message-redaction
	CapSearch        Cap = 1 << 52 // soju.im/search
)

// chatHistoryMax is the most messages one CHATHISTORY returns (ISUPPORT CHATHISTORY).
const chatHistoryMax = 100

// historyTimeout bounds one history query.
const historyTimeout = 5 * time.Second

func init() {
	offer := func(s *Server, _ bool) (string, bool) { return "", s.history() != nil }
	capTable = append(capTable,
		capInfo{cap: CapChatHistory, name: "draft/chathistory", offer: offer},
		capInfo{cap: CapEventPlayback, name: "draft/event-playback", offer: offer},
		capInfo{cap: CapReadMarker, name: "draft/read-marker", offer: offer},
		capInfo{cap: CapRedaction, name: "draft/message-redaction", offer: offer},
		capInfo{cap: CapSearch, name: "soju.im/search", offer: func(s *Server, _ bool) (string, bool) {
			_, ok := s.Net.History().(store.Searcher)
			return "", ok
		}},
	)
	slices.SortStableFunc(capTable, func(a, b capInfo) int { return strings.Compare(a.name, b.name) })
	register("CHATHISTORY", Command{Handler: handleChatHistory, MinParams: 1})
}

// history returns the node's history queries, or nil when it keeps none.
func (s *Server) history() store.History {
	h, _ := s.Net.History().(store.History)
	return h
}

// historyISupport are the RPL_ISUPPORT tokens of draft/chathistory.
func (s *Server) historyISupport() []string {
	if s.history() == nil {
		return nil
	}
	return []string{"CHATHISTORY=" + strconv.Itoa(chatHistoryMax), "MSGREFTYPES=msgid,timestamp"}
}

// handleChatHistory serves draft/chathistory: LATEST, BEFORE, AFTER, AROUND, BETWEEN, TARGETS.
// Errors are FAIL CHATHISTORY standard replies as the specification lists them.
func handleChatHistory(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	h := s.history()
	sub := strings.ToUpper(m.Params[0])
	if h == nil {
		rb.Fail("CHATHISTORY", "MESSAGE_ERROR", sub, "This server keeps no history")
		return
	}
	need := map[string]int{"LATEST": 4, "BEFORE": 4, "AFTER": 4, "AROUND": 4, "BETWEEN": 5, "TARGETS": 4}
	n, known := need[sub]
	switch {
	case !known:
		rb.Fail("CHATHISTORY", "UNKNOWN_COMMAND", sub, "Unknown subcommand")
		return
	case len(m.Params) < n:
		rb.Fail("CHATHISTORY", "NEED_MORE_PARAMS", sub, "Insufficient parameters")
		return
	}
	limit, err := strconv.Atoi(m.Params[n-1])
	if err != nil || limit < 1 {
		rb.Fail("CHATHISTORY", "INVALID_PARAMS", sub, m.Params[n-1], "Invalid limit")
		return
	}
	limit = min(limit, chatHistoryMax)
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	if sub == "TARGETS" {
		chatHistoryTargets(ctx, s, c, h, m.Params[1:3], limit, rb)
		return
	}
	t, name, ok := s.historyTarget(c, m.Params[1])
	if !ok {
		rb.Fail("CHATHISTORY", "INVALID_TARGET", sub, m.Params[1], "Messages could not be retrieved")
		return
	}
	if !c.Has(CapEventPlayback) {
		t = t.OnlyMessages() // draft/event-playback: without it, limit counts messages only
	}
	bounds := make([]store.Bound, 0, 2)
	for _, p := range m.Params[2 : n-1] {
		b, ok := parseMsgRef(p, sub == "LATEST")
		if !ok {
			rb.Fail("CHATHISTORY", "INVALID_PARAMS", sub, p, "Invalid message reference")
			return
		}
		bounds = append(bounds, b)
	}
	var evs []*model.Event
	switch sub {
	case "LATEST":
		evs, err = h.Latest(ctx, t, bounds[0], limit)
	case "BEFORE":
		evs, err = h.Before(ctx, t, bounds[0], limit)
	case "AFTER":
		evs, err = h.After(ctx, t, bounds[0], limit)
	case "AROUND":
		evs, err = h.Around(ctx, t, bounds[0], limit)
	case "BETWEEN":
		evs, err = h.Between(ctx, t, bounds[0], bounds[1], limit)
	}
	if err != nil {
		rb.Fail("CHATHISTORY", "MESSAGE_ERROR", sub, m.Params[1], "Messages could not be retrieved")
		return
	}
	replayBatch(c, rb, "chathistory", name, evs)
}

// historyTarget maps a CHATHISTORY target to the stored conversation: a channel the client is in,
// or, for a logged-in client, its private conversation with a nick (named by that user's account
// when they are online and logged in, else by the nick as given). display is the name to show.
func (s *Server) historyTarget(c *Client, name string) (t store.Target, display string, ok bool) {
	if core.IsChannelName(name) {
		ch := s.Net.FindChannel(name)
		if ch == nil {
			return t, "", false
		}
		if _, member := ch.Membership(c.User); !member {
			return t, "", false
		}
		return store.Channel(ch.Name()), ch.Name(), true
	}
	account := c.User.Account()
	if account == "" || name == "" || name == "*" {
		return t, "", false
	}
	peer := name
	if u := s.Net.FindUser(name); u != nil {
		peer = core.PeerName(u)
	}
	return store.Private(account, peer), name, true
}

// parseMsgRef parses "msgid=<id>", "timestamp=<RFC 3339>", or with star "*" (LATEST: no bound).
func parseMsgRef(p string, star bool) (store.Bound, bool) {
	switch {
	case star && p == "*":
		return store.Bound{}, true
	case strings.HasPrefix(p, "msgid="):
		id := p[len("msgid="):]
		if _, _, ok := model.ParseMsgID(id); !ok {
			return store.Bound{}, false
		}
		return store.Bound{MsgID: id}, true
	case strings.HasPrefix(p, "timestamp="):
		t, err := time.Parse(time.RFC3339Nano, p[len("timestamp="):])
		return store.Bound{Time: t}, err == nil
	}
	return store.Bound{}, false
}

// chatHistoryTargets answers CHATHISTORY TARGETS: the client's channels and private conversations
// with messages between the two timestamps, in a draft/chathistory-targets batch.
func chatHistoryTargets(ctx context.Context, s *Server, c *Client, h store.History, refs []string, limit int, rb *ReplyBuffer) {
	var ts [2]time.Time
	for i, p := range refs {
		b, ok := parseMsgRef(p, false)
		if !ok || b.Time.IsZero() {
			rb.Fail("CHATHISTORY", "INVALID_PARAMS", "TARGETS", p, "Timestamps are required")
			return
		}
		ts[i] = b.Time
	}
	if ts[1].Before(ts[0]) {
		ts[0], ts[1] = ts[1], ts[0]
	}
	display := map[string]string{}
	var chans []string
	for _, ch := range c.User.Channels() {
		chans = append(chans, ch.Name())
		display[s.Net.Fold(ch.Name())] = ch.Name()
	}
	infos, err := h.Targets(ctx, c.User.Account(), chans, ts[0], ts[1], limit)
	if err != nil {
		rb.Fail("CHATHISTORY", "MESSAGE_ERROR", "TARGETS", "Targets could not be retrieved")
		return
	}
	ref := openBatch(c, rb, "draft/chathistory-targets")
	for _, info := range infos {
		name := info.Target.Name
		if d, ok := display[name]; ok && info.Target.IsChannel() {
			name = d
		}
		msg := ircmsg.Message{Source: s.Name(), Command: "CHATHISTORY",
			Params: []string{"TARGETS", name, formatTime(info.Latest)}}
		addBatched(rb, msg, ref)
	}
	closeBatch(c, rb, ref)
}

// replayBatch queues stored events as the client sees them, in a batch of the given type when
// the client has batch. Without draft/event-playback only messages are replayed.
func replayBatch(c *Client, rb *ReplyBuffer, typ, target string, evs []*model.Event) {
	caps := c.caps.load()
	var ref string
	if target != "" {
		ref = openBatch(c, rb, typ, target)
	} else {
		ref = openBatch(c, rb, typ)
	}
	for _, ev := range evs {
		if !ev.Kind.IsMessage() && !caps.Has(CapEventPlayback) || !wants(ev, caps, c) {
			continue
		}
		msg, ok := eventMessage(ev, caps.renderKey(ev.Kind))
		if ok {
			addBatched(rb, msg, ref)
		}
	}
	closeBatch(c, rb, ref)
}

// openBatch queues "BATCH +ref type params..." when the client has batch, and returns ref ("" when
// it has not).
func openBatch(c *Client, rb *ReplyBuffer, typ string, params ...string) string {
	if !c.Has(CapBatch) {
		return ""
	}
	ref := "H" + strconv.FormatUint(batchSeq.Add(1), 36)
	rb.Add("BATCH", append([]string{"+" + ref, typ}, params...)...)
	return ref
}

func addBatched(rb *ReplyBuffer, msg ircmsg.Message, ref string) {
	if ref != "" {
		msg.Tags = append(msg.Tags, ircmsg.Tag{Key: "batch", Value: ref})
	}
	rb.addMsg(msg)
}

func closeBatch(c *Client, rb *ReplyBuffer, ref string) {
	if ref != "" {
		rb.Add("BATCH", "-"+ref)
	}
}
