package memstore

import (
	"testing"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

func TestHistoryContract(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T, maxPer int) store.History {
		return NewHistory(storetest.Fold, maxPer, 0)
	})
}
