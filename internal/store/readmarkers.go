package store

import (
	"context"
	"time"
)

// ReadMarkers stores, per account and target (channel or nick), the time of the last message the
// user has read (IRCv3 read-marker, draft/read-marker). Safe for concurrent use.
type ReadMarkers interface {
	// SetReadMarker moves the marker forward to t and returns the stored time: a t older than
	// the stored one changes nothing, so clients on several devices cannot move it back.
	SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error)
	// ReadMarker returns the stored time, or ErrNotFound.
	ReadMarker(ctx context.Context, account, target string) (time.Time, error)
}
