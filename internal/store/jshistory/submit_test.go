package jshistory

import (
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// TestSubmit stores without waiting: every submission settles to nil, in order, and what was
// submitted is then queryable; a submission after Close fails instead of hanging.
func TestSubmit(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	now := time.Now()
	var pending []<-chan error
	for i := range 200 {
		ev := privmsg(now.Add(time.Duration(i)*time.Microsecond), "#s", "m")
		pending = append(pending, h.Submit([]store.Entry{{Target: store.Channel("#s"), Event: ev}}))
	}
	for i, p := range pending {
		select {
		case err := <-p:
			if err != nil {
				t.Fatalf("submission %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("submission %d never settled", i)
		}
	}
	got, err := h.Latest(t.Context(), store.Channel("#s"), store.Bound{}, 500)
	if err != nil || len(got) != 200 {
		t.Fatalf("latest: %d events, %v", len(got), err)
	}
	h.Close()
	select {
	case err := <-h.Submit([]store.Entry{{Target: store.Channel("#s"), Event: privmsg(now, "#s", "late")}}):
		if err == nil {
			t.Fatal("a submission after Close reported success")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a submission after Close hung")
	}
}
