package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/obs"
	"github.com/parleychat/parley/internal/store"
)

// History is what the API needs of the chat history store. It is declared here, by its consumer;
// the node passes its store when it has one. Results are oldest first.
type History interface {
	// Before returns up to limit messages to target sent strictly before t.
	Before(ctx context.Context, target string, t time.Time, limit int) ([]*model.Event, error)
	// After returns up to limit messages to target sent strictly after t.
	After(ctx context.Context, target string, t time.Time, limit int) ([]*model.Event, error)
}

// Options configure the API.
type Options struct {
	Network  *core.Network
	Tokens   []config.APIToken
	Webhooks []config.Webhook
	History  History // nil: the history endpoints answer 501
	// Accounts is the account store; nil: the account endpoints answer 501 (accounts.go).
	Accounts store.Accounts
	// Bans is the network ban list; nil: the ban endpoints answer 501 (bans.go).
	Bans Bans
	// Cluster reports the live nodes and JetStream's health; nil on a single node (cluster.go).
	Cluster Cluster
	Version string
	Logger  *slog.Logger
	Metrics *obs.Metrics // nil: requests are not counted

	// MaxBody bounds request bodies (default 64 KiB).
	MaxBody int64
	// Rate and Burst bound each token's write requests (POST, PUT, DELETE): Rate per second with
	// bursts of Burst. Defaults 10 and 30.
	Rate  float64
	Burst int
	// KeepAlive is the interval of the event stream's keep-alive comments (default 15s).
	KeepAlive time.Duration
	// StreamQueue is how many events a stream may fall behind before it is disconnected (default 1024).
	StreamQueue int
	// WebhookQueue is how many events a webhook may fall behind before events are dropped (default
	// 1024); WebhookBackoff is the first retry delay, doubled for the next (default 1s);
	// WebhookTimeout bounds one delivery attempt (default 10s).
	WebhookQueue   int
	WebhookBackoff time.Duration
	WebhookTimeout time.Duration
	// HTTPClient sends webhooks (default: a client with WebhookTimeout).
	HTTPClient *http.Client
}

// API serves /api/v1. Its methods are safe for concurrent use.
type API struct {
	opt     Options
	net     *core.Network
	log     *slog.Logger
	tokens  *tokenSet
	limits  *rateLimiter
	metrics *requestMetrics

	// ctx ends at Close, which ends every event stream and stops the webhooks.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the API and starts its webhook senders (one goroutine per configured webhook).
// Call Close to stop them.
func New(opt Options) *API {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	defaults(&opt)
	ctx, cancel := context.WithCancel(context.Background())
	a := &API{
		opt: opt, net: opt.Network, log: opt.Logger, tokens: newTokenSet(opt.Tokens),
		limits: newRateLimiter(opt.Rate, opt.Burst), ctx: ctx, cancel: cancel,
	}
	if opt.Metrics != nil {
		a.metrics = newRequestMetrics(opt.Metrics)
	}
	for _, wc := range opt.Webhooks {
		a.startWebhook(wc)
	}
	return a
}

func defaults(o *Options) {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.Rate <= 0 {
		o.Rate = 10
	}
	if o.Burst <= 0 {
		o.Burst = 30
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.StreamQueue <= 0 {
		o.StreamQueue = 1024
	}
	if o.WebhookQueue <= 0 {
		o.WebhookQueue = 1024
	}
	if o.WebhookBackoff <= 0 {
		o.WebhookBackoff = time.Second
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.WebhookTimeout}
	}
	if o.Version == "" {
		o.Version = "parley"
	}
}

// Handler returns the handler for every path under /api/v1/. Safe for concurrent use; the handler
// is too.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{} // path -> methods, for 405 answers
	var paths []string
	for _, rt := range a.routes() {
		mux.Handle(rt.method+" "+prefix+rt.path, a.wrap(rt))
		if allowed[rt.path] == nil {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	// A pattern without a method matches what the method patterns above do not: wrong methods.
	for _, p := range paths {
		mux.Handle(prefix+p, a.methodNotAllowed(p, allowed[p]))
	}
	mux.Handle(prefix+"/", a.counted("unmatched", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound("no_such_endpoint", "there is no endpoint "+r.URL.Path+" (see docs/api.md)"))
	})))
	return mux
}

// Mount registers the API on mux under /api/v1/, once per HTTP method rather than with a
// method-less pattern, which would clash with a "GET /" pattern of the same mux (the web client).
// Methods other than these get the mux's own 405. Safe for concurrent use.
func (a *API) Mount(mux *http.ServeMux) {
	h := a.Handler()
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		mux.Handle(m+" "+prefix+"/", h)
	}
}

// Close ends every event stream and stops the webhook senders, waiting for them to return.
// Safe for concurrent use; later calls do nothing.
func (a *API) Close() {
	a.cancel()
	a.wg.Wait()
}

// prefix is where the API is mounted.
const prefix = "/api/v1"
