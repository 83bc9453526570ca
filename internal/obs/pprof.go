package obs

import (
	"net/http"
	"net/http/pprof"
)

// PprofHandler returns a handler serving the net/http/pprof endpoints under
// /debug/pprof/. It is a separate handler, not the default ServeMux, so the
// node decides where (and whether) to expose it: profiles reveal internals
// and cost CPU, so it belongs on an operator-only listener.
//
// PprofHandler is safe to call from any goroutine; the handler is safe for
// concurrent use.
func PprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index) // also serves the named profiles (heap, goroutine…)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
