package passhash

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Bounds on the parameters accepted from a stored hash. Hashes come from the
// operator or from the account store, but a typo such as m=1945600000 would
// otherwise make every login allocate gigabytes, so Verify refuses them.
const (
	minMemory  = 8       // KiB; argon2 needs at least 8*p KiB
	maxMemory  = 1 << 20 // KiB (1 GiB)
	maxTime    = 64      // passes
	maxThreads = 64      // lanes
	minSalt    = 8       // bytes, RFC 9106 section 3.1
	maxSalt    = 64      // bytes
	minKey     = 16      // bytes
	maxKey     = 128     // bytes
	maxPHCLen  = 512     // characters; far above any hash within the bounds
	argonV19   = 0x13    // the only argon2 version x/crypto implements
	phcPrefix  = "$argon2id$"
	phcVersion = "v=19"
)

var errMalformed = errors.New("passhash: malformed argon2id hash")

// params are the argon2id cost parameters of one hash.
type params struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8  // lanes
}

// phcHash is a parsed "$argon2id$v=19$m=..,t=..,p=..$salt$key" string.
type phcHash struct {
	params
	salt []byte
	key  []byte
}

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding.Strict()

func encodePHC(p params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argonV19, p.memory, p.time,
		p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC parses an argon2id PHC string, following the PHC string format
// specification (github.com/P-H-C/phc-string-format), with the parameter
// order m, t, p that the reference implementation writes.
func parsePHC(s string) (phcHash, error) {
	var h phcHash
	if len(s) > maxPHCLen || !strings.HasPrefix(s, phcPrefix) || !printable(s) {
		return h, errMalformed
	}
	parts := strings.Split(s[len(phcPrefix):], "$")
	if len(parts) != 4 || parts[0] != phcVersion {
		return h, errMalformed
	}
	p, err := parseParams(parts[1])
	if err != nil {
		return h, err
	}
	h.params = p
	if h.salt, err = b64.DecodeString(parts[2]); err != nil || len(h.salt) < minSalt || len(h.salt) > maxSalt {
		return h, errMalformed
	}
	if h.key, err = b64.DecodeString(parts[3]); err != nil || len(h.key) < minKey || len(h.key) > maxKey {
		return h, errMalformed
	}
	return h, nil
}

// parseParams parses "m=19456,t=2,p=1" within the accepted bounds.
func parseParams(s string) (params, error) {
	var p params
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, errMalformed
	}
	m, okM := paramValue(fields[0], "m=", maxMemory)
	t, okT := paramValue(fields[1], "t=", maxTime)
	l, okP := paramValue(fields[2], "p=", maxThreads)
	if !okM || !okT || !okP || t < 1 || l < 1 || m < minMemory || m < 8*l {
		return p, errMalformed
	}
	return params{memory: m, time: t, threads: uint8(l)}, nil
}

// paramValue parses "<name><decimal>" with a value in [0, limit]. Leading
// zeros and signs are refused so that each hash has one spelling.
func paramValue(field, name string, limit uint32) (uint32, bool) {
	digits, ok := strings.CutPrefix(field, name)
	if !ok || digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || v > uint64(limit) {
		return 0, false
	}
	return uint32(v), true
}

// printable reports whether s is visible ASCII only. The base64 decoder skips
// CR and LF, so without this check a hash with a line break inside would be
// accepted and would have two spellings.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
