package ircmsg

// Append appends the wire form of m, CRLF included, to buf and returns the
// extended buffer. It allocates only when buf must grow.
//
// The last parameter is written with a ':' when it is empty, holds a space
// or starts with ':'. An earlier parameter like that cannot be sent as a
// middle parameter; doing so is a programming error, and Append still
// writes a parseable line: that parameter and all after it go out as one
// trailing parameter, joined by spaces.
//
// Append never lets a field break the line framing: NUL, CR and LF in a
// parameter are written as spaces, and NUL, CR, LF and space in the source
// or command as '_'. Tags whose key fails ValidTagKey are left out, and tag
// values are escaped. Command must not be empty.
//
// It is safe for concurrent use as long as nobody modifies m.
func (m *Message) Append(buf []byte) []byte {
	buf = m.appendTags(buf)
	if m.Source != "" {
		buf = append(buf, ':')
		buf = appendWord(buf, m.Source)
		buf = append(buf, ' ')
	}
	buf = appendWord(buf, m.Command)
	for i, p := range m.Params {
		buf = append(buf, ' ')
		if !needsTrailing(p) {
			buf = append(buf, p...)
			continue
		}
		buf = append(buf, ':')
		for j, q := range m.Params[i:] {
			if j > 0 {
				buf = append(buf, ' ')
			}
			buf = appendText(buf, q)
		}
		break
	}
	return append(buf, '\r', '\n')
}

func (m *Message) appendTags(buf []byte) []byte {
	n := 0
	for _, t := range m.Tags {
		if !ValidTagKey(t.Key) {
			continue // a key outside the grammar could split the tags section
		}
		if n == 0 {
			buf = append(buf, '@')
		} else {
			buf = append(buf, ';')
		}
		n++
		buf = append(buf, t.Key...)
		if t.Value != "" {
			buf = append(buf, '=')
			buf = AppendEscapedTagValue(buf, t.Value)
		}
	}
	if n > 0 {
		buf = append(buf, ' ')
	}
	return buf
}

// needsTrailing reports whether p can only be sent as the trailing
// parameter: it is empty, starts with ':', or holds a byte that would end a
// middle parameter or the line.
func needsTrailing(p string) bool {
	if p == "" || p[0] == ':' {
		return true
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' && (c == ' ' || isLineBreaker(c)) {
			return true
		}
	}
	return false
}

// isLineBreaker reports whether c may not appear anywhere in a line.
func isLineBreaker(c byte) bool { return c == 0 || c == '\r' || c == '\n' }

// appendText appends a trailing parameter, turning NUL, CR and LF into
// spaces so that it cannot end the line early.
func appendText(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x0e && isLineBreaker(c) {
			buf = append(buf, s[start:i]...)
			buf = append(buf, ' ')
			start = i + 1
		}
	}
	return append(buf, s[start:]...)
}

// appendWord appends a source or command, turning the bytes that would end
// it (space, NUL, CR, LF) into '_'.
func appendWord(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' && (c == ' ' || isLineBreaker(c)) {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '_')
			start = i + 1
		}
	}
	return append(buf, s[start:]...)
}
