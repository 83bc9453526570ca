package commands

import "sync"

// replyPipe keeps a client's replies in order when some of them wait for the history: a reply
// that must not go out before its message is stored (the echo, the labeled ACK) is parked here
// with everything the client is sent after it, while the client's reader goes on with the next
// command. Many messages are then stored together instead of one acknowledgement per message.
// Replies that wait for nothing, with nothing parked ahead of them, go straight to the output.
type replyPipe struct {
	mu      sync.Mutex // tier 4, like the send queue it feeds
	items   []parked
	running bool
}

type parked struct {
	lines     [][]byte
	stored    []<-chan error
	notStored func() []byte // the line sent instead of lines when storing failed
}

// send hands a flushed reply to the output, through the pipe when needed. Safe from any
// goroutine.
func (c *Client) send(lines [][]byte, stored []<-chan error, notStored func() []byte) {
	if len(lines) == 0 && len(stored) == 0 {
		return
	}
	p := &c.pipe
	p.mu.Lock()
	if len(stored) == 0 && !p.running {
		p.mu.Unlock()
		for _, l := range lines {
			c.out.Write(l)
		}
		return
	}
	p.items = append(p.items, parked{lines, stored, notStored})
	start := !p.running
	p.running = true
	p.mu.Unlock()
	if start {
		go c.drainPipe()
	}
}

// drainPipe writes parked replies in order, each once its messages are stored, and exits when
// the pipe is empty.
func (c *Client) drainPipe() {
	p := &c.pipe
	for {
		p.mu.Lock()
		if len(p.items) == 0 {
			p.running = false
			p.items = nil
			p.mu.Unlock()
			return
		}
		it := p.items[0]
		p.items[0] = parked{}
		p.items = p.items[1:]
		p.mu.Unlock()
		failed := false
		for _, s := range it.stored {
			if err := <-s; err != nil {
				failed = true
			}
		}
		if failed {
			c.out.Write(it.notStored())
			continue
		}
		for _, l := range it.lines {
			c.out.Write(l)
		}
	}
}
