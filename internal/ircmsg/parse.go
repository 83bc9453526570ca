package ircmsg

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"
)

// Limits bounds what Parse accepts. A zero field means no limit.
type Limits struct {
	// MaxLine is the maximum length in bytes of the line after the tags
	// section, counting the CRLF the client sent (RFC 1459 and the modern
	// docs: 512). Lines reach Parse without their CRLF, so Parse compares
	// the body length plus 2.
	MaxLine int
	// MaxTags is the maximum length in bytes of the tags section, counting
	// the leading '@' and the trailing space (IRCv3 message-tags: 8191).
	MaxTags int
	// MaxClientTags is the maximum length in bytes of the tag data a client
	// may send: the bytes between '@' and the space. IRCv3 message-tags:
	// "Clients MUST NOT send messages with tag data exceeding 4094 bytes,
	// this includes tags with or without the client-only prefix." So every
	// tag on a client's line counts, not only the '+' ones.
	MaxClientTags int
	// UTF8Only rejects lines whose part after the tags is not valid UTF-8.
	// The tags section must always be valid UTF-8.
	UTF8Only bool
}

// DefaultLimits are the limits of a client line on a server that supports
// message-tags.
var DefaultLimits = Limits{MaxLine: 512, MaxTags: 8191, MaxClientTags: 4094}

// Errors returned by Parse. Compare with errors.Is.
var (
	// ErrEmpty reports a line holding nothing but spaces; servers ignore
	// such lines silently.
	ErrEmpty = errors.New("ircmsg: empty line")
	// ErrLineTooLong reports a body longer than Limits.MaxLine
	// (ERR_INPUTTOOLONG).
	ErrLineTooLong = errors.New("ircmsg: line too long")
	// ErrTagsTooLong reports a tags section longer than Limits.MaxTags
	// (ERR_INPUTTOOLONG).
	ErrTagsTooLong = errors.New("ircmsg: tags too long")
	// ErrClientTagsTooLong reports tag data longer than
	// Limits.MaxClientTags (ERR_INPUTTOOLONG).
	ErrClientTagsTooLong = errors.New("ircmsg: client tag data too long")
	// ErrInvalidUTF8 reports invalid UTF-8 in the tags, or in the body
	// when Limits.UTF8Only is set.
	ErrInvalidUTF8 = errors.New("ircmsg: invalid UTF-8")
	// ErrNoCommand reports a line with tags or a source but no command.
	ErrNoCommand = errors.New("ircmsg: no command")
	// ErrBadTags reports a malformed tags section: an empty tag or a key
	// outside the message-tags grammar.
	ErrBadTags = errors.New("ircmsg: malformed tags")
	// ErrMalformed reports a line no IRC message can produce: a NUL, CR or
	// LF inside it (the modern docs forbid them anywhere in a message), a
	// command holding a control character, or a ':' with no source after it.
	ErrMalformed = errors.New("ircmsg: malformed line")
)

// ParseString parses s with DefaultLimits. It is a convenience for tests and
// clients; servers call Parse with their own limits.
// It is safe to call from any goroutine.
func ParseString(s string) (Message, error) {
	return Parse([]byte(s), DefaultLimits)
}

