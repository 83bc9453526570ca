package model

import (
	"sort"
	"testing"
	"time"
)

func TestMsgIDOrderAndParse(t *testing.T) {
	s := NewMsgIDSource()
	base := time.Unix(1_700_000_000, 5)
	var ids []string
	for i := range 1000 {
		at := base.Add(time.Duration(i/3) * time.Nanosecond) // several ids per nanosecond
		id := s.New(at)
		if len(id) != MsgIDLen {
			t.Fatalf("id %q has length %d", id, len(id))
		}
		nanos, _, ok := ParseMsgID(id)
		if !ok || nanos != at.UnixNano() {
			t.Fatalf("ParseMsgID(%q) = %d, %v; want %d", id, nanos, ok, at.UnixNano())
		}
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids made in time order do not sort in time order")
	}
	if other := NewMsgIDSource().New(base); other == s.New(base) {
		t.Fatal("two sources made the same id")
	}
	for _, bad := range []string{"", "short", "0123456789abcdefghijklmnw", "zzzzzzzzzzzzz000000000000"} {
		if _, _, ok := ParseMsgID(bad); ok {
			t.Errorf("ParseMsgID(%q) accepted", bad)
		}
	}
}

func FuzzParseMsgID(f *testing.F) {
	f.Add(NewMsgIDSource().New(time.Unix(1_700_000_000, 0)))
	f.Add("0123456789abcdefghijklmno")
	f.Add("vvvvvvvvvvvvvvvvvvvvvvvvv")
	f.Fuzz(func(t *testing.T, id string) {
		nanos, tie, ok := ParseMsgID(id)
		if !ok {
			return
		}
		var b [MsgIDLen]byte
		putBase32(b[:13], uint64(nanos))
		putBase32(b[13:], tie)
		if string(b[:]) != id {
			t.Fatalf("ParseMsgID(%q) = %d, %d, which encodes as %q", id, nanos, tie, b[:])
		}
	})
}
