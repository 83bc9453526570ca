package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsMatchCode keeps docs/config.md from drifting: it must describe
// every key, list elements included, and carry testdata/full.yaml verbatim
// as its complete example.
func TestDocsMatchCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(full)+"```\n") {
		t.Error("docs/config.md does not contain testdata/full.yaml as its complete example")
	}
	keys := docKeys("", reflect.TypeOf(Config{}))
	if len(keys) < 60 { // guards against the walk silently finding nothing
		t.Fatalf("found only %d keys: %v", len(keys), keys)
	}
	for _, key := range keys {
		if !strings.Contains(string(doc), "`"+key+"`") {
			t.Errorf("docs/config.md does not describe `%s`", key)
		}
	}
}

// docKeys lists the YAML keys below t the way the docs write them:
// "limits.sendq", "opers[].name".
func docKeys(path string, t reflect.Type) []string {
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
		return docKeys(path+"[]", t.Elem())
	}
	if t.Kind() != reflect.Struct {
		return []string{path}
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		keys = append(keys, docKeys(name, f.Type)...)
	}
	return keys
}
