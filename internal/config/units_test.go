package config

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"90s":      90 * time.Second,
		"2m":       2 * time.Minute,
		"1h30m":    90 * time.Minute,
		"250ms":    250 * time.Millisecond,
		"0":        0,
		"0s":       0,
		"7d":       7 * 24 * time.Hour,
		"1d12h":    36 * time.Hour,
		"-5s":      -5 * time.Second,
		"1h0m0s":   time.Hour,
		"2562047h": 2562047 * time.Hour,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got.Duration() != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "90", "1.5", "abc", "d", "1.5d", "-1d", "1d-5s", "1h2d", "99999999999d", "106751d24h", "106752d"} {
		if got, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestDurationYAML(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 1h30m"), &v); err != nil || v.D.Duration() != 90*time.Minute {
		t.Fatalf("got %v, %v", v.D, err)
	}
	if err := yaml.Unmarshal([]byte("d: 0"), &v); err != nil || v.D != 0 {
		t.Fatalf("bare 0: got %v, %v", v.D, err)
	}
	err := yaml.Unmarshal([]byte("d: 90"), &v)
	if err == nil || !strings.Contains(err.Error(), "write 90s") {
		t.Fatalf("bare integer: got %v, want an error suggesting 90s", err)
	}
	for _, in := range []string{"d: [1s]", "d: {a: 1}", "d: 1.5"} {
		if err := yaml.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s: want an error", in)
		}
	}
	out, err := yaml.Marshal(struct {
		D Duration `yaml:"d"`
	}{Duration(90 * time.Second)})
	if err != nil || string(out) != "d: 1m30s\n" {
		t.Fatalf("Marshal = %q, %v", out, err)
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]Size{
		"0":      0,
		"65536":  65536,
		"64KiB":  64 * 1024,
		"64KB":   64000,
		"64kb":   64000,
		"64 KiB": 64 * 1024,
		"1MiB":   1 << 20,
		"1MB":    1000000,
		"1GiB":   1 << 30,
		"1GB":    1000000000,
		"512B":   512,
		" 4KiB ": 4096,
	}
	for in, want := range good {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %v, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "KiB", "12 parsecs", "-1", "1.5MiB", "1TiB", "1e6", "0x10", "9223372036854775807GiB", "99999999999999999999"} {
		if got, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %v, want an error", in, got)
		}
	}
	_, err := ParseSize("12 parsecs")
	if want := `"12 parsecs" is not a size (use bytes, or units like 64KiB)`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestSizeString(t *testing.T) {
	cases := map[Size]string{
		0: "0", 1: "1", 1000: "1KB", 1024: "1KiB", 1 << 20: "1MiB", 64000: "64KB",
		3 * GiB: "3GiB", 5 * GB: "5GB", 1025: "1025",
	}
	for in, want := range cases {
		if got := in.String(); got != want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(in), got, want)
		}
		back, err := ParseSize(in.String())
		if err != nil || back != in {
			t.Errorf("round trip of %d gave %d, %v", int64(in), back, err)
		}
	}
	out, err := yaml.Marshal(map[string]Size{"a": MiB, "b": 1025})
	if err != nil || string(out) != "a: 1MiB\nb: 1025\n" {
		t.Fatalf("Marshal = %q, %v", out, err)
	}
}

func TestThrottleRate(t *testing.T) {
	th := Throttle{Burst: 32, Refill: 16, Per: Duration(time.Second)}
	if r := th.RatePerSecond(); r != 16 {
		t.Errorf("rate = %v, want 16", r)
	}
	th.Per = Duration(2 * time.Second)
	if r := th.RatePerSecond(); r != 8 {
		t.Errorf("rate = %v, want 8", r)
	}
	if r := (Throttle{}).RatePerSecond(); r != 0 {
		t.Errorf("off throttle rate = %v, want 0", r)
	}
}
