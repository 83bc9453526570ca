package jshistory

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// Deletion records. A redaction or an account deletion removes messages from the stream, and
// JetStream tells no consumer about a removal: the other nodes would keep the messages in their
// indexes (queries skip them, the stream answering 404, but limits count them and TARGETS lists
// a deleted account's conversations). So the deleting node stores a small record after the
// removal, which every node's follower (and a start-up scan after a snapshot) applies in stream
// order, after every message it concerns:
//
//	parley.<network>.hist.redact.chan.<channel>        {"kind":"REDACT","msgid":"..."}
//	parley.<network>.hist.redact.pm.<account>.<peer>   {"kind":"REDACT","msgid":"..."}
//	parley.<network>.hist.drop.<account>               {"kind":"DROP"}
//
// Deleting an account also purges the redaction records of its conversations; what remains is
// the drop record, which names the account and expires with the stream (history.max_age). A
// record that could not be stored leaves the other nodes' indexes naming messages the stream no
// longer has, which their queries skip.

// deletionRecord is the body of a deletion record; the subject names what it deletes.
type deletionRecord struct {
	Kind  string `json:"kind"` // "REDACT" or "DROP"
	MsgID string `json:"msgid,omitempty"`
}

// redaction returns the subject of a redaction record for a folded target.
func (s subjects) redaction(t store.Target) string {
	return s.prefix + "redact." + strings.TrimPrefix(s.of(t), s.prefix)
}

// accountRedactions returns the filter matching the redaction records of a folded account's
// private conversations.
func (s subjects) accountRedactions(account string) string {
	return s.prefix + "redact.pm." + encodeToken(account) + ".>"
}

// drop returns the subject of a folded account's drop record.
func (s subjects) drop(account string) string { return s.prefix + "drop." + encodeToken(account) }

// isRecord reports whether a subject of the network holds a rename or deletion record rather
// than a message.
func (s subjects) isRecord(subject string) bool {
	rest, ok := strings.CutPrefix(subject, s.prefix)
	return ok && (strings.HasPrefix(rest, "rename.") || strings.HasPrefix(rest, "redact.") ||
		strings.HasPrefix(rest, "drop."))
}

// Redact implements store.Redactor: the message is deleted from the stream and the index, and a
// redaction record tells the other nodes. Safe for concurrent use.
func (h *History) Redact(ctx context.Context, t store.Target, msgid string) (*model.Event, error) {
	k, err := store.Bound{MsgID: msgid}.Lower()
	if err != nil {
		return nil, store.ErrNotFound
	}
	op := h.beginOwn()
	defer op.end()
	seq, ok := h.x.Lookup(t, k)
	if !ok {
		return nil, store.ErrNotFound
	}
	evs, err := h.fetchEach(ctx, []histindex.Ref{seq})
	if err != nil {
		return nil, err
	}
	if err := h.stream.DeleteMsg(ctx, seq); err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("history: redact: %w", err)
	}
	p := &h.pos
	p.mu.Lock()
	h.x.Remove(t, k)
	// A follower's delivery already in flight must not bring it back. A Solo history has no
	// follower, and keeps skip empty.
	if !h.opt.Solo {
		p.settleLocked(seq, true)
	}
	p.mu.Unlock()
	rec := deletionRecord{Kind: "REDACT", MsgID: msgid}
	if _, err := h.publishRecord(ctx, h.subj.redaction(h.x.Fold(t)), rec); err != nil {
		h.log.Warn("history: redaction record not stored; other nodes' indexes still name the message", "err", err)
	}
	if len(evs) == 0 {
		return nil, store.ErrNotFound // it expired meanwhile
	}
	return evs[0], nil
}

// DeleteAccount implements store.History: one purge of the account's subjects, then a drop record
// that tells the other nodes. Safe for concurrent use.
func (h *History) DeleteAccount(ctx context.Context, account string) error {
	account = h.opt.Fold(account)
	if account == "" {
		return store.ErrInvalid
	}
	op := h.beginOwn()
	defer op.end()
	p := &h.pos
	p.mu.Lock()
	h.x.DropAccount(account)
	p.dropping[account]++ // until the follower reaches the drop record
	h.holdLocked(account) // Solo: until the drop record is stored
	p.mu.Unlock()
	err := h.stream.Purge(ctx, jetstreamPurgeSubject(h.subj.account(account)))
	if err == nil {
		err = h.stream.Purge(ctx, jetstreamPurgeSubject(h.subj.accountRedactions(account)))
	}
	if err != nil {
		op.doubt("an account's history was partly deleted")
		h.undrop(account)
		return fmt.Errorf("history: delete account %s: %w", account, err)
	}
	seq, err := h.publishRecord(ctx, h.subj.drop(account), deletionRecord{Kind: "DROP"})
	if err != nil {
		op.doubt("a drop record was not stored")
		h.undrop(account)
		h.log.Warn("history: drop record not stored; other nodes' indexes still name the account's messages", "err", err)
		return nil
	}
	op.dropped(account, seq)
	return nil
}

// undrop ends the wait for a drop record that will not come.
func (h *History) undrop(account string) {
	h.pos.mu.Lock()
	h.undropLocked(account)
	h.pos.mu.Unlock()
}

func (h *History) undropLocked(account string) {
	if n := h.pos.dropping[account]; n > 1 {
		h.pos.dropping[account] = n - 1
	} else {
		delete(h.pos.dropping, account)
		h.releaseLocked(account)
	}
}

// publishRecord stores a deletion record and returns its sequence.
func (h *History) publishRecord(ctx context.Context, subject string, rec any) (uint64, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	ack, err := h.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data})
	if err != nil {
		return 0, err
	}
	return ack.Sequence, nil
}

// applyRecord applies a rename or deletion record stored at seq. Caller holds pos.mu.
func (h *History) applyRecord(seq uint64, subject string, data []byte) {
	rest := strings.TrimPrefix(subject, h.subj.prefix)
	switch {
	case strings.HasPrefix(rest, "rename."):
		h.applyRename(seq, data)
	case strings.HasPrefix(rest, "redact."):
		h.applyRedaction(h.subj.prefix+strings.TrimPrefix(rest, "redact."), data)
	case strings.HasPrefix(rest, "drop."):
		h.applyDrop(strings.TrimPrefix(rest, "drop."), data)
	}
}

// applyRedaction removes a redacted message; targetSubject is the subject the message had.
func (h *History) applyRedaction(targetSubject string, data []byte) {
	var r deletionRecord
	t, err := h.subj.target(targetSubject)
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	k, kerr := store.Bound{MsgID: r.MsgID}.Lower()
	if err != nil || kerr != nil || r.Kind != "REDACT" {
		h.log.Warn("history: unreadable redaction record skipped", "subject", targetSubject, "err", err)
		return
	}
	h.x.Remove(t, k)
}

// applyDrop forgets a deleted account's conversations. Caller holds pos.mu.
func (h *History) applyDrop(token string, data []byte) {
	var r deletionRecord
	account, err := decodeToken(token)
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err != nil || r.Kind != "DROP" || account == "" {
		h.log.Warn("history: unreadable drop record skipped", "err", err)
		return
	}
	h.x.DropAccount(account)
	h.undropLocked(account)
}
