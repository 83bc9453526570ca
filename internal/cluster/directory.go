package cluster

import (
	"context"
	"errors"
)

// Errors of the Directory. Implementations wrap them, so test with errors.Is.
var (
	// ErrTaken: the nick is claimed by another owner.
	ErrTaken = errors.New("cluster: nick taken")
	// ErrExists: the channel or membership exists already.
	ErrExists = errors.New("cluster: already exists")
	// ErrConflict: a compare-and-swap lost against a concurrent change; re-read and retry.
	ErrConflict = errors.New("cluster: revision conflict")
	// ErrNotFound: the record does not exist (or was deleted).
	ErrNotFound = errors.New("cluster: not found")
	// ErrUnavailable: the directory cannot be reached or has no quorum (a partitioned node, a
	// stopped server). The write may or may not have been applied; refuse the operation rather than
	// invent state.
	ErrUnavailable = errors.New("cluster: directory unavailable")
)

// Directory is the network-wide state that nodes must agree on: who holds which nick, which users
// exist, which channels exist with which modes, and who is in which channel. Writes go to the
// shared store; reads come from each node's replica, fed by Watch, so the interface has almost no
// getters. Keys are case-folded names (the network's casemapping), passed as they are: encoding
// them for the store is the implementation's business.
//
// Every method is safe for concurrent use. Methods taking a context give up with its error when it
// ends; an implementation applies its own timeout when the context has none.
type Directory interface {
	// ClaimNick makes owner the holder of the folded nick, or fails with ErrTaken when another
	// owner holds it. Claiming a nick one already holds succeeds (a case-only nick change).
	ClaimNick(ctx context.Context, nick string, owner Owner) error
	// ReleaseNick frees the nick if owner still holds it; releasing a nick held by someone else,
	// or by nobody, is a no-op, so a late release never frees another user's claim.
	ReleaseNick(ctx context.Context, nick string, owner Owner) error

	// PutUser writes a user's record (registration, AWAY, SETNAME, umodes...); a user's record is
	// written only by the node the user is on, so it is a plain write.
	PutUser(ctx context.Context, u UserRecord) error
	// DeleteUser removes a user's record (QUIT). Deleting a missing user is a no-op.
	DeleteUser(ctx context.Context, id string) error

	// CreateChannel creates the channel, or fails with ErrExists: exactly one creator wins, and
	// that one becomes its founder. On success rec.Revision is set.
	CreateChannel(ctx context.Context, rec *ChannelRecord) error
	// UpdateChannel replaces the channel's record if its revision is still rec.Revision (mode,
	// topic and ban changes), else fails with ErrConflict; after a conflict GetChannel tells
	// whether it changed or was deleted. On success rec.Revision is set to the new revision.
	UpdateChannel(ctx context.Context, rec *ChannelRecord) error
	// GetChannel reads the channel's current record from the store, for retrying after a conflict
	// when the replica may lag behind.
	GetChannel(ctx context.Context, key string) (ChannelRecord, error)
	// DeleteChannel removes the channel if its revision is still revision (0: whatever it is),
	// else fails with ErrConflict.
	DeleteChannel(ctx context.Context, key string, revision uint64) error

	// AddMember records a membership, or fails with ErrExists. On success m.Revision is set.
	AddMember(ctx context.Context, m *MemberRecord) error
	// UpdateMember replaces a membership (ranks) if its revision is still m.Revision, else fails
	// with ErrConflict (also when it was removed: a PART wins over a rank change). On success
	// m.Revision is set.
	UpdateMember(ctx context.Context, m *MemberRecord) error
	// RemoveMember deletes a membership (PART, KICK). Removing a missing one is a no-op.
	RemoveMember(ctx context.Context, channel, client string) error

	// Watch calls h with every change to the directory (nicks, users, channels, memberships):
	// first the current records of every bucket,
	// then one Change of kind ChangeSnapshot once all of them are delivered (the replica is
	// complete), then every change as it happens. Changes of one bucket arrive in the one order that
	// every node sees; changes of different buckets are not ordered with each other. h is called
	// from one goroutine, never concurrently, and must not block for long: it holds up the watch.
	// Watch returns once the watch runs; it ends when ctx ends.
	Watch(ctx context.Context, h func(Change)) error
}

// ChangeKind says which bucket a Change comes from.
type ChangeKind uint8

// The change kinds.
const (
	ChangeNick ChangeKind = iota + 1
	ChangeUser
	ChangeChannel
	ChangeMember
	// ChangeSnapshot marks the end of the initial records: the replica is complete.
	ChangeSnapshot
)

var changeKindNames = [...]string{
	ChangeNick: "nick", ChangeUser: "user", ChangeChannel: "channel", ChangeMember: "member",
	ChangeSnapshot: "snapshot",
}

// String returns the kind's name.
func (k ChangeKind) String() string {
	if int(k) < len(changeKindNames) && changeKindNames[k] != "" {
		return changeKindNames[k]
	}
	return "unknown"
}

// Change is one change to the directory. Exactly one record pointer is set, matching Kind (none
// for ChangeSnapshot). For a deletion (Deleted) the record holds only its key fields: Nick.Nick,
// User.ID, Channel.Key, Member.Channel and Member.Client. Node heartbeats are not
// directory changes: Liveness reports on nodes.
type Change struct {
	Kind     ChangeKind
	Deleted  bool
	Revision uint64 // position in the bucket's order: increases with every change of the bucket

	Nick    *NickRecord
	User    *UserRecord
	Channel *ChannelRecord
	Member  *MemberRecord
}
