package ircmsg

import "strings"

// IRCv3 message-tags, "Escaping values": the characters that cannot appear
// raw in a tag value and the sequence each one is written as.
//
//	';' -> `\:`   ' ' -> `\s`   '\' -> `\\`   CR -> `\r`   LF -> `\n`

// escapeByte returns the escape letter for c, or 0 when c is written as is.
func escapeByte(c byte) byte {
	switch c {
	case ';':
		return ':'
	case ' ':
		return 's'
	case '\\':
		return '\\'
	case '\r':
		return 'r'
	case '\n':
		return 'n'
	}
	return 0
}

// needsEscape reports whether s holds a byte that AppendEscapedTagValue
// would change (an escaped byte, or a NUL, which is dropped).
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == ';' || c == '\\' {
			if c == 0 || escapeByte(c) != 0 {
				return true
			}
		}
	}
	return false
}

// AppendEscapedTagValue appends s to buf, escaped as an IRCv3 tag value.
// NUL, which the grammar forbids in values and which has no escape, is
// dropped. It is safe to call from any goroutine.
func AppendEscapedTagValue(buf []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > ' ' && c != ';' && c != '\\' {
			continue
		}
		e := escapeByte(c)
		if e == 0 && c != 0 {
			continue
		}
		buf = append(buf, s[start:i]...)
		if e != 0 {
			buf = append(buf, '\\', e)
		}
		start = i + 1
	}
	return append(buf, s[start:]...)
}

// EscapeTagValue returns s escaped as an IRCv3 tag value. It returns s itself
// when nothing needs escaping. It is safe to call from any goroutine.
func EscapeTagValue(s string) string {
	if !needsEscape(s) {
		return s
	}
	return string(AppendEscapedTagValue(make([]byte, 0, len(s)+8), s))
}

// UnescapeTagValue reverses EscapeTagValue. Per IRCv3 message-tags a lone
// '\' at the end is dropped, and an unknown escape `\x` stands for x. It
// returns s itself when it holds no '\'. It is safe to call from any
// goroutine.
func UnescapeTagValue(s string) string {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			break // trailing lone '\': no output character
		}
		switch c = s[i]; c {
		case ':':
			b.WriteByte(';')
		case 's':
			b.WriteByte(' ')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		default: // `\\` and unknown escapes
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ValidTagKey reports whether key is a well-formed tag key per the IRCv3
// message-tags grammar:
//
//	<key> ::= [ '+' ] [ <vendor> '/' ] <sequence of letters, digits, hyphens>
//
// where the vendor is a host name (letters, digits, hyphens and dots).
// It is safe to call from any goroutine.
func ValidTagKey(key string) bool {
	if len(key) > 0 && key[0] == '+' {
		key = key[1:]
	}
	if i := strings.IndexByte(key, '/'); i >= 0 {
		vendor := key[:i]
		if vendor == "" {
			return false
		}
		for j := 0; j < len(vendor); j++ {
			if c := vendor[j]; !isKeyNameByte(c) && c != '.' {
				return false
			}
		}
		key = key[i+1:]
	}
	if key == "" {
		return false
	}
	for j := 0; j < len(key); j++ {
		if !isKeyNameByte(key[j]) {
			return false
		}
	}
	return true
}

func isKeyNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// dedupeThreshold is the tag count from which parseTags finds duplicate keys
// through a map instead of a linear scan, so that a line packed with
// thousands of one-letter tags costs linear time, not quadratic.
const dedupeThreshold = 16

// parseTags parses the tag data (between '@' and the space) of a line.
// Duplicate keys keep the position of the first occurrence and the value of
// the last ("discard all but the final occurrence", IRCv3 message-tags).
func parseTags(data string) ([]Tag, error) {
	tags := make([]Tag, 0, strings.Count(data, ";")+1)
	var index map[string]int
	for more := true; more; {
		var item string
		// An empty item (";;", a leading or trailing ';', or an empty
		// section) has an empty key and is rejected below.
		item, data, more = strings.Cut(data, ";")
		key, value, _ := strings.Cut(item, "=")
		if !ValidTagKey(key) {
			return nil, ErrBadTags
		}
		value = UnescapeTagValue(value)
		if i, ok := findTag(tags, index, key); ok {
			tags[i].Value = value
			continue
		}
		tags = append(tags, Tag{Key: key, Value: value})
		if index != nil {
			index[key] = len(tags) - 1
		} else if len(tags) == dedupeThreshold {
			index = make(map[string]int, 2*dedupeThreshold)
			for i, t := range tags {
				index[t.Key] = i
			}
		}
	}
	return tags, nil
}

func findTag(tags []Tag, index map[string]int, key string) (int, bool) {
	if index != nil {
		i, ok := index[key]
		return i, ok
	}
	for i := range tags {
		if tags[i].Key == key {
			return i, true
		}
	}
	return 0, false
}
