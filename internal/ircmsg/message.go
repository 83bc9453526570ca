package ircmsg

// Tag is one message tag. Key includes the leading '+' of a client-only tag
// and the vendor prefix ("example.com/") if any. Value is unescaped; a tag
// sent without a value, or with an empty one, has Value "" (IRCv3
// message-tags: "foo=" is equivalent to "foo").
type Tag struct{ Key, Value string }

// Message is one IRC message.
type Message struct {
	Tags    []Tag    // in wire order; nil when none
	Source  string   // without the leading ':'; "" when absent
	Command string   // upper-cased ASCII by Parse (numerics stay digits)
	Params  []string // the trailing parameter is just the last element
}

// New returns a Message with the given source, command and params. The
// params slice is used as given, not copied.
// It is safe to call from any goroutine.
func New(source, command string, params ...string) Message {
	return Message{Source: source, Command: command, Params: params}
}

// Tag returns the value of the tag with the given key and whether the tag is
// present. A tag that is present without a value returns ("", true).
// It is safe for concurrent use as long as nobody modifies m.
func (m *Message) Tag(key string) (string, bool) {
	for i := range m.Tags {
		if m.Tags[i].Key == key {
			return m.Tags[i].Value, true
		}
	}
	return "", false
}

// Param returns the i-th parameter, or "" when there are not that many.
// It is safe for concurrent use as long as nobody modifies m.
func (m *Message) Param(i int) string {
	if i < 0 || i >= len(m.Params) {
		return ""
	}
	return m.Params[i]
}

// String returns the wire form of m without the trailing CRLF, as Append
// writes it. It is meant for logs and tests, not for the hot path.
// It is safe for concurrent use as long as nobody modifies m.
func (m *Message) String() string {
	b := m.Append(make([]byte, 0, m.wireSizeHint()))
	return string(b[:len(b)-2])
}

// wireSizeHint is an upper-bound guess of the encoded size, used to size
// buffers so that encoding grows them at most once.
func (m *Message) wireSizeHint() int {
	n := len(m.Source) + len(m.Command) + 8
	for _, t := range m.Tags {
		n += len(t.Key) + 2*len(t.Value) + 2
	}
	for _, p := range m.Params {
		n += len(p) + 2
	}
	return n
}
