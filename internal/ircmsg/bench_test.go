package ircmsg

import (
	"strings"
	"testing"
)

var benchLines = []struct{ name, line string }{
	{"tagged", "@time=2024-01-02T03:04:05.678Z;msgid=01HN3Z8X2Q7K4M5N6P7R8S9T0V :nick!user@host.example.com PRIVMSG #chan :hello everyone, how is it going today?"},
	{"plain140", "PRIVMSG #chan :" + strings.Repeat("lorem ipsum ", 11)[:125]},
}

func BenchmarkParse(b *testing.B) {
	for _, bl := range benchLines {
		line := []byte(bl.line)
		b.Run(bl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if _, err := Parse(line, DefaultLimits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppend(b *testing.B) {
	for _, bl := range benchLines {
		m, err := ParseString(bl.line)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 0, 1024)
		b.Run(bl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bl.line) + 2))
			for b.Loop() {
				buf = m.Append(buf[:0])
			}
		})
	}
}
