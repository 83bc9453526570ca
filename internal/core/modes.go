package core

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// ModeChange is one mode letter being set or unset, with its argument when it takes one.
type ModeChange struct {
	Add  bool
	Mode byte
	Arg  string
}

// ChanModesISupport is the CHANMODES token: list modes, always-parameter, set-parameter, flags.
const ChanModesISupport = "beI,k,l,CMRimnst"

// MaxModesPerCommand is ISUPPORT MODES: how many parameter modes one MODE command may carry.
const MaxModesPerCommand = 6

type modeClass int

const (
	classUnknown modeClass = iota
	classList              // b: parameter both ways, no parameter = list query
	classAlways            // k: parameter both ways (accepted without one on unset)
	classSet               // l: parameter only when set
	classFlag              // imnst
	classPrefix            // qaohv: a nick both ways
)

func classify(c byte) modeClass {
	switch c {
	case 'b', 'e', 'I':
		return classList
	case 'k':
		return classAlways
	case 'l':
		return classSet
	case 'i', 'm', 'n', 's', 't', 'C', 'M', 'R':
		return classFlag
	}
	if model.PrefixForMode(c) != 0 {
		return classPrefix
	}
	return classUnknown
}

// ParsedModes is a MODE command's changes, its list queries and the letters it did not know.
type ParsedModes struct {
	Changes []ModeChange
	Lists   []byte // list modes asked for without a parameter (e.g. "MODE #c b")
	Unknown []byte
}

// ParseChannelModes splits "+o-v+l" and its arguments into changes. Arguments beyond the ones the
// modes need are ignored; a mode missing its argument is dropped (RFC 2812 servers do the same), and
// at most MaxModesPerCommand parameter modes are taken.
func ParseChannelModes(modes string, args []string) ParsedModes {
	var p ParsedModes
	add := true
	withParam := 0
	next := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		a := args[0]
		args = args[1:]
		return a, true
	}
	for i := 0; i < len(modes); i++ {
		c := modes[i]
		switch c {
		case '+':
			add = true
			continue
		case '-':
			add = false
			continue
		}
		cls := classify(c)
		ch := ModeChange{Add: add, Mode: c}
		switch cls {
		case classUnknown:
			p.Unknown = append(p.Unknown, c)
			continue
		case classFlag:
			p.Changes = append(p.Changes, ch)
			continue
		case classSet:
			if !add {
				p.Changes = append(p.Changes, ch)
				continue
			}
		}
		arg, ok := next()
		if !ok || arg == "" {
			switch {
			case cls == classList:
				p.Lists = append(p.Lists, c)
			case cls == classAlways && !add:
				p.Changes = append(p.Changes, ModeChange{Add: false, Mode: c, Arg: "*"})
			}
			continue
		}
		if withParam >= MaxModesPerCommand {
			continue
		}
		withParam++
		ch.Arg = arg
		p.Changes = append(p.Changes, ch)
	}
	return p
}

// ApplyChannelModes applies the changes u asked for. It returns the changes that took effect, in
// order and without no-ops, together with one error per refused change, and delivers one MODE event
// to the other members. The event is nil when nothing changed. Safe for concurrent use.
func (n *Network) ApplyChannelModes(u *User, name string, changes []ModeChange) ([]ModeChange, *model.Event, []error) {
	applied, ev, errs := n.applyChannelModes(u, name, changes)
	if ev != nil && n.cl != nil {
		// The directory first, the bus after: a member on another node who sees the MODE finds
		// it in force there.
		c := n.FindChannel(name)
		n.syncModes(c, applied)
		if c != nil {
			n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
		}
	}
	return applied, ev, errs
}

// syncModes writes what a MODE changed to the directory: the channel's record for flags, key,
// limit and bans, the memberships for ranks.
func (n *Network) syncModes(c *Channel, applied []ModeChange) {
	if c == nil {
		return
	}
	var chanChanges []ModeChange
	for _, ch := range applied {
		if model.PrefixForMode(ch.Mode) == 0 {
			chanChanges = append(chanChanges, ch)
		}
	}
	if len(chanChanges) > 0 {
		if err := n.syncChannel(c, func(rec *cluster.ChannelRecord) { applyModesToRecord(rec, chanChanges) }); err != nil {
			n.log.Warn("directory: channel modes not stored", "channel", c.key, "err", err)
		}
	}
	n.syncRanks(c, applied)
}

