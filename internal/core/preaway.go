package core

// SetPreAway records the away message of a user that is not yet registered (draft/pre-away). No one
// can see the user yet, so there is nobody to notify; once registered the user is simply away. It
// does nothing after registration, where SetAway applies. Safe for concurrent use.
func (u *User) SetPreAway(text string) {
	text = truncate(text, u.net.Settings().AwayLen)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.registered {
		return
	}
	u.away = text
	u.awaySince = u.net.now()
}
