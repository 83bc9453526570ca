package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/model"
)

// stream is one event-stream client as a core observer: Deliver only queues, and a client that
// falls StreamQueue events behind is cut off rather than allowed to slow the fan-out.
type stream struct {
	queue    chan *model.Event
	overflow chan struct{}
	once     sync.Once
}

// Deliver implements core.Sink. It never blocks. Safe for concurrent use.
func (s *stream) Deliver(ev *model.Event) {
	select {
	case s.queue <- ev:
	default:
		s.once.Do(func() { close(s.overflow) })
	}
}

// eventFilter is what a client asked for with ?channels= and ?types=. Folded channel names; nil
// sets mean everything.
type eventFilter struct {
	fold     func(string) string
	channels map[string]bool
	types    map[string]bool
}

// match decides on the fan-out goroutine, so it reads only its own fields, never core state.
// Events without a channel (quit, nick...) pass only when no channel filter was given.
func (f *eventFilter) match(ev *model.Event) bool {
	if f.types != nil && !f.types[eventType(ev.Kind)] {
		return false
	}
	if f.channels == nil {
		return true
	}
	ch := channelOf(ev)
	return ch != "" && f.channels[f.fold(ch)]
}

func (a *API) parseEventFilter(r *http.Request) (*eventFilter, *apiError) {
	f := &eventFilter{fold: a.net.Fold}
	q := r.URL.Query()
	if s := q.Get("channels"); s != "" {
		f.channels = map[string]bool{}
		for _, name := range strings.Split(s, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if name[0] != '#' {
				name = "#" + name
			}
			f.channels[a.net.Fold(name)] = true
		}
	}
	if s := q.Get("types"); s != "" {
		f.types = map[string]bool{}
		for _, t := range strings.Split(s, ",") {
			if !contains(config.WebhookEvents, t) {
				return nil, errBadRequest("bad_parameter", "unknown event type "+t+" in types (known: "+
					strings.Join(config.WebhookEvents, ",")+")")
			}
			f.types[t] = true
		}
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// events serves GET /events as Server-Sent Events (HTML Living Standard, "Server-sent events"):
// one "event: <type>" with "id: <msgid>" and a JSON "data:" line per network event, and a comment
// every KeepAlive so proxies keep the connection open.
func (a *API) events(w http.ResponseWriter, r *http.Request, c *caller) {
	f, aerr := a.parseEventFilter(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	rc := http.NewResponseController(w)
	s := &stream{queue: make(chan *model.Event, a.opt.StreamQueue), overflow: make(chan struct{})}
	cancel := a.net.Observe(s, f.match)
	defer cancel()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(": parley event stream\n\n")); err != nil || rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(a.opt.KeepAlive)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-a.ctx.Done():
			writeSSE(w, "error", "", map[string]string{"code": "shutting_down", "message": "the server is shutting down"})
			_ = rc.Flush()
			return
		case <-s.overflow:
			writeSSE(w, "error", "", map[string]string{"code": "slow_consumer",
				"message": "the stream fell too far behind and was closed; reconnect"})
			_ = rc.Flush()
			return
		case <-tick.C:
			_, err = w.Write([]byte(": keep-alive\n\n"))
		case ev := <-s.queue:
			err = a.writeStreamEvent(w, s, ev, c)
		}
		if err != nil || rc.Flush() != nil {
			return
		}
	}
}

// writeStreamEvent writes ev and whatever else is already queued, so one flush carries a burst.
func (a *API) writeStreamEvent(w http.ResponseWriter, s *stream, ev *model.Event, c *caller) error {
	for {
		if a.visibleEvent(ev, c) {
			if err := writeSSE(w, eventType(ev.Kind), ev.ID, toEventJSON(ev)); err != nil {
				return err
			}
		}
		select {
		case ev = <-s.queue:
		default:
			return nil
		}
	}
}

// visibleEvent hides secret channels' events from tokens without the admin scope. It runs on the
// stream's goroutine, with no core lock held, so it may look the channel up (the observer filter
// may not: it runs under the channel's lock). A channel that is gone by then (its last member left)
// counts as secret: its secrecy can no longer be told, and hiding a last PART beats leaking a
// secret channel's last words.
func (a *API) visibleEvent(ev *model.Event, c *caller) bool {
	if c.admin() {
		return true
	}
	ch := channelOf(ev)
	if ch == "" {
		return true
	}
	found := a.net.FindChannel(ch)
	return found != nil && !found.IsSecret()
}

func writeSSE(w http.ResponseWriter, event, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("event: ")
	b.WriteString(event)
	b.WriteByte('\n')
	if id != "" {
		b.WriteString("id: ")
		b.WriteString(id)
		b.WriteByte('\n')
	}
	b.WriteString("data: ")
	b.Write(data) // JSON has no raw newlines, so one data line is enough
	b.WriteString("\n\n")
	_, err = w.Write([]byte(b.String()))
	return err
}
