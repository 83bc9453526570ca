package core

import (
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Message is what a user says: PRIVMSG, NOTICE or TAGMSG to one target.
type Message struct {
	Kind   model.Kind // KindPrivmsg, KindNotice or KindTagmsg
	Target string     // a channel, optionally after a STATUSMSG prefix ('@#chan', '+#chan'), or a nick
	Text   string
	Tags   []model.Tag
	// Lines, when set, are the lines of a draft/multiline batch as the client sent them, and Text
	// is their join (see model.Event: the event carries both, so history stores one message and
	// each door can still re-split it the way the sender did).
	Lines []string
}

// SayResult is what the door needs after a message went out.
type SayResult struct {
	Event *model.Event // the message as delivered (for echo-message)
	Away  string       // the recipient's away message, for RPL_AWAY on private messages
	To    *User        // the recipient of a private message
	// Stored, when not nil, yields nil once the message is durable in history, or an error
	// wrapping ErrNotStored. The echo or ACK that tells the sender "stored" must wait for it.
	Stored <-chan error
}

// Say delivers a message to a channel's members or to one user. Local recipients have it in their
// send queues when Say returns; other nodes get one publish. With a history, the message is
// handed to it and SayResult.Stored reports when it is durable: Say itself does not wait, so a
// sender's messages are stored in batches. Safe for concurrent use.
func (n *Network) Say(u *User, msg Message) (SayResult, error) {
	target := msg.Target
	var status byte
	if len(target) > 1 && model.PrefixForSymbol(target[0]) != 0 && IsChannelName(target[1:]) {
		status, target = target[0], target[1:]
	}
	if IsChannelName(target) {
		res, err := n.sayChannel(u, msg, target, status)
		if err == nil {
			res.Stored = n.storeSaid(u, res.Event, nil)
		}
		return res, err
	}
	res, err := n.sayUser(u, msg)
	if err == nil {
		res.Stored = n.storeSaid(u, res.Event, res.To)
	}
	return res, err
}

func (n *Network) sayChannel(u *User, msg Message, name string, status byte) (SayResult, error) {
	c := n.FindChannel(name)
	if c == nil {
		return SayResult{}, refuse(ErrNoSuchChannel, name)
	}
	c.mu.RLock()
	m, member := c.members[u]
	var rank model.Prefixes
	if member {
		rank = m.Prefixes
	}
	switch {
	case !member && c.modes&CModeNoExternal != 0,
		c.modes&CModeModerated != 0 && !rank.AtLeast(model.Voice),
		c.modes&CModeRegSpeak != 0 && !rank.AtLeast(model.Voice) && u.Account() == "",
		!rank.AtLeast(model.Voice) && c.isQuieted(u),
		c.modes&CModeNoCTCP != 0 && isCTCP(msg.Text):
		c.mu.RUnlock()
		return SayResult{}, refuse(ErrCannotSendToChan, c.name)
	}
	snap := *c.snapshot.Load()
	c.mu.RUnlock()

	ev := n.newEvent(msg.Kind, u, u.Prefix())
	ev.Target = c.name
	ev.Status = status
	ev.Text = msg.Text
	ev.Tags = msg.Tags
	ev.Params = msg.Lines
	need := model.PrefixForSymbol(status)
	delivered := 0
	for _, lm := range snap {
		if lm.user == u || (status != 0 && !lm.prefixes.AtLeast(need)) {
			continue
		}
		lm.user.sink.Deliver(ev)
		delivered++
	}
	if n.onDeliver != nil {
		n.onDeliver(delivered)
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	return SayResult{Event: ev}, nil
}

func (n *Network) sayUser(u *User, msg Message) (SayResult, error) {
	to := n.FindUser(msg.Target)
	if to == nil {
		return SayResult{}, refuse(ErrNoSuchNick, msg.Target)
	}
	ev := n.newEvent(msg.Kind, u, u.Prefix())
	ev.Target = to.Nick()
	ev.Text = msg.Text
	ev.Tags = msg.Tags
	ev.Params = msg.Lines
	if to.IsLocal() {
		to.sink.Deliver(ev)
		if n.onDeliver != nil {
			n.onDeliver(1)
		}
	} else {
		n.publish(n.userSubject(to), ev)
	}
	return SayResult{Event: ev, Away: to.Away(), To: to}, nil
}

// SetAway marks u away with text, or back when text is empty; channel neighbours get the AWAY event
// (away-notify). Safe for concurrent use.
func (n *Network) SetAway(u *User, text string) *model.Event {
	text = truncate(text, n.Settings().AwayLen)
	u.mu.Lock()
	u.away = text
	u.awaySince = n.now()
	u.mu.Unlock()
	ev := n.newEvent(model.KindAway, u, u.Prefix())
	ev.Text = text
	n.stampChannels(ev, u.Channels())
	reached := u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	n.notifyChanged(u, ev, reached)
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	n.userChanged(u)
	return ev
}

// Wallops sends text to every user with +w. Safe for concurrent use.
func (n *Network) Wallops(u *User, text string) *model.Event {
	ev := n.newEvent(model.KindWallops, u, u.Prefix())
	ev.Text = text
	for _, m := range n.Users() {
		if m != u && m.IsLocal() && m.HasMode(UModeWallops) {
			m.deliver(ev)
		}
	}
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	return ev
}

// Kill disconnects target at an operator's request. The door closes the victim's connection through
// its sink (see Killable); the network sees a QUIT with the reason. Safe for concurrent use.
func (n *Network) Kill(oper *User, targetNick, reason string) error {
	if !oper.IsOper() {
		return refuse(ErrNoPrivileges, targetNick)
	}
	target := n.FindUser(targetNick)
	if target == nil {
		return refuse(ErrNoSuchNick, targetNick)
	}
	n.killQuit(target, oper.Nick(), reason)
	return nil
}

// Killable is implemented by sinks that can be disconnected by an operator.
type Killable interface {
	Kill(by, reason string)
}
