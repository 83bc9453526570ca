package transport

import (
	"crypto/tls"
	"errors"
	"net"
	"time"
)

// Conn is one client connection, message oriented. Framing (CRLF lines on
// TCP/TLS, one IRC line per WebSocket message) stays inside the transport.
//
// ReadLine is called from one goroutine only; WriteLines from one goroutine
// at a time; the deadline setters, Close and the accessors from any
// goroutine, any number of times.
type Conn interface {
	// ReadLine returns the next line without its "\r\n" ("\n" alone also
	// ends a line). The line may be empty. The slice is valid until the
	// next ReadLine. An expired read deadline returns an error matching
	// os.ErrDeadlineExceeded and leaves the connection usable.
	ReadLine() ([]byte, error)
	// WriteLines sends lines, each one complete and ending in "\r\n", in as
	// few system calls as the door allows. It does not keep or modify lines.
	WriteLines(lines [][]byte) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	Close() error
	// RemoteAddr is the real client address, after the PROXY protocol or a
	// trusted X-Forwarded-For.
	RemoteAddr() net.Addr
	LocalAddr() net.Addr
	// TLS is nil unless the connection is encrypted by this process.
	TLS() *tls.ConnectionState
	// Kind is one of KindTCP, KindTLS, KindWS, KindWSS.
	Kind() string
}

// The values of Conn.Kind.
const (
	KindTCP = "tcp"
	KindTLS = "tls"
	KindWS  = "ws"
	KindWSS = "wss"
)

// ErrLineTooLong is returned by ReadLine when a line exceeds the maximum
// length. The rest of that line is discarded and the next ReadLine returns
// the following line: the connection stays usable.
var ErrLineTooLong = errors.New("transport: line too long")

// ErrInvalidUTF8 is returned by ReadLine when a WebSocket text message is
// not valid UTF-8. The connection is then closed with status 1007, as the
// IRCv3 WebSocket specification requires for text messages.
var ErrInvalidUTF8 = errors.New("transport: invalid UTF-8 in WebSocket text message")

// Handler serves one connection. It runs in its own goroutine per
// connection, and the connection is closed when it returns.
type Handler func(Conn)

// DefaultMaxLine is the default line limit: 8191 bytes of tags plus a
// 512-byte body leave room within 16 KiB.
const DefaultMaxLine = 16 << 10

// DefaultHandshakeTimeout bounds the PROXY header and the TLS handshake.
const DefaultHandshakeTimeout = 10 * time.Second
