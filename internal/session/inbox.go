package session

import (
	"sync"

	"github.com/parleychat/parley/internal/ircmsg"
)

// inboxLimit is how many parsed lines may wait for the processor before the reader stops reading.
// The kernel's receive buffer then fills and TCP pushes back on the client.
const inboxLimit = 32

// inbox hands parsed lines from the reader to the processor. Commands run in a processor goroutine
// that exists only while lines wait, for the same reason the writer does: a command can need a deep
// stack (registration, WHO on a big channel), and a goroutine's stack keeps its largest size while
// it lives. The reader stays shallow, so an idle connection costs a small parked stack.
// One processor at a time runs a client's commands, in order.
type inbox struct {
	mu         sync.Mutex // tier 4
	lines      []ircmsg.Message
	processing bool
	stopped    bool
	space      *sync.Cond // the reader waits here while the inbox is full
	done       sync.WaitGroup
}

func (in *inbox) init() { in.space = sync.NewCond(&in.mu) }

// push queues a line, waiting while the inbox is full. It reports whether the caller must start a
// processor, and false for ok once the inbox is stopped.
func (in *inbox) push(m ircmsg.Message) (start, ok bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.lines) >= inboxLimit && !in.stopped {
		in.space.Wait()
	}
	if in.stopped {
		return false, false
	}
	in.lines = append(in.lines, m)
	if in.processing {
		return false, true
	}
	in.processing = true
	in.done.Add(1)
	return true, true
}

// pop takes the next line; ok is false when the processor should exit.
func (in *inbox) pop() (m ircmsg.Message, ok bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.lines) == 0 || in.stopped {
		in.processing = false
		in.lines = nil
		in.space.Broadcast()
		return ircmsg.Message{}, false
	}
	m = in.lines[0]
	in.lines[0] = ircmsg.Message{}
	in.lines = in.lines[1:]
	if len(in.lines) == inboxLimit-1 {
		in.space.Broadcast()
	}
	return m, true
}

// stop drops waiting lines and releases a reader blocked in push.
func (in *inbox) stop() {
	in.mu.Lock()
	in.stopped = true
	in.lines = nil
	in.space.Broadcast()
	in.mu.Unlock()
}

// process runs queued lines until none are left. It is the processor goroutine.
func (s *Session) process() {
	defer s.in.done.Done()
	for {
		m, ok := s.in.pop()
		if !ok {
			return
		}
		if s.floodCheck(&m) {
			s.srv.Run(s.client, &m)
		}
		if s.client.Registered() {
			s.registered.Store(true)
		}
		if s.client.Quitting() {
			s.in.stop()
			return
		}
	}
}
