package commands

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// feed sends a message through the decoder as a client would: 400-byte chunks, "+" after a full
// last chunk or for an empty message.
func feed(t *testing.T, d *saslDecoder, msg []byte) []byte {
	t.Helper()
	chunks := saslEncode(msg) // the server's chunking is the client's too
	for i, ch := range chunks {
		out, complete, err := d.add(ch)
		if err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		if complete != (i == len(chunks)-1) {
			t.Fatalf("chunk %d of %d: complete = %v", i, len(chunks), complete)
		}
		if complete {
			return out
		}
	}
	return nil
}

func TestSASLDecoder(t *testing.T) {
	for _, n := range []int{0, 1, 299, 300, 301, 600, 900, 1200, 4096} {
		msg := bytes.Repeat([]byte{0xA5}, n)
		var d saslDecoder
		if got := feed(t, &d, msg); !bytes.Equal(got, msg) {
			t.Errorf("%d bytes: round trip gave %d bytes", n, len(got))
		}
	}
	var d saslDecoder
	if _, _, err := d.add(strings.Repeat("A", 401)); !errors.Is(err, errSASLTooLong) {
		t.Errorf("401-byte chunk: %v", err)
	}
	if _, _, err := d.add("%%%%"); !errors.Is(err, errSASLBadBase64) {
		t.Errorf("bad base64: %v", err)
	}
	// Unpadded base64 is refused: RFC 4648 strict decoding, as the spec's examples are padded.
	if _, _, err := d.add("YQ"); !errors.Is(err, errSASLBadBase64) {
		t.Errorf("unpadded: %v", err)
	}
	for range saslMaxEncoded / saslChunk {
		if _, _, err := d.add(strings.Repeat("A", saslChunk)); err != nil {
			t.Fatalf("within the limit: %v", err)
		}
	}
	if _, _, err := d.add(strings.Repeat("A", saslChunk)); !errors.Is(err, errSASLTooLong) {
		t.Errorf("past the limit: %v", err)
	}
	if len(d.buf) != 0 {
		t.Errorf("decoder kept %d bytes after an error", len(d.buf))
	}
}

func TestSASLEncode(t *testing.T) {
	if got := saslEncode(nil); len(got) != 1 || got[0] != "+" {
		t.Errorf("empty: %q", got)
	}
	got := saslEncode(make([]byte, 300)) // exactly 400 base64 characters
	if len(got) != 2 || len(got[0]) != 400 || got[1] != "+" {
		t.Errorf("300 bytes: %d chunks, last %q", len(got), got[len(got)-1])
	}
}

// FuzzSASLDecoder feeds arbitrary AUTHENTICATE parameters: the decoder must never panic, never
// hold more than its limit, and whatever it returns must be what the base64 it was given encodes.
func FuzzSASLDecoder(f *testing.F) {
	f.Add("AGFsaWNlAGNvcnJlY3QgaG9yc2U=", "")
	f.Add(strings.Repeat("A", 400), "+")
	f.Add(strings.Repeat("A", 400), "QUFB")
	f.Add("+", "")
	f.Add("*", "")
	f.Add("bm90IGJhc2U2NA", "=")
	f.Add(strings.Repeat("/", 401), "")
	f.Fuzz(func(t *testing.T, a, b string) {
		var d saslDecoder
		var enc string
		for _, ch := range []string{a, b} {
			if ch == "" {
				continue
			}
			if ch != "+" && len(ch) <= saslChunk {
				enc += ch
			}
			out, complete, err := d.add(ch)
			if len(d.buf) > saslMaxEncoded {
				t.Fatalf("decoder holds %d bytes", len(d.buf))
			}
			if err != nil {
				enc = ""
				continue
			}
			if complete {
				want, derr := base64.StdEncoding.Strict().DecodeString(enc)
				if derr != nil || !bytes.Equal(out, want) {
					t.Fatalf("decoded %q from %q, want %q (%v)", out, enc, want, derr)
				}
				enc = ""
			}
		}
	})
}
