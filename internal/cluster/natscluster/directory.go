package natscluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Directory is the cluster.Directory on JetStream KV. Every write is one JetStream request (one
// round trip to the bucket's stream leader, which replicates before answering), except
// ReleaseNick, which reads the claim first. Safe for concurrent use.
type Directory struct {
	node    model.NodeID
	timeout time.Duration
	log     *slog.Logger

	nicks, users, channels, members, nodes jetstream.KeyValue
}

var _ cluster.Directory = (*Directory)(nil)

// opCtx applies the directory's timeout to a context without a deadline.
func (d *Directory) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d.timeout)
}

// mapErr turns KV errors into the cluster's. A revision mismatch matches both
// ErrKeyRevisionMismatch and ErrKeyExists, so order matters. A bare wrong-last-sequence comes
// from a Create racing another over a deleted key's marker, where it means "exists". Everything
// else (closed connection, no responders, timeouts, no quorum) is ErrUnavailable: the node
// cannot tell what happened and must not invent state.
func mapErr(err error, exists error, what string) error {
	var apiErr *jetstream.APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return fmt.Errorf("%w: %s", cluster.ErrNotFound, what)
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return fmt.Errorf("%w: %s", cluster.ErrConflict, what)
	case errors.Is(err, jetstream.ErrKeyExists):
		return fmt.Errorf("%w: %s", exists, what)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant):
		return fmt.Errorf("%w: %s", exists, what)
	}
	return fmt.Errorf("%w: %s: %v", cluster.ErrUnavailable, what, err)
}

// ClaimNick implements cluster.Directory: one Create; a second read only when it fails.
func (d *Directory) ClaimNick(ctx context.Context, nick string, owner cluster.Owner) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	key := encodeKey(nick)
	val, err := json.Marshal(cluster.NickRecord{V: cluster.RecordVersion, Owner: owner})
	if err != nil {
		return err
	}
	// A claim may vanish between a failed Create and the read (its owner quit): try again then.
	for range 3 {
		_, err = d.nicks.Create(ctx, key, val)
		err = mapErr(err, cluster.ErrTaken, "nick "+nick)
		if !errors.Is(err, cluster.ErrTaken) {
			return err
		}
		cur, _, gerr := d.getNick(ctx, key)
		switch {
		case errors.Is(gerr, cluster.ErrNotFound):
			continue
		case gerr != nil:
			return gerr
		case cur.Owner == owner:
			return nil // ours already: a case-only change, or a retry after a lost answer
		}
		return err
	}
	return err
}

func (d *Directory) getNick(ctx context.Context, key string) (cluster.NickRecord, uint64, error) {
	var rec cluster.NickRecord
	e, err := d.nicks.Get(ctx, key)
	if err != nil {
		return rec, 0, mapErr(err, cluster.ErrExists, "nick "+key)
	}
	if err := decode(e.Value(), &rec); err != nil {
		return rec, 0, err
	}
	return rec, e.Revision(), nil
}

// ReleaseNick implements cluster.Directory: a read, and a delete conditional on that read's
// revision, so the release never frees a claim someone else made meanwhile.
func (d *Directory) ReleaseNick(ctx context.Context, nick string, owner cluster.Owner) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	key := encodeKey(nick)
	cur, rev, err := d.getNick(ctx, key)
	if errors.Is(err, cluster.ErrNotFound) {
		return nil
	}
	if err != nil || cur.Owner != owner {
		return err
	}
	err = mapErr(d.nicks.Delete(ctx, key, jetstream.LastRevision(rev)), cluster.ErrConflict, "nick "+nick)
	if errors.Is(err, cluster.ErrConflict) {
		return nil // changed hands after our read: no longer ours to release
	}
	return err
}

// PutUser implements cluster.Directory. Safe for concurrent use.
func (d *Directory) PutUser(ctx context.Context, u cluster.UserRecord) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	u.V = cluster.RecordVersion
	val, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = d.users.Put(ctx, encodeKey(string(u.ID)), val)
	return mapErr(err, cluster.ErrExists, "user "+string(u.ID))
}

