package natscluster

import (
	"errors"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/natskey"
)

// Keys are names encoded with natskey (one token each, never containing "."), the scheme the
// store's buckets and the history stream use too.
var encodeKey = natskey.Encode

var errBadKey = errors.New("natscluster: malformed key")

// decodeKey inverts encodeKey and rejects what encodeKey cannot produce.
func decodeKey(k string) (string, error) {
	s, err := natskey.Decode(k)
	if err != nil {
		return "", errBadKey
	}
	return s, nil
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
