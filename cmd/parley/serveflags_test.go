package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file with a TLS listener and no certificate is valid together with --dev-tls: the command
// line's overrides count when the file is checked. Without the flag the file is refused, naming
// tls.cert; --listen-tls on the command line is checked the same way.
func TestServeFlagsApplyBeforeValidation(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tls.yaml")
	if err := os.WriteFile(file, []byte("listen:\n  tls: [\"127.0.0.1:0\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(args ...string) error {
		f, err := parseServeFlags(args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		_, err = loadConfig(f)
		return err
	}
	if err := load("--config", file, "--dev-tls"); err != nil {
		t.Fatalf("--config with listen.tls and --dev-tls: %v", err)
	}
	if err := load("--config", file); err == nil || !strings.Contains(err.Error(), "tls.cert") {
		t.Fatalf("--config with listen.tls alone: %v, want an error naming tls.cert", err)
	}
	if err := load("--listen-tls", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "tls.cert") {
		t.Fatalf("--listen-tls alone: %v, want an error naming tls.cert", err)
	}
	f, err := parseServeFlags([]string{"--config", file, "--dev-tls", "--data-dir", dir}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(f)
	if err != nil || cfg.DataDir != dir || !cfg.DevTLS || len(cfg.Listen.TLS) != 1 {
		t.Fatalf("overrides not applied: %+v, %v", cfg, err)
	}
}
