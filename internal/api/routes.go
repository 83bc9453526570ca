package api

import (
	"net/http"
	"strings"
)

// route is one endpoint: method and path (below /api/v1, in ServeMux pattern syntax), the scope a
// token needs, and the handler. docs/openapi.yaml lists the same set; a test keeps them in step.
type route struct {
	method string
	path   string
	scope  scope
	h      func(a *API, w http.ResponseWriter, r *http.Request, c *caller)
}

// routes is the API's table. Accounts (/accounts) come with the account store.
func (a *API) routes() []route {
	return []route{
		{"GET", "/server", scopeRead, (*API).getServer},
		{"GET", "/cluster", scopeRead, (*API).getCluster},
		{"GET", "/channels", scopeRead, (*API).listChannels},
		{"GET", "/channels/{name}", scopeRead, (*API).getChannel},
		{"GET", "/channels/{name}/messages", scopeRead, (*API).getMessages},
		{"POST", "/channels/{name}/messages", scopePost, (*API).postMessage},
		{"POST", "/channels/{name}/kick", scopeAdmin, (*API).kick},
		{"POST", "/channels/{name}/bans", scopeAdmin, (*API).addBan},
		{"DELETE", "/channels/{name}/bans/{mask}", scopeAdmin, (*API).removeBan},
		{"POST", "/channels/{name}/modes", scopeAdmin, (*API).setModes},
		{"PUT", "/channels/{name}/topic", scopeAdmin, (*API).setTopic},
		{"GET", "/search", scopeRead, (*API).search},
		{"GET", "/users/{nick}", scopeRead, (*API).getUser},
		{"POST", "/users/{nick}/kill", scopeAdmin, (*API).kill},
		{"GET", "/events", scopeRead, (*API).events},
		{"GET", "/accounts", scopeAdmin, (*API).listAccounts},
		{"POST", "/accounts", scopeAdmin, (*API).createAccount},
		{"DELETE", "/accounts/{name}", scopeAdmin, (*API).deleteAccount},
		{"PUT", "/accounts/{name}/password", scopeAdmin, (*API).setAccountPassword},
		{"GET", "/bans", scopeAdmin, (*API).listBans},
		{"POST", "/bans", scopeAdmin, (*API).createBan},
		{"DELETE", "/bans/{id}", scopeAdmin, (*API).deleteBan},
	}
}

// wrap runs the checks every endpoint shares (token, scope, write rate) before the handler.
func (a *API) wrap(rt route) http.Handler {
	return a.counted(rt.method+" "+prefix+rt.path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := a.authenticate(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if !c.has(rt.scope) {
			writeError(w, errForbidden("insufficient_scope", "this endpoint needs a token with the "+
				string(rt.scope)+" scope"))
			return
		}
		if rt.method != http.MethodGet {
			if wait, ok := a.limits.allow(c.name); !ok {
				w.Header().Set("Retry-After", wait)
				writeError(w, &apiError{Status: http.StatusTooManyRequests, Code: "rate_limited",
					Message: "too many write requests for this token; retry after " + wait + "s"})
				return
			}
		}
		rt.h(a, w, r, c)
	}))
}

// methodNotAllowed answers 405 with the Allow header for a known path asked with another method.
func (a *API) methodNotAllowed(path string, methods []string) http.Handler {
	allow := strings.Join(methods, ", ")
	return a.counted("method_not_allowed", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
			Message: r.Method + " is not allowed on " + prefix + path + "; use " + allow})
	}))
}
