package api

// Route is a route as the tests outside the package see it.
type Route struct{ Method, Path, Scope string }

// Routes lists the route table.
func Routes() []Route {
	var out []Route
	for _, rt := range (&API{}).routes() {
		out = append(out, Route{rt.method, rt.path, string(rt.scope)})
	}
	return out
}
