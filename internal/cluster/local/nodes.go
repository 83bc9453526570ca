package local

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

// NewLiveness returns the Liveness of node on the view d. Call Start on it.
func NewLiveness(d *Directory, node model.NodeID, opt heartbeat.Options) *heartbeat.Liveness {
	return heartbeat.New(d, node, opt)
}

// PutNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) PutNode(_ context.Context, rec cluster.NodeRecord) (uint64, error) {
	rec.V, rec.Revision = cluster.RecordVersion, 0
	return d.st.write(d, bucketNodes, string(rec.Node), rec, nil)
}

// GetNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) GetNode(_ context.Context, node model.NodeID) (cluster.NodeRecord, error) {
	e, ok, err := d.st.get(d, bucketNodes, string(node))
	if err != nil {
		return cluster.NodeRecord{}, err
	}
	if !ok {
		return cluster.NodeRecord{}, fmt.Errorf("%w: node %s", cluster.ErrNotFound, node)
	}
	rec := e.value.(cluster.NodeRecord)
	rec.Revision = e.rev
	return rec, nil
}

// DeleteNode implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) DeleteNode(_ context.Context, node model.NodeID, revision uint64) error {
	_, err := d.st.write(d, bucketNodes, string(node), nil, func(cur entry, ok bool) error {
		if ok && revision != 0 && cur.rev != revision {
			return fmt.Errorf("%w: node %s", cluster.ErrConflict, node)
		}
		return nil
	})
	return err
}

// ClaimLost implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) ClaimLost(_ context.Context, node model.NodeID, inc uint64) (bool, error) {
	_, err := d.st.write(d, bucketNodes, lostKey(node, inc), lostMarker{}, func(_ entry, ok bool) error {
		if ok {
			return errSame
		}
		return nil
	})
	if err == errSame {
		return false, nil
	}
	return err == nil, err
}

// WatchNodes implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) WatchNodes(ctx context.Context, h func(heartbeat.NodeEvent)) error {
	d.st.watch(ctx, d, []bucketID{bucketNodes}, func(c change) {
		if c.bucket != bucketNodes {
			return // the snapshot marker: the heartbeat does not need it
		}
		if rest, ok := strings.CutPrefix(c.key, "lost\x00"); ok {
			node, inc, _ := strings.Cut(rest, "\x00")
			n, _ := strconv.ParseUint(inc, 10, 64)
			if c.value != nil {
				h(heartbeat.NodeEvent{Lost: true, Node: cluster.NodeRecord{Node: model.NodeID(node), Incarnation: n}})
			}
			return
		}
		if c.value == nil {
			h(heartbeat.NodeEvent{Deleted: true, Node: cluster.NodeRecord{Node: model.NodeID(c.key)}})
			return
		}
		rec := c.value.(cluster.NodeRecord)
		rec.Revision = c.rev
		h(heartbeat.NodeEvent{Node: rec})
	})
	return nil
}

// Sweep implements heartbeat.Store. Safe for concurrent use.
func (d *Directory) Sweep(_ context.Context, node model.NodeID, match func(uint64) bool) error {
	for _, b := range []bucketID{bucketMembers, bucketUsers, bucketNicks} {
		entries, err := d.st.scan(d, b)
		if err != nil {
			return err
		}
		for k, e := range entries {
			n, inc := ownerOf(e.value)
			if n != node || !match(inc) {
				continue
			}
			_, err := d.st.write(d, b, k, nil, func(cur entry, ok bool) error {
				if !ok || cur.rev != e.rev {
					return errSame // rewritten meanwhile: not ours to delete
				}
				return nil
			})
			if err != nil && err != errSame {
				return err
			}
		}
	}
	return nil
}

// ownerOf returns the node and incarnation a record belongs to.
func ownerOf(v any) (model.NodeID, uint64) {
	switch r := v.(type) {
	case cluster.NickRecord:
		return r.Owner.Node, r.Owner.Incarnation
	case cluster.UserRecord:
		return r.Node, r.Incarnation
	case cluster.MemberRecord:
		return r.Node, r.Incarnation
	}
	return "", 0
}
