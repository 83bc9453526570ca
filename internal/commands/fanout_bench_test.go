package commands

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

// countingOutput stands in for a session's send queue: it counts bytes, as a queue append would.
type countingOutput struct {
	lines atomic.Int64
	bytes atomic.Int64
}

func (o *countingOutput) Write(line []byte) { o.lines.Add(1); o.bytes.Add(int64(len(line))) }
func (o *countingOutput) Close(string)      {}

func newBenchServer(b *testing.B) *Server {
	net := core.New(core.Options{Casemap: casemap.RFC1459, Settings: core.DefaultSettings()})
	return NewServer(net, Config{ServerName: "irc.bench", Network: "Bench", Version: "bench"}, func(string, []byte) bool { return true })
}

// BenchmarkFanout measures one PRIVMSG to a channel of N members through the real command path:
// parse-free dispatch, permission checks, one encoding per capability variant, N queue appends.
func BenchmarkFanout(b *testing.B) {
	for _, members := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("members=%d", members), func(b *testing.B) {
			s := newBenchServer(b)
			s.Net.SetSettings(func() core.Settings { st := core.DefaultSettings(); return st }())
			var sender *Client
			outs := make([]*countingOutput, members)
			for i := 0; i < members; i++ {
				out := &countingOutput{}
				outs[i] = out
				c := s.NewClient(out, core.UserSpec{User: "u", Host: "127.0.0.1", IP: "127.0.0.1"}, "tcp")
				if i%2 == 1 {
					c.caps.store(CapSet(CapServerTime | CapMessageTags))
				}
				for _, line := range []string{fmt.Sprintf("NICK n%d", i), "USER u 0 * :bench", "JOIN #bench"} {
					m, err := ircmsg.ParseString(line)
					if err != nil {
						b.Fatal(err)
					}
					s.Run(c, &m)
				}
				if i == 0 {
					sender = c
				}
			}
			msg, _ := ircmsg.ParseString("PRIVMSG #bench :" + string(make140()))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Run(sender, &msg)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*(members-1))/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

func make140() []byte {
	b := make([]byte, 140)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}
