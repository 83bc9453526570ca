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
	batch := s.takeBatchLocked()
	s.mu.Unlock()
	done, err := s.tw.TryWriteLines(batch)
	s.opt.Metrics.linesOut(len(batch))
	s.mu.Lock()
	s.returnBatchLocked(batch)
	switch {
	case err != nil:
		s.mu.Unlock()
		s.writeFailed()
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

// takeBatchLocked hands the queued lines to the writer and starts an empty queue on the spare
// array. Caller holds s.mu.
func (s *Session) takeBatchLocked() [][]byte {
	batch := s.queue
	s.queue = s.spare[:0]
	s.queued = 0
	return batch
}

// returnBatchLocked keeps a written batch's array as the next spare. Caller holds s.mu.
func (s *Session) returnBatchLocked(batch [][]byte) {
	clear(batch)
	s.spare = batch[:0]
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

// writeFailed records a failed write and closes the connection. Call it without s.mu.
func (s *Session) writeFailed() {
	s.mu.Lock()
	s.closed = true
	s.writing = false
	if s.reason == "" {
		s.reason = string(ReasonWriteError)
	}
	s.closing = true
	s.mu.Unlock()
	s.conn.Close()
}

// writeLoop drains the queue in batches and exits when it is empty, so idle connections keep no
// writer goroutine. After a Close, the last batch ends with ERROR and the connection is closed.
// With pending set it first sends what TryWriteLines left (waiting for the socket as long as the
// write deadline allows).
func (s *Session) writeLoop(pending bool) {
	defer s.writerWG.Done()
	if pending {
		s.mu.Lock()
		deadline := s.writeDeadlineLocked()
		s.mu.Unlock()
		s.moveWriteDeadline(deadline)
		if err := s.conn.WriteLines(nil); err != nil {
			s.writeFailed()
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
		batch := s.takeBatchLocked()
		deadline := s.writeDeadlineLocked()
		s.mu.Unlock()
		s.moveWriteDeadline(deadline)
		err := s.conn.WriteLines(batch)
		s.opt.Metrics.linesOut(len(batch))
		s.mu.Lock()
		s.returnBatchLocked(batch)
		s.mu.Unlock()
		if err != nil {
			s.writeFailed()
			return
		}
	}
}

// writeDeadlineLocked is the deadline of the next blocking write: writeTimeout from now, or
// killBy for a closing connection. Caller holds s.mu.
func (s *Session) writeDeadlineLocked() time.Time {
	deadline := time.Now().Add(s.writeTimeout())
	if s.closing && s.killBy.Before(deadline) {
		deadline = s.killBy
	}
	return deadline
}

// moveWriteDeadline sets the write deadline. Moving it costs a timer update; under load it is
// refreshed only when half of it is used. Only the writer calls it.
func (s *Session) moveWriteDeadline(deadline time.Time) {
	if deadline.Sub(s.deadline) > s.writeTimeout()/2 || deadline.Before(s.deadline) {
		s.conn.SetWriteDeadline(deadline)
		s.deadline = deadline
	}
}
