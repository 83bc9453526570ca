package casemap

import "testing"

func BenchmarkFold(b *testing.B) {
	for _, s := range []string{"alice{away}", "Alice[Away]", "#Some-Channel-Name"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = RFC1459.Fold(s)
			}
		})
	}
}

func BenchmarkEqual(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = RFC1459.Equal("Alice[Away]", "alice{away}")
	}
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ name, mask, s string }{
		{"hostmask", "*!*@*.Example.COM", "SomeNick!~someuser@dyn-203-0-113-7.isp.example.com"},
		{"exact", "somenick!*@*", "SomeNick!~someuser@dyn-203-0-113-7.isp.example.com"},
		{"pathological", "*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = RFC1459.Match(c.mask, c.s)
			}
		})
	}
}
