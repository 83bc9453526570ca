// Package obs sets up parley's observability: the structured logger, the
// Prometheus metrics, and the pprof endpoints.
package obs

import (
	"fmt"
	"io"
	"log/slog"
)

// NewLogger returns a logger writing to w at the given level ("debug",
// "info", "warn", "error") in the given format ("text" or "json"). The
// returned LevelVar changes the level of the running logger, which is how a
// configuration reload applies log.level without rebuilding handlers.
//
// NewLogger is safe to call from any goroutine; the logger and LevelVar it
// returns are safe for concurrent use.
func NewLogger(w io.Writer, level, format string) (*slog.Logger, *slog.LevelVar, error) {
	lv := new(slog.LevelVar)
	if err := SetLevel(lv, level); err != nil {
		return nil, nil, err
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch format {
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, nil, fmt.Errorf("obs: unknown log format %q (want text or json)", format)
	}
	return slog.New(h), lv, nil
}

// SetLevel sets lv from a level name ("debug", "info", "warn", "error").
// It leaves lv unchanged on error.
//
// SetLevel is safe to call concurrently with logging through lv.
func SetLevel(lv *slog.LevelVar, level string) error {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		return fmt.Errorf("obs: unknown log level %q (want debug, info, warn or error)", level)
	}
	lv.Set(l)
	return nil
}
