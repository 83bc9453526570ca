package session

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

// tryWriter is a Conn that can also write without waiting for the socket (transport's plain TCP).
type tryWriter interface {
	CanTryWrite() bool
	// TryWriteLines writes what the socket takes now and keeps the rest for the next
	// WriteLines; it reports whether everything went out.
	TryWriteLines(lines [][]byte) (done bool, err error)
}

// Conn is what a session needs of a connection; transport.Conn satisfies it.
type Conn interface {
	ReadLine() ([]byte, error)
	WriteLines(lines [][]byte) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	Close() error
	RemoteAddr() net.Addr
	TLS() *tls.ConnectionState
	Kind() string
}

// Options are the per-connection limits. They are read when a session starts.
type Options struct {
	SendQ               int64
	PingInterval        time.Duration
	PingTimeout         time.Duration
	RegistrationTimeout time.Duration
	WriteTimeout        time.Duration
	Flood               Flood
	Limits              ircmsg.Limits
	// ErrLineTooLong is the transport's error for an over-long line (answered with 417).
	ErrLineTooLong error
	Logger         *slog.Logger
	Metrics        *Metrics
}

// CloseReason says why a connection ended.
type CloseReason string

// The reasons a session closes by itself.
const (
	ReasonClientQuit   CloseReason = "Client Quit"
	ReasonPingTimeout  CloseReason = "Ping timeout"
	ReasonRegTimeout   CloseReason = "Registration timed out"
	ReasonSendQ        CloseReason = "SendQ exceeded"
	ReasonReadError    CloseReason = "Connection closed"
	ReasonWriteError   CloseReason = "Write error"
	ReasonServerClosed CloseReason = "Server shutting down"
)

// Session is one live connection. Write and Close are safe from any goroutine.
type Session struct {
	conn   Conn
	tw     tryWriter // conn, when it can write without waiting (plain TCP): see flusher.go
	srv    *commands.Server
	client *commands.Client
	opt    Options
	reg    *Registry

	mu       sync.Mutex // tier 4: guards the queue; never held during I/O
	queue    [][]byte
	spare    [][]byte
	queued   int64
	writing  bool
	closing  bool
	closed   bool
	reason   string
	killBy   time.Time
	deadline time.Time // the write deadline last set; only the writer touches it
	done     chan struct{}
	writerWG sync.WaitGroup

	in         inbox
	flood      floodGate
	registered atomic.Bool // set by the processor; read by the reader for its deadlines
}

// Serve runs the connection until it closes. It is the transport handler: call it in the goroutine
// the transport gives the connection. The goroutine spends the connection's life parked in the
// read loop, so the setup is in start, which returns: the parked stack stays small enough for the
// runtime to shrink it to its smallest (2 KiB), the largest share of an idle client's memory.
func Serve(srv *commands.Server, reg *Registry, conn Conn, opt *Options) {
	s := start(srv, reg, conn, opt)
	if s == nil {
		return
	}
	s.finish(s.readLoop())
}

// start makes the session and its client; nil when the server is closing (the client was told).
//
//go:noinline
func start(srv *commands.Server, reg *Registry, conn Conn, opt *Options) *Session {
	s := &Session{conn: conn, srv: srv, opt: *opt, reg: reg, done: make(chan struct{}), flood: newFloodGate(opt.Flood)}
	s.in.init()
	if tw, ok := conn.(tryWriter); ok && tw.CanTryWrite() {
		s.tw = tw
	}
	if s.opt.Logger == nil {
		s.opt.Logger = slog.Default()
	}
	host, ip := hostOf(conn.RemoteAddr())
	spec := core.UserSpec{Host: host, IP: ip, Secure: conn.TLS() != nil}
	s.client = srv.NewClient(s, spec, conn.Kind())
	if st := conn.TLS(); st != nil {
		s.client.Certfp = certFingerprint(st)
	}
	if reg != nil && !reg.add(s) {
		s.Close(string(ReasonServerClosed))
		s.finish(string(ReasonServerClosed))
		return nil
	}
	s.opt.Metrics.connOpened(conn.Kind())
	return s
}

func hostOf(addr net.Addr) (host, ip string) {
	if addr == nil {
		return "unknown", ""
	}
	h, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		h = addr.String()
	}
	// A host starting with ':' (IPv6 "::1") would break the IRC line format.
	if len(h) > 0 && h[0] == ':' {
		return "0" + h, h
	}
	return h, h
}

// finish tells the network the client is gone, lets the writer drain, and closes the connection.
func (s *Session) finish(reason string) {
	s.mu.Lock()
	if s.reason != "" {
		reason = s.reason
	}
	s.mu.Unlock()
	s.in.stop()
	s.in.done.Wait()
	s.client.Disconnected(reason)
	s.Close(reason)
	s.writerWG.Wait()
	s.conn.Close()
	s.opt.Metrics.connClosed(s.conn.Kind())
	if s.reg != nil {
		s.reg.remove(s)
	}
	close(s.done)
}

