// Package archtest holds parley's package layering: imports point down the layers, never up, so the
// codebase cannot grow into one package where everything depends on everything.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/parleychat/parley"

// layers maps each package (relative to the module) to its layer. A package may import packages
// of lower layers only, plus the exceptions in allowed.
var layers = map[string]int{
	"internal/config": 0, "internal/obs": 0, "internal/ircmsg": 0, "internal/casemap": 0,
	"internal/model": 0, "internal/passhash": 0, "internal/natskey": 0, "web": 0,
	"internal/freeport":  0,
	"internal/transport": 1, "internal/cluster": 1, "internal/cluster/local": 1, "internal/cluster/embedded": 1,
	"internal/cluster/heartbeat": 1, "internal/cluster/natscluster": 1, "internal/cluster/clustertest": 7,
	"internal/store": 1, "internal/store/memstore": 1, "internal/store/jsstore": 1, "internal/store/storetest": 7,
	"internal/store/histindex": 1, "internal/store/jshistory": 1,
	"internal/guard": 1, "internal/bench": 1, "internal/bench/benchmain": 6,
	"internal/core": 2, "internal/auth": 2,
	"internal/commands": 3, "internal/api": 3,
	"internal/session": 4,
	"internal/node":    5,
	"cmd/parley":       6,
	"internal/testkit": 7, "internal/archtest": 7,
}

// sameLayer lists the imports allowed within one layer: an implementation of its interface package,
// the history index the history stores share, and leaves that build on another leaf.
var sameLayer = map[string][]string{
	"internal/cluster/local":       {"internal/cluster", "internal/cluster/heartbeat"},
	"internal/cluster/heartbeat":   {"internal/cluster"},
	"internal/cluster/natscluster": {"internal/cluster", "internal/cluster/heartbeat"},
	"internal/store/memstore":      {"internal/store", "internal/store/histindex"},
	"internal/store/jsstore":       {"internal/store"},
	"internal/store/histindex":     {"internal/store"},
	"internal/store/jshistory":     {"internal/store", "internal/store/histindex"},
	"internal/config":              {"internal/passhash"},
	"internal/model":               {"internal/casemap"},
}

// forbidden lists imports that the layer numbers alone would allow but the design does not.
var forbidden = map[string][]string{
	"internal/model":               {"internal/ircmsg"},
	"internal/core":                {"internal/cluster/local", "internal/cluster/embedded", "internal/store/jsstore", "internal/store/memstore", "internal/store/jshistory", "internal/store/histindex", "internal/ircmsg", "internal/transport"},
	"internal/auth":                {"internal/cluster/local"},
	"internal/commands":            {"internal/api", "internal/transport", "internal/session"},
	"internal/api":                 {"internal/commands", "internal/session", "internal/ircmsg", "internal/transport"},
	"internal/session":             {"internal/api", "internal/transport"},
	"internal/transport":           {"internal/ircmsg", "internal/casemap", "internal/model"},
	"internal/cluster/local":       {"internal/core"},
	"internal/cluster/natscluster": {"internal/cluster/embedded", "internal/store", "internal/store/jsstore"},
	"internal/bench":               {"internal/ircmsg", "internal/core", "internal/commands"},
	"cmd/parley":                   {"internal/core", "internal/commands", "internal/session"},
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		layer, known := layers[name]
		if !known {
			t.Errorf("package %s has no layer: add it to archtest.layers", name)
			continue
		}
		seen++
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			depLayer, ok := layers[dep]
			if !ok {
				continue // reported when the dependency itself is listed
			}
			if depLayer >= layer && !slices.Contains(sameLayer[name], dep) {
				t.Errorf("%s (L%d) imports %s (L%d): imports must point to lower layers", name, layer, dep, depLayer)
			}
			for _, f := range forbidden[name] {
				if dep == f {
					t.Errorf("%s must not import %s", name, dep)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d packages checked; is go list working?", seen)
	}
}
