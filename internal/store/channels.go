package store

import (
	"context"
	"time"
)

// Channel access levels in ChannelReg.Access.
const (
	AccessFounder = "founder"
	AccessOp      = "op"
	AccessVoice   = "voice"
)

// ChannelReg is a registered channel: what survives the channel emptying or the network
// restarting.
type ChannelReg struct {
	Name       string // display form; the key is the folded name
	Founder    string // account name
	Created    time.Time
	Topic      string
	TopicBy    string
	TopicAt    time.Time
	TopicLock  bool
	Modes      string // simple modes to restore, e.g. "nt"
	Key        string
	Limit      int
	Access     map[string]string // folded account name -> AccessFounder | AccessOp | AccessVoice
	HistoryOff bool
	Revision   uint64 // set by the store; UpdateChannel succeeds only if it is still current
}

// ChannelRegs stores channel registrations. Safe for concurrent use.
type ChannelRegs interface {
	// RegisterChannel stores a new registration; ErrExists when the folded name is taken.
	RegisterChannel(ctx context.Context, c ChannelReg) error
	// Channel returns the registration, or ErrNotFound.
	Channel(ctx context.Context, name string) (ChannelReg, error)
	// UpdateChannel replaces the registration if c.Revision is current (ErrConflict otherwise)
	// and returns it with its new revision; ErrNotFound if it was dropped.
	UpdateChannel(ctx context.Context, c ChannelReg) (ChannelReg, error)
	// DropChannel removes the registration; ErrNotFound if there is none.
	DropChannel(ctx context.Context, name string) error
	// ListChannels returns every registration, in no particular order.
	ListChannels(ctx context.Context) ([]ChannelReg, error)
}
