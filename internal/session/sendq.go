package session

import (
	"runtime"
	"time"
)

// Write queues one complete line. Safe from any goroutine; never blocks. When the queue would pass
// the sendq limit, the queue is dropped, the client gets "ERROR :SendQ exceeded" if it still reads,
// and the connection closes (Ergo's errSendQExceeded, nats-server's slow consumer).
func (s *Session) Write(line []byte) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	if s.queued+int64(len(line)) > s.opt.SendQ {
		s.closing = true
		s.reason = string(ReasonSendQ)
		clear(s.queue)
		s.queue = append(s.queue[:0], errorLine(string(ReasonSendQ)))
		s.queued = 0
		s.killBy = time.Now().Add(time.Second)
		start := s.startWriterLocked()
		s.mu.Unlock()
		s.opt.Metrics.sendqExceeded()
		// Unblock a writer stuck on a client that stopped reading.
		s.conn.SetWriteDeadline(s.killBy)
		if start {
			s.startWriter()
		}
		return
	}
	s.queue = append(s.queue, line)
	s.queued += int64(len(line))
	start := s.startWriterLocked()
	s.mu.Unlock()
	if start {
		s.startWriter()
	}
}

// Close queues "ERROR :<reason>" after what is already queued and closes the connection once it is
// written. The first reason given wins. Safe from any goroutine.
func (s *Session) Close(reason string) {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	s.reason = reason
	s.queue = append(s.queue, errorLine(reason))
	s.killBy = time.Now().Add(s.writeTimeout())
	start := s.startWriterLocked()
	s.mu.Unlock()
	if start {
		s.startWriter()
	}
}

// idleQueueCap is the largest queue array an idle connection keeps.
const idleQueueCap = 4

func errorLine(reason string) []byte {
	return []byte("ERROR :Closing link: " + reason + "\r\n")
}

func (s *Session) writeTimeout() time.Duration {
	if s.opt.WriteTimeout > 0 {
		return s.opt.WriteTimeout
	}
	return 30 * time.Second
}

// startWriterLocked reports whether the caller must start the writer. Caller holds s.mu.
func (s *Session) startWriterLocked() bool {
	if s.writing || s.closed {
		return false
	}
	s.writing = true
	s.writerWG.Add(1)
	return true
}

// startWriter hands a connection that now has lines to send to the flusher (flusher.go) when its
// door can write without waiting, else to a writer goroutine of its own. The caller set s.writing.
func (s *Session) startWriter() {
	if s.tw != nil {
		flush.add(s)
		return
	}
	go s.writeLoop(false)
}

// flushOnce writes s's queue without waiting (called by the flusher). A socket that did not take
// everything gets a writer goroutine, which sends the rest as soon as the socket drains.
func (s *Session) flushOnce() {
	s.mu.Lock()
	if len(s.queue) == 0 || s.closed {
		closeNow := s.stopWritingLocked()
		s.mu.Unlock()
		s.afterWriting(closeNow)
		return
	}
	batch := s.queue
	s.queue = s.spare[:0]
	s.queued = 0
	s.mu.Unlock()
	done, err := s.tw.TryWriteLines(batch)
	s.opt.Metrics.linesOut(len(batch))
	clear(batch)
	s.mu.Lock()
	s.spare = batch[:0]
	switch {
	case err != nil:
		s.writeFailedLocked()
		s.mu.Unlock()
		s.conn.Close()
		s.writerWG.Done()
	case !done:
		s.mu.Unlock()
		go s.writeLoop(true)
	case len(s.queue) > 0 && !s.closed:
		s.mu.Unlock()
		flush.add(s)
	default:
		closeNow := s.stopWritingLocked()
		s.mu.Unlock()
		s.afterWriting(closeNow)
	}
}

// stopWritingLocked ends a writing turn with the queue empty: idle connections drop the arrays a
// burst grew, and a closing connection is marked closed (the caller closes it when this reports
// true). Caller holds s.mu.
func (s *Session) stopWritingLocked() (closeNow bool) {
	s.writing = false
	// Idle connections should not keep the arrays a burst (the welcome, a big NAMES) grew.
	if cap(s.queue) > idleQueueCap {
		s.queue = nil
	}
	if cap(s.spare) > idleQueueCap {
		s.spare = nil
	}
	closeNow = s.closing && !s.closed
	if closeNow {
		s.closed = true
	}
	return closeNow
}

// afterWriting finishes a writing turn, without s.mu.
func (s *Session) afterWriting(closeNow bool) {
	if closeNow {
		s.conn.Close()
	}
	s.writerWG.Done()
}

// writeFailedLocked records a failed write; the caller closes the connection. Caller holds s.mu.
func (s *Session) writeFailedLocked() {
	s.closed = true
	s.writing = false
	if s.reason == "" {
		s.reason = string(ReasonWriteError)
	}
	s.closing = true
}

// writeLoop drains the queue in batches and exits when it is empty, so idle connections keep no
// writer goroutine. After a Close, the last batch ends with ERROR and the connection is closed.
// With pending set it first sends what TryWriteLines left (waiting for the socket as long as the
// write deadline allows).
func (s *Session) writeLoop(pending bool) {
	defer s.writerWG.Done()
	if pending {
		s.setWriteDeadline()
		if err := s.conn.WriteLines(nil); err != nil {
			s.mu.Lock()
			s.writeFailedLocked()
			s.mu.Unlock()
			s.conn.Close()
			return
		}
	}
	// Let whatever is already runnable go first: under load those are the readers and processors
	// about to queue more lines for this client, so one write carries many lines instead of one
	// syscall (and one TCP segment) per line; when the machine is idle nothing is runnable and the
	// write goes out at once. This is the event loop's natural batching (and nats-server's flush
	// per inbound read) without a timer.
	runtime.Gosched()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			closeNow := s.stopWritingLocked()
			s.mu.Unlock()
			if closeNow {
				s.conn.Close()
			}
			return
		}
		batch := s.queue
		s.queue = s.spare[:0]
		s.queued = 0
		s.mu.Unlock()
		s.setWriteDeadline()
		err := s.conn.WriteLines(batch)
		s.opt.Metrics.linesOut(len(batch))
		clear(batch)
		s.mu.Lock()
		s.spare = batch[:0]
		if err != nil {
			s.writeFailedLocked()
			s.mu.Unlock()
			s.conn.Close()
			return
		}
		s.mu.Unlock()
	}
}

// setWriteDeadline gives the next blocking write writeTimeout, or until killBy for a closing
// connection. Moving a deadline costs a timer update; under load it is refreshed only when half
// of it is used. Only the writer calls it.
func (s *Session) setWriteDeadline() {
	s.mu.Lock()
	deadline := time.Now().Add(s.writeTimeout())
	if s.closing && s.killBy.Before(deadline) {
		deadline = s.killBy
	}
	s.mu.Unlock()
	if deadline.Sub(s.deadline) > s.writeTimeout()/2 || deadline.Before(s.deadline) {
		s.conn.SetWriteDeadline(deadline)
		s.deadline = deadline
	}
}
