package histindex

import "github.com/parleychat/parley/internal/store"

// The store.History queries in terms of bounds, shared by every store built on an Index. Each
// returns refs oldest first, or store.ErrBadMsgID for a malformed msgid bound.

// Latest serves store.History.Latest.
func (x *Index) Latest(t store.Target, after store.Bound, limit int) ([]Ref, error) {
	lo := Min
	if !after.IsZero() {
		k, err := after.Lower()
		if err != nil {
			return nil, err
		}
		lo = k
	}
	return x.Range(t, lo, Max, limit, true), nil
}

// Before serves store.History.Before.
func (x *Index) Before(t store.Target, b store.Bound, limit int) ([]Ref, error) {
	hi, err := b.Upper()
	if err != nil {
		return nil, err
	}
	return x.Range(t, Min, hi, limit, true), nil
}

// After serves store.History.After.
func (x *Index) After(t store.Target, b store.Bound, limit int) ([]Ref, error) {
	lo, err := b.Lower()
	if err != nil {
		return nil, err
	}
	return x.Range(t, lo, Max, limit, false), nil
}

// AroundBound serves store.History.Around.
func (x *Index) AroundBound(t store.Target, b store.Bound, limit int) ([]Ref, error) {
	k, err := b.Upper() // a time: the first message at or after it is the middle
	if err != nil {
		return nil, err
	}
	return x.Around(t, k, limit), nil
}

// Between serves store.History.Between.
func (x *Index) Between(t store.Target, from, to store.Bound, limit int) ([]Ref, error) {
	fl, err := from.Lower()
	if err != nil {
		return nil, err
	}
	fu, _ := from.Upper()
	tl, err := to.Lower()
	if err != nil {
		return nil, err
	}
	tu, _ := to.Upper()
	if fu.Less(tu) || fu == tu {
		return x.Range(t, fl, tu, limit, false), nil
	}
	return x.Range(t, tl, fu, limit, true), nil
}
