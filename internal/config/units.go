package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written in the file as "90s", "2m", "1h30m"
// or "7d". A bare integer other than 0 is refused: it is unclear whether 90
// means nanoseconds or seconds.
type Duration time.Duration

// Duration returns d as a time.Duration.
//
// Safe for concurrent use (d is a value).
func (d Duration) Duration() time.Duration { return time.Duration(d) }

// String formats d the way time.Duration does ("1h30m0s"), which
// ParseDuration reads back.
//
// Safe for concurrent use (d is a value).
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML writes d as its String form.
//
// Safe for concurrent use (d is a value).
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads a duration scalar. It is called by the YAML decoder
// on a value owned by the caller and is not safe for concurrent use.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return valueError(n, "must be a duration such as 90s, 2m or 1h30m")
	}
	if n.ShortTag() == "!!int" && n.Value != "0" {
		return valueError(n, fmt.Sprintf("%s has no unit (write %ss)", n.Value, n.Value))
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return valueError(n, err.Error())
	}
	*d = v
	return nil
}

// ParseDuration parses the duration syntax of time.ParseDuration, plus a
// leading whole number of days ("7d", "1d12h") and a bare "0".
//
// Safe for concurrent use.
func ParseDuration(s string) (Duration, error) {
	bad := fmt.Errorf("%q is not a duration (write it like 90s, 2m, 1h30m or 7d)", s)
	if s == "0" {
		return 0, nil
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.ParseUint(s[:i], 10, 31)
		if err != nil || n > math.MaxInt64/uint64(24*time.Hour) {
			return 0, bad
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return Duration(days), nil
		}
		if s[0] == '-' || s[0] == '+' {
			return 0, bad
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, bad
	}
	if days > 0 && v > math.MaxInt64-days {
		return 0, bad
	}
	return Duration(days + v), nil
}

// Size is a byte count written as 65536, "64KiB", "64KB" (64,000), "1MiB",
// "1MB", "1GiB" or "1GB". Unit names are case-insensitive.
type Size int64

// Size units. Decimal units are powers of 1000, binary units powers of 1024.
const (
	KB  Size = 1000
	MB  Size = 1000 * KB
	GB  Size = 1000 * MB
	KiB Size = 1024
	MiB Size = 1024 * KiB
	GiB Size = 1024 * MiB
)

var sizeUnits = []struct {
	name string
	mult Size
}{
	{"GiB", GiB}, {"MiB", MiB}, {"KiB", KiB},
	{"GB", GB}, {"MB", MB}, {"KB", KB},
	{"B", 1},
}

// String formats s in the largest unit that divides it exactly, preferring
// binary units ("1MiB", "64KB", "1000").
//
// Safe for concurrent use (s is a value).
func (s Size) String() string {
	if s != 0 {
		for _, u := range sizeUnits[:len(sizeUnits)-1] {
			if s%u.mult == 0 {
				return strconv.FormatInt(int64(s/u.mult), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(s), 10)
}

// MarshalYAML writes s as its String form, or as a plain integer when it
// has no exact unit.
//
// Safe for concurrent use (s is a value).
func (s Size) MarshalYAML() (any, error) {
	str := s.String()
	if n, err := strconv.ParseInt(str, 10, 64); err == nil {
		return n, nil
	}
	return str, nil
}

// UnmarshalYAML reads a size scalar. It is called by the YAML decoder on a
// value owned by the caller and is not safe for concurrent use.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return valueError(n, "must be a size such as 65536 or 64KiB")
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		return valueError(n, err.Error())
	}
	*s = v
	return nil
}

// ParseSize parses a non-negative byte count with an optional unit
// (B, KB, MB, GB, KiB, MiB, GiB), with or without a space before the unit.
//
// Safe for concurrent use.
func ParseSize(str string) (Size, error) {
	bad := fmt.Errorf("%q is not a size (use bytes, or units like 64KiB)", str)
	t := strings.TrimSpace(str)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, bad
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, bad
	}
	unit := strings.TrimSpace(t[i:])
	mult := Size(1)
	if unit != "" {
		mult = 0
		for _, u := range sizeUnits {
			if strings.EqualFold(unit, u.name) {
				mult = u.mult
			}
		}
		if mult == 0 {
			return 0, bad
		}
	}
	if n > math.MaxInt64/int64(mult) {
		return 0, fmt.Errorf("%q is too large", str)
	}
	return Size(n) * mult, nil
}
