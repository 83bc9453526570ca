package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxMOTDFile bounds how much of server.motd_file is read, so that a path
// such as /dev/zero cannot hang start-up.
const maxMOTDFile = 64 * 1024

// Load reads the YAML file at path over Defaults, rejecting unknown keys, and
// validates the result. Every problem found is returned at once, each as an
// *Error naming its key, joined with errors.Join.
//
// Load is safe to call from any goroutine; the returned Config is new.
func Load(path string) (*Config, error) { return LoadWith(path, nil) }

// LoadWith is Load with adjust applied to the configuration before it is validated: the command
// line's overrides (--listen-tls, --dev-tls...) must count when the file is checked, since a file
// with a TLS listener and no certificate is valid only together with --dev-tls. adjust may be nil.
func LoadWith(path string, adjust func(*Config)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read the file: %v", unwrapPath(err))}
	}
	return parse(data, path, adjust)
}

// Parse is Load for a file already in memory; name is used in messages.
// Relative paths inside the file (motd_file) are read relative to the
// process's working directory.
//
// Parse is safe to call from any goroutine; the returned Config is new.
func Parse(data []byte, name string) (*Config, error) { return parse(data, name, nil) }

func parse(data []byte, name string, adjust func(*Config)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(name, err)
	}
	idx := newKeyIndex(&root)

	c := Defaults()
	c.Cluster.Node = "" // filled from server.name below unless the file sets it
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var errs []error
	if err := dec.Decode(c); err != nil && err != io.EOF {
		errs = append(errs, decodeErrors(name, idx, err)...)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		errs = append(errs, &Error{File: name, Line: next.Line,
			Msg: "a second YAML document starts here; the file must hold one"})
	} else if err != io.EOF {
		errs = append(errs, syntaxError(name, err))
	}
	c.fillDerived()
	if err := c.readMOTD(); err != nil {
		errs = append(errs, err)
	}
	if adjust != nil && len(errs) == 0 {
		adjust(c)
	}
	if err := c.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// fillDerived sets the defaults that depend on other keys or apply to each
// element of a list, which Defaults cannot express.
func (c *Config) fillDerived() {
	if c.Cluster.Node == "" {
		c.Cluster.Node = c.Server.Name
	}
	for i := range c.Opers {
		if c.Opers[i].Class == "" {
			c.Opers[i].Class = defaultOperClass
		}
	}
}

// readMOTD loads server.motd_file into Server.MOTDFromFile. When motd is set
// too, Validate reports the conflict and the file is not read.
func (c *Config) readMOTD() error {
	s := &c.Server
	if s.MOTDFile == "" || s.MOTD != "" {
		return nil
	}
	bad := func(format string, args ...any) error {
		return &Error{Key: "server.motd_file", Msg: fmt.Sprintf(format, args...)}
	}
	// Stat before opening: opening a FIFO would block start-up.
	if st, err := os.Stat(s.MOTDFile); err != nil {
		return bad("cannot read %q: %v", s.MOTDFile, unwrapPath(err))
	} else if !st.Mode().IsRegular() {
		return bad("%q is not a regular file", s.MOTDFile)
	}
	f, err := os.Open(s.MOTDFile)
	if err != nil {
		return bad("cannot read %q: %v", s.MOTDFile, unwrapPath(err))
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, maxMOTDFile+1))
	switch {
	case err != nil:
		return bad("cannot read %q: %v", s.MOTDFile, unwrapPath(err))
	case len(text) > maxMOTDFile:
		return bad("%q is larger than %d bytes", s.MOTDFile, maxMOTDFile)
	case !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0:
		return bad("%q is not UTF-8 text", s.MOTDFile)
	}
	s.MOTDFromFile = string(text)
	return nil
}

// unwrapPath drops the *os.PathError wrapper, whose text repeats the path
// that the message already quotes.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
