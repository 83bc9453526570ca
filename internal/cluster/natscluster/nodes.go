package natscluster

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

var _ heartbeat.Store = (*Directory)(nil)

// PutNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) PutNode(ctx context.Context, rec cluster.NodeRecord) (uint64, error) {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	rec.V = cluster.RecordVersion
	val, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	rev, err := d.nodes.Put(ctx, encodeKey(string(rec.Node)), val)
	return rev, mapErr(err, cluster.ErrExists, "heartbeat of "+string(rec.Node))
}

// GetNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) GetNode(ctx context.Context, node model.NodeID) (cluster.NodeRecord, error) {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	var rec cluster.NodeRecord
	e, err := d.nodes.Get(ctx, encodeKey(string(node)))
	if err != nil {
		return rec, mapErr(err, cluster.ErrExists, "heartbeat of "+string(node))
	}
	if err := decode(e.Value(), &rec); err != nil {
		return rec, err
	}
	rec.Revision = e.Revision()
	return rec, nil
}

// DeleteNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) DeleteNode(ctx context.Context, node model.NodeID, revision uint64) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	var opts []jetstream.KVDeleteOpt
	if revision != 0 {
		opts = append(opts, jetstream.LastRevision(revision))
	}
	return mapErr(d.nodes.Delete(ctx, encodeKey(string(node)), opts...), cluster.ErrConflict, "heartbeat of "+string(node))
}

// ClaimLost implements heartbeat.Store: one Create, which exactly one survivor wins.
func (d *Directory) ClaimLost(ctx context.Context, node model.NodeID, inc uint64) (bool, error) {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	_, err := d.nodes.Create(ctx, lostKey(string(node), inc), []byte(`{"v":1,"by":"`+encodeKey(string(d.node))+`"}`))
	err = mapErr(err, cluster.ErrExists, "lost marker of "+string(node))
	if errors.Is(err, cluster.ErrExists) {
		return false, nil
	}
	return err == nil, err
}

// WatchNodes implements heartbeat.Store, kept alive like Watch. Safe for concurrent use.
func (d *Directory) WatchNodes(ctx context.Context, h func(heartbeat.NodeEvent)) error {
	w, err := d.nodes.WatchAll(ctx)
	if err != nil {
		return mapErr(err, cluster.ErrExists, "watch "+BucketNodes)
	}
	go d.follow(ctx, d.nodes, w, func(e jetstream.KeyValueEntry) {
		if e == nil {
			return
		}
		if ev, ok := d.nodeEvent(e); ok {
			h(ev)
		}
	})
	return nil
}

// nodeEvent decodes one entry of the node bucket.
func (d *Directory) nodeEvent(e jetstream.KeyValueEntry) (heartbeat.NodeEvent, bool) {
	deleted := e.Operation() != jetstream.KeyValuePut
	if strings.HasPrefix(e.Key(), lostPrefix) {
		node, inc, err := parseLostKey(e.Key())
		if err != nil || deleted { // an expired marker changes nothing
			return heartbeat.NodeEvent{}, false
		}
		return heartbeat.NodeEvent{Lost: true, Node: cluster.NodeRecord{Node: model.NodeID(node), Incarnation: inc}}, true
	}
	node, err := decodeKey(e.Key())
	if err != nil {
		return heartbeat.NodeEvent{}, false
	}
	if deleted {
		return heartbeat.NodeEvent{Deleted: true, Node: cluster.NodeRecord{Node: model.NodeID(node)}}, true
	}
	var rec cluster.NodeRecord
	if err := decode(e.Value(), &rec); err != nil {
		d.log.Warn("skipping an unreadable heartbeat", "key", e.Key(), "err", err)
		return heartbeat.NodeEvent{}, false
	}
	rec.Node, rec.Revision = model.NodeID(node), e.Revision()
	return heartbeat.NodeEvent{Node: rec}, true
}

// ownerFields reads just the owner of a nick, user or member record.
type ownerFields struct {
	Node  model.NodeID `json:"node"`
	Inc   uint64       `json:"inc"`
	Owner *struct {
		Node model.NodeID `json:"n"`
		Inc  uint64       `json:"i"`
	} `json:"o"`
}

// sweepWorkers bounds the deletes a sweep keeps in flight: a lost node with thousands of users is
// cleaned in a few round trips' time, without flooding the stream leader.
const sweepWorkers = 32

// Sweep implements heartbeat.Store: it lists the memberships, users and nicks (in that order, so
// a nick is freed last) and deletes the node's matching ones, each conditional on the revision it
// was listed at. Safe for concurrent use.
func (d *Directory) Sweep(ctx context.Context, node model.NodeID, match func(uint64) bool) error {
	for _, kv := range []jetstream.KeyValue{d.members, d.users, d.nicks} {
		list, err := entries(ctx, kv)
		if err != nil {
			return mapErr(err, cluster.ErrExists, "sweep "+kv.Bucket())
		}
		var doomed []jetstream.KeyValueEntry
		for _, e := range list {
			var o ownerFields
			if json.Unmarshal(e.Value(), &o) != nil {
				continue
			}
			if o.Owner != nil {
				o.Node, o.Inc = o.Owner.Node, o.Owner.Inc
			}
			if o.Node == node && match(o.Inc) {
				doomed = append(doomed, e)
			}
		}
		if err := deleteAll(ctx, kv, doomed); err != nil {
			return err
		}
	}
	return nil
}

// deleteAll deletes entries, each only at the revision it was read at, sweepWorkers at a time.
func deleteAll(ctx context.Context, kv jetstream.KeyValue, list []jetstream.KeyValueEntry) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan jetstream.KeyValueEntry)
	)
	for range min(sweepWorkers, len(list)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range next {
				err := mapErr(kv.Delete(ctx, e.Key(), jetstream.LastRevision(e.Revision())), cluster.ErrConflict, e.Key())
				if err != nil && !errors.Is(err, cluster.ErrConflict) { // rewritten meanwhile: keep it
					mu.Lock()
					first = cmpFirst(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, e := range list {
		next <- e
	}
	close(next)
	wg.Wait()
	return first
}

func cmpFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
