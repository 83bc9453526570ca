package jshistory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store/histindex"
)

// The index snapshot (Options.SnapshotPath): Close writes the index with the stream sequence up
// to which it holds every message; Open loads it and reads only the messages after that sequence.
// Open deletes the file once loaded, so after a crash (no Close) the next start reads the whole
// stream: a snapshot older than the running index would miss the redactions and deletions made
// since. Messages a snapshot still names but the stream no longer has are skipped when read.
//
// The sequence saved is the follower's position (follow.go): every message of the network up to
// it is applied. Close stops the follower first, then reads what it had not reached yet. With
// Options.Solo it is the stream's last sequence, saved once the own operations that began before
// it was read have finished (solo.go).

// fingerprint names the settings an index depends on: the network (the subjects) and the fold
// (checked on names whose folding differs between the casemappings).
func (h *History) fingerprint() string {
	return h.opt.Network + "\x00" + h.opt.Fold("[]\\~^ABC")
}

// loadSnapshot loads the snapshot when there is a usable one and returns the sequence after which
// the stream must still be read (0 with no snapshot: all of it).
func (h *History) loadSnapshot() uint64 {
	path := h.opt.SnapshotPath
	if path == "" {
		return 0
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		h.log.Warn("history: index snapshot unreadable, reading the whole stream", "err", err)
		return 0
	}
	started := time.Now()
	x, meta, err := histindex.ReadSnapshot(f, h.opt.Fold, h.opt.MaxPerTarget, h.fingerprint())
	f.Close()
	// Consumed: from here on only Close writes a snapshot that matches the index.
	if rerr := os.Remove(path); rerr != nil {
		h.log.Warn("history: cannot remove the loaded index snapshot", "err", rerr)
		return 0
	}
	if err != nil {
		h.log.Warn("history: index snapshot not used, reading the whole stream", "err", err)
		return 0
	}
	if c := h.cutoff(); !c.IsZero() {
		x.Expire(c)
	}
	h.x = x
	h.log.Info("history index snapshot loaded", "messages", x.Len(), "seq", meta.Seq,
		"took", time.Since(started).Round(time.Millisecond).String())
	return meta.Seq
}

// saveSnapshot brings the index up to the stream's end, then writes the snapshot next to its
// final name and renames it into place, so a crash mid-write leaves no half snapshot.
func (h *History) saveSnapshot(ctx context.Context) error {
	var seq uint64
	var err error
	if h.opt.Solo {
		seq, err = h.soloSnapshotSeq(ctx)
	} else {
		seq, err = h.followedSnapshotSeq(ctx)
	}
	if err != nil {
		return err
	}
	return h.writeSnapshot(seq)
}

// followedSnapshotSeq reads what the stopped follower had not reached and returns the sequence up
// to which the index holds every message.
func (h *History) followedSnapshotSeq(ctx context.Context) (uint64, error) {
	from := h.pos.at()
	info, err := h.streamInfo(ctx)
	if err != nil {
		return 0, err
	}
	if info.State.LastSeq > from {
		if _, err := h.readFrom(ctx, from+1); err != nil {
			return 0, err
		}
	}
	return max(info.State.LastSeq, h.pos.at()), nil
}

// snapshotInfoWait bounds the stream's answer at shutdown: a node cut off from JetStream gives up
// the snapshot after it instead of holding its shutdown for the whole minute a catch-up may take.
const snapshotInfoWait = 5 * time.Second

// streamInfo asks for the stream's state within snapshotInfoWait.
func (h *History) streamInfo(ctx context.Context) (*jetstream.StreamInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, snapshotInfoWait)
	defer cancel()
	return h.stream.Info(ctx)
}

// writeSnapshot writes the index, saying it holds every message up to seq.
func (h *History) writeSnapshot(seq uint64) error {
	path := h.opt.SnapshotPath
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = h.x.WriteSnapshot(f, histindex.SnapshotMeta{Fingerprint: h.fingerprint(), Seq: seq})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("history index snapshot: %w", err)
	}
	return nil
}
