package natscluster

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Watch implements cluster.Directory. Each bucket is followed by its own goroutine (see follow),
// and one goroutine calls h with what they deliver, so a bucket's changes keep the bucket's stream
// order, which is the same on all nodes. Safe for concurrent use.
func (d *Directory) Watch(ctx context.Context, h func(cluster.Change)) error {
	kinds := []cluster.ChangeKind{cluster.ChangeNick, cluster.ChangeUser, cluster.ChangeChannel, cluster.ChangeMember}
	kvs := []jetstream.KeyValue{d.nicks, d.users, d.channels, d.members}
	ctx, cancel := context.WithCancel(ctx)
	type item struct {
		kind cluster.ChangeKind
		e    jetstream.KeyValueEntry // nil: the bucket's snapshot is complete
	}
	out := make(chan item, 256)
	for i, kv := range kvs {
		w, err := kv.WatchAll(ctx)
		if err != nil {
			cancel()
			return mapErr(err, cluster.ErrExists, "watch "+kv.Bucket())
		}
		go d.follow(ctx, kv, w, func(e jetstream.KeyValueEntry) {
			select {
			case out <- item{kinds[i], e}:
			case <-ctx.Done():
			}
		})
	}
	go func() {
		defer cancel()
		pending := len(kvs)
		for {
			var it item
			select {
			case <-ctx.Done():
				return
			case it = <-out:
			}
			if it.e == nil {
				if pending--; pending == 0 {
					h(cluster.Change{Kind: cluster.ChangeSnapshot})
				}
				continue
			}
			c, err := toChange(it.kind, it.e)
			if err != nil {
				d.log.Warn("skipping an unreadable directory record", "bucket", it.e.Bucket(), "key", it.e.Key(), "err", err)
				continue
			}
			h(c)
		}
	}()
	return nil
}

// stallCheck is how often a follower compares what it delivered with the bucket's last revision.
const stallCheck = time.Second

// follow feeds emit with w's entries (and one nil once the initial values are in) until ctx ends,
// and keeps the watch alive. A watch is an ordered consumer living on one server; when that
// server goes away nats.go notices only after missing its heartbeats for 10 to 20 seconds, too
// slow for node loss. So every stallCheck the follower reads the bucket's last revision, and if
// it has not delivered a revision that the previous check saw, it recreates the watch from the
// revision after the last one delivered: nothing is skipped or repeated.
func (d *Directory) follow(ctx context.Context, kv jetstream.KeyValue, w jetstream.KeyWatcher, emit func(jetstream.KeyValueEntry)) {
	tick := time.NewTicker(stallCheck)
	defer tick.Stop()
	defer func() { w.Stop() }()
	var last, behind uint64 // last revision delivered; the bucket's last revision at the previous check
	initial, closed := true, false
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				closed = true // the subscription ended (connection closed): recreate at the next tick
			case e == nil:
				if initial {
					initial = false
					emit(nil)
				}
			default:
				last = e.Revision()
				emit(e)
			}
			continue
		case <-tick.C:
		}
		if initial {
			continue // still reading the snapshot
		}
		seq, err := lastRevision(ctx, kv)
		if err != nil {
			continue // unreachable: nothing to compare with
		}
		if closed || (behind > 0 && last < behind) {
			nw, err := kv.WatchAll(ctx, jetstream.ResumeFromRevision(last+1))
			if err != nil {
				continue
			}
			d.log.Info("watch stalled; resumed", "bucket", kv.Bucket(), "from", last+1)
			w.Stop()
			w, closed, behind = nw, false, 0
			continue
		}
		behind = 0
		if seq > last {
			behind = seq
		}
	}
}

// lastRevision returns the bucket's last stream sequence.
func lastRevision(ctx context.Context, kv jetstream.KeyValue) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, stallCheck)
	defer cancel()
	st, err := kv.Status(ctx)
	if err != nil {
		return 0, err
	}
	bs, ok := st.(*jetstream.KeyValueBucketStatus)
	if !ok {
		return 0, errors.New("natscluster: unexpected bucket status type")
	}
	return bs.StreamInfo().State.LastSeq, nil
}

// toChange decodes one KV entry.
func toChange(kind cluster.ChangeKind, e jetstream.KeyValueEntry) (cluster.Change, error) {
	c := cluster.Change{Kind: kind, Revision: e.Revision()}
	c.Deleted = e.Operation() == jetstream.KeyValueDelete || e.Operation() == jetstream.KeyValuePurge
	var err error
	switch kind {
	case cluster.ChangeNick:
		c.Nick = &cluster.NickRecord{}
		err = decodeEntry(e, c.Deleted, c.Nick)
		c.Nick.Nick, err = keyPart(e.Key(), err)
	case cluster.ChangeUser:
		c.User = &cluster.UserRecord{}
		err = decodeEntry(e, c.Deleted, c.User)
		var id string
		id, err = keyPart(e.Key(), err)
		c.User.ID = model.ClientID(id)
	case cluster.ChangeChannel:
		c.Channel = &cluster.ChannelRecord{Revision: e.Revision()}
		err = decodeEntry(e, c.Deleted, c.Channel)
		c.Channel.Key, err = keyPart(e.Key(), err)
	case cluster.ChangeMember:
		c.Member = &cluster.MemberRecord{Revision: e.Revision()}
		if err = decodeEntry(e, c.Deleted, c.Member); err == nil {
			var client string
			c.Member.Channel, client, err = splitMemberKey(e.Key())
			c.Member.Client = model.ClientID(client)
		}
	}
	return c, err
}

func decodeEntry(e jetstream.KeyValueEntry, deleted bool, v any) error {
	if deleted {
		return nil
	}
	return decode(e.Value(), v)
}

// keyPart decodes a key unless an earlier step failed.
func keyPart(key string, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return decodeKey(key)
}

// entries returns the current entries of kv in one pass over the bucket (a watch that stops at
// the end of its snapshot) rather than one request per key.
func entries(ctx context.Context, kv jetstream.KeyValue) ([]jetstream.KeyValueEntry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("watch closed while listing " + kv.Bucket())
			}
			if e == nil {
				return out, nil
			}
			out = append(out, e)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
