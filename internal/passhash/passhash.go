// Package passhash creates and checks the password hashes that parley keeps
// in its configuration (server.password, opers) and for accounts.
//
// New hashes are argon2id in the PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with the parameters the OWASP Password Storage Cheat Sheet recommends for
// argon2id (19 MiB of memory, 2 passes, 1 lane). Verification also accepts
// bcrypt hashes ($2a$, $2b$, $2y$) so that operators can bring hashes made by
// other IRC servers or by htpasswd.
//
// All functions are safe to call from any goroutine.
package passhash

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// OWASP Password Storage Cheat Sheet, "Argon2id": m=19456 (19 MiB), t=2, p=1.
const (
	defaultMemory  = 19456 // KiB
	defaultTime    = 2
	defaultThreads = 1
	saltLen        = 16
	keyLen         = 32
)

// bcryptMaxPassword is the number of password bytes bcrypt looks at; any bytes
// after it are ignored by the algorithm, so two long passwords sharing a
// 72-byte prefix would both match. Verify refuses longer passwords instead.
const bcryptMaxPassword = 72

// Hash returns an argon2id PHC string for password. The password may be any
// byte string of any length; it is not normalised, so callers that accept
// text from several sources should agree on one encoding (UTF-8).
//
// Hash is safe to call from any goroutine. It costs about 19 MiB of memory and
// tens of milliseconds of CPU per call, by design.
func Hash(password []byte) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passhash: reading random salt: %w", err)
	}
	p := params{memory: defaultMemory, time: defaultTime, threads: defaultThreads}
	key := argon2.IDKey(password, salt, p.time, p.memory, p.threads, keyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches hash, which may be an argon2id PHC
// string or a bcrypt hash. A malformed hash never matches. The final
// comparison runs in constant time.
//
// Verify is safe to call from any goroutine.
func Verify(hash string, password []byte) bool {
	if isBcrypt(hash) {
		if len(password) > bcryptMaxPassword {
			return false
		}
		return bcrypt.CompareHashAndPassword([]byte(hash), password) == nil
	}
	h, err := parsePHC(hash)
	if err != nil {
		return false
	}
	got := argon2.IDKey(password, h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// Valid reports whether hash is a hash that Verify can check: a well-formed
// argon2id PHC string with parameters inside the accepted bounds, or a
// well-formed bcrypt hash. It does no hashing work.
//
// Valid is safe to call from any goroutine.
func Valid(hash string) bool {
	if isBcrypt(hash) {
		_, err := bcrypt.Cost([]byte(hash))
		return err == nil
	}
	_, err := parsePHC(hash)
	return err == nil
}

func isBcrypt(hash string) bool {
	return strings.HasPrefix(hash, "$2a$") || strings.HasPrefix(hash, "$2b$") ||
		strings.HasPrefix(hash, "$2y$")
}
