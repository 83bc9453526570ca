package node_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

func TestLongLines(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")

	for _, size := range []int{600, 20000} { // over the 512-byte body limit; over the read buffer
		alice.Send("PRIVMSG bob :" + strings.Repeat("x", size))
		want(t, alice.Expect("417"), msg("", "417", "alice", "Input line was too long"))
		// The line was refused, not cut short and delivered, and the connection goes on.
		wantNone(t, bob.Roundtrip(), "PRIVMSG")
		alice.Send("PRIVMSG bob :short")
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", "short"))
	}
	// 510 bytes plus CRLF is exactly the limit and passes.
	line := "PRIVMSG bob :"
	line += strings.Repeat("y", 510-len(line))
	alice.Send(line)
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", strings.Repeat("y", 510-len("PRIVMSG bob :"))))
}

func TestInvalidUTF8(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()

	bad := "caf\xe9 \xff\xfe \xc3("
	alice.Write([]byte("PRIVMSG bob :" + bad + "\r\nPRIVMSG #room :" + bad + "\r\n"))
	// Either the bytes are relayed untouched or the sender is told why they were not; nothing
	// else is acceptable, and both connections keep working.
	sent := alice.Roundtrip()
	got := bob.Roundtrip()
	if fails := testkit.FindAll(sent, "FAIL"); len(fails) > 0 {
		if len(fails) != 2 || fails[0].Param(1) != "INVALID_UTF8" {
			t.Fatalf("sender got %s", dump(sent))
		}
		wantNone(t, got, "PRIVMSG")
	} else {
		wantIn(t, got, msg(prefix("alice"), "PRIVMSG", "bob", bad))
		wantIn(t, got, msg(prefix("alice"), "PRIVMSG", "#room", bad))
	}
	for _, line := range []string{"NICK \xff\xfe", "JOIN #\xff", "TOPIC #room :\xff", "WHOIS \xc3", "MODE #room +b \xff"} {
		alice.Send(line)
		alice.Roundtrip()
	}
	alice.Send("PRIVMSG bob :still here")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", "still here"))
	connect(t, addr, "carol") // and the server still takes new clients
}

func TestFraming(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")

	// Many lines in one write arrive as separate commands, in order.
	var batch strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&batch, "PRIVMSG bob :line %d\r\n", i)
	}
	alice.Write([]byte(batch.String()))
	for i := 0; i < 50; i++ {
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", fmt.Sprintf("line %d", i)))
	}

	// A line split across writes, including between CR and LF, is put back together; bare LF
	// ends a line too.
	for _, parts := range [][]string{
		{"PRIVMSG bob :hel", "lo there\r\n"},
		{"PRIV", "MSG bob :split ", "in three\r\n"},
		{"PRIVMSG bob :cr then lf\r", "\n"},
		{"PRIVMSG bob :bare lf\n"},
	} {
		for _, p := range parts {
			alice.Write([]byte(p))
			time.Sleep(20 * time.Millisecond) // let each part reach the server on its own
		}
		text := strings.TrimRight(strings.Join(parts, "")[len("PRIVMSG bob :"):], "\r\n")
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", text))
	}
	// Blank lines between commands are ignored.
	alice.Write([]byte("\r\n\r\n   \r\nPING blank\r\n"))
	want(t, alice.Expect("PONG"), msg("", "PONG", serverName, "blank"))
	if got := alice.Roundtrip(); len(got) != 0 {
		t.Fatalf("blank lines answered %s", dump(got))
	}
}

func TestManyClientsAtOnce(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		// This test is about concurrent registration, not about per-address limits.
		cfg.Limits.PerIP = 0
		cfg.Limits.ConnectThrottle = config.Throttle{}
	})
	const n = 100
	errs := make(chan error, n)
	conns := make(chan net.Conn, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			conn, err := registerRaw(addr, fmt.Sprintf("user%d", i))
			if err != nil {
				errs <- fmt.Errorf("user%d: %w", i, err)
				return
			}
			conns <- conn
			errs <- nil
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	close(conns)
	for c := range conns {
		t.Cleanup(func() { c.Close() })
	}
	c := connect(t, addr, "counter")
	want(t, numeric(c, "LUSERS", "251"), msg("", "251", "counter", fmt.Sprintf("There are %d users and 0 invisible on 1 servers", n+1)))
}

// registerRaw registers nick over a raw connection without touching testing.T, so that many can
// run in goroutines. It returns the open connection.
func registerRaw(addr, nick string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(conn, "NICK %s\r\nUSER %s 0 * :Many\r\n", nick, nick); err != nil {
		conn.Close()
		return nil, err
	}
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			conn.Close()
			return nil, err
		}
		m, err := ircmsg.ParseString(strings.TrimRight(line, "\r\n"))
		if err != nil {
			continue
		}
		switch m.Command {
		case "001":
			if m.Param(0) != nick {
				conn.Close()
				return nil, fmt.Errorf("001 for %q", m.Param(0))
			}
		case "376", "422":
			conn.SetDeadline(time.Time{})
			return conn, nil
		case "ERROR", "432", "433":
			conn.Close()
			return nil, fmt.Errorf("refused: %s", m.String())
		}
	}
}

func TestQuit(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	alice.Join("#room")
	for _, tc := range []struct {
		nick, line, quit, errorText string
	}{
		{"bob", "QUIT :off to bed", "Quit: off to bed", "Closing link: Quit: off to bed"},
		{"carol", "QUIT", "Client Quit", "Closing link: Quit: Client Quit"},
	} {
		c := connect(t, addr, tc.nick)
		c.Join("#room")
		alice.Expect("JOIN")
		c.Send(tc.line)
		if got := c.ExpectError(); got != tc.errorText {
			t.Errorf("%s: ERROR %q, want %q", tc.line, got, tc.errorText)
		}
		want(t, alice.Expect("QUIT"), msg(prefix(tc.nick), "QUIT", tc.quit))
	}
}

func TestAbruptClose(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()

	bob.Conn.Close()
	want(t, alice.Expect("QUIT"), msg(prefix("bob"), "QUIT", "Connection closed"))
	// The nick is free once the QUIT is out.
	connect(t, addr, "bob")

	// Closing in the middle of a line is no different.
	carol := connect(t, addr, "carol")
	carol.Join("#room")
	alice.Expect("JOIN")
	carol.Write([]byte("PRIVMSG #room :half a li"))
	carol.Conn.Close()
	var before []ircmsg.Message
	quit := alice.ExpectFunc("QUIT", func(m ircmsg.Message) bool {
		before = append(before, m)
		return m.Command == "QUIT"
	})
	want(t, quit, msg(prefix("carol"), "QUIT", "Connection closed"))
	wantNone(t, before, "PRIVMSG") // half a line is not a command
}
