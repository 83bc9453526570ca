package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// The limits of one draft/multiline batch, advertised in the capability value. max-bytes counts the
// joined message, one byte per line feed included (IRCv3 multiline "Capabilities"); with max-lines
// they also bound what an unfinished batch holds in memory.
const (
	multilineMaxBytes = 4096
	multilineMaxLines = 100
)

func multilineCapValue(*Server, bool) (string, bool) {
	return "max-bytes=" + strconv.Itoa(multilineMaxBytes) + ",max-lines=" + strconv.Itoa(multilineMaxLines), true
}

func init() {
	register("BATCH", Command{Handler: handleBatch, MinParams: 1, Active: true})
}

// multilineBatch is a client's open draft/multiline batch. Reader goroutine only.
type multilineBatch struct {
	ref, target, label string
	kind               model.Kind // PRIVMSG or NOTICE, set by the first line
	tags               []model.Tag
	lines              []string
	bytes              int
	// fail is the first violation, reported when the batch closes (so that it carries the batch's
	// label); once set, later lines are dropped rather than stored.
	fail []string
}

// handleBatch opens ("BATCH +ref draft/multiline <target>") or closes ("BATCH -ref") a client batch.
// draft/multiline is the only client-initiated batch type.
func handleBatch(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	ref := m.Params[0]
	switch {
	case len(ref) > 1 && ref[0] == '+':
		openMultiline(c, m, rb)
	case len(ref) > 1 && ref[0] == '-':
		s.closeMultiline(c, ref[1:], rb)
	default:
		rb.Fail("BATCH", "MULTILINE_INVALID", "Invalid batch reference")
	}
}

func openMultiline(c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if !c.Has(CapMultiline) || !c.Has(CapBatch) || m.Param(1) != "draft/multiline" || m.Param(2) == "" {
		rb.Fail("BATCH", "MULTILINE_INVALID", "Unsupported batch")
		return
	}
	b := &multilineBatch{ref: m.Params[0][1:], target: m.Params[2], label: rb.label, tags: clientTags(m.Tags)}
	if c.multiline != nil {
		// Batches do not nest: the new one is refused, and its lines are swallowed with it.
		b.fail = []string{"MULTILINE_INVALID", "A multiline batch is already open"}
	}
	c.multiline = b
	// The reply (echo, or FAIL) comes when the batch closes and carries this label (IRCv3 multiline,
	// "Labeled response"), so the opening line itself is not acknowledged.
	rb.label = ""
}

// batched takes a line that belongs to the client's open multiline batch, and reports whether it
// did. Reader goroutine only.
func (s *Server) batched(c *Client, m *ircmsg.Message) bool {
	b := c.multiline
	if b == nil {
		return false
	}
	if ref, ok := m.Tag("batch"); !ok || ref != b.ref {
		return false
	}
	if b.fail != nil {
		return true
	}
	b.add(s, m)
	return true
}

func (b *multilineBatch) add(s *Server, m *ircmsg.Message) {
	kind := model.KindPrivmsg
	switch m.Command {
	case "PRIVMSG":
	case "NOTICE":
		kind = model.KindNotice
	default:
		b.fail = []string{"MULTILINE_INVALID", "Only PRIVMSG lines may be batched"}
		return
	}
	if b.kind != 0 && b.kind != kind {
		b.fail = []string{"MULTILINE_INVALID", "PRIVMSG and NOTICE lines cannot be mixed"}
		return
	}
	b.kind = kind
	if target := m.Param(0); !s.Net.Casemap().Equal(target, b.target) {
		b.fail = []string{"MULTILINE_INVALID_TARGET", b.target, target, "Invalid multiline target"}
		return
	}
	text := m.Param(1)
	_, concat := m.Tag("draft/multiline-concat")
	if concat && text == "" {
		b.fail = []string{"MULTILINE_INVALID", "Blank lines cannot be concatenated"}
		return
	}
	size := len(text)
	if len(b.lines) > 0 && !concat {
		size++ // the line feed that joins it to the previous line
	}
	switch {
	case len(b.lines) >= multilineMaxLines:
		b.fail = []string{"MULTILINE_MAX_LINES", strconv.Itoa(multilineMaxLines), "Multiline batch max-lines exceeded"}
		return
	case b.bytes+size > multilineMaxBytes:
		b.fail = []string{"MULTILINE_MAX_BYTES", strconv.Itoa(multilineMaxBytes), "Multiline batch max-bytes exceeded"}
		return
	}
	b.bytes += size
	if concat && len(b.lines) > 0 {
		// A concatenated line is stored with a marker the joined text will not contain: see join.
		text = concatMark + text
	}
	b.lines = append(b.lines, text)
}

// concatMark flags a stored line sent with draft/multiline-concat until the batch is joined. A
// parsed IRC line never holds a NUL, so the marker cannot be mistaken for content.
const concatMark = "\x00"

