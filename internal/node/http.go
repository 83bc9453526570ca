package node

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/obs"
	"github.com/parleychat/parley/internal/transport"
	"github.com/parleychat/parley/web"
)

// startHTTP opens the HTTP door: health, readiness, metrics and the IRC WebSocket.
func (n *Node) startHTTP() error {
	addr := n.cfg.Listen.HTTP
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen.http %s: %w", addr, err)
	}
	n.httpAddr = ln.Addr()
	a := n.newAPI()
	n.httpSrv = &http.Server{Handler: n.httpHandler(a), ReadHeaderTimeout: n.handshakeTimeout()}
	// Shutdown waits for connections to go idle; event streams never do, so the API ends them.
	n.httpSrv.RegisterOnShutdown(a.Close)
	go n.httpSrv.Serve(ln)
	n.log.Info("listening for HTTP", "addr", ln.Addr().String(), "paths", "/ /ws /api/v1/ /healthz /readyz /metrics")
	return nil
}

// newAPI builds the JSON API (and starts its webhook senders) from the configuration.
func (n *Node) newAPI() *api.API {
	n.cfgMu.Lock()
	cfg := n.cfg
	n.cfgMu.Unlock()
	return api.New(api.Options{
		Network: n.net, Tokens: cfg.API.Tokens, Webhooks: cfg.Webhooks, Version: n.version,
		Logger: n.log, Metrics: n.metrics, Accounts: n.accountStore(), History: n.apiHistory(),
		Bans: n.apiBans(), Cluster: n.apiCluster(),
	})
}

func (n *Node) httpHandler(a *api.API) http.Handler {
	mux := http.NewServeMux()
	a.Mount(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		n.readyMu.RLock()
		ready := n.ready
		n.readyMu.RUnlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", n.metricsHandler())
	if n.cfg.HTTP.Pprof {
		mux.Handle("GET /debug/pprof/", obs.PprofHandler())
	}
	ws := transport.NewWebSocketHandler(n.handler, transport.WSOptions{
		Origins: n.cfg.WebSocket.Origins, TrustedProxies: prefixes(n.cfg.HTTP.TrustedProxies), Logger: n.log,
		OnAccept: n.admit,
	})
	mux.Handle("GET /ws", ws)
	mux.Handle("GET /", n.rootHandler(ws))
	return mux
}

// metricsHandler refreshes the gauges that are cheaper to read at scrape time than to keep current
// on every join and quit, then serves the registry.
func (n *Node) metricsHandler() http.Handler {
	h := n.metrics.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := n.net.Stats()
		n.metrics.Clients.Set(float64(st.LocalUsers))
		n.metrics.Channels.Set(float64(st.Channels))
		h.ServeHTTP(w, r)
	})
}

// rootHandler sends WebSocket upgrades on "/" to the IRC door (clients that connect to
// ws://host:port with no path) and everything else to the built-in web client.
func (n *Node) rootHandler(ws http.Handler) http.Handler {
	files := http.FileServerFS(web.FS())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && transport.IsWebSocketUpgrade(r) {
			ws.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

func prefixes(cidrs []string) []netip.Prefix {
	var out []netip.Prefix
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil {
			out = append(out, p)
		}
	}
	return out
}
