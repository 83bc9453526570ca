package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// HistoryOpener returns a new, empty history built with Fold that keeps at most maxPer messages
// per target (0: no limit). The test closes it.
type HistoryOpener func(t *testing.T, maxPer int) store.History

// RunHistory runs the history contract, each case on a fresh history.
func RunHistory(t *testing.T, open HistoryOpener) {
	cases := []struct {
		name   string
		maxPer int
		f      func(t *testing.T, h store.History)
	}{
		{"Timeline", 0, testTimeline},
		{"TimestampBounds", 0, testTimestampBounds},
		{"Pagination", 0, testPagination},
		{"Private", 0, testPrivate},
		{"Redact", 0, testRedact},
		{"Search", 0, testSearch},
		{"MaxPerTarget", 5, testMaxPerTarget},
		{"BadMsgID", 0, testBadMsgID},
		{"OnlyMessages", 0, testOnlyMessages},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := open(t, c.maxPer)
			t.Cleanup(func() { h.Close() })
			c.f(t, h)
		})
	}
}

var ids = model.NewMsgIDSource()

// base is the first message's time: recent, so a store with a maximum age keeps it.
var base = time.Now().Add(-time.Hour).Truncate(time.Second)

// msg returns a PRIVMSG from nick to target at base + i seconds.
func msg(i int, nick, target, text string) *model.Event {
	at := base.Add(time.Duration(i) * time.Second)
	return &model.Event{Kind: model.KindPrivmsg, ID: ids.New(at), Time: at, Node: "n1",
		Source: model.Prefix{Nick: nick, User: "u", Host: "h"}, Target: target, Text: text}
}

// timeline appends n messages "m0".."m<n-1>" to #chan, one a second, and returns them.
func timeline(t *testing.T, h store.History, target string, n int) []*model.Event {
	t.Helper()
	evs := make([]*model.Event, n)
	entries := make([]store.Entry, n)
	for i := range evs {
		evs[i] = msg(i, "alice", target, fmt.Sprintf("m%d", i))
		entries[i] = store.Entry{Target: store.Channel(target), Event: evs[i]}
	}
	must(t, "append", h.Append(ctxT(t), entries))
	return evs
}

// texts returns the texts of evs joined, for compact comparisons.
func texts(evs []*model.Event) string {
	s := ""
	for i, ev := range evs {
		if i > 0 {
			s += ","
		}
		s += ev.Text
	}
	return s
}

func check(t *testing.T, what string, evs []*model.Event, err error, want string) {
	t.Helper()
	must(t, what, err)
	if got := texts(evs); got != want {
		t.Errorf("%s = [%s], want [%s]", what, got, want)
	}
}

func testTimeline(t *testing.T, h store.History) {
	ctx := ctxT(t)
	evs := timeline(t, h, "#chan", 10)
	c := store.Channel("#CHAN") // folded like the stored name
	id := func(i int) store.Bound { return store.Bound{MsgID: evs[i].ID} }
	r, err := h.Latest(ctx, c, store.Bound{}, 3)
	check(t, "latest 3", r, err, "m7,m8,m9")
	r, err = h.Latest(ctx, c, id(6), 10)
	check(t, "latest after m6", r, err, "m7,m8,m9")
	r, err = h.Before(ctx, c, id(5), 3)
	check(t, "before m5", r, err, "m2,m3,m4")
	r, err = h.After(ctx, c, id(5), 3)
	check(t, "after m5", r, err, "m6,m7,m8")
	r, err = h.Around(ctx, c, id(5), 4)
	check(t, "around m5", r, err, "m3,m4,m5,m6")
	r, err = h.Around(ctx, c, id(9), 4)
	check(t, "around the newest", r, err, "m6,m7,m8,m9")
	r, err = h.Between(ctx, c, id(2), id(7), 10)
	check(t, "between m2 and m7", r, err, "m3,m4,m5,m6")
	r, err = h.Between(ctx, c, id(2), id(7), 2)
	check(t, "between m2 and m7, 2", r, err, "m3,m4")
	r, err = h.Between(ctx, c, id(7), id(2), 2)
	check(t, "between m7 and m2, 2", r, err, "m5,m6")
	r, err = h.Latest(ctx, store.Channel("#other"), store.Bound{}, 3)
	check(t, "another channel", r, err, "")
	if r, _ := h.Latest(ctx, c, store.Bound{}, 1); len(r) == 1 && (r[0].ID != evs[9].ID || !r[0].Time.Equal(evs[9].Time) ||
		r[0].Source != evs[9].Source || r[0].Target != "#chan" || r[0].Kind != model.KindPrivmsg) {
		t.Errorf("stored event changed: %+v, want %+v", r[0], evs[9])
	}
	infos, err := h.Targets(ctx, "", []string{"#Chan", "#nothing"}, base.Add(-time.Second), base.Add(time.Minute), 10)
	must(t, "targets", err)
	if len(infos) != 1 || infos[0].Target.Name != "#chan" || !infos[0].Latest.Equal(evs[9].Time) {
		t.Errorf("targets = %+v", infos)
	}
}