func (n *Network) applyChannelModes(u *User, name string, changes []ModeChange) ([]ModeChange, *model.Event, []error) {
	c := n.FindChannel(name)
	if c == nil {
		return nil, nil, []error{refuse(ErrNoSuchChannel, name)}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	am, member := c.members[u]
	var rank model.Prefixes
	if member {
		rank = am.Prefixes
	}
	var applied []ModeChange
	var errs []error
	for _, ch := range changes {
		if !rank.AtLeast(model.Halfop) || (ch.Mode != 'v' && !IsListMode(ch.Mode) && !rank.AtLeast(model.Op)) {
			if !member {
				errs = append(errs, refuse(ErrNotOnChannel, c.name))
			} else {
				errs = append(errs, refuse(ErrChanOpPrivsNeeded, c.name))
			}
			continue
		}
		done, err := c.applyOneLocked(u, rank, ch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done != nil {
			applied = append(applied, *done)
		}
	}
	if len(applied) == 0 {
		return nil, nil, errs
	}
	c.rebuildSnapshot()
	ev := n.newEvent(model.KindMode, u, u.Prefix())
	ev.Target = c.name
	ev.Params = FormatModeChanges(applied)
	c.deliverLocked(ev, u)
	if n.cl == nil {
		n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	}
	return applied, ev, errs
}

// applyOneLocked applies one change; it returns the effective change or nil for a no-op.
func (c *Channel) applyOneLocked(u *User, rank model.Prefixes, ch ModeChange) (*ModeChange, error) {
	switch classify(ch.Mode) {
	case classPrefix:
		return c.applyPrefixLocked(rank, ch)
	case classList:
		return c.applyListLocked(u, ch)
	case classAlways: // k
		if ch.Add {
			if strings.ContainsAny(ch.Arg, " ,:") || len(ch.Arg) > 23 {
				return nil, &Error{Code: ErrInvalidModeParam, Target: c.name, Detail: "k"}
			}
			c.modes |= CModeKey
			c.chanKey = ch.Arg
			return &ch, nil
		}
		if c.modes&CModeKey == 0 {
			return nil, nil
		}
		c.modes &^= CModeKey
		c.chanKey = ""
		return &ModeChange{Mode: 'k', Arg: "*"}, nil
	case classSet: // l
		if !ch.Add {
			if c.modes&CModeLimit == 0 {
				return nil, nil
			}
			c.modes &^= CModeLimit
			c.limit = 0
			return &ch, nil
		}
		limit, err := strconv.Atoi(ch.Arg)
		if err != nil || limit <= 0 {
			return nil, &Error{Code: ErrInvalidModeParam, Target: c.name, Detail: "l"}
		}
		c.modes |= CModeLimit
		c.limit = limit
		ch.Arg = strconv.Itoa(limit)
		return &ch, nil
	}
	bit := flagBit(ch.Mode)
	if ch.Add == (c.modes&bit != 0) {
		return nil, nil
	}
	if ch.Add {
		c.modes |= bit
	} else {
		c.modes &^= bit
	}
	return &ch, nil
}

func flagBit(mode byte) ChanMode {
	for _, l := range chanModeLetters {
		if l.letter == mode {
			return l.bit
		}
	}
	return 0
}

func (c *Channel) applyPrefixLocked(rank model.Prefixes, ch ModeChange) (*ModeChange, error) {
	target := c.net.FindUser(ch.Arg)
	var tm *Member
	if target != nil {
		tm = c.members[target]
	}
	if tm == nil {
		return nil, &Error{Code: ErrUserNotInChannel, Target: ch.Arg, Detail: c.name}
	}
	bit := model.PrefixForMode(ch.Mode)
	// One may grant or take away only ranks at or below one's own (halfops: voice only).
	if rank.Highest() > bit || (!rank.AtLeast(model.Op) && bit != model.Voice) {
		return nil, refuse(ErrChanOpPrivsNeeded, c.name)
	}
	if ch.Add == (tm.Prefixes&bit != 0) {
		return nil, nil
	}
	if ch.Add {
		tm.Prefixes |= bit
	} else {
		tm.Prefixes &^= bit
	}
	ch.Arg = target.Nick()
	return &ch, nil
}

// FormatModeChanges renders changes as IRC MODE parameters: "+o-v", "alice", "bob".
func FormatModeChanges(changes []ModeChange) []string {
	var buf []byte
	var args []string
	sign := byte(0)
	for _, ch := range changes {
		s := byte('-')
		if ch.Add {
			s = '+'
		}
		if s != sign {
			buf = append(buf, s)
			sign = s
		}
		buf = append(buf, ch.Mode)
		if ch.Arg != "" {
			args = append(args, ch.Arg)
		}
	}
	return append([]string{string(buf)}, args...)
}

// ApplyUserModes changes u's own modes. Users may set i, w and B, and may drop o; o and Z are given by
// the server. It returns the effective changes and the letters it did not know. Safe for concurrent use.
func (n *Network) ApplyUserModes(u *User, modes string) (applied []ModeChange, unknown []byte) {
	applied, unknown = n.applyUserModes(u, modes)
	if len(applied) > 0 {
		n.userChanged(u)
	}
	return applied, unknown
}

func (n *Network) applyUserModes(u *User, modes string) (applied []ModeChange, unknown []byte) {
	add := true
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := 0; i < len(modes); i++ {
		c := modes[i]
		switch c {
		case '+':
			add = true
			continue
		case '-':
			add = false
			continue
		}
		bit := UserModeForLetter(c)
		if bit == 0 {
			unknown = append(unknown, c)
			continue
		}
		if bit == UModeSecure || bit == UModeLoggedIn || (bit == UModeOper && add) {
			continue
		}
		if add == (u.modes&bit != 0) {
			continue
		}
		if add {
			u.modes |= bit
		} else {
			u.modes &^= bit
			if bit == UModeOper {
				u.operClass = ""
			}
		}
		if u.registered && !u.gone {
			n.countMode(bit, add)
		}
		applied = append(applied, ModeChange{Add: add, Mode: c})
	}
	return applied, unknown
}
