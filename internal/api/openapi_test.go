package api_test

import (
	"os"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/parleychat/parley/internal/api"
)

// TestOpenAPIMatchesRoutes keeps docs/openapi.yaml in step with the route table: every route is
// documented with its method and scope (x-scope), and the document lists no route that is not served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	data, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                          `yaml:"openapi"`
		Servers []struct{ URL string }          `yaml:"servers"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Servers) != 1 || doc.Servers[0].URL != "/api/v1" {
		t.Fatalf("docs/openapi.yaml: openapi %q, servers %v; want 3.x with the one server /api/v1", doc.OpenAPI, doc.Servers)
	}
	documented := map[string]string{} // "GET /path" -> x-scope
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			var o struct {
				Scope string `yaml:"x-scope"`
			}
			if err := op.Decode(&o); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			documented[strings.ToUpper(method)+" "+path] = o.Scope
		}
	}
	served := map[string]string{}
	for _, rt := range api.Routes() {
		served[rt.Method+" "+rt.Path] = rt.Scope
	}
	for _, k := range sortedKeys(served) {
		scope, ok := documented[k]
		switch {
		case !ok:
			t.Errorf("%s is served but not in docs/openapi.yaml", k)
		case scope != served[k]:
			t.Errorf("%s: docs/openapi.yaml says scope %q, the route needs %q", k, scope, served[k])
		}
	}
	for _, k := range sortedKeys(documented) {
		if _, ok := served[k]; !ok {
			t.Errorf("docs/openapi.yaml lists %s, which is not served", k)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
