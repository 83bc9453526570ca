package core

import (
	"errors"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/model"
)

// recorder is a Sink that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	evs []*model.Event
}

func (r *recorder) Deliver(ev *model.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *recorder) kinds() []model.Kind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.Kind
	for _, ev := range r.evs {
		out = append(out, ev.Kind)
	}
	return out
}

func (r *recorder) last() *model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.evs) == 0 {
		return nil
	}
	return r.evs[len(r.evs)-1]
}

func testNetwork(t *testing.T) *Network {
	t.Helper()
	return New(Options{Casemap: mustCasemap(t), Settings: DefaultSettings()})
}

func mustCasemap(t testing.TB) casemap.Mapping {
	cm, err := casemap.Parse("rfc1459")
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

func joinedUser(t *testing.T, n *Network, nick, channel string) (*User, *recorder) {
	t.Helper()
	r := &recorder{}
	u := n.NewUser(UserSpec{User: nick, Host: "127.0.0.1", IP: "127.0.0.1"}, r)
	if err := n.Register(u, nick); err != nil {
		t.Fatal(err)
	}
	if channel != "" {
		if _, err := n.Join(u, channel, ""); err != nil {
			t.Fatal(err)
		}
	}
	return u, r
}

var bot = model.Prefix{Nick: "chatbot", User: "api", Host: "irc.test"}

func codeOf(err error) Code {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func TestServiceSay(t *testing.T) {
	n := testNetwork(t)
	op, _ := joinedUser(t, n, "alice", "#c")
	_, r := joinedUser(t, n, "bob", "#c")
	msg := Message{Kind: model.KindPrivmsg, Target: "#C", Text: "hello"}
	ev, err := n.ServiceSay(bot, msg, false)
	if err != nil {
		t.Fatal(err)
	}
	got := r.last()
	if got != ev || got.Source != bot || !got.Bot || got.Target != "#c" || got.ID == "" {
		t.Fatalf("bob got %+v, want the service's message %+v", got, ev)
	}
	if _, _, errs := n.ApplyChannelModes(op, "#c", []ModeChange{{Add: true, Mode: 'm'}}); len(errs) > 0 {
		t.Fatal(errs)
	}
	if _, err := n.ServiceSay(bot, msg, false); codeOf(err) != ErrCannotSendToChan {
		t.Errorf("+m without override: %v, want ErrCannotSendToChan", err)
	}
	if _, err := n.ServiceSay(bot, msg, true); err != nil {
		t.Errorf("+m with override: %v", err)
	}
	for _, tc := range []struct {
		from model.Prefix
		msg  Message
		want Code
	}{
		{model.Prefix{Nick: "alice", User: "api", Host: "irc.test"}, msg, ErrNicknameInUse},
		{model.Prefix{Nick: "bad nick", User: "api", Host: "irc.test"}, msg, ErrErroneousNick},
		{bot, Message{Kind: model.KindPrivmsg, Target: "#nowhere", Text: "x"}, ErrNoSuchChannel},
		{bot, Message{Kind: model.KindPrivmsg, Target: "bob", Text: "x"}, ErrNoSuchChannel},
		{bot, Message{Kind: model.KindPrivmsg, Target: "#c"}, ErrNoTextToSend},
	} {
		if _, err := n.ServiceSay(tc.from, tc.msg, true); codeOf(err) != tc.want {
			t.Errorf("ServiceSay(%v, %+v) = %v, want code %d", tc.from, tc.msg, err, tc.want)
		}
	}
}

func TestServerModeKickTopic(t *testing.T) {
	n := testNetwork(t)
	_, ra := joinedUser(t, n, "alice", "#c")
	bob, _ := joinedUser(t, n, "bob", "#c")
	c := n.FindChannel("#c")

	applied, ev, errs := n.ServerMode(bot, "#c", []ModeChange{{Add: true, Mode: 'm'}, {Add: true, Mode: 'o', Arg: "BOB"},
		{Add: true, Mode: 'b', Arg: "evil"}, {Add: true, Mode: 'X'}})
	if len(applied) != 3 || ev == nil || len(errs) != 1 || codeOf(errs[0]) != ErrUnknownMode {
		t.Fatalf("ServerMode = %v, %v, %v", applied, ev, errs)
	}
	if ra.last() != ev || ev.Params[0] != "+mob" {
		t.Errorf("alice got %+v, want the MODE +mob", ra.last())
	}
	if m, _ := c.Membership(bob); !m.Prefixes.AtLeast(model.Op) {
		t.Error("bob is not an operator after +o")
	}
	if bans := c.Bans(); len(bans) != 1 || bans[0].Mask != "evil!*@*" || bans[0].SetBy != bot.String() {
		t.Errorf("bans = %+v", bans)
	}

	tev, err := n.ServerTopic(bot, "#c", "news")
	if err != nil || c.Topic().Text != "news" || c.Topic().SetBy != bot.String() || ra.last() != tev {
		t.Fatalf("ServerTopic: %v, topic %+v", err, c.Topic())
	}

	kev, err := n.ServerKick(bot, "#c", "bob", "bye")
	if err != nil || ra.last() != kev || c.MemberCount() != 1 {
		t.Fatalf("ServerKick: %v, members %d", err, c.MemberCount())
	}
	if _, err := n.ServerKick(bot, "#c", "bob", "again"); codeOf(err) != ErrUserNotInChannel {
		t.Errorf("kicking a non-member: %v", err)
	}
	if _, err := n.ServerTopic(bot, "#none", "x"); codeOf(err) != ErrNoSuchChannel {
		t.Errorf("topic of a missing channel: %v", err)
	}
}

type killRecorder struct {
	recorder
	killedBy string
}

func (k *killRecorder) Kill(by, reason string) { k.killedBy = by }

func TestServerKill(t *testing.T) {
	n := testNetwork(t)
	_, ra := joinedUser(t, n, "alice", "#c")
	k := &killRecorder{}
	u := n.NewUser(UserSpec{User: "bob", Host: "h"}, k)
	if err := n.Register(u, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Join(u, "#c", ""); err != nil {
		t.Fatal(err)
	}
	if err := n.ServerKill(bot, "bob", "spam"); err != nil {
		t.Fatal(err)
	}
	if k.killedBy != "chatbot" || n.FindUser("bob") != nil {
		t.Errorf("killed by %q, still there: %v", k.killedBy, n.FindUser("bob") != nil)
	}
	if ev := ra.last(); ev.Kind != model.KindQuit || ev.Text != "Killed (chatbot (spam))" {
		t.Errorf("alice saw %+v", ev)
	}
	if err := n.ServerKill(bot, "bob", "again"); codeOf(err) != ErrNoSuchNick {
		t.Errorf("killing a missing nick: %v", err)
	}
}
