package core

// The list modes: b (bans, with m: mutes), e (ban exceptions) and I (invite exceptions), each
// bounded by Settings.MaxListEntries (ISUPPORT MAXLIST).

// IsListMode reports whether the letter is a list mode.
func IsListMode(mode byte) bool { return mode == 'b' || mode == 'e' || mode == 'I' }

// listLocked returns the entries of a list mode. Caller holds c.mu.
func (c *Channel) listLocked(mode byte) *[]ListEntry {
	switch mode {
	case 'e':
		return &c.excepts
	case 'I':
		return &c.invexes
	}
	return &c.bans
}

// List returns a copy of the entries of a list mode (b, e or I). Safe for concurrent use.
func (c *Channel) List(mode byte) []ListEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]ListEntry(nil), *c.listLocked(mode)...)
}

// applyListLocked adds or removes one entry of a list mode. Caller holds c.mu for writing.
func (c *Channel) applyListLocked(u *User, ch ModeChange) (*ModeChange, error) {
	mask, ok := normalizeListMask(ch.Mode, ch.Arg)
	if !ok {
		return nil, &Error{Code: ErrInvalidModeParam, Target: c.name, Detail: string(ch.Mode)}
	}
	list := c.listLocked(ch.Mode)
	for i, e := range *list {
		if c.net.cm.Equal(e.Mask, mask) {
			if ch.Add {
				return nil, nil
			}
			*list = append((*list)[:i:i], (*list)[i+1:]...)
			ch.Arg = e.Mask
			return &ch, nil
		}
	}
	if !ch.Add {
		return nil, nil
	}
	if max := c.net.Settings().MaxListEntries; max > 0 && len(*list) >= max {
		return nil, &Error{Code: ErrBanListFull, Target: c.name, Detail: string(ch.Mode)}
	}
	*list = append(*list, ListEntry{Mask: mask, SetBy: u.Prefix().String(), SetAt: c.net.now()})
	ch.Arg = mask
	return &ch, nil
}

// isBanned reports whether u may not join because of a ban that no exception lifts; mutes do not
// keep anyone out. Caller holds c.mu.
func (c *Channel) isBanned(u *User) bool {
	if len(c.bans) == 0 {
		return false
	}
	s := newSubject(u)
	return c.matchAny(c.bans, &s, false) && !c.matchAny(c.excepts, &s, true)
}

// isQuieted reports whether u may not speak because of a ban or mute that no exception lifts.
// Caller holds c.mu (read).
func (c *Channel) isQuieted(u *User) bool {
	if len(c.bans) == 0 {
		return false
	}
	s := newSubject(u)
	return c.matchAny(c.bans, &s, true) && !c.matchAny(c.excepts, &s, true)
}

// isInviteExempt reports whether an invite exception lets u past +i. Caller holds c.mu.
func (c *Channel) isInviteExempt(u *User) bool {
	if len(c.invexes) == 0 {
		return false
	}
	s := newSubject(u)
	return c.matchAny(c.invexes, &s, false)
}

// isCTCP reports whether a message is a CTCP other than ACTION, which +C refuses.
func isCTCP(text string) bool {
	return len(text) > 1 && text[0] == '\x01' && !(len(text) >= 7 && text[1:7] == "ACTION" && (len(text) == 7 || text[7] == ' ' || text[7] == '\x01'))
}
