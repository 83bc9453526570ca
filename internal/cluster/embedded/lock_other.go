//go:build !unix

package embedded

import "os"

// lockDir only opens the lock file where advisory locks are not available: running two servers on
// one data directory is then the operator's mistake to avoid.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
