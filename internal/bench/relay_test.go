package bench

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// relay is a minimal IRC server for the tests: NICK/USER registration with a
// welcome burst (001, 005, MOTD) and a PING, JOIN with NAMES, PRIVMSG to
// channels, and an optional ERROR kill. It is just enough of RFC 2812 to
// exercise the generator's client side over real sockets.
type relay struct {
	ln    net.Listener
	pongs atomic.Int64
	// killAt and killNick, when set, make the relay send ERROR to killNick
	// and close its connection once that many PRIVMSGs have been relayed.
	killAt   int64
	killNick string
	relayed  atomic.Int64

	mu    sync.Mutex
	nicks map[string]*rconn
	chans map[string]map[*rconn]bool
	peak  map[string]int // the most members each channel ever had
}

type rconn struct {
	conn net.Conn
	out  chan []byte
	done chan struct{}
	nick string
	user bool
	reg  bool
}

func startRelay(t *testing.T, reservedNicks ...string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &relay{ln: ln, nicks: map[string]*rconn{}, chans: map[string]map[*rconn]bool{}}
	for _, n := range reservedNicks {
		rl.nicks[n] = &rconn{}
	}
	go rl.accept()
	t.Cleanup(func() { ln.Close() })
	return rl
}

func (rl *relay) addr() string { return rl.ln.Addr().String() }

func (rl *relay) accept() {
	for {
		c, err := rl.ln.Accept()
		if err != nil {
			return
		}
		rc := &rconn{conn: c, out: make(chan []byte, 1024), done: make(chan struct{})}
		go rc.writeLoop()
		go rl.serve(rc)
	}
}

// writeLoop batches queued lines into one write, like a real server.
func (rc *rconn) writeLoop() {
	var buf []byte
	for {
		select {
		case b := <-rc.out:
			buf = append(buf[:0], b...)
			closing := b == nil
		more:
			for len(buf) < 32<<10 && !closing {
				select {
				case b := <-rc.out:
					buf = append(buf, b...)
					closing = b == nil
				default:
					break more
				}
			}
			if _, err := rc.conn.Write(buf); err != nil || closing {
				rc.conn.Close()
				return
			}
		case <-rc.done:
			return
		}
	}
}

func (rc *rconn) send(s string) {
	select {
	case rc.out <- []byte(s + "\r\n"):
	case <-rc.done:
	}
}

func (rl *relay) serve(rc *rconn) {
	defer rl.drop(rc)
	sc := bufio.NewScanner(rc.conn)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " :", 2)
		words := strings.Fields(f[0])
		if len(words) == 0 {
			continue
		}
		text := ""
		if len(f) == 2 {
			text = f[1]
		}
		if !rl.handle(rc, strings.ToUpper(words[0]), words[1:], text) {
			return
		}
	}
}

func (rl *relay) handle(rc *rconn, cmd string, args []string, text string) bool {
	switch cmd {
	case "NICK":
		if len(args) == 0 {
			return true
		}
		rl.mu.Lock()
		_, taken := rl.nicks[args[0]]
		if !taken {
			delete(rl.nicks, rc.nick)
			rc.nick = args[0]
			rl.nicks[rc.nick] = rc
		}
		rl.mu.Unlock()
		if taken {
			rc.send(":relay 433 * " + args[0] + " :Nickname is already in use")
		}
		rl.welcome(rc)
	case "USER":
		rc.user = true
		rl.welcome(rc)
	case "PING":
		rc.send(":relay PONG relay :" + text)
	case "PONG":
		rl.pongs.Add(1)
	case "JOIN":
		for _, ch := range strings.Split(args[0], ",") {
			rl.join(rc, ch)
		}
	case "PRIVMSG":
		rl.privmsg(rc, args[0], text)
	case "QUIT":
		return false
	}
	return true
}

func (rl *relay) welcome(rc *rconn) {
	if rc.reg || rc.nick == "" || !rc.user {
		return
	}
	rc.reg = true
	for _, l := range []string{
		"001 " + rc.nick + " :Welcome to the relay",
		"005 " + rc.nick + " CHANTYPES=# NICKLEN=30 :are supported by this server",
		"375 " + rc.nick + " :- relay Message of the day -",
		"372 " + rc.nick + " :- hello",
		"376 " + rc.nick + " :End of /MOTD command.",
	} {
		rc.send(":relay " + l)
	}
	rc.send("PING :relay-check")
}

func (rl *relay) join(rc *rconn, ch string) {
	rl.mu.Lock()
	m := rl.chans[ch]
	if m == nil {
		m = map[*rconn]bool{}
		rl.chans[ch] = m
	}
	m[rc] = true
	if rl.peak == nil {
		rl.peak = map[string]int{}
	}
	rl.peak[ch] = max(rl.peak[ch], len(m))
	members := make([]*rconn, 0, len(m))
	for o := range m {
		members = append(members, o)
	}
	rl.mu.Unlock()
	for _, o := range members {
		o.send(":" + rc.nick + "!u@relay JOIN " + ch)
	}
	rc.send(":relay 353 " + rc.nick + " = " + ch + " :" + rc.nick)
	rc.send(":relay 366 " + rc.nick + " " + ch + " :End of /NAMES list.")
}

func (rl *relay) privmsg(rc *rconn, target, text string) {
	rl.mu.Lock()
	var to []*rconn
	for o := range rl.chans[target] {
		if o != rc {
			to = append(to, o)
		}
	}
	rl.mu.Unlock()
	line := ":" + rc.nick + "!u@relay PRIVMSG " + target + " :" + text
	for _, o := range to {
		o.send(line)
	}
	if n := rl.relayed.Add(1); rl.killAt > 0 && n == rl.killAt {
		for _, o := range to {
			if o.nick == rl.killNick {
				o.send("ERROR :Closing link: (relay kill test)")
				// A nil line tells the writer to close after flushing.
				select {
				case o.out <- nil:
				case <-o.done:
				}
			}
		}
	}
}

func (rl *relay) drop(rc *rconn) {
	rl.mu.Lock()
	if rl.nicks[rc.nick] == rc {
		delete(rl.nicks, rc.nick)
	}
	for _, m := range rl.chans {
		delete(m, rc)
	}
	rl.mu.Unlock()
	close(rc.done)
	rc.conn.Close()
}

// members returns each channel's member count.
// members returns the most members each channel had at once: clients leave concurrently with the
// end of a run, so the current count says nothing about whether every join happened.
func (rl *relay) members() map[string]int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	out := map[string]int{}
	for ch, n := range rl.peak {
		out[ch] = n
	}
	return out
}
