package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

// natsLog routes nats-server's printf-style logging into slog. Notices are the server's chatter
// (banner, listen addresses), so they go to Debug; warnings and errors keep their level. Fatal
// messages are recorded so Start can turn them into an error instead of the process exiting.
type natsLog struct {
	log *slog.Logger

	mu    sync.Mutex
	fatal string // first fatal message, guarded by mu
}

func (l *natsLog) Noticef(format string, v ...any) { l.emit(slog.LevelDebug, format, v) }
func (l *natsLog) Warnf(format string, v ...any)   { l.emit(slog.LevelWarn, format, v) }
func (l *natsLog) Errorf(format string, v ...any)  { l.emit(slog.LevelError, format, v) }
func (l *natsLog) Debugf(format string, v ...any)  { l.emit(slog.LevelDebug, format, v) }
func (l *natsLog) Tracef(format string, v ...any)  { l.emit(slog.LevelDebug-4, format, v) }

func (l *natsLog) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.mu.Lock()
	if l.fatal == "" {
		l.fatal = msg
	}
	l.mu.Unlock()
	l.log.Error(msg, "component", "nats")
}

func (l *natsLog) emit(level slog.Level, format string, v []any) {
	if !l.log.Enabled(context.Background(), level) {
		return // skip formatting for suppressed levels
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...), "component", "nats")
}

// fatalMessage returns the first fatal message logged, or "".
func (l *natsLog) fatalMessage() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fatal
}