// DeleteUser implements cluster.Directory. Safe for concurrent use.
func (d *Directory) DeleteUser(ctx context.Context, id string) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	return mapErr(d.users.Delete(ctx, encodeKey(id)), cluster.ErrExists, "user "+id)
}

// CreateChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) CreateChannel(ctx context.Context, rec *cluster.ChannelRecord) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	c := *rec
	c.V = cluster.RecordVersion
	val, err := json.Marshal(c)
	if err != nil {
		return err
	}
	rev, err := d.channels.Create(ctx, encodeKey(c.Key), val)
	if err = mapErr(err, cluster.ErrExists, "channel "+c.Key); err == nil {
		rec.Revision = rev
	}
	return err
}

// UpdateChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) UpdateChannel(ctx context.Context, rec *cluster.ChannelRecord) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	c := *rec
	c.V = cluster.RecordVersion
	val, err := json.Marshal(c)
	if err != nil {
		return err
	}
	rev, err := d.channels.Update(ctx, encodeKey(c.Key), val, rec.Revision)
	if err = mapErr(err, cluster.ErrConflict, "channel "+c.Key); err == nil {
		rec.Revision = rev
	}
	return err
}

// GetChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) GetChannel(ctx context.Context, key string) (cluster.ChannelRecord, error) {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	var rec cluster.ChannelRecord
	e, err := d.channels.Get(ctx, encodeKey(key))
	if err != nil {
		return rec, mapErr(err, cluster.ErrExists, "channel "+key)
	}
	if err := decode(e.Value(), &rec); err != nil {
		return rec, err
	}
	rec.Key, rec.Revision = key, e.Revision()
	return rec, nil
}

// DeleteChannel implements cluster.Directory. Safe for concurrent use.
func (d *Directory) DeleteChannel(ctx context.Context, key string, revision uint64) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	var opts []jetstream.KVDeleteOpt
	if revision != 0 {
		opts = append(opts, jetstream.LastRevision(revision))
	}
	return mapErr(d.channels.Delete(ctx, encodeKey(key), opts...), cluster.ErrConflict, "channel "+key)
}

// AddMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) AddMember(ctx context.Context, m *cluster.MemberRecord) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	c := *m
	c.V = cluster.RecordVersion
	val, err := json.Marshal(c)
	if err != nil {
		return err
	}
	rev, err := d.members.Create(ctx, memberKey(c.Channel, string(c.Client)), val)
	if err = mapErr(err, cluster.ErrExists, "member "+string(c.Client)+" of "+c.Channel); err == nil {
		m.Revision = rev
	}
	return err
}

// UpdateMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) UpdateMember(ctx context.Context, m *cluster.MemberRecord) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	c := *m
	c.V = cluster.RecordVersion
	val, err := json.Marshal(c)
	if err != nil {
		return err
	}
	rev, err := d.members.Update(ctx, memberKey(c.Channel, string(c.Client)), val, m.Revision)
	if err = mapErr(err, cluster.ErrConflict, "member "+string(c.Client)+" of "+c.Channel); err == nil {
		m.Revision = rev
	}
	return err
}

// RemoveMember implements cluster.Directory. Safe for concurrent use.
func (d *Directory) RemoveMember(ctx context.Context, channel, client string) error {
	ctx, cancel := d.opCtx(ctx)
	defer cancel()
	return mapErr(d.members.Delete(ctx, memberKey(channel, client)), cluster.ErrExists, "member "+client+" of "+channel)
}

// errNewer is returned for a record written by a newer parley than this one.
var errNewer = errors.New("natscluster: record has a newer version than this node reads")

// decode reads a versioned record.
func decode(data []byte, v any) error {
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("natscluster: bad record: %w", err)
	}
	if head.V > cluster.RecordVersion {
		return errNewer
	}
	return json.Unmarshal(data, v)
}
