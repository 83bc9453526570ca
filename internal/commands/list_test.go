package commands

import (
	"testing"
	"time"

	"github.com/parleychat/parley/internal/casemap"
)

func TestListFilter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	old := listEntry{name: "#old", users: 5, created: ago(120), topicAt: ago(90)}
	fresh := listEntry{name: "#fresh", users: 1, created: ago(2), topicAt: ago(1)}
	bare := listEntry{name: "#bare", users: 3, created: ago(30)}
	for _, tc := range []struct {
		arg  string
		want []bool // old, fresh, bare
	}{
		{"", []bool{true, true, true}},
		{">2", []bool{true, false, true}},
		{"<3", []bool{false, true, false}},
		{"C>60", []bool{true, false, false}},
		{"C<60", []bool{false, true, true}},
		{"T>60", []bool{true, false, false}},
		{"T<60", []bool{false, true, false}},
		{"#f*", []bool{false, true, false}},
		{"!#f*", []bool{true, false, true}},
		{"#*,!#old,>0", []bool{false, true, true}},
		{"C>10,C<200,>2", []bool{true, false, true}},
		{"C<x,>y,T<-1", []bool{true, true, true}}, // unparsable conditions are ignored
	} {
		f := parseListFilter(tc.arg, now)
		for i, e := range []listEntry{old, fresh, bare} {
			if got := f.match(casemap.ASCII, e); got != tc.want[i] {
				t.Errorf("LIST %q on %s: %v, want %v", tc.arg, e.name, got, tc.want[i])
			}
		}
	}
}
