package core

import (
	"testing"

	"github.com/parleychat/parley/internal/model"
)

func TestObserve(t *testing.T) {
	n := testNetwork(t)
	all := &recorder{}
	onlyC := &recorder{}
	cancelAll := n.Observe(all, nil)
	cancelC := n.Observe(onlyC, func(ev *model.Event) bool { return ev.Target == "#c" })

	alice, _ := joinedUser(t, n, "alice", "#c")
	bob, _ := joinedUser(t, n, "bob", "#d")
	if _, err := n.Say(alice, Message{Kind: model.KindPrivmsg, Target: "#c", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Say(alice, Message{Kind: model.KindPrivmsg, Target: "bob", Text: "private"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.SetTopic(alice, "#c", "t"); err != nil {
		t.Fatal(err)
	}
	n.Wallops(alice, "opers only")
	if _, err := n.Part(bob, "#d", ""); err != nil {
		t.Fatal(err)
	}
	want := []model.Kind{model.KindJoin, model.KindJoin, model.KindPrivmsg, model.KindTopic, model.KindPart}
	if got := all.kinds(); !equalKinds(got, want) {
		t.Errorf("observer saw %v, want %v (no private message, no wallops)", got, want)
	}
	if got := onlyC.kinds(); !equalKinds(got, []model.Kind{model.KindJoin, model.KindPrivmsg, model.KindTopic}) {
		t.Errorf("filtered observer saw %v", got)
	}

	cancelAll()
	cancelAll() // idempotent
	n.Quit(bob, "bye")
	if got := len(all.kinds()); got != len(want) {
		t.Errorf("cancelled observer got %d events, want %d", got, len(want))
	}
	if onlyC.last().Kind != model.KindTopic {
		t.Errorf("filtered observer got a QUIT with no target: %+v", onlyC.last())
	}
	cancelC()
	if n.observerSnap.Load() != nil {
		t.Error("observer snapshot not cleared after the last cancel")
	}
}

func equalKinds(a, b []model.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkSayObserved measures what observers add to a channel message: none, and one.
func BenchmarkSayObserved(b *testing.B) {
	for _, observers := range []int{0, 1} {
		b.Run(map[int]string{0: "none", 1: "one"}[observers], func(b *testing.B) {
			n := New(Options{Casemap: mustCasemap(b), Settings: DefaultSettings()})
			u := n.NewUser(UserSpec{User: "a", Host: "h"}, discard{})
			if err := n.Register(u, "alice"); err != nil {
				b.Fatal(err)
			}
			if _, err := n.Join(u, "#c", ""); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < observers; i++ {
				defer n.Observe(discard{}, nil)()
			}
			msg := Message{Kind: model.KindPrivmsg, Target: "#c", Text: "hello"}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := n.Say(u, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Deliver(*model.Event) {}
