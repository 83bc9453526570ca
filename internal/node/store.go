package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/jsstore"
)

// nodeAccounts is the node's account store and authenticator.
type nodeAccounts struct {
	store *jsstore.Store
	auth  *auth.Authenticator
}

// errNoEmail explains why accounts.registration_email_required cannot be turned on.
var errNoEmail = errors.New("config: accounts.registration_email_required: parley cannot send email " +
	"(no mail delivery is available), so it cannot verify addresses; set it to false")

// storeReplicas is how many copies JetStream keeps of each account bucket: 3 once the embedded
// server has two or more peers in cluster.routes, 1 otherwise.
func storeReplicas(cfg *config.Config) int {
	if len(cfg.Cluster.Routes) >= 2 {
		return 3
	}
	return 1
}

// openAccounts opens the account store on the node's JetStream and hands it to the protocol
// engine (SASL, REGISTER, NickServ, ChanServ). Metrics: parley_logins_total{mechanism,result}.
func (n *Node) openAccounts(cfg *config.Config) error {
	if cfg.Accounts.RegistrationEmailRequired {
		return errNoEmail
	}
	var st *jsstore.Store
	err := retryClustered(cfg, n.log, "the account store", stateTimeout, func(ctx context.Context) (err error) {
		st, err = jsstore.Open(ctx, n.state.js, jsstore.Options{Replicas: storeReplicas(cfg), Fold: n.net.Fold})
		return err
	})
	if err != nil {
		return fmt.Errorf("account store: %w", err)
	}
	logins := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_logins_total",
		Help: "Login attempts (SASL and NickServ IDENTIFY) by mechanism and result (success, failure, throttled).",
	}, []string{"mechanism", "result"})
	if err := n.metrics.Registry.Register(logins); err != nil {
		st.Close()
		return fmt.Errorf("metrics: %w", err)
	}
	a := auth.New(auth.Options{Store: st, Logger: n.log, OnResult: func(mech, result string) {
		logins.WithLabelValues(mech, result).Inc()
	}})
	n.accounts = &nodeAccounts{store: st, auth: a}
	n.srv.SetAccounts(commands.Accounts{Store: st, Auth: a, Logger: n.log})
	return nil
}

// closeAccounts stops the protocol engine's account work and closes the store.
func (n *Node) closeAccounts() {
	if n.accounts == nil {
		return
	}
	n.srv.CloseAccounts()
	n.accounts.store.Close()
}

// accountsConfig extracts the accounts settings of the protocol engine.
func accountsConfig(cfg *config.Config) commands.AccountsConfig {
	a := cfg.Accounts
	return commands.AccountsConfig{
		Registration: a.Registration, RegistrationBeforeReg: a.RegistrationBeforeConnect,
		EmailRequired: a.RegistrationEmailRequired, NickReservation: a.NickReservation,
		ReservationGrace: a.NickReservationGrace.Duration(),
	}
}

// AccountStore returns the node's account store (accounts, channel registrations), for tests.
// Safe for concurrent use, as is the store.
func (n *Node) AccountStore() store.Store { return n.accounts.store }

// OfflineStore is the account store of a data directory whose server is not running, opened by
// OpenOfflineStore for the `parley account` commands. Safe for concurrent use until Close.
type OfflineStore struct {
	st    *jsstore.Store
	state *natsState
}

// Close closes the store and stops the embedded NATS server, releasing the data directory.
func (o *OfflineStore) Close() error {
	o.st.Close()
	o.state.close()
	return nil
}

// AddAccount creates a verified account with the password (hash and SCRAM keys).
func (o *OfflineStore) AddAccount(ctx context.Context, name, email string, password []byte) (store.Account, error) {
	return auth.CreateAccount(ctx, o.st, name, email, password)
}

// Accounts lists every account, sorted by name.
func (o *OfflineStore) Accounts(ctx context.Context) ([]store.Account, error) {
	accts, err := o.st.ListAccounts(ctx)
	sort.Slice(accts, func(i, j int) bool { return accts[i].Name < accts[j].Name })
	return accts, err
}

// DeleteAccount removes an account (store.ErrNotFound when there is none).
func (o *OfflineStore) DeleteAccount(ctx context.Context, name string) error {
	return o.st.DeleteAccount(ctx, name)
}

// SetPassword replaces an account's password.
func (o *OfflineStore) SetPassword(ctx context.Context, name string, password []byte) error {
	return auth.ChangePassword(ctx, o.st, name, password)
}

// OpenOfflineStore opens the account store in cfg's data directory by starting the embedded NATS
// server there, without routes. It fails while a server runs on that directory (the embedded
// server holds a lock on it); such a server is reached through the JSON API instead. Safe to call
// from any goroutine.
func OpenOfflineStore(cfg *config.Config) (*OfflineStore, error) {
	if cfg.Cluster.NATSURL != "" {
		return nil, errors.New("cluster.nats_url is set: the accounts live in the external NATS cluster; " +
			"use the JSON API of a running node")
	}
	cm, err := casemap.Parse(cfg.Server.Casemapping)
	if err != nil {
		return nil, fmt.Errorf("config: server.casemapping: %w", err)
	}
	local := *cfg
	local.Cluster.Listen, local.Cluster.Routes = "", nil
	name := cfg.Cluster.Node
	if name == "" {
		name = cfg.Server.Name
	}
	state, err := openState(&local, name, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
	defer cancel()
	// Buckets of a clustered store keep their replica count; a new one here is single-copy.
	st, err := jsstore.Open(ctx, state.js, jsstore.Options{Replicas: 1, Fold: cm.Fold})
	if err != nil {
		state.close()
		return nil, fmt.Errorf("account store: %w", err)
	}
	return &OfflineStore{st: st, state: state}, nil
}

// accountStore returns the account store for the API, nil when the node has none.
func (n *Node) accountStore() store.Accounts {
	if n.accounts == nil {
		return nil
	}
	return n.accounts.store
}
