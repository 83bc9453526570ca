package histindex

import (
	"math"
	"slices"
	"sort"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// Min and Max are the keys before and after every message.
var (
	Min = store.Key{Nanos: math.MinInt64}
	Max = store.Key{Nanos: math.MaxInt64, Tie: math.MaxUint64}
)

// Range returns the refs of t's messages strictly between lo and hi, oldest first: the limit
// oldest of them, or with newest the limit newest. Safe for concurrent use.
func (x *Index) Range(t store.Target, lo, hi store.Key, limit int, newest bool) []Ref {
	messages := t.Messages
	t = x.Fold(t)
	x.mu.RLock()
	defer x.mu.RUnlock()
	l := x.targets[t]
	if l == nil || limit <= 0 || !lo.Less(hi) {
		return nil
	}
	start, end := l.upperBound(lo), l.lowerBound(hi)
	if messages {
		return x.messages(l.items[start:end], limit, newest)
	}
	if end-start > limit {
		if newest {
			start = end - limit
		} else {
			end = start + limit
		}
	}
	return refs(l.items[start:max(start, end)])
}

// Around returns up to limit refs around k in t, oldest first: up to half of them before k, the
// rest from k on (k's own message included). Safe for concurrent use.
func (x *Index) Around(t store.Target, k store.Key, limit int) []Ref {
	t = x.Fold(t)
	x.mu.RLock()
	defer x.mu.RUnlock()
	l := x.targets[t]
	if l == nil || limit <= 0 {
		return nil
	}
	mid := l.lowerBound(k)
	start := max(0, mid-limit/2)
	end := min(len(l.items), mid+limit-(mid-start))
	// Near the newest end, fill the remainder with older messages.
	start = max(0, min(start, end-limit))
	return refs(l.items[start:end])
}

// messages returns up to limit refs of messages (not events) among items, the oldest or the
// newest, oldest first. Events are the documents the text index marks dead (removed items are no
// longer in any list).
func (x *Index) messages(items []item, limit int, newest bool) []Ref {
	var out []Ref
	if newest {
		for i := len(items) - 1; i >= 0 && len(out) < limit; i-- {
			if !x.text.docs[items[i].doc].dead {
				out = append(out, items[i].ref)
			}
		}
		slices.Reverse(out)
		return out
	}
	for _, it := range items {
		if len(out) == limit {
			break
		}
		if !x.text.docs[it.doc].dead {
			out = append(out, it.ref)
		}
	}
	return out
}

func refs(items []item) []Ref {
	out := make([]Ref, len(items))
	for i, it := range items {
		out[i] = it.ref
	}
	return out
}

// Targets lists the channels given (folded by the caller or not) and the account's private
// conversations that have a message strictly between from and to, ordered by their newest such
// message, at most limit (the newest ones). Safe for concurrent use.
func (x *Index) Targets(account string, channels []string, from, to time.Time, limit int) []store.TargetInfo {
	lo, hi := store.Key{Nanos: from.UnixNano(), Tie: math.MaxUint64}, store.Key{Nanos: to.UnixNano()}
	x.mu.RLock()
	var out []store.TargetInfo
	consider := func(l *list) {
		if l == nil {
			return
		}
		i := l.lowerBound(hi)
		if i == 0 || !lo.Less(l.items[i-1].key) {
			return
		}
		out = append(out, store.TargetInfo{Target: l.target, Latest: time.Unix(0, l.items[i-1].key.Nanos)})
	}
	for _, c := range channels {
		consider(x.targets[store.Target{Name: x.fold(c)}])
	}
	if account != "" {
		for l := range x.accounts[x.fold(account)] {
			consider(l)
		}
	}
	x.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Latest.Before(out[j].Latest) })
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out
}
