package model

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
	"time"
)

// Message ids are fixed-width and sort in time order, so history can turn a msgid into a position
// without an index from ids to messages: 13 base32hex characters of the Unix time in nanoseconds,
// then 12 of a 60-bit tie-breaker made of a per-process random part (40 bits, so ids from different
// nodes and restarts never collide) and a counter (20 bits, so ids made in one nanosecond by one
// process stay distinct and ordered). Lexicographic order of ids is the order of (time, tie).

// MsgIDLen is the length of every id NewMsgID returns.
const MsgIDLen = 25

const msgIDAlphabet = "0123456789abcdefghijklmnopqrstuv" // base32hex, lower case: sorts like the values

// MsgIDSource makes message ids. The zero value is not usable: call NewMsgIDSource.
type MsgIDSource struct {
	random uint64 // 40 bits, shifted into place
	seq    atomic.Uint64
}

// NewMsgIDSource returns a source with a fresh random part.
func NewMsgIDSource() *MsgIDSource {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		binary.BigEndian.PutUint64(b[:], uint64(time.Now().UnixNano()))
	}
	return &MsgIDSource{random: (binary.BigEndian.Uint64(b[:]) & (1<<40 - 1)) << 20}
}

// New returns a new id for an event stamped t. Safe for concurrent use.
func (s *MsgIDSource) New(t time.Time) string {
	tie := s.random | s.seq.Add(1)&(1<<20-1)
	var b [MsgIDLen]byte
	putBase32(b[:13], uint64(t.UnixNano()))
	putBase32(b[13:], tie)
	return string(b[:])
}

// putBase32 writes v into dst, most significant digit first, five bits per character.
func putBase32(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = msgIDAlphabet[v&31]
		v >>= 5
	}
}

// ParseMsgID returns the time (Unix nanoseconds) and tie-breaker of an id made by MsgIDSource;
// ok is false for any other string.
func ParseMsgID(id string) (nanos int64, tie uint64, ok bool) {
	if len(id) != MsgIDLen {
		return 0, 0, false
	}
	t, ok1 := getBase32(id[:13])
	r, ok2 := getBase32(id[13:])
	if !ok1 || !ok2 || t>>63 != 0 || r>>60 != 0 {
		return 0, 0, false
	}
	return int64(t), r, true
}

func getBase32(s string) (uint64, bool) {
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'v':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		if v>>59 != 0 {
			return 0, false
		}
		v = v<<5 | uint64(d)
	}
	return v, true
}
