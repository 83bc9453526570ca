// Package web holds the built-in web client: static HTML, CSS and ES
// modules with no build step, served at / on the HTTP port. The client
// speaks IRC over WebSocket (/ws, IRCv3 WebSocket spec) to the same server,
// so web users go through the one protocol implementation every client uses.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the client's files, rooted so that index.html is at the top.
// The returned file system is read-only and safe for concurrent use.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "static" is a constant.
		panic(err)
	}
	return sub
}