func testTimestampBounds(t *testing.T, h store.History) {
	ctx := ctxT(t)
	evs := timeline(t, h, "#chan", 10)
	c := store.Channel("#chan")
	at := func(i int) store.Bound { return store.Bound{Time: evs[i].Time} }
	r, err := h.Before(ctx, c, at(5), 2)
	check(t, "before time of m5", r, err, "m3,m4")
	r, err = h.After(ctx, c, at(5), 2)
	check(t, "after time of m5", r, err, "m6,m7")
	r, err = h.Around(ctx, c, at(5), 2)
	check(t, "around time of m5", r, err, "m4,m5")
	r, err = h.Between(ctx, c, at(0), at(3), 10)
	check(t, "between times", r, err, "m1,m2")
	r, err = h.Latest(ctx, c, at(8), 10)
	check(t, "latest after time of m8", r, err, "m9")
	r, err = h.After(ctx, c, store.Bound{Time: base.Add(2500 * time.Millisecond)}, 1)
	check(t, "after a time between messages", r, err, "m3")
}

func testPagination(t *testing.T, h store.History) {
	ctx := ctxT(t)
	const n, page = 250, 37
	evs := timeline(t, h, "#chan", n)
	c := store.Channel("#chan")
	seen := map[string]bool{}
	got, err := h.Latest(ctx, c, store.Bound{}, page)
	must(t, "latest", err)
	var all []*model.Event
	for len(got) > 0 {
		all = append(got, all...)
		got, err = h.Before(ctx, c, store.Bound{MsgID: got[0].ID}, page)
		must(t, "before", err)
	}
	forward := []*model.Event{}
	got, err = h.After(ctx, c, store.Bound{Time: base.Add(-time.Second)}, page)
	must(t, "after", err)
	for len(got) > 0 {
		forward = append(forward, got...)
		got, err = h.After(ctx, c, store.Bound{MsgID: got[len(got)-1].ID}, page)
		must(t, "after", err)
	}
	for _, list := range [][]*model.Event{all, forward} {
		if len(list) != n {
			t.Fatalf("paged through %d messages, want %d", len(list), n)
		}
		clear(seen)
		for i, ev := range list {
			if ev.ID != evs[i].ID || seen[ev.ID] {
				t.Fatalf("page order broken at %d: %s", i, ev.Text)
			}
			seen[ev.ID] = true
		}
	}
}

func testPrivate(t *testing.T, h store.History) {
	ctx := ctxT(t)
	m1, m2 := msg(1, "alice", "bob", "hi bob"), msg(2, "bob", "alice", "hi alice")
	var entries []store.Entry
	for _, ev := range []*model.Event{m1, m2} {
		entries = append(entries, store.Entry{Target: store.Private("Alice", "bob"), Event: ev},
			store.Entry{Target: store.Private("bob", "alice"), Event: ev})
	}
	must(t, "append", h.Append(ctx, entries))
	r, err := h.Latest(ctx, store.Private("ALICE", "Bob"), store.Bound{}, 10)
	check(t, "alice's conversation", r, err, "hi bob,hi alice")
	r, err = h.Latest(ctx, store.Channel("bob"), store.Bound{}, 10)
	check(t, "a channel named like the peer", r, err, "")
	infos, err := h.Targets(ctx, "alice", nil, base, base.Add(time.Minute), 10)
	must(t, "targets", err)
	if len(infos) != 1 || infos[0].Target != store.Private("alice", "bob") {
		t.Errorf("alice's targets = %+v", infos)
	}
	must(t, "delete account", h.DeleteAccount(ctx, "alice"))
	r, err = h.Latest(ctx, store.Private("alice", "bob"), store.Bound{}, 10)
	check(t, "alice's after deletion", r, err, "")
	r, err = h.Latest(ctx, store.Private("bob", "alice"), store.Bound{}, 10)
	check(t, "bob's after alice's deletion", r, err, "hi bob,hi alice")
}

