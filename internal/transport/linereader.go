package transport

import (
	"bytes"
	"io"
	"sync"
)

// readBufSize is the size of the pooled read buffers. A burst of typical
// IRC lines (well under 512 bytes each) fits in one read.
const readBufSize = 4096

// keepPartial is the largest spill buffer a connection keeps between lines;
// bigger ones are dropped so a single long line does not pin memory.
const keepPartial = 512

var readPool = sync.Pool{New: func() any {
	b := make([]byte, readBufSize)
	return &b
}}

// source fills a pooled buffer with the next bytes from the peer. It returns
// the buffer (taken from readPool, or nil when n is 0) and the byte count.
type source interface {
	fill() (buf *[]byte, n int, err error)
}

// lineReader splits a byte stream into lines. It holds a pooled buffer only
// while unread bytes remain in it. It is not safe for concurrent use.
type lineReader struct {
	src     source
	max     int
	buf     *[]byte // pooled buffer backing data, nil if data is owned or empty
	data    []byte  // bytes read but not yet returned
	partial []byte  // start of a line that spans reads; owned
	spilled bool    // the last line returned was built in partial
	skip    bool    // discarding the rest of an over-long line
	pending error   // error that arrived together with data, returned next
}

func newLineReader(src source, max int, leftover []byte) *lineReader {
	return &lineReader{src: src, max: max, data: leftover}
}

// readLine returns the next line without its terminator. See Conn.ReadLine.
func (r *lineReader) readLine() ([]byte, error) {
	if r.spilled {
		r.spilled = false
		r.partial = r.partial[:0]
		if cap(r.partial) > keepPartial {
			r.partial = nil
		}
	}
	for {
		if len(r.data) == 0 {
			if err := r.refill(); err != nil {
				return nil, err
			}
			continue
		}
		i := bytes.IndexByte(r.data, '\n')
		if r.skip {
			if i < 0 {
				r.data = nil
				continue
			}
			r.data = r.data[i+1:]
			r.skip = false
			continue
		}
		if i < 0 {
			// Allow one extra byte for a '\r' whose '\n' is still to come.
			if len(r.partial)+len(r.data) > r.max+1 {
				r.partial = r.partial[:0]
				r.data = nil
				r.skip = true
				return nil, ErrLineTooLong
			}
			r.partial = append(r.partial, r.data...)
			r.data = nil
			continue
		}
		line := r.data[:i]
		r.data = r.data[i+1:]
		if len(r.partial) > 0 {
			r.partial = append(r.partial, line...)
			line = r.partial
			r.spilled = true
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) > r.max {
			return nil, ErrLineTooLong
		}
		return line, nil
	}
}

// refill releases the exhausted buffer, then blocks for more bytes. Errors
// are not sticky: after a deadline the next call simply reads again.
func (r *lineReader) refill() error {
	if r.buf != nil {
		readPool.Put(r.buf)
		r.buf = nil
	}
	r.data = nil
	if err := r.pending; err != nil {
		r.pending = nil
		return err
	}
	buf, n, err := r.src.fill()
	if n > 0 {
		r.buf, r.data = buf, (*buf)[:n]
		r.pending = err
		return nil
	}
	if buf != nil {
		readPool.Put(buf)
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// readerSource reads from an io.Reader into a pooled buffer. The buffer is
// held while Read blocks, so it is used where the reader keeps buffers of
// its own anyway (TLS) or where raw reads are unavailable.
type readerSource struct{ r io.Reader }

func (s readerSource) fill() (*[]byte, int, error) {
	b := readPool.Get().(*[]byte)
	n, err := s.r.Read(*b)
	return b, n, err
}
