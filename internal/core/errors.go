package core

import "fmt"

// Code classifies a refused operation. Doors map codes to their own replies (IRC numerics, HTTP
// statuses); the set mirrors the conditions RFC 2812 distinguishes.
type Code int

// The refusal codes.
const (
	ErrNoSuchNick Code = iota + 1
	ErrNoSuchChannel
	ErrCannotSendToChan
	ErrTooManyChannels
	ErrWasNoSuchNick
	ErrNoRecipient
	ErrNoTextToSend
	ErrErroneousNick
	ErrNicknameInUse
	ErrUserNotInChannel
	ErrNotOnChannel
	ErrUserOnChannel
	ErrNeedMoreParams
	ErrKeySet
	ErrChannelIsFull
	ErrUnknownMode
	ErrInviteOnlyChan
	ErrBannedFromChan
	ErrBadChannelKey
	ErrBadChanMask
	ErrNoPrivileges
	ErrChanOpPrivsNeeded
	ErrUsersDontMatch
	ErrUModeUnknownFlag
	ErrBanListFull
	ErrInvalidModeParam
	ErrAlreadyRegistered
	ErrTooManyTargets
	ErrNeedReggedNick // the channel is +R and the user is not logged in (477)
)

// Error is a refused operation: what was refused (Code), about which nick, channel or mode (Target),
// and an optional human detail.
type Error struct {
	Code   Code
	Target string
	Detail string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("core error %d (%s): %s", e.Code, e.Target, e.Detail)
	}
	return fmt.Sprintf("core error %d (%s)", e.Code, e.Target)
}

func refuse(code Code, target string) *Error { return &Error{Code: code, Target: target} }