// readLoop reads and parses lines and hands them to the processor until the connection ends, and
// returns why it ended. It also keeps the registration and ping deadlines.
func (s *Session) readLoop() string {
	// The read deadline is moved only when it fires, not per line: moving it costs a timer update
	// (a lock and a heap fix in the runtime), which per line is a cost the busiest clients pay for
	// nothing. When the idle deadline fires, the time of the last line says whether the client
	// really went quiet for PingInterval (PING it) or the deadline just needs to move on.
	const (
		waitRegistration = iota
		waitIdle
		waitPong
	)
	wait := waitRegistration
	s.conn.SetReadDeadline(time.Now().Add(s.opt.RegistrationTimeout))
	lastRead := time.Now()
	for {
		line, err := s.conn.ReadLine()
		if err != nil {
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded):
				if wait == waitRegistration && !s.registered.Load() {
					return string(ReasonRegTimeout)
				}
				if wait == waitPong {
					return string(ReasonPingTimeout) + ": " + strconv.Itoa(int((s.opt.PingInterval + s.opt.PingTimeout).Seconds())) + " seconds"
				}
				if next := lastRead.Add(s.opt.PingInterval); time.Until(next) > 0 {
					wait = waitIdle
					s.conn.SetReadDeadline(next)
					continue
				}
				wait = waitPong
				s.Write([]byte("PING :" + s.srv.Name() + "\r\n"))
				s.conn.SetReadDeadline(time.Now().Add(s.opt.PingTimeout))
				continue
			case s.opt.ErrLineTooLong != nil && errors.Is(err, s.opt.ErrLineTooLong):
				s.replyNumeric(ircmsg.ERR_INPUTTOOLONG, "Input line was too long")
				continue
			}
			return s.closeReasonOr(string(ReasonReadError))
		}
		lastRead = time.Now()
		if wait == waitPong || wait == waitRegistration && s.registered.Load() {
			wait = waitIdle
			s.conn.SetReadDeadline(lastRead.Add(s.opt.PingInterval))
		}
		if !s.handleLine(line) || s.isClosing() {
			return s.closeReasonOr(string(ReasonClientQuit))
		}
	}
}

// handleLine parses one line and queues it for the processor; false when the inbox is closed. It
// holds the parsed message, the largest value of the read path, in a frame of its own that is
// gone while the reader waits.
//
//go:noinline
func (s *Session) handleLine(line []byte) bool {
	s.opt.Metrics.lineIn()
	msg, err := ircmsg.Parse(line, s.opt.Limits)
	if err != nil {
		s.parseError(line, err)
		return true
	}
	start, ok := s.in.push(msg)
	if start {
		go s.process()
	}
	return ok
}

func (s *Session) parseError(line []byte, err error) {
	switch {
	case errors.Is(err, ircmsg.ErrEmpty), errors.Is(err, ircmsg.ErrNoCommand):
		// Blank lines are allowed between commands; a bare source has nothing to answer.
	case errors.Is(err, ircmsg.ErrLineTooLong), errors.Is(err, ircmsg.ErrTagsTooLong), errors.Is(err, ircmsg.ErrClientTagsTooLong):
		s.replyNumeric(ircmsg.ERR_INPUTTOOLONG, "Input line was too long")
	case errors.Is(err, ircmsg.ErrInvalidUTF8):
		// Parse again without the UTF-8 rule only to name the command (and keep the label) in the FAIL.
		lim := s.opt.Limits
		lim.UTF8Only = false
		if m, err := ircmsg.Parse(line, lim); err == nil {
			s.srv.RejectInvalidUTF8(s.client, &m)
		} else {
			s.srv.RejectInvalidUTF8(s.client, nil)
		}
	default:
		s.Write([]byte(":" + s.srv.Name() + " FAIL * INVALID_MESSAGE :Malformed line: " + err.Error() + "\r\n"))
	}
}

func (s *Session) replyNumeric(code, text string) {
	m := ircmsg.Message{Source: s.srv.Name(), Command: code, Params: []string{s.client.User.Nick(), text}}
	s.Write(m.Append(nil))
}

func (s *Session) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Session) closeReasonOr(def string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reason != "" {
		return s.reason
	}
	return def
}

// Client returns the protocol state (for tests and the registry's shutdown notices).
func (s *Session) Client() *commands.Client { return s.client }

// Done is closed when the session has fully ended.
func (s *Session) Done() <-chan struct{} { return s.done }
