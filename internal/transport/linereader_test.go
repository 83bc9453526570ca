package transport

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// chunkSource feeds data in chunks of the given sizes (cycled), then EOF.
type chunkSource struct {
	data  []byte
	sizes []int
	i     int
}

func (s *chunkSource) fill() (*[]byte, int, error) {
	if len(s.data) == 0 {
		return nil, 0, io.EOF
	}
	n := len(s.data)
	if len(s.sizes) > 0 {
		n = min(n, max(1, s.sizes[s.i%len(s.sizes)]))
		s.i++
	}
	b := readPool.Get().(*[]byte)
	n = copy(*b, s.data[:n])
	s.data = s.data[n:]
	return b, n, nil
}

// collect reads until EOF; ErrLineTooLong is recorded as "<too long>".
func collect(t *testing.T, r *lineReader) []string {
	t.Helper()
	var out []string
	for range 1 << 16 {
		line, err := r.readLine()
		switch {
		case err == nil:
			out = append(out, string(line))
		case errors.Is(err, ErrLineTooLong):
			out = append(out, "<too long>")
		case errors.Is(err, io.EOF):
			return out
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	t.Fatal("reader did not reach EOF")
	return nil
}

// reference splits input as ReadLine is specified to.
func reference(input []byte, max int) []string {
	var out []string
	for {
		i := bytes.IndexByte(input, '\n')
		if i < 0 {
			if len(input) > max+1 {
				out = append(out, "<too long>")
			}
			return out
		}
		line := bytes.TrimSuffix(input[:i], []byte("\r"))
		input = input[i+1:]
		if len(line) > max {
			out = append(out, "<too long>")
		} else {
			out = append(out, string(line))
		}
	}
}

func TestLineReader(t *testing.T) {
	cases := []struct {
		name     string
		input    string
		sizes    []int
		leftover string
		max      int
		want     []string
	}{
		{"crlf", "A\r\nB\r\n", nil, "", 10, []string{"A", "B"}},
		{"lf only", "A\nB\n", nil, "", 10, []string{"A", "B"}},
		{"byte at a time", "NICK a\r\nUSER\r\n", []int{1}, "", 10, []string{"NICK a", "USER"}},
		{"empty lines", "\r\n\n", nil, "", 10, []string{"", ""}},
		{"unterminated tail dropped", "A\r\nB", nil, "", 10, []string{"A"}},
		{"cr kept inside", "A\rB\r\n", nil, "", 10, []string{"A\rB"}},
		{"exactly max", "0123456789\r\n", []int{3}, "", 10, []string{"0123456789"}},
		{"max plus one", "0123456789X\r\nok\r\n", []int{3}, "", 10, []string{"<too long>", "ok"}},
		{"long spanning", "0123456789ABCDEF\r\nok\n", []int{4}, "", 10, []string{"<too long>", "ok"}},
		{"leftover first", "B\r\n", nil, "A\r\nB", 10, []string{"A", "BB"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var leftover []byte
			if tc.leftover != "" {
				leftover = []byte(tc.leftover)
			}
			r := newLineReader(&chunkSource{data: []byte(tc.input), sizes: tc.sizes}, tc.max, leftover)
			got := collect(t, r)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

// TestLineReaderReleasesBuffer checks that no pooled buffer is kept once
// every byte read has been returned: the idle-memory promise.
func TestLineReaderReleasesBuffer(t *testing.T) {
	src := &chunkSource{data: []byte("A\r\nB\r\n")}
	r := newLineReader(src, 100, nil)
	for range 2 {
		if _, err := r.readLine(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.readLine(); err != io.EOF {
		t.Fatalf("got %v, want EOF", err)
	}
	if r.buf != nil || r.data != nil {
		t.Fatal("reader holds a buffer while idle")
	}
}

func FuzzLineReader(f *testing.F) {
	f.Add([]byte("NICK a\r\nUSER a 0 * :A\r\n"), byte(1), byte(7))
	f.Add([]byte("@time=x :n!u@h PRIVMSG #c :hi\n\n\r\n"), byte(3), byte(0))
	f.Add([]byte("0123456789abcdefghij\r\nshort\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), byte(5), byte(2))
	f.Add([]byte("\r\r\r\n\r\n\n"), byte(1), byte(1))
	f.Fuzz(func(t *testing.T, input []byte, size1, size2 byte) {
		const max = 16
		src := &chunkSource{data: bytes.Clone(input), sizes: []int{int(size1), int(size2)}}
		got := collect(t, newLineReader(src, max, nil))
		want := reference(input, max)
		if len(got) != len(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	})
}
