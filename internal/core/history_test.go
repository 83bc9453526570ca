package core

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// fakeHistory records what core stores; appendErr makes Append fail.
type fakeHistory struct {
	mu        sync.Mutex
	appended  []store.Entry
	recorded  []store.Entry
	appendErr error
}

func (f *fakeHistory) Append(ctx context.Context, entries []store.Entry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.appendErr != nil {
		return f.appendErr
	}
	f.appended = append(f.appended, entries...)
	return nil
}

func (f *fakeHistory) Record(entries []store.Entry) {
	f.mu.Lock()
	f.recorded = append(f.recorded, entries...)
	f.mu.Unlock()
}

func (f *fakeHistory) take() (appended, recorded []store.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	appended, recorded = f.appended, f.recorded
	f.appended, f.recorded = nil, nil
	return
}

func targets(es []store.Entry) []store.Target {
	var out []store.Target
	for _, e := range es {
		out = append(out, e.Target)
	}
	return out
}

func TestHistoryStoresWhatWasSaid(t *testing.T) {
	n := testNetwork(t)
	h := &fakeHistory{}
	n.SetHistory(h)
	alice, _ := joinedUser(t, n, "alice", "#chan")
	bob, _ := joinedUser(t, n, "bob", "#chan")
	_, rec := h.take()
	if len(rec) != 2 || rec[0].Event.Kind != model.KindJoin || rec[0].Target != store.Channel("#chan") {
		t.Fatalf("joins recorded as %+v", rec)
	}

	say := func(target, text string, kind model.Kind, tags ...model.Tag) []store.Target {
		t.Helper()
		res, err := n.Say(alice, Message{Kind: kind, Target: target, Text: text, Tags: tags})
		if err != nil {
			t.Fatalf("say %s: %v", target, err)
		}
		if err := WaitStored(res.Stored); err != nil {
			t.Fatalf("say %s: not stored: %v", target, err)
		}
		app, _ := h.take()
		return targets(app)
	}
	if got := say("#chan", "hi", model.KindPrivmsg); len(got) != 1 || got[0] != store.Channel("#chan") {
		t.Errorf("channel message stored under %v", got)
	}
	if got := say("@#chan", "ops only", model.KindPrivmsg); len(got) != 0 {
		t.Errorf("STATUSMSG stored under %v", got)
	}
	if got := say("#chan", "", model.KindTagmsg, model.Tag{Key: "+typing", Value: "active"}); len(got) != 0 {
		t.Errorf("typing stored under %v", got)
	}
	if got := say("#chan", "", model.KindTagmsg, model.Tag{Key: "+draft/react", Value: "👍"}); len(got) != 1 {
		t.Errorf("reaction stored under %v", got)
	}
	if got := say("bob", "psst", model.KindPrivmsg); len(got) != 0 {
		t.Errorf("private message between users without accounts stored under %v", got)
	}
	n.SetUserAccount(alice, "Alice")
	if got := say("bob", "psst", model.KindPrivmsg); len(got) != 1 || got[0] != store.Private("Alice", "bob") {
		t.Errorf("private message stored under %v, want alice's copy naming bob by nick", got)
	}
	n.SetUserAccount(bob, "robert")
	if got := say("bob", "psst", model.KindPrivmsg); len(got) != 2 || got[0] != store.Private("Alice", "robert") || got[1] != store.Private("robert", "Alice") {
		t.Errorf("private message stored under %v, want a copy per account", got)
	}

	h.appendErr = errors.New("disk full")
	res, err := n.Say(alice, Message{Kind: model.KindPrivmsg, Target: "#chan", Text: "lost?"})
	if err != nil {
		t.Fatalf("say with a failing history is still delivered: %v", err)
	}
	if err := WaitStored(res.Stored); !errors.Is(err, ErrNotStored) {
		t.Errorf("say with a failing history: stored = %v, want ErrNotStored", err)
	}
	h.appendErr = nil

	n.Quit(bob, "bye")
	_, rec = h.take()
	if len(rec) != 1 || rec[0].Event.Kind != model.KindQuit || rec[0].Target != store.Channel("#chan") {
		t.Errorf("quit recorded as %+v", rec)
	}
}

func TestMsgIDsCarryEventTime(t *testing.T) {
	n := testNetwork(t)
	alice, _ := joinedUser(t, n, "alice", "#chan")
	res, err := n.Say(alice, Message{Kind: model.KindPrivmsg, Target: "#chan", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	nanos, _, ok := model.ParseMsgID(res.Event.ID)
	if !ok || nanos != res.Event.Time.UnixNano() {
		t.Fatalf("msgid %q does not encode the event time %v", res.Event.ID, res.Event.Time)
	}
}
