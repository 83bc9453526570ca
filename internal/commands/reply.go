package commands

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// ReplyBuffer collects a command's replies so that labeled-response (and BATCH wrapping) is applied in
// one place: with a label, zero replies become an ACK, one reply carries the label, several are wrapped
// in a labeled-response batch. Handlers never write to the connection directly.
// A ReplyBuffer belongs to the reader goroutine of its client.
type ReplyBuffer struct {
	c       *Client
	label   string
	msgs    []ircmsg.Message
	flushed bool // an early Flush sent the labeled reply; later flushes send plain lines
	// batchLen is the length of a batch (a multiline echo) that opens the reply; when it is the whole
	// reply the label goes on its opening BATCH rather than on a labeled-response batch around it.
	batchLen int
	// nick, when set, is the addressee of numerics instead of Client.Nick (which only the reader
	// goroutine may call): for replies built on another goroutine, such as a rename fallback.
	nick string
	// out collects the encoded lines of a Flush; stored lists what they must wait for.
	out    [][]byte
	stored []<-chan error
	cmd    string // the command being answered, for the FAIL sent when storing fails
}

// WaitStored makes the reply wait until the history has stored a message (core's
// SayResult.Stored): the echo and the labeled ACK mean "stored" (IRCv3 echo-message and the
// durability promise in docs/history.md). The client's later replies queue behind it, so their
// order is kept, while its reader goes on with the next command. A nil channel is ignored.
func (rb *ReplyBuffer) WaitStored(stored <-chan error) {
	if stored != nil {
		rb.stored = append(rb.stored, stored)
	}
}

func newReplyBuffer(c *Client, label string) *ReplyBuffer {
	return &ReplyBuffer{c: c, label: label}
}

// Add queues a line from the server.
func (rb *ReplyBuffer) Add(command string, params ...string) {
	rb.AddFrom(rb.c.srv.Name(), command, params...)
}

// AddFrom queues a line with the given source.
func (rb *ReplyBuffer) AddFrom(source, command string, params ...string) {
	rb.addMsg(ircmsg.Message{Source: source, Command: command, Params: params})
}

// Numeric queues a numeric reply addressed to the client: ":server NNN <nick> params...".
func (rb *ReplyBuffer) Numeric(code string, params ...string) {
	p := make([]string, 0, len(params)+1)
	if rb.nick != "" {
		p = append(p, rb.nick)
	} else {
		p = append(p, rb.c.Nick())
	}
	p = append(p, params...)
	rb.addMsg(ircmsg.Message{Source: rb.c.srv.Name(), Command: code, Params: p})
}

// Fail queues a FAIL standard reply: "FAIL <command> <code> [<context>...] :<description>", the last
// of rest being the description (IRCv3 standard-replies). command is "*" when the failure is not
// tied to one command.
func (rb *ReplyBuffer) Fail(command, code string, rest ...string) {
	rb.standardReply("FAIL", command, code, rest)
}

// Warn queues a WARN standard reply: the command went through, with something to point out.
func (rb *ReplyBuffer) Warn(command, code string, rest ...string) {
	rb.standardReply("WARN", command, code, rest)
}

// Note queues a NOTE standard reply: information about the command's processing.
func (rb *ReplyBuffer) Note(command, code string, rest ...string) {
	rb.standardReply("NOTE", command, code, rest)
}

func (rb *ReplyBuffer) standardReply(kind, command, code string, rest []string) {
	params := make([]string, 0, 2+len(rest))
	params = append(append(params, command, code), rest...)
	rb.addMsg(ircmsg.Message{Source: rb.c.srv.Name(), Command: kind, Params: params})
}

func (rb *ReplyBuffer) addMsg(m ircmsg.Message) {
	rb.msgs = append(rb.msgs, m)
}

// AddEvent queues the client's own copy of an event it caused (its JOIN, its echoed PRIVMSG).
func (rb *ReplyBuffer) AddEvent(ev *model.Event) {
	if ev == nil {
		return
	}
	caps := rb.c.caps.load()
	if isMultiline(ev) {
		msgs := multilineMessages(ev, multilineKey(caps.renderKey(ev.Kind), caps))
		if len(rb.msgs) == 0 && multilineKey(0, caps) != 0 {
			rb.batchLen = len(msgs)
		}
		rb.msgs = append(rb.msgs, msgs...)
		return
	}
	m, ok := eventMessage(ev, caps.renderKey(ev.Kind))
	if !ok {
		return
	}
	rb.addMsg(m)
}

