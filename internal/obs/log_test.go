package obs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestNewLoggerLevels(t *testing.T) {
	cases := []struct {
		level string
		shown []string // messages that must appear, the rest must not
	}{
		{"debug", []string{"d", "i", "w", "e"}},
		{"info", []string{"i", "w", "e"}},
		{"warn", []string{"w", "e"}},
		{"error", []string{"e"}},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		log, _, err := NewLogger(&buf, tc.level, "text")
		if err != nil {
			t.Fatal(err)
		}
		log.Debug("d")
		log.Info("i")
		log.Warn("w")
		log.Error("e")
		for _, msg := range []string{"d", "i", "w", "e"} {
			want := strings.Contains(strings.Join(tc.shown, ""), msg)
			if got := strings.Contains(buf.String(), "msg="+msg+"\n"); got != want {
				t.Errorf("level %s: message %q shown=%v, want %v\n%s", tc.level, msg, got, want, buf.String())
			}
		}
	}
}

func TestNewLoggerJSON(t *testing.T) {
	var buf bytes.Buffer
	log, _, err := NewLogger(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hello", "client", "alice", "n", 3)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %q: %v", buf.String(), err)
	}
	if rec["msg"] != "hello" || rec["client"] != "alice" || rec["n"] != 3.0 || rec["level"] != "INFO" {
		t.Errorf("record = %v", rec)
	}
}

func TestLevelVarChangesRunningLogger(t *testing.T) {
	var buf bytes.Buffer
	log, lv, err := NewLogger(&buf, "warn", "text")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("before")
	if err := SetLevel(lv, "debug"); err != nil {
		t.Fatal(err)
	}
	log.Debug("after")
	if strings.Contains(buf.String(), "before") || !strings.Contains(buf.String(), "after") {
		t.Errorf("output = %q", buf.String())
	}
	if err := SetLevel(lv, "verbose"); err == nil || lv.Level() != slog.LevelDebug {
		t.Errorf("bad level: err %v, level now %v", err, lv.Level())
	}
}

func TestNewLoggerRejectsUnknown(t *testing.T) {
	for _, in := range [][2]string{{"trace", "text"}, {"", "text"}, {"info", "xml"}, {"INFO", "text"}} {
		if _, _, err := NewLogger(&bytes.Buffer{}, in[0], in[1]); err == nil {
			t.Errorf("NewLogger(%q, %q) accepted", in[0], in[1])
		}
	}
}
