package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports decoding problems as text such as "line 7: field limts not
// found in type config.Config". This file turns that text back into key
// paths, using an index of where each key and value sits in the file.

// keyEntry is one key or value found in the file.
type keyEntry struct {
	line, col int
	path      string     // dotted key path, with [i] for list elements
	key       bool       // the entry is a mapping key, not a value
	node      *yaml.Node // the key or value node
}

// keyIndex maps a line number to the entries that start on it.
type keyIndex map[int][]keyEntry

func newKeyIndex(root *yaml.Node) keyIndex {
	idx := keyIndex{}
	idx.walk(root, "")
	return idx
}

func (idx keyIndex) add(n *yaml.Node, path string, key bool) {
	idx[n.Line] = append(idx[n.Line], keyEntry{line: n.Line, col: n.Column, path: path, key: key, node: n})
}

// walk records every key and value below n. Aliases are not followed, so a
// file full of aliases cannot make the index large.
func (idx keyIndex) walk(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			idx.walk(c, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			idx.add(k, p, true)
			idx.add(v, p, false)
			idx.walk(v, p)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			idx.add(item, p, false)
			idx.walk(item, p)
		}
	}
}

// find returns the first entry on line that is a key (or a value) and
// satisfies match.
func (idx keyIndex) find(line int, key bool, match func(keyEntry) bool) (keyEntry, bool) {
	for _, e := range idx[line] {
		if e.key == key && match(e) {
			return e, true
		}
	}
	return keyEntry{}, false
}

// valueError is returned by the UnmarshalYAML methods of Duration and Size.
// It is a *yaml.TypeError so that the decoder records it and carries on
// (any other error type aborts decoding), and it carries the column so that
// the key can be found even when several values share a line.
func valueError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: column %d: %s", n.Line, n.Column, msg)}}
}

var (
	reOurs      = regexp.MustCompile(`^line (\d+): column (\d+): (.*)$`)
	reUnknown   = regexp.MustCompile(`^line (\d+): field (.*) not found in type \S+$`)
	reType      = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
	reDuplicate = regexp.MustCompile(`^line (\d+): mapping key "(.*)" already defined at line (\d+)$`)
	reSetTwice  = regexp.MustCompile(`^line (\d+): field (.*) already set in type \S+$`)
	reLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// decodeErrors converts an error from yaml.Decoder.Decode into *Errors.
func decodeErrors(file string, idx keyIndex, err error) []error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []error{syntaxError(file, err)}
	}
	out := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		out = append(out, idx.convert(file, msg))
	}
	return out
}

// convert turns one yaml.v3 decoding message into an *Error.
func (idx keyIndex) convert(file, msg string) *Error {
	if m := reOurs.FindStringSubmatch(msg); m != nil {
		line, col := atoi(m[1]), atoi(m[2])
		if e, ok := idx.find(line, false, func(e keyEntry) bool { return e.col == col }); ok {
			return &Error{Key: e.path, Msg: m[3]}
		}
		return &Error{File: file, Line: line, Msg: m[3]}
	}
	if m := reUnknown.FindStringSubmatch(msg); m != nil {
		return idx.keyProblem(file, atoi(m[1]), m[2], "unknown key %q")
	}
	if m := reDuplicate.FindStringSubmatch(msg); m != nil {
		return idx.keyProblem(file, atoi(m[1]), m[2], "key %q is set twice (first at line "+m[3]+")")
	}
	if m := reSetTwice.FindStringSubmatch(msg); m != nil {
		return idx.keyProblem(file, atoi(m[1]), m[2], "key %q is set twice")
	}
	if m := reType.FindStringSubmatch(msg); m != nil {
		return idx.typeProblem(file, atoi(m[1]), m[2], m[3], m[4])
	}
	if m := reLine.FindStringSubmatch(msg); m != nil {
		return &Error{File: file, Line: atoi(m[1]), Msg: m[2]}
	}
	return &Error{File: file, Msg: msg}
}

// keyProblem reports a problem with the key named name on line, giving its
// full path when the index knows it.
func (idx keyIndex) keyProblem(file string, line int, name, format string) *Error {
	path := name
	if e, ok := idx.find(line, true, func(e keyEntry) bool { return e.node.Value == name }); ok {
		path = e.path
	}
	return &Error{Key: path, File: file, Line: line, Msg: fmt.Sprintf(format, path)}
}

// typeProblem reports a value of the wrong kind: tag is the YAML tag found
// (str, int, seq, map…), shown is yaml.v3's shortened copy of the value and
// goType the Go type that could not hold it.
func (idx keyIndex) typeProblem(file string, line int, tag, shown, goType string) *Error {
	e, ok := idx.find(line, false, func(e keyEntry) bool {
		v := strings.TrimSuffix(shown, "...")
		return e.node.ShortTag() == "!!"+tag && strings.HasPrefix(e.node.Value, v)
	})
	want := describeType(goType)
	if !ok || e.path == "" {
		if goType == "config.Config" {
			want = "a mapping of keys such as server: and listen:"
		}
		return &Error{File: file, Line: line, Msg: "the value here is not " + want}
	}
	switch tag {
	case "seq":
		return &Error{Key: e.path, Msg: "expected " + want + ", found a list"}
	case "map":
		return &Error{Key: e.path, Msg: "expected " + want + ", found a mapping"}
	}
	return &Error{Key: e.path, Msg: fmt.Sprintf("%q is not %s", e.node.Value, want)}
}

// describeType names a Go type the way an operator thinks of it.
func describeType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a single value"
	}
	return "a mapping of keys"
}

// syntaxError converts a yaml.v3 parse error ("yaml: line 3: ...").
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := reLine.FindStringSubmatch(msg); m != nil {
		return &Error{File: file, Line: atoi(m[1]), Msg: m[2]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
