package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// readBufSize holds many delivered lines per read syscall while keeping
	// 19,000 idle clients under half a gigabyte.
	readBufSize  = 16 << 10
	writeTimeout = 10 * time.Second
	maxNickTries = 5
)

// Client states. A client moves forward only.
const (
	stDialing int32 = iota
	stRegistering
	stJoining
	stReady
	stFailed
)

// client is one connection: a goroutine that dials, registers, joins and then
// reads until the run ends. Writes come from that goroutine (PONG, JOIN) and
// from a sender goroutine; each Write carries whole lines, and net.Conn
// serialises concurrent Writes, so lines never interleave.
type client struct {
	r     *run
	id    int
	nick  string
	chans []string
	hist  *Histogram // shared with other clients; Record is atomic

	state atomic.Int32

	mu     sync.Mutex // guards conn and closed
	conn   net.Conn
	closed bool

	// Owned by the client's goroutine.
	tries  int
	joined int
	next   map[uint32]uint64 // next expected seq per sender
	reason string            // why setup failed, or the server's ERROR

	// Counters, read by the progress line and the report.
	recvAll   atomic.Int64 // bench messages received, warmup included
	delivered atomic.Int64 // received messages sent inside the window
	sentAll   atomic.Int64 // bench messages written, warmup included
	sent      atomic.Int64 // written inside the window
}

// start dials and registers, then reads until the connection ends. It runs
// in the client's own goroutine.
func (c *client) start(ctx context.Context, deadline time.Time) {
	defer c.r.readers.Done()
	conn, err := c.dial(ctx, deadline)
	if err != nil {
		c.fail("connect: " + err.Error())
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		conn.Close()
		c.fail("connect: run stopped")
		return
	}
	c.conn = conn
	c.mu.Unlock()
	// The deadline bounds registration; it is cleared once the client is ready.
	_ = conn.SetReadDeadline(deadline)
	c.state.Store(stRegistering)
	if err := c.write(c.registration()); err != nil {
		c.fail("register: " + err.Error())
		return
	}
	err = c.readLoop(bufio.NewReaderSize(conn, readBufSize))
	c.ended(err)
}

func (c *client) dial(ctx context.Context, deadline time.Time) (net.Conn, error) {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nd := &net.Dialer{}
	if !c.r.cfg.TLS {
		return nd.DialContext(ctx, "tcp", c.r.cfg.dialAddr(c.id))
	}
	td := &tls.Dialer{NetDialer: nd, Config: &tls.Config{InsecureSkipVerify: true}}
	return td.DialContext(ctx, "tcp", c.r.cfg.dialAddr(c.id))
}

// registration is PASS, NICK and USER in one write (RFC 2812 § 3.1).
func (c *client) registration() []byte {
	var b []byte
	if c.r.cfg.Password != "" {
		b = append(b, "PASS "+c.r.cfg.Password+"\r\n"...)
	}
	b = append(b, "NICK "+c.nick+"\r\n"...)
	return append(b, "USER "+c.r.cfg.NickPrefix+" 0 * :parley bench\r\n"...)
}

// write sends whole lines. Safe for concurrent use.
func (c *client) write(b []byte) error {
	c.mu.Lock()
	conn := c.conn
	c.mu.Unlock()
	if conn == nil {
		return net.ErrClosed
	}
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := conn.Write(b)
	return err
}

// close ends the connection, sending QUIT first when quit is set. Safe for
// concurrent use and idempotent.
func (c *client) close(quit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	if c.conn == nil {
		return
	}
	if quit && c.state.Load() == stReady {
		_ = c.conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		_, _ = c.conn.Write([]byte("QUIT :bench done\r\n"))
	}
	c.conn.Close()
}

// readLoop reads lines until an error. Bench messages, the hot path, are
// found with one bytes.Index per line; everything else goes to onControl.
func (c *client) readLoop(br *bufio.Reader) error {
	marker := c.r.marker
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Longer than any IRC line: drop it whole.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.Index(line, marker); i >= 0 {
			c.onBench(line[i+len(marker):])
			continue
		}
		if err := c.onControl(line); err != nil {
			return err
		}
	}
}

// onBench accounts one received bench message.
func (c *client) onBench(payload []byte) {
	now := time.Now().UnixNano()
	sid, seq, ts, ok := parsePayload(payload)
	if !ok || int(sid) == c.id {
		return
	}
	c.recvAll.Add(1)
	r := c.r
	if c.next == nil {
		c.next = make(map[uint32]uint64, 8)
	}
	// Every receiver joined before the first message was sent, so each
	// sender's sequence is expected from 0.
	exp := c.next[sid]
	switch {
	case seq > exp:
		r.gaps.Add(int64(seq - exp))
	case seq < exp:
		r.outOfOrder.Add(1)
	}
	if seq >= exp {
		c.next[sid] = seq + 1
	}
	if ts >= r.winStart.Load() && ts < r.winEnd.Load() {
		c.delivered.Add(1)
		c.hist.Record(now - ts)
	}
	if int(sid) < len(r.senders) {
		if s := r.senders[sid].Load(); s != nil && s.witness == c.id {
			s.ack()
		}
	}
}

