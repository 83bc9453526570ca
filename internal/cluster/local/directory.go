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

// Directory is one node's view of a State: a cluster.Directory for a single node, or for each of
// several nodes a test runs in one process. It also serves the heartbeat's node bucket. A view
// can be cut off (SetReachable(false)) to stand for a partitioned node: its writes fail with
// ErrUnavailable and its watches stall until it heals. Safe for concurrent use.
type Directory struct {
	st        *State
	reachable bool // guarded by st.mu
}

var (
	_ cluster.Directory = (*Directory)(nil)
	_ heartbeat.Store   = (*Directory)(nil)
)

// Directory returns a new view of s.
func (s *State) Directory() *Directory { return &Directory{st: s, reachable: true} }

// SetReachable cuts the view off from the others (false) or heals it (true). Safe for concurrent
// use.
func (d *Directory) SetReachable(ok bool) { d.st.setReachable(d, ok) }

// memberKey joins a membership's two key parts; NUL appears in neither.
func memberKey(channel, client string) string { return channel + "\x00" + client }

// ClaimNick implements cluster.Directory. Safe for concurrent use.
func (d *Directory) ClaimNick(_ context.Context, nick string, owner cluster.Owner) error {
	rec := cluster.NickRecord{V: cluster.RecordVersion, Nick: nick, Owner: owner}
	_, err := d.st.write(d, bucketNicks, nick, rec, func(cur entry, ok bool) error {
		if ok && cur.value.(cluster.NickRecord).Owner != owner {
			return fmt.Errorf("%w: %s", cluster.ErrTaken, nick)
		}
		if ok {
			return errSame
		}
		return nil
	})
	if err == errSame {
		return nil
	}
	return err
}

// errSame vetoes a write that would change nothing.
var errSame = fmt.Errorf("unchanged")

// ReleaseNick implements cluster.Directory. Safe for concurrent use.
func (d *Directory) ReleaseNick(_ context.Context, nick string, owner cluster.Owner) error {
	_, err := d.st.write(d, bucketNicks, nick, nil, func(cur entry, ok bool) error {
		if ok && cur.value.(cluster.NickRecord).Owner != owner {
			return errSame
		}
		return nil
	})
	if err == errSame {
		return nil
	}
	return err
}

// PutUser implements cluster.Directory. Safe for concurrent use.
func (d *Directory) PutUser(_ context.Context, u cluster.UserRecord) error {
	u.V = cluster.RecordVersion
	_, err := d.st.write(d, bucketUsers, string(u.ID), u, nil)
	return err
}

// DeleteUser implements cluster.Directory. Safe for concurrent use.
func (d *Directory) DeleteUser(_ context.Context, id string) error {
	_, err := d.st.write(d, bucketUsers, id, nil, nil)
	return err
}

// CreateChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) CreateChannel(_ context.Context, rec *cluster.ChannelRecord) error {
	c := *rec
	c.V, c.Revision = cluster.RecordVersion, 0
	rev, err := d.st.write(d, bucketChannels, c.Key, c, func(_ entry, ok bool) error {
		if ok {
			return fmt.Errorf("%w: channel %s", cluster.ErrExists, c.Key)
		}
		return nil
	})
	if err == nil {
		rec.Revision = rev
	}
	return err
}

// casCond checks a compare-and-swap against the current entry.
func casCond(what string, want uint64) func(entry, bool) error {
	return func(cur entry, ok bool) error {
		switch {
		case !ok:
			return fmt.Errorf("%w: %s was deleted", cluster.ErrConflict, what)
		case cur.rev != want:
			return fmt.Errorf("%w: %s at revision %d, not %d", cluster.ErrConflict, what, cur.rev, want)
		}
		return nil
	}
}

// UpdateChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) UpdateChannel(_ context.Context, rec *cluster.ChannelRecord) error {
	if rec.Revision == 0 {
		return fmt.Errorf("%w: channel %s: update without a revision", cluster.ErrConflict, rec.Key)
	}
	c := *rec
	c.V, c.Revision = cluster.RecordVersion, 0
	rev, err := d.st.write(d, bucketChannels, c.Key, c, casCond("channel "+c.Key, rec.Revision))
	if err == nil {
		rec.Revision = rev
	}
	return err
}

// GetChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) GetChannel(_ context.Context, key string) (cluster.ChannelRecord, error) {
	e, ok, err := d.st.get(d, bucketChannels, key)
	if err != nil {
		return cluster.ChannelRecord{}, err
	}
	if !ok {
		return cluster.ChannelRecord{}, fmt.Errorf("%w: channel %s", cluster.ErrNotFound, key)
	}
	c := e.value.(cluster.ChannelRecord)
	c.Revision = e.rev
	return c, nil
}

// DeleteChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) DeleteChannel(_ context.Context, key string, revision uint64) error {
	_, err := d.st.write(d, bucketChannels, key, nil, func(cur entry, ok bool) error {
		if ok && revision != 0 && cur.rev != revision {
			return fmt.Errorf("%w: channel %s at revision %d, not %d", cluster.ErrConflict, key, cur.rev, revision)
		}
		return nil
	})
	return err
}

// AddMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) AddMember(_ context.Context, m *cluster.MemberRecord) error {
	c := *m
	c.V, c.Revision = cluster.RecordVersion, 0
	rev, err := d.st.write(d, bucketMembers, memberKey(c.Channel, string(c.Client)), c, func(_ entry, ok bool) error {
		if ok {
			return fmt.Errorf("%w: %s in %s", cluster.ErrExists, c.Client, c.Channel)
		}
		return nil
	})
	if err == nil {
		m.Revision = rev
	}
	return err
}

// UpdateMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) UpdateMember(_ context.Context, m *cluster.MemberRecord) error {
	if m.Revision == 0 {
		return fmt.Errorf("%w: member update without a revision", cluster.ErrConflict)
	}
	c := *m
	c.V, c.Revision = cluster.RecordVersion, 0
	what := string(c.Client) + " in " + c.Channel
	rev, err := d.st.write(d, bucketMembers, memberKey(c.Channel, string(c.Client)), c, casCond(what, m.Revision))
	if err == nil {
		m.Revision = rev
	}
	return err
}

// RemoveMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) RemoveMember(_ context.Context, channel, client string) error {
	_, err := d.st.write(d, bucketMembers, memberKey(channel, client), nil, nil)
	return err
}

// Watch implements cluster.Directory. Safe for concurrent use.
func (d *Directory) Watch(ctx context.Context, h func(cluster.Change)) error {
	buckets := []bucketID{bucketNicks, bucketUsers, bucketChannels, bucketMembers}
	d.st.watch(ctx, d, buckets, func(c change) { h(toChange(c)) })
	return nil
}

// toChange turns a stored change into the Directory's form.
func toChange(c change) cluster.Change {
	out := cluster.Change{Revision: c.rev, Deleted: c.value == nil}
	switch c.bucket {
	case bucketNicks:
		out.Kind = cluster.ChangeNick
		r, _ := c.value.(cluster.NickRecord)
		r.Nick = c.key
		out.Nick = &r
	case bucketUsers:
		out.Kind = cluster.ChangeUser
		r, _ := c.value.(cluster.UserRecord)
		r.ID = model.ClientID(c.key)
		out.User = &r
	case bucketChannels:
		out.Kind = cluster.ChangeChannel
		r, _ := c.value.(cluster.ChannelRecord)
		r.Key, r.Revision = c.key, c.rev
		out.Channel = &r
	case bucketMembers:
		out.Kind = cluster.ChangeMember
		r, _ := c.value.(cluster.MemberRecord)
		ch, cl, _ := strings.Cut(c.key, "\x00")
		r.Channel, r.Client, r.Revision = ch, model.ClientID(cl), c.rev
		out.Member = &r
	default:
		out = cluster.Change{Kind: cluster.ChangeSnapshot}
	}
	return out
}

// lostKey is the node bucket key of a lost marker.
func lostKey(node model.NodeID, inc uint64) string {
	return "lost\x00" + string(node) + "\x00" + strconv.FormatUint(inc, 10)
}
