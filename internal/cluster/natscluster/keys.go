package natscluster

import (
	"errors"
	"strconv"
	"strings"
)

// KV keys may hold only [-/_=.a-zA-Z0-9], and "." separates key tokens, while nicks, channel
// names and client ids may be any UTF-8. encodeKey keeps ASCII letters, digits and "-", and
// writes every other byte as "_" and two lower-case hex digits ("#chan" -> "_23chan"), so keys
// stay readable in `nats kv ls`, never contain ".", and map one-to-one to names. It is the scheme
// the store's buckets use too.

const hexDigits = "0123456789abcdef"

func plainByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// encodeKey returns the key token for a non-empty name.
func encodeKey(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if c := s[i]; plainByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

var errBadKey = errors.New("natscluster: malformed key")

// decodeKey inverts encodeKey and rejects what encodeKey cannot produce.
func decodeKey(k string) (string, error) {
	if k == "" {
		return "", errBadKey
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if plainByte(c) {
			b.WriteByte(c)
			continue
		}
		if c != '_' || i+2 >= len(k) {
			return "", errBadKey
		}
		hi, lo := strings.IndexByte(hexDigits, k[i+1]), strings.IndexByte(hexDigits, k[i+2])
		if hi < 0 || lo < 0 || plainByte(byte(hi<<4|lo)) {
			return "", errBadKey
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}

// memberKey is "<channel>.<client>", so one channel's members share the prefix "<channel>.".
func memberKey(channel, client string) string {
	return encodeKey(channel) + "." + encodeKey(client)
}

func splitMemberKey(k string) (channel, client string, err error) {
	c, cl, ok := strings.Cut(k, ".")
	if !ok {
		return "", "", errBadKey
	}
	if channel, err = decodeKey(c); err != nil {
		return "", "", err
	}
	client, err = decodeKey(cl)
	return channel, client, err
}

// lostPrefix starts the keys of lost markers in the node bucket: lost.<node>.<incarnation>.
const lostPrefix = "lost."

func lostKey(node string, inc uint64) string {
	return lostPrefix + encodeKey(node) + "." + strconv.FormatUint(inc, 10)
}

func parseLostKey(k string) (node string, inc uint64, err error) {
	rest, ok := strings.CutPrefix(k, lostPrefix)
	if !ok {
		return "", 0, errBadKey
	}
	n, i, ok := strings.Cut(rest, ".")
	if !ok {
		return "", 0, errBadKey
	}
	if node, err = decodeKey(n); err != nil {
		return "", 0, err
	}
	if inc, err = strconv.ParseUint(i, 10, 64); err != nil {
		return "", 0, errBadKey
	}
	return node, inc, nil
}
