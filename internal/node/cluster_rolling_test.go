package node_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
)

// Guarantee 6 of issue 6 with real processes: the three nodes restart one at a time (SIGTERM,
// then start on the same data directory) while clients on the other two keep chatting in one
// channel. Those clients stay connected and keep getting their echoes through each restart, and
// every message whose echo (echo-message) came back is in the channel's history at the end.
func TestClusterRollingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test with real processes")
	}
	pc := startProcCluster(t, 3)
	acked := map[string]string{} // msgid -> sender
	for restart := range pc.nodes {
		var talkers []*talker
		for i := range pc.nodes {
			if i != restart {
				talkers = append(talkers, dialTalker(t, pc.nodes[i].irc, fmt.Sprintf("t%dr%d", i+1, restart)))
			}
		}
		for _, tk := range talkers {
			go tk.run()
		}
		time.Sleep(300 * time.Millisecond)
		before := countEchoes(talkers)
		began := time.Now()
		pc.stop(restart)
		pc.start(restart)
		pc.waitReady(restart)
		time.Sleep(300 * time.Millisecond)
		during := countEchoes(talkers) - before
		failed := 0
		for _, tk := range talkers {
			ids, err := tk.finish()
			if err != nil {
				t.Fatalf("restart of node %d: talker %s: %v", restart+1, tk.nick, err)
			}
			failed += tk.notStored
			for _, id := range ids {
				acked[id] = tk.nick
			}
		}
		if during == 0 {
			t.Fatalf("no echo came back while node %d restarted", restart+1)
		}
		t.Logf("node %d restarted in %v; %d messages acknowledged meanwhile; %d answered MESSAGE_NOT_STORED in this round",
			restart+1, time.Since(began), during, failed)
	}
	// Every node serves the history (each keeps its own index of the shared stream): ask each.
	lost := false
	for i, p := range pc.nodes {
		stored := historyIDs(t, p.irc, "#roll")
		bySender := map[string]int{}
		for id, nick := range acked {
			if !stored[id] {
				bySender[nick]++
			}
		}
		if len(bySender) > 0 {
			lost = true
			t.Errorf("node %d: acknowledged messages missing from CHATHISTORY, by sender (tNrM: on node N during the restart of node M+1): %v", i+1, bySender)
		}
	}
	if lost {
		t.FailNow()
	}
	t.Logf("%d acknowledged messages, all in history after three restarts", len(acked))
}

// talker is a client of a node that says something in #roll every few milliseconds, one message
// in flight, and keeps the msgid of every echo. run runs in its own goroutine; finish stops it.
type talker struct {
	nick string
	conn net.Conn
	r    *bufio.Reader
	stop chan struct{}
	done chan struct{}

	mu        sync.Mutex
	ids       []string
	err       error
	sent      int // echoes received
	notStored int // FAIL MESSAGE_NOT_STORED instead of the echo
}

// dialTalker connects with echo-message and joins #roll.
func dialTalker(t *testing.T, addr, nick string) *talker {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	tk := &talker{nick: nick, conn: conn, r: bufio.NewReader(conn), stop: make(chan struct{}), done: make(chan struct{})}
	fmt.Fprintf(conn, "CAP REQ :echo-message message-tags\r\nNICK %s\r\nUSER %s 0 * :talker\r\nCAP END\r\nJOIN #roll\r\n", nick, nick)
	if _, err := tk.readUntil(func(m ircmsg.Message) bool { return m.Command == "366" }); err != nil {
		t.Fatalf("%s joining #roll: %v", nick, err)
	}
	return tk
}

