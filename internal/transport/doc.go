// Package transport owns parley's front doors for IRC: TCP, TLS and
// WebSocket. Each accepted client becomes a message-oriented Conn whose
// ReadLine yields one IRC line at a time and whose WriteLines sends a batch
// of complete lines, so framing (CRLF on streams, one line per WebSocket
// message) never leaks into the session layer. Parsing is not done here.
//
// Concurrency model: every connection is served by one goroutine that runs
// the Handler (the accept goroutine for TCP/TLS, the HTTP request goroutine
// for WebSocket). ReadLine belongs to that goroutine; WriteLines may be
// called from one other goroutine at a time (the session's writer); Close
// may be called from anywhere. WebSocket connections add one reader
// goroutine so that an expired read deadline does not tear the socket down.
//
// Memory: an idle plain-TCP connection holds no read buffer. ReadLine waits
// for readability through syscall.RawConn and borrows a pooled buffer only
// for the duration of the read; the buffer goes back to the pool as soon as
// no unread bytes remain. TLS keeps crypto/tls's buffers and holds one
// pooled 4 KiB buffer while a read blocks; WebSocket relies on the HTTP
// server's and coder/websocket's buffers.
package transport
