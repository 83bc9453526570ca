package commands

import (
	"encoding/base64"
	"errors"
)

// IRCv3 sasl-3.1 "AUTHENTICATE": payloads travel base64-encoded in chunks of 400 bytes; a chunk
// shorter than 400 bytes ends the message, and "+" ends a message whose length is a multiple of
// 400 (or stands for an empty one).
const (
	saslChunk = 400
	// saslMaxEncoded bounds one reassembled message: enough for a 4096-byte password in PLAIN
	// with long names, small enough that a client cannot make us buffer much (DoS hardening).
	saslMaxEncoded = 8 * saslChunk * 4
)

var (
	errSASLTooLong   = errors.New("SASL message too long")
	errSASLBadBase64 = errors.New("SASL message is not valid base64")
)

// saslDecoder reassembles one client message from AUTHENTICATE chunks.
type saslDecoder struct {
	buf []byte
}

// add takes one AUTHENTICATE parameter. It returns the decoded message once it is complete. On
// an error the decoder is reset; the exchange should be aborted.
func (d *saslDecoder) add(chunk string) (msg []byte, complete bool, err error) {
	if len(chunk) > saslChunk {
		d.buf = nil
		return nil, false, errSASLTooLong
	}
	if chunk != "+" {
		if len(d.buf)+len(chunk) > saslMaxEncoded {
			d.buf = nil
			return nil, false, errSASLTooLong
		}
		d.buf = append(d.buf, chunk...)
		if len(chunk) == saslChunk {
			return nil, false, nil
		}
	}
	enc := d.buf
	d.buf = nil
	msg = make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Strict().Decode(msg, enc)
	if err != nil {
		return nil, false, errSASLBadBase64
	}
	return msg[:n], true, nil
}

// saslEncode splits a server message into AUTHENTICATE parameters: base64 in 400-byte chunks,
// with a final "+" when the last chunk is a full one or the message is empty.
func saslEncode(msg []byte) []string {
	enc := base64.StdEncoding.EncodeToString(msg)
	var out []string
	for len(enc) >= saslChunk {
		out = append(out, enc[:saslChunk])
		enc = enc[saslChunk:]
	}
	if enc == "" {
		return append(out, "+")
	}
	return append(out, enc)
}
