package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadArguments: unknown commands, bad flags and bad files exit 2 with a message that says
// what is wrong.
func TestBadArguments(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("limits:\n  sendq: 12 parsecs\nfilters: [{name: x, pattern: '(', action: block}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`, "usage:"}},
		{nil, 2, []string{"usage:"}},
		{[]string{"serve", "--no-such-flag"}, 2, []string{"no-such-flag"}},
		{[]string{"serve", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{[]string{"serve", "--config", bad}, 2, []string{"limits.sendq", "filters[0].pattern"}},
		{[]string{"serve", "--config", filepath.Join(dir, "missing.yaml")}, 2, []string{"missing.yaml", "cannot read"}},
		{[]string{"serve", "--drain-timeout", "soon"}, 2, []string{"drain-timeout"}},
		{[]string{"drain"}, 2, []string{"--config FILE or --pid PID"}},
		{[]string{"drain", "--pid", "1", "--config", bad}, 2, []string{"exactly one"}},
		{[]string{"drain", "--config", bad}, 1, []string{"limits.sendq"}},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code {
			t.Errorf("parley %v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(errb.String(), w) {
				t.Errorf("parley %v: stderr %q does not mention %q", tc.args, errb.String(), w)
			}
		}
	}
}