// Len returns the number of queued lines.
func (rb *ReplyBuffer) Len() int { return len(rb.msgs) }

var batchSeq atomic.Uint64

// Flush encodes the queued lines, applies labeled-response, and hands them to the client's output.
func (rb *ReplyBuffer) Flush() {
	labeled := rb.label != "" && rb.c.Has(CapLabeledResponse) && !rb.flushed
	rb.flushed = true
	switch {
	case labeled && len(rb.msgs) == 0:
		ack := ircmsg.Message{Source: rb.c.srv.Name(), Command: "ACK", Tags: []ircmsg.Tag{{Key: "label", Value: rb.label}}}
		rb.emit(ack.Append(nil))
	case labeled && (len(rb.msgs) == 1 || rb.batchLen == len(rb.msgs)):
		rb.msgs[0].Tags = append([]ircmsg.Tag{{Key: "label", Value: rb.label}}, rb.msgs[0].Tags...)
		rb.writeAll("")
	case labeled && rb.c.Has(CapBatch):
		ref := "L" + strconv.FormatUint(batchSeq.Add(1), 36)
		start := ircmsg.Message{Source: rb.c.srv.Name(), Command: "BATCH", Params: []string{"+" + ref, "labeled-response"},
			Tags: []ircmsg.Tag{{Key: "label", Value: rb.label}}}
		rb.emit(start.Append(nil))
		rb.writeAll(ref)
		end := ircmsg.Message{Source: rb.c.srv.Name(), Command: "BATCH", Params: []string{"-" + ref}}
		rb.emit(end.Append(nil))
	default:
		rb.writeAll("")
	}
	rb.msgs = rb.msgs[:0]
	rb.batchLen = 0
	rb.c.send(rb.out, rb.stored, rb.notStoredLine)
	rb.out, rb.stored = nil, nil
}

// emit collects one encoded line for Flush to send.
func (rb *ReplyBuffer) emit(line []byte) { rb.out = append(rb.out, line) }

// notStoredLine is what the client gets instead of a reply whose message could not be stored.
func (rb *ReplyBuffer) notStoredLine() []byte {
	m := ircmsg.Message{Source: rb.c.srv.Name(), Command: "FAIL",
		Params: []string{orDefault(rb.cmd, "*"), "MESSAGE_NOT_STORED", "Your message was delivered but could not be stored; it may be missing from history"}}
	if rb.label != "" && rb.c.Has(CapLabeledResponse) {
		m.Tags = []ircmsg.Tag{{Key: "label", Value: rb.label}}
	}
	return m.Append(nil)
}

func (rb *ReplyBuffer) writeAll(batch string) {
	caps := rb.c.caps.load()
	now := time.Now()
	var buf []byte
	for i := range rb.msgs {
		m := &rb.msgs[i]
		if batch != "" && !hasTag(m.Tags, "batch") { // lines of a nested batch keep their own
			m.Tags = append(m.Tags, ircmsg.Tag{Key: "batch", Value: batch})
		}
		if caps.Has(CapServerTime) && !hasTag(m.Tags, "time") {
			m.Tags = append(m.Tags, ircmsg.Tag{Key: "time", Value: formatTime(now)})
		}
		if !caps.Has(CapMessageTags) {
			m.Tags = filterTags(m.Tags, caps)
		}
		buf = m.Append(buf[:0])
		rb.emit(append([]byte(nil), buf...))
	}
}

func hasTag(tags []ircmsg.Tag, key string) bool {
	for _, t := range tags {
		if t.Key == key {
			return true
		}
	}
	return false
}

// filterTags keeps only the tags a client without message-tags may see.
func filterTags(tags []ircmsg.Tag, caps CapSet) []ircmsg.Tag {
	out := tags[:0]
	for _, t := range tags {
		switch {
		case t.Key == "time" && caps.Has(CapServerTime),
			t.Key == "account" && caps.Has(CapAccountTag),
			t.Key == "batch" && caps.Has(CapBatch),
			t.Key == "label" && caps.Has(CapLabeledResponse):
			out = append(out, t)
		}
	}
	return out
}

func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