// onControl handles everything that is not a bench message: keepalive,
// registration and join replies (numerics from modern.ircdocs.horse), and
// ERROR. Anything else (005, MOTD, JOIN/NAMES noise) is ignored.
func (c *client) onControl(line []byte) error {
	cmd, rest := splitLine(line)
	switch string(cmd) {
	case "PING":
		return c.write(append(append([]byte("PONG "), rest...), '\r', '\n'))
	case "ERROR":
		// The answer to our own QUIT at the end of the run is no news.
		if !c.r.closing.Load() {
			c.reason = "ERROR " + string(trailing(rest))
			c.r.noteServerError(string(trailing(rest)))
		}
	case "001": // RPL_WELCOME: the first parameter is the nick the server gave us.
		if c.state.Load() != stRegistering {
			return nil
		}
		if p, _ := firstParam(rest); len(p) > 0 {
			c.nick = string(p)
		}
		c.state.Store(stJoining)
		if len(c.chans) == 0 {
			c.becomeReady()
			return nil
		}
		return c.write(joinLines(c.chans))
	case "433", "436": // ERR_NICKNAMEINUSE, ERR_NICKCOLLISION: retry with a suffix.
		if c.state.Load() != stRegistering {
			return nil
		}
		c.tries++
		if c.tries >= maxNickTries {
			return fmt.Errorf("nick in use after %d tries", c.tries)
		}
		c.nick = c.r.cfg.NickPrefix + strconv.Itoa(c.id) + "_" + strconv.Itoa(c.tries)
		return c.write([]byte("NICK " + c.nick + "\r\n"))
	case "432", "464", "465": // bad nick, bad password, banned
		if c.state.Load() == stRegistering {
			return fmt.Errorf("%s %s", cmd, trailing(rest))
		}
	case "366": // RPL_ENDOFNAMES closes each JOIN's reply.
		if c.state.Load() == stJoining {
			c.joined++
			if c.joined == len(c.chans) {
				c.becomeReady()
			}
		}
	case "403", "405", "471", "473", "474", "475", "476", "477", "489":
		// ERR_NOSUCHCHANNEL, ERR_TOOMANYCHANNELS, ERR_CHANNELISFULL,
		// ERR_INVITEONLYCHAN, ERR_BANNEDFROMCHAN, ERR_BADCHANNELKEY,
		// ERR_BADCHANMASK, ERR_NEEDREGGEDNICK, ERR_SECUREONLYCHAN.
		if c.state.Load() == stJoining {
			return fmt.Errorf("join: %s %s", cmd, trailing(rest))
		}
	}
	return nil
}

// joinLines joins channels a few per line, keeping each line short.
func joinLines(chans []string) []byte {
	var b []byte
	for i := 0; i < len(chans); i += 5 {
		b = append(b, "JOIN "...)
		for j, ch := range chans[i:min(i+5, len(chans))] {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, ch...)
		}
		b = append(b, '\r', '\n')
	}
	return b
}

func (c *client) becomeReady() {
	c.mu.Lock()
	if c.conn != nil {
		_ = c.conn.SetReadDeadline(time.Time{})
	}
	c.mu.Unlock()
	c.state.Store(stReady)
	c.r.ready.Add(1)
	c.r.setupWG.Done()
}

// fail ends a client that never became ready.
func (c *client) fail(reason string) {
	for {
		prev := c.state.Load()
		if prev == stFailed || prev == stReady {
			return
		}
		if c.state.CompareAndSwap(prev, stFailed) {
			break
		}
	}
	c.r.failed.Add(1)
	c.r.noteError(c.nick + ": " + reason)
	c.r.setupWG.Done()
	c.close(false)
}

// ended records why the read loop stopped.
func (c *client) ended(err error) {
	r := c.r
	if r.closing.Load() {
		if c.state.Load() != stReady {
			c.fail("run stopped during setup")
		}
		return
	}
	reason := err.Error()
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) {
		reason = "connection closed"
	}
	if c.reason != "" {
		reason += " (" + c.reason + ")"
	}
	if c.state.Load() != stReady {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			reason = "registration timed out"
		}
		c.fail(reason)
		return
	}
	r.disconnects.Add(1)
	r.noteError(c.nick + ": disconnected: " + reason)
	c.close(false)
}