// join returns the combined message and the lines as sent: lines are joined by "\n", concatenated
// ones with nothing between (IRCv3 multiline "Batch types").
func (b *multilineBatch) join() (text string, lines []string, blank bool) {
	var sb strings.Builder
	sb.Grow(b.bytes)
	lines = make([]string, len(b.lines))
	blank = true
	for i, l := range b.lines {
		concat := strings.HasPrefix(l, concatMark)
		l = strings.TrimPrefix(l, concatMark)
		if i > 0 && !concat {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		lines[i] = l
		if l != "" {
			blank = false
		}
	}
	return sb.String(), lines, blank
}

func (s *Server) closeMultiline(c *Client, ref string, rb *ReplyBuffer) {
	b := c.multiline
	if b == nil || b.ref != ref {
		rb.Fail("BATCH", "MULTILINE_INVALID", "No such batch open")
		return
	}
	c.multiline = nil
	if rb.label == "" {
		rb.label = b.label
	}
	if b.fail != nil {
		rb.Fail("BATCH", b.fail[0], b.fail[1:]...)
		return
	}
	text, lines, blank := b.join()
	if len(lines) == 0 || blank {
		// Clients must not send messages made only of blank lines (IRCv3 multiline).
		rb.Fail("BATCH", "MULTILINE_INVALID", "Empty multiline batch")
		return
	}
	res, err := s.Net.Say(c.User, core.Message{Kind: b.kind, Target: b.target, Text: text, Tags: b.tags, Lines: lines})
	if err != nil {
		if b.kind != model.KindNotice {
			replyError(rb, err)
		}
		return
	}
	if c.Has(CapEchoMessage) {
		rb.AddEvent(res.Event)
	}
	rb.WaitStored(res.Stored)
	if res.Away != "" && b.kind == model.KindPrivmsg {
		rb.Numeric(ircmsg.RPL_AWAY, res.To.Nick(), res.Away)
	}
}

// isMultiline reports whether a message event came from a multiline batch and must be rendered
// line by line.
func isMultiline(ev *model.Event) bool {
	return len(ev.Params) > 0 && (ev.Kind == model.KindPrivmsg || ev.Kind == model.KindNotice)
}

// multilineKey adds the multiline capability to a render key when the client can receive the batch
// (the batch capability is a dependency of draft/multiline).
func multilineKey(key, caps CapSet) CapSet {
	if caps.Has(CapMultiline) && caps.Has(CapBatch) {
		key |= CapSet(CapMultiline)
	}
	return key
}

// multilineConcat tells, for each line of a multiline event, whether it was sent with
// draft/multiline-concat: the joined text has a line feed between two lines unless it was. A line
// never holds a line feed itself, so the answer is unambiguous.
func multilineConcat(ev *model.Event) []bool {
	out := make([]bool, len(ev.Params))
	pos := 0
	for i, l := range ev.Params {
		if i > 0 {
			if pos < len(ev.Text) && ev.Text[pos] == '\n' {
				pos++
			} else {
				out[i] = true
			}
		}
		pos += len(l)
	}
	return out
}

// multilineMessages renders a multiline event: a draft/multiline batch for clients with the
// capability, or the lines one by one for the others, blank ones left out and the message's tags
// (msgid among them) on the first line only (IRCv3 multiline "Fallback").
func multilineMessages(ev *model.Event, key CapSet) []ircmsg.Message {
	src, target, cmd := ev.Source.String(), statusTarget(ev), ev.Kind.String()
	tags := eventTags(ev, key)
	if key.Has(CapMultiline) {
		ref := ev.ID
		concat := multilineConcat(ev)
		out := make([]ircmsg.Message, 0, len(ev.Params)+2)
		out = append(out, ircmsg.Message{Tags: tags, Source: src, Command: "BATCH", Params: []string{"+" + ref, "draft/multiline", target}})
		for i, l := range ev.Params {
			lt := []ircmsg.Tag{{Key: "batch", Value: ref}}
			if concat[i] {
				lt = append(lt, ircmsg.Tag{Key: "draft/multiline-concat"})
			}
			out = append(out, ircmsg.Message{Tags: lt, Source: src, Command: cmd, Params: []string{target, l}})
		}
		return append(out, ircmsg.Message{Source: src, Command: "BATCH", Params: []string{"-" + ref}})
	}
	out := make([]ircmsg.Message, 0, len(ev.Params))
	for _, l := range ev.Params {
		if l == "" {
			continue // no blank lines without the capability
		}
		lt := tags
		if len(out) > 0 {
			lt = withoutTag(tags, "msgid")
		}
		out = append(out, ircmsg.Message{Tags: lt, Source: src, Command: cmd, Params: []string{target, l}})
	}
	return out
}

func withoutTag(tags []ircmsg.Tag, key string) []ircmsg.Tag {
	out := make([]ircmsg.Tag, 0, len(tags))
	for _, t := range tags {
		if t.Key != key {
			out = append(out, t)
		}
	}
	return out
}

// renderMultiline encodes a multiline event as consecutive CRLF-terminated lines in one buffer,
// shared by every recipient of the variant; writeLines hands them to the output one by one.
func renderMultiline(ev *model.Event, key CapSet) []byte {
	msgs := multilineMessages(ev, key)
	if len(msgs) == 0 {
		return nil
	}
	buf := make([]byte, 0, 128*len(msgs)+len(ev.Text))
	for i := range msgs {
		buf = msgs[i].Append(buf)
	}
	return buf
}

// writeLines writes a buffer of several CRLF-terminated lines as separate lines, so that each
// transport frames them as it must (one WebSocket message per line). The slices share data.
func writeLines(out Output, data []byte) {
	for len(data) > 0 {
		end := len(data)
		for i := 0; i+1 < len(data); i++ {
			if data[i] == '\r' && data[i+1] == '\n' {
				end = i + 2
				break
			}
		}
		out.Write(data[:end:end])
		data = data[end:]
	}
}