// Parse parses one line. The line should come without its CRLF; a trailing
// CR or LF is tolerated and stripped. Spaces before the message and runs of
// spaces between its parts are tolerated.
//
// The returned Message does not alias line, which may be a reused read
// buffer: the line is copied into one string that all fields slice.
// Lengths are checked before anything is copied, and the limit errors come
// first, so that an oversized line always gets ERR_INPUTTOOLONG.
//
// It is safe to call from any goroutine.
func Parse(line []byte, lim Limits) (Message, error) {
	for n := len(line); n > 0 && (line[n-1] == '\n' || line[n-1] == '\r'); n-- {
		line = line[:n-1]
	}
	start := 0
	for start < len(line) && line[start] == ' ' {
		start++
	}
	if start == len(line) {
		return Message{}, ErrEmpty
	}
	tagData, bodyStart := splitTags(line, start)
	if err := checkLimits(line, start, tagData, bodyStart, lim); err != nil {
		return Message{}, err
	}

	s := string(line[start:]) // the one copy every field slices
	var m Message
	if bodyStart > start {
		tags, err := parseTags(s[1 : 1+len(tagData)])
		if err != nil {
			return Message{}, err
		}
		m.Tags = tags
	}
	if err := parseBody(s[bodyStart-start:], &m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// splitTags finds the tags section of line, which starts at start. It
// returns the tag data (between '@' and the first space) and the index
// where the rest of the line begins, just past that space. A line without
// tags returns (nil, start); a line that is all tags returns bodyStart ==
// len(line).
func splitTags(line []byte, start int) (tagData []byte, bodyStart int) {
	if line[start] != '@' {
		return nil, start
	}
	sp := bytes.IndexByte(line[start:], ' ')
	if sp < 0 {
		return line[start+1:], len(line)
	}
	return line[start+1 : start+sp], start + sp + 1
}

// checkLimits applies lim and the byte-level rules to line before it is
// copied.
func checkLimits(line []byte, start int, tagData []byte, bodyStart int, lim Limits) error {
	tagged := bodyStart > start
	if tagged {
		// IRCv3 message-tags, "Size limit": 8191 bytes counting '@' and
		// the space; 4094 bytes of tag data from a client.
		if lim.MaxTags > 0 && len(tagData)+2 > lim.MaxTags {
			return ErrTagsTooLong
		}
		if lim.MaxClientTags > 0 && len(tagData) > lim.MaxClientTags {
			return ErrClientTagsTooLong
		}
	}
	body := line[bodyStart:]
	if !tagged {
		body = line // leading spaces were sent too, so they count
	}
	if lim.MaxLine > 0 && len(body)+2 > lim.MaxLine {
		return ErrLineTooLong
	}
	if bytes.IndexByte(line, 0) >= 0 || bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 {
		return ErrMalformed
	}
	if !utf8.Valid(tagData) || lim.UTF8Only && !utf8.Valid(body) {
		return ErrInvalidUTF8
	}
	return nil
}

// parseBody parses "[':' source] command params" into m.
func parseBody(s string, m *Message) error {
	s = skipSpaces(s)
	if s == "" {
		return ErrNoCommand
	}
	if s[0] == ':' {
		src, rest := nextToken(s[1:])
		if src == "" {
			return ErrMalformed
		}
		m.Source = src
		s = skipSpaces(rest)
		if s == "" {
			return ErrNoCommand
		}
	}
	cmd, rest := nextToken(s)
	for i := 0; i < len(cmd); i++ {
		if cmd[i] < 0x21 {
			return ErrMalformed
		}
	}
	m.Command = upperASCII(cmd)
	m.Params = parseParams(rest)
	return nil
}

// maxInlineParams is how many params parseParams collects without a heap
// allocation before copying them to an exactly sized slice. RFC 1459 allows
// 15; more are kept, at the cost of one more allocation.
const maxInlineParams = 15

// parseParams splits the parameters: middle ones are separated by spaces,
// and one starting with ':' takes the rest of the line, spaces included.
func parseParams(s string) []string {
	var inline [maxInlineParams]string
	ps := inline[:0]
	for {
		s = skipSpaces(s)
		if s == "" {
			break
		}
		if s[0] == ':' {
			ps = append(ps, s[1:])
			break
		}
		var p string
		p, s = nextToken(s)
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, len(ps))
	copy(out, ps)
	return out
}

// nextToken returns the text of s up to the first space, and the rest.
func nextToken(s string) (tok, rest string) {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func skipSpaces(s string) string {
	i := 0
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return s[i:]
}

// upperASCII upper-cases the ASCII letters of s, leaving other bytes alone.
// Clients send commands in upper case, so it rarely allocates.
func upperASCII(s string) string {
	i := 0
	for i < len(s) && !('a' <= s[i] && s[i] <= 'z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if 'a' <= b[i] && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
