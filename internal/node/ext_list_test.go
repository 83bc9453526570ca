package node_test

import (
	"strings"
	"testing"
)

func TestListELIST(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#big")
	bob.Join("#big")
	alice.Join("#small")
	alice.Send("TOPIC #big :hello")
	alice.Roundtrip()

	list := func(arg string) []string {
		t.Helper()
		bob.Send("LIST " + arg)
		var names []string
		for _, m := range bob.Roundtrip() {
			if m.Command == "322" {
				names = append(names, m.Param(1))
			}
		}
		return names
	}
	for _, tc := range []struct {
		arg  string
		want []string
	}{
		{">1", []string{"#big"}},
		{"<2", []string{"#small"}},
		{"#s*", []string{"#small"}},
		{"!#s*", []string{"#big"}},
		{"C<60,>1", []string{"#big"}},
		{"C>60", nil},
		{"T<60", []string{"#big"}},
		{"T>60", nil},
	} {
		got := list(tc.arg)
		if len(got) != len(tc.want) || (len(got) == 1 && got[0] != tc.want[0]) {
			t.Errorf("LIST %s: %v, want %v", tc.arg, got, tc.want)
		}
	}
	if n := len(list("")); n != 2 {
		t.Errorf("LIST: %d channels, want 2", n)
	}
	want(t, numeric(bob, "LIST #big", "322"), msg("", "322", "bob", "#big", "2", "[+nt] hello"))
}

func TestNamesManyTargetsAndLinks(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	alice.Join("#a")
	alice.Join("#b")
	alice.Send("NAMES #a,#b,#none")
	msgs := alice.Roundtrip()
	wantIn(t, msgs, msg("", "353", "alice", "=", "#a", "@alice"))
	wantIn(t, msgs, msg("", "353", "alice", "=", "#b", "@alice"))
	wantIn(t, msgs, msg("", "366", "alice", "#none", "End of /NAMES list"))
	if n := len(only(msgs, "366")); n != 3 {
		t.Fatalf("NAMES of three targets: %s", dump(msgs))
	}

	alice.Send("LINKS")
	msgs = alice.Roundtrip()
	if len(msgs) != 2 || msgs[0].Command != "364" || msgs[0].Param(1) != serverName || msgs[0].Param(2) != serverName {
		t.Fatalf("LINKS: %s", dump(msgs))
	}
	want(t, msgs[1], msg("", "365", "alice", "*", "End of /LINKS list"))
	alice.Send("LINKS *.nowhere")
	want(t, alice.Roundtrip()[0], msg("", "365", "alice", "*.nowhere", "End of /LINKS list"))
	want(t, numeric(alice, "LINKS other.server *", "402"), msg("", "402", "alice", "other.server", "No such server"))

	alice.Send("VERSION")
	var isupport string
	for _, m := range alice.Roundtrip() {
		if m.Command == "005" {
			for _, p := range m.Params[1:] {
				isupport += p + " "
			}
		}
	}
	for _, tok := range []string{"ELIST=CMNTU", "NAMES:,"} {
		if !strings.Contains(isupport, tok) {
			t.Errorf("ISUPPORT lacks %s: %s", tok, isupport)
		}
	}
}
