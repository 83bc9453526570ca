//go:build !(linux || darwin || freebsd)

package bench

import "time"

// raiseFileLimit is a no-op where RLIMIT_NOFILE does not exist; 0 means
// "unknown" and skips the client-count check against it.
func raiseFileLimit() (uint64, error) { return 0, nil }

// cpuTime is unknown here; the report then shows 0% generator CPU.
func cpuTime() time.Duration { return 0 }