// readUntil reads lines until pred accepts one, within 15 seconds: a restart elsewhere can hold
// an echo up while JetStream moves a stream leader.
func (tk *talker) readUntil(pred func(ircmsg.Message) bool) (ircmsg.Message, error) {
	tk.conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		line, err := tk.r.ReadString('\n')
		if err != nil {
			return ircmsg.Message{}, err
		}
		m, err := ircmsg.Parse([]byte(strings.TrimRight(line, "\r\n")), ircmsg.Limits{MaxLine: 4096, MaxTags: 8191, MaxClientTags: 4094})
		if err == nil && pred(m) {
			return m, nil
		}
		if err == nil && (m.Command == "ERROR" || m.Command == "FAIL" || m.Command == "404") {
			return m, fmt.Errorf("%s", m.String())
		}
	}
}

func (tk *talker) run() {
	defer close(tk.done)
	for i := 0; ; i++ {
		select {
		case <-tk.stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
		text := fmt.Sprintf("%s says %d", tk.nick, i)
		fmt.Fprintf(tk.conn, "PRIVMSG #roll :%s\r\n", text)
		m, err := tk.readUntil(func(m ircmsg.Message) bool {
			return m.Command == "PRIVMSG" && m.Param(1) == text && strings.HasPrefix(m.Source, tk.nick+"!")
		})
		tk.mu.Lock()
		if err != nil && m.Command == "FAIL" && m.Param(1) == "MESSAGE_NOT_STORED" {
			// Delivered, not acknowledged: the history's stream was between leaders. The sender was
			// told, so the message is not owed to history; count it.
			tk.notStored++
			tk.mu.Unlock()
			continue
		}
		if err != nil {
			tk.err = fmt.Errorf("waiting for the echo of %q: %w", text, err)
			tk.mu.Unlock()
			return
		}
		if id, ok := m.Tag("msgid"); ok {
			tk.ids = append(tk.ids, id)
		}
		tk.sent++
		tk.mu.Unlock()
	}
}

// finish stops the talker and returns the msgids of its echoes, or why it stopped early.
func (tk *talker) finish() ([]string, error) {
	close(tk.stop)
	<-tk.done
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.ids, tk.err
}

func countEchoes(talkers []*talker) int {
	n := 0
	for _, tk := range talkers {
		tk.mu.Lock()
		n += tk.sent
		tk.mu.Unlock()
	}
	return n
}

var readerSeq atomic.Int64

// historyIDs pages through the channel's history with CHATHISTORY BEFORE, newest first, and
// returns every msgid stored. It joins the channel first: history is for members.
func historyIDs(t *testing.T, addr, channel string) map[string]bool {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	nick := fmt.Sprintf("reader%d", readerSeq.Add(1))
	tk := &talker{nick: nick, conn: conn, r: bufio.NewReader(conn)}
	fmt.Fprintf(conn, "CAP REQ :draft/chathistory batch message-tags server-time\r\nNICK %s\r\nUSER r 0 * :r\r\nCAP END\r\nJOIN %s\r\n", nick, channel)
	if _, err := tk.readUntil(func(m ircmsg.Message) bool { return m.Command == "366" }); err != nil {
		t.Fatalf("reader: %v", err)
	}
	ids := map[string]bool{}
	ref := "*"
	for page := 0; page < 1000; page++ {
		if page == 0 {
			fmt.Fprintf(conn, "CHATHISTORY LATEST %s * 100\r\n", channel)
		} else {
			fmt.Fprintf(conn, "CHATHISTORY BEFORE %s msgid=%s 100\r\n", channel, ref)
		}
		var oldest string
		inBatch, got := false, 0
		_, err := tk.readUntil(func(m ircmsg.Message) bool {
			switch {
			case m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "+"):
				inBatch = true
			case m.Command == "BATCH":
				return inBatch
			case m.Command == "PRIVMSG" && inBatch:
				if id, ok := m.Tag("msgid"); ok {
					if oldest == "" {
						oldest = id // a batch is oldest first
					}
					ids[id] = true
					got++
				}
			}
			return false
		})
		if err != nil {
			t.Fatalf("CHATHISTORY: %v", err)
		}
		if got == 0 {
			return ids
		}
		ref = oldest
	}
	t.Fatal("CHATHISTORY did not come to an end")
	return nil
}
