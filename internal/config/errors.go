package config

import "fmt"

// Error is one problem with the configuration. Load and Validate return
// every problem they find, joined with errors.Join; use errors.As, or
// unwrap the join with interface{ Unwrap() []error }, to reach each one.
type Error struct {
	// Key is the dotted path of the offending key ("limits.sendq",
	// "opers[1].password"), or "" when the problem is not tied to one key.
	Key string
	// File and Line locate problems with the file's text (syntax errors,
	// unknown or repeated keys); Line is 0 for problems with a value.
	File string
	Line int
	// Msg says what is wrong, without the key.
	Msg string
}

// Error formats the problem as "config: <key>: <msg>" for a bad value, or
// "config: <file> line <n>: <msg>" for a problem with the text.
//
// Safe for concurrent use (it only reads e).
func (e *Error) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("config: %s line %d: %s", e.File, e.Line, e.Msg)
	case e.Key != "":
		return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
	case e.File != "":
		return fmt.Sprintf("config: %s: %s", e.File, e.Msg)
	}
	return "config: " + e.Msg
}
