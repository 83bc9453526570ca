package commands

import (
	"errors"
	"log/slog"
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// This file ties live channels to their registrations (ChanServ): a registered channel is
// re-created from its registration when the first user joins it (after it emptied, or after a
// restart), access is applied on join, the topic lock is enforced, and topic and mode changes are
// written back to the store so they survive.

// errNeedReggedNick is ERR_NEEDREGGEDNICK, the answer to a JOIN of a +R channel without an account
// (modern.ircdocs.horse; ircmsg names 477 after its older meaning, ERR_NOCHANMODES).
const errNeedReggedNick = "477"

// channelReg returns the channel's registration; ok is false when it has none, when accounts
// are off, or when the store cannot say (the channel then behaves as unregistered).
func (s *Server) channelReg(name string) (store.ChannelReg, bool) {
	acc := s.accounts()
	if acc == nil || !core.IsChannelName(name) {
		return store.ChannelReg{}, false
	}
	ctx, cancel := storeCtx()
	defer cancel()
	reg, err := acc.Store.Channel(ctx, name)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			acc.Logger.Warn("channel registration lookup failed", "channel", name, "err", err)
		}
		return store.ChannelReg{}, false
	}
	return reg, true
}

// joinChannel is JOIN for one channel. A registered channel is created from its registration,
// and nobody is made operator just for being first: access comes from ChanServ (applyAccess).
func (s *Server) joinChannel(c *Client, name, key string) (core.JoinResult, *store.ChannelReg, error) {
	reg, ok := s.channelReg(name)
	if !ok {
		res, err := s.Net.Join(c.User, name, key)
		return res, nil, err
	}
	seed := &core.ChannelSeed{Modes: reg.Modes, Key: reg.Key, Limit: reg.Limit,
		Topic: core.Topic{Text: reg.Topic, SetBy: reg.TopicBy, SetAt: reg.TopicAt}}
	res, err := s.Net.JoinWith(c.User, name, key, core.JoinOptions{Seed: seed, NoAutoOp: true})
	return res, &reg, err
}

// accessLevel returns the account's access to the registered channel ("" for none).
func (s *Server) accessLevel(reg store.ChannelReg, account string) string {
	if account == "" {
		return ""
	}
	if s.Net.Casemap().Equal(reg.Founder, account) {
		return store.AccessFounder
	}
	return reg.Access[s.Net.Fold(account)]
}

// accessRank orders access levels: founder 3, op 2, voice 1, none 0.
func accessRank(level string) int {
	switch level {
	case store.AccessFounder:
		return 3
	case store.AccessOp:
		return 2
	case store.AccessVoice:
		return 1
	}
	return 0
}

// accessMode is the channel rank an access level grants on join.
func accessMode(level string) byte {
	switch level {
	case store.AccessFounder:
		return 'q'
	case store.AccessOp:
		return 'o'
	case store.AccessVoice:
		return 'v'
	}
	return 0
}

// applyAccess gives a member who just joined a registered channel the rank its account's access
// grants, as a MODE from ChanServ. The joiner's own replies (JOIN, topic, names) are flushed
// first, so that the MODE, delivered straight to every member, does not overtake them.
func (s *Server) applyAccess(c *Client, rb *ReplyBuffer, reg *store.ChannelReg, name string) {
	mode := accessMode(s.accessLevel(*reg, c.User.Account()))
	if mode == 0 {
		return
	}
	rb.Flush()
	s.Net.ServerMode(s.servicePrefix(chanServ), name, []core.ModeChange{{Add: true, Mode: mode, Arg: c.User.Nick()}})
}

// topicLocked reports whether a registered channel's topic lock keeps this client from changing
// the topic: only accounts with op access or more may.
func (s *Server) topicLocked(c *Client, name string) bool {
	reg, ok := s.channelReg(name)
	return ok && reg.TopicLock && accessRank(s.accessLevel(reg, c.User.Account())) < accessRank(store.AccessOp)
}

// replyTopicLocked answers a TOPIC refused by the topic lock.
func replyTopicLocked(rb *ReplyBuffer, name string) {
	rb.Numeric(ircmsg.ERR_CHANOPRIVSNEEDED, name, "The topic of this channel is locked by ChanServ")
}

// regKeeper writes topic and mode changes of registered channels to the store. It watches the
// network as an observer (core.Network.Observe), whose Deliver must not block: it queues channel
// names, and one goroutine does the store work.
type regKeeper struct {
	s     *Server
	st    store.ChannelRegs
	log   *slog.Logger
	queue chan string
	done  chan struct{} // closed by stop; the queue is never closed, so Deliver cannot panic
	stopF func()
	wg    sync.WaitGroup
	once  sync.Once
}

func startRegKeeper(s *Server, st store.ChannelRegs, log *slog.Logger) *regKeeper {
	k := &regKeeper{s: s, st: st, log: log, queue: make(chan string, 1024), done: make(chan struct{})}
	k.stopF = s.Net.Observe(k, func(ev *model.Event) bool {
		return ev.Kind == model.KindTopic || ev.Kind == model.KindMode
	})
	k.wg.Add(1)
	go k.run()
	return k
}

// Deliver implements core.Sink: it queues the channel for a store update. It never blocks; a
// full queue drops the update (the next change of that channel writes its whole state again).
func (k *regKeeper) Deliver(ev *model.Event) {
	if !core.IsChannelName(ev.Target) {
		return
	}
	select {
	case k.queue <- ev.Target:
	default:
		k.log.Warn("channel registration update dropped: queue full", "channel", ev.Target)
	}
}

func (k *regKeeper) stop() {
	k.once.Do(func() {
		k.stopF()
		close(k.done)
		k.wg.Wait()
	})
}

func (k *regKeeper) run() {
	defer k.wg.Done()
	for {
		select {
		case name := <-k.queue:
			k.persist(name)
		case <-k.done:
			return
		}
	}
}

// persist copies a live registered channel's topic and modes into its registration.
func (k *regKeeper) persist(name string) {
	ch := k.s.Net.FindChannel(name)
	if ch == nil {
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	for range 3 {
		reg, err := k.st.Channel(ctx, name)
		if err != nil {
			return // not registered (or the store is down: the next change retries)
		}
		next := reg
		t := ch.Topic()
		next.Topic, next.TopicBy, next.TopicAt = t.Text, t.SetBy, t.SetAt
		next.Modes, next.Key, next.Limit = modeState(ch.Modes())
		if next.Topic == reg.Topic && next.TopicBy == reg.TopicBy && next.Modes == reg.Modes &&
			next.Key == reg.Key && next.Limit == reg.Limit {
			return
		}
		if _, err = k.st.UpdateChannel(ctx, next); !errors.Is(err, store.ErrConflict) {
			if err != nil {
				k.log.Warn("channel registration update failed", "channel", name, "err", err)
			}
			return
		}
	}
}

// modeState splits live modes into what a registration keeps: flag letters, key and limit.
func modeState(mi core.ModeInfo) (flags, key string, limit int) {
	letters, _ := mi.String(true)
	flags = strings.NewReplacer("+", "", "k", "", "l", "").Replace(letters)
	if mi.Flags&core.CModeKey != 0 {
		key = mi.Key
	}
	if mi.Flags&core.CModeLimit != 0 {
		limit = mi.Limit
	}
	return flags, key, limit
}