func testRedact(t *testing.T, h store.History) {
	ctx := ctxT(t)
	rd, ok := h.(store.Redactor)
	if !ok {
		t.Skip("not a store.Redactor")
	}
	evs := timeline(t, h, "#chan", 4)
	_, err := rd.Redact(ctx, store.Channel("#other"), evs[1].ID)
	wantErr(t, "redact in the wrong target", err, store.ErrNotFound)
	got, err := rd.Redact(ctx, store.Channel("#Chan"), evs[1].ID)
	must(t, "redact", err)
	if got == nil || got.ID != evs[1].ID || got.Source.Nick != "alice" {
		t.Errorf("redact returned %+v", got)
	}
	r, err := h.Latest(ctx, store.Channel("#chan"), store.Bound{}, 10)
	check(t, "after redaction", r, err, "m0,m2,m3")
	_, err = rd.Redact(ctx, store.Channel("#chan"), evs[1].ID)
	wantErr(t, "redact twice", err, store.ErrNotFound)
	if s, ok := h.(store.Searcher); ok {
		r, err := s.Search(ctx, store.SearchQuery{Targets: []store.Target{store.Channel("#chan")}, Text: "m1", Limit: 10})
		check(t, "search for the redacted", r, err, "")
	}
}

func testSearch(t *testing.T, h store.History) {
	ctx := ctxT(t)
	s, ok := h.(store.Searcher)
	if !ok {
		t.Skip("not a store.Searcher")
	}
	chat := []struct{ nick, target, text string }{
		{"alice", "#go", "Generics are Great"}, {"bob", "#go", "great, generics everywhere"},
		{"alice", "#rust", "borrow checker is great"}, {"carol", "#go", "nothing to see"},
		{"bob", "#go", "GREAT again"},
	}
	var entries []store.Entry
	for i, c := range chat {
		entries = append(entries, store.Entry{Target: store.Channel(c.target), Event: msg(i, c.nick, c.target, c.text)})
	}
	join := msg(9, "dave", "#go", "")
	join.Kind, join.Text = model.KindJoin, "great"
	entries = append(entries, store.Entry{Target: store.Channel("#go"), Event: join})
	must(t, "append", h.Append(ctx, entries))
	both := []store.Target{store.Channel("#GO"), store.Channel("#rust")}
	cases := []struct {
		name string
		q    store.SearchQuery
		want string
	}{
		{"one word", store.SearchQuery{Targets: both, Text: "great"}, "Generics are Great,great, generics everywhere,borrow checker is great,GREAT again"},
		{"two words", store.SearchQuery{Targets: both, Text: "GENERICS great"}, "Generics are Great,great, generics everywhere"},
		{"in one channel", store.SearchQuery{Targets: both[1:], Text: "great"}, "borrow checker is great"},
		{"from", store.SearchQuery{Targets: both, From: "BOB", Text: "great"}, "great, generics everywhere,GREAT again"},
		{"after and before", store.SearchQuery{Targets: both, Text: "great", After: base, Before: base.Add(4 * time.Second)}, "great, generics everywhere,borrow checker is great"},
		{"limit keeps the newest", store.SearchQuery{Targets: both, Text: "great", Limit: 2}, "borrow checker is great,GREAT again"},
		{"no text", store.SearchQuery{Targets: both[:1], From: "carol"}, "nothing to see"},
		{"no such word", store.SearchQuery{Targets: both, Text: "great zebra"}, ""},
		{"no targets", store.SearchQuery{Text: "great"}, ""},
	}
	for _, c := range cases {
		if c.q.Limit == 0 {
			c.q.Limit = 100
		}
		r, err := s.Search(ctx, c.q)
		check(t, c.name, r, err, c.want)
	}
}

func testMaxPerTarget(t *testing.T, h store.History) {
	ctx := ctxT(t)
	timeline(t, h, "#chan", 8)
	r, err := h.Latest(ctx, store.Channel("#chan"), store.Bound{}, 100)
	check(t, "latest with max 5", r, err, "m3,m4,m5,m6,m7")
}

func testBadMsgID(t *testing.T, h store.History) {
	ctx := ctxT(t)
	timeline(t, h, "#chan", 2)
	for _, id := range []string{"nope", "zzzzzzzzzzzzzzzzzzzzzzzzz"} {
		_, err := h.Before(ctx, store.Channel("#chan"), store.Bound{MsgID: id}, 10)
		if !errors.Is(err, store.ErrBadMsgID) {
			t.Errorf("before msgid %q: err = %v, want ErrBadMsgID", id, err)
		}
	}
}

func testOnlyMessages(t *testing.T, h store.History) {
	ctx := ctxT(t)
	evs := timeline(t, h, "#chan", 6)
	join := msg(10, "bob", "#chan", "")
	join.Kind = model.KindJoin
	must(t, "append", h.Append(ctx, []store.Entry{{Target: store.Channel("#chan"), Event: join}}))
	c := store.Channel("#chan")
	r, err := h.Latest(ctx, c, store.Bound{}, 2)
	check(t, "latest with events", r, err, "m5,")
	r, err = h.Latest(ctx, c.OnlyMessages(), store.Bound{}, 2)
	check(t, "latest messages only", r, err, "m4,m5")
	r, err = h.After(ctx, c.OnlyMessages(), store.Bound{MsgID: evs[4].ID}, 2)
	check(t, "after, messages only", r, err, "m5")
}
