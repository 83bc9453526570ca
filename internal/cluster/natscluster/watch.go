package natscluster

import (
	"context"
	"errors"
	"reflect"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Watch implements cluster.Directory. Each bucket is watched by an ordered consumer (nats.go
// recreates it after a gap or a reconnect, from the last sequence it delivered), so every node
// applies one bucket's changes in the bucket's stream order, which is the same on all nodes.
// One goroutine multiplexes the four watches and calls h. Safe for concurrent use.
func (d *Directory) Watch(ctx context.Context, h func(cluster.Change)) error {
	kinds := []cluster.ChangeKind{cluster.ChangeNick, cluster.ChangeUser, cluster.ChangeChannel, cluster.ChangeMember}
	kvs := []jetstream.KeyValue{d.nicks, d.users, d.channels, d.members}
	ctx, cancel := context.WithCancel(ctx)
	watchers := make([]jetstream.KeyWatcher, 0, len(kvs))
	for _, kv := range kvs {
		w, err := kv.WatchAll(ctx)
		if err != nil {
			cancel()
			return mapErr(err, cluster.ErrExists, "watch "+kv.Bucket())
		}
		watchers = append(watchers, w)
	}
	go d.watchLoop(ctx, cancel, kinds, watchers, h)
	return nil
}

// watchLoop selects over the watchers' channels: within one channel the order is kept.
func (d *Directory) watchLoop(ctx context.Context, cancel context.CancelFunc, kinds []cluster.ChangeKind, ws []jetstream.KeyWatcher, h func(cluster.Change)) {
	defer cancel()
	cases := make([]reflect.SelectCase, len(ws)+1)
	for i, w := range ws {
		cases[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(w.Updates())}
	}
	cases[len(ws)] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}
	pending, open := len(ws), len(ws) // buckets whose snapshot is not complete; watches still open
	for open > 0 {
		i, v, ok := reflect.Select(cases)
		if i == len(ws) {
			return
		}
		if !ok {
			cases[i].Chan = reflect.Value{} // closed: a nil channel is never selected
			open--
			continue
		}
		e, _ := v.Interface().(jetstream.KeyValueEntry)
		if e == nil {
			if pending--; pending == 0 {
				h(cluster.Change{Kind: cluster.ChangeSnapshot})
			}
			continue
		}
		c, err := toChange(kinds[i], e)
		if err != nil {
			d.log.Warn("skipping an unreadable directory record", "bucket", e.Bucket(), "key", e.Key(), "err", err)
			continue
		}
		h(c)
	}
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
