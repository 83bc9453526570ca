package config

import (
	"reflect"
	"strings"
)

// Clone returns a deep copy of c: no slice is shared, so the copy can be
// changed without affecting c.
//
// Clone only reads c; it is safe for concurrent use as long as nobody
// modifies c meanwhile.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	out := new(Config)
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(c).Elem())
	return out
}

// deepCopy copies src into dst, allocating new backing arrays for slices
// and maps. Walking the type keeps Clone correct as fields are added.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			deepCopy(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			deepCopy(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		iter := src.MapRange()
		for iter.Next() {
			v := reflect.New(iter.Value().Type()).Elem()
			deepCopy(v, iter.Value())
			m.SetMapIndex(iter.Key(), v)
		}
		dst.Set(m)
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	default:
		dst.Set(src)
	}
}

// Diff returns the dotted names of the keys whose values differ between old
// and new, in file order ("limits.sendq", "opers"). A list is reported as
// one key when any element differs; an empty list equals an absent one.
// Values the file does not hold directly are named too: "server.motd_file"
// when the file's contents changed, "dev_tls" for the --dev-tls flag.
//
// Diff only reads its arguments; it is safe for concurrent use as long as
// nobody modifies them meanwhile.
func Diff(old, new *Config) (changed []string) {
	if old == nil || new == nil {
		panic("config: Diff of a nil *Config")
	}
	return diffValues(nil, "", reflect.ValueOf(old).Elem(), reflect.ValueOf(new).Elem())
}

func diffValues(changed []string, path string, a, b reflect.Value) []string {
	if a.Kind() != reflect.Struct {
		if !equalValues(a, b) {
			changed = appendUnique(changed, path)
		}
		return changed
	}
	t := a.Type()
	for i := 0; i < t.NumField(); i++ {
		name := keyName(t.Field(i))
		if name == "" {
			continue
		}
		if path != "" {
			name = path + "." + name
		}
		changed = diffValues(changed, name, a.Field(i), b.Field(i))
	}
	return changed
}

// keyName is a field's YAML key, or its diff tag for fields kept out of the
// file, or "" for fields Diff ignores.
func keyName(f reflect.StructField) string {
	if d := f.Tag.Get("diff"); d != "" {
		return d
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

// equalValues is reflect.DeepEqual, except that a nil slice equals an empty
// one at any depth: `irc: []` in the file and an unset list mean the same.
func equalValues(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// appendUnique keeps a key reported once: server.motd_file is both a YAML
// key and the name for the file's contents.
func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
