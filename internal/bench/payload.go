package bench

import (
	"bytes"
	"strconv"
)

// A bench message's text is
//
//	pbm <run> <sender> <seq> <unix-nanos> xxxx…
//
// <run> is a random tag per run, so lines from another generator sharing the
// server are never counted; <sender> and <seq> let a receiver detect gaps and
// reordering per sender; the timestamp gives one-way latency, since sender
// and receiver share one clock. Padding brings the text to the --size bytes.

// maxSize bounds --size: the server prefixes ":nick!user@host PRIVMSG #chan :"
// and the whole line must fit the 512 bytes of RFC 1459 § 2.3.
const maxSize = 400

var padding = bytes.Repeat([]byte{'x'}, maxSize)

// newMarker returns what receivers look for with bytes.Index: the start of
// the trailing parameter, the "pbm" word and the run tag.
func newMarker(run string) []byte {
	return []byte(" :pbm " + run + " ")
}

// appendMessage appends one PRIVMSG line carrying a bench payload of size
// bytes (or just the header when size is smaller).
func appendMessage(dst []byte, target, run string, sid uint32, seq uint64, ts int64, size int) []byte {
	dst = append(dst, "PRIVMSG "...)
	dst = append(dst, target...)
	dst = append(dst, " :"...)
	start := len(dst)
	dst = append(dst, "pbm "...)
	dst = append(dst, run...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(sid), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, ts, 10)
	if pad := size - (len(dst) - start) - 1; pad > 0 {
		dst = append(dst, ' ')
		dst = append(dst, padding[:min(pad, maxSize)]...)
	}
	return append(dst, '\r', '\n')
}

// parsePayload reads "<sender> <seq> <unix-nanos>" from the text that follows
// the marker. It allocates nothing.
func parsePayload(b []byte) (sid uint32, seq uint64, ts int64, ok bool) {
	var v uint64
	if v, b, ok = parseUint(b); !ok || v > 1<<32-1 {
		return 0, 0, 0, false
	}
	sid = uint32(v)
	if seq, b, ok = parseUint(b); !ok {
		return 0, 0, 0, false
	}
	if v, _, ok = parseUint(b); !ok || v > 1<<63-1 {
		return 0, 0, 0, false
	}
	return sid, seq, int64(v), true
}

// parseUint reads a decimal number ended by a space or the end of b and
// returns what follows the space.
func parseUint(b []byte) (uint64, []byte, bool) {
	var v uint64
	i := 0
	for ; i < len(b) && b[i] != ' '; i++ {
		c := b[i] - '0'
		if c > 9 || v > (1<<64-1-uint64(c))/10 {
			return 0, nil, false
		}
		v = v*10 + uint64(c)
	}
	if i == 0 {
		return 0, nil, false
	}
	if i < len(b) {
		i++
	}
	return v, b[i:], true
}

// splitLine finds the command of an IRC line and the parameters after it,
// skipping message tags and the source (RFC 1459 § 2.3.1, IRCv3
// message-tags). It allocates nothing; rest keeps the leading ':' of a
// trailing parameter.
func splitLine(line []byte) (cmd, rest []byte) {
	if len(line) > 0 && line[0] == '@' {
		line = skipWord(line)
	}
	if len(line) > 0 && line[0] == ':' {
		line = skipWord(line)
	}
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		return line[:i], bytes.TrimLeft(line[i+1:], " ")
	}
	return line, nil
}

func skipWord(b []byte) []byte {
	i := bytes.IndexByte(b, ' ')
	if i < 0 {
		return nil
	}
	return bytes.TrimLeft(b[i+1:], " ")
}

// firstParam returns the first parameter of rest and what follows it.
func firstParam(rest []byte) (p, tail []byte) {
	if len(rest) > 0 && rest[0] == ':' {
		return rest[1:], nil
	}
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		return rest[:i], bytes.TrimLeft(rest[i+1:], " ")
	}
	return rest, nil
}

// trailing returns the text of the last parameter of rest.
func trailing(rest []byte) []byte {
	if len(rest) > 0 && rest[0] == ':' {
		return rest[1:]
	}
	if i := bytes.Index(rest, []byte(" :")); i >= 0 {
		return rest[i+2:]
	}
	if i := bytes.LastIndexByte(rest, ' '); i >= 0 {
		return rest[i+1:]
	}
	return rest
}
