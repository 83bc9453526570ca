package config

import (
	"os"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to Parse: it must never panic, and must
// return either an error or a Config that validates, clones and diffs cleanly.
func FuzzLoad(f *testing.F) {
	full, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	for _, s := range []string{
		"",
		"server: {name: irc.example.net}\n",
		"limits: {sendq: 64KiB, ping_interval: 90}\n",
		"limts: 1\n",
		"opers: [{name: a, password: x}]\n",
		"a: &a [*a, *a]\nb: *a\n",
		"server:\n\tname: x\n",
		"---\n---\n",
		"listen: {irc: [':6667', ':6667']}\n",
		"history: {max_age: 7d12h}\ncluster: {routes: [x:1]}\n",
		"{limits: {flood: {rate: .nan}}}",
		"server: {motd_file: testdata/motd.txt}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned both a Config and an error")
			}
			for _, p := range problems(err) {
				if p.Error() == "" {
					t.Fatal("empty error message")
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		if d := Diff(c, c.Clone()); len(d) != 0 {
			t.Fatalf("Diff against its own clone: %v", d)
		}
	})
}
