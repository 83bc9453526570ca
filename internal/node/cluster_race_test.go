package node_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 2 of issue 6: clients on different nodes racing for the same nicks end with exactly one
// owner per nick, and every loser got 433; clients racing to create a channel end with one founder.
func TestClusterNickRace(t *testing.T) {
	nodes := startNetwork(t)
	const perNode, nicks = 6, 3
	type result struct {
		nick string
		won  bool
	}
	results := make(chan result, perNode*len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		for j := range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				nick := fmt.Sprintf("racer%d", j%nicks)
				c := testkit.Dial(t, testkit.IRCAddr(n))
				c.Sendf("NICK %s", nick)
				c.Sendf("USER u%d%d 0 * :racer", i, j)
				m, err := readUntil(c, "001", "433")
				if err != nil {
					t.Errorf("%s on node %d: %v", nick, i+1, err)
					return
				}
				results <- result{nick, m.Command == "001"}
				if m.Command == "001" {
					// Stay connected, and race for the channel too: every racer gets in.
					c.Send("JOIN #race")
					if m, err := readUntil(c, "366", "403", "405", "471", "473", "474", "475", "FAIL"); err != nil || m.Command != "366" {
						t.Errorf("%s on node %d: JOIN #race: %s %v", nick, i+1, m.String(), err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(results)
	owners := map[string]int{}
	for r := range results {
		if r.won {
			owners[r.nick]++
		}
	}
	for k := range nicks {
		if nick := fmt.Sprintf("racer%d", k); owners[nick] != 1 {
			t.Errorf("%s has %d owners", nick, owners[nick])
		}
	}
	for k := range nicks {
		waitMember(t, nodes, "#race", fmt.Sprintf("racer%d", k), true)
	}
	for i, n := range nodes {
		ops := 0
		for _, m := range n.Network().FindChannel("#race").Members() {
			if m.Prefixes.AtLeast(model.Op) {
				ops++
			}
		}
		if ops != 1 {
			t.Errorf("node %d: #race has %d operators, want exactly one founder", i+1, ops)
		}
	}
}

// readUntil reads until a message with one of the commands.
func readUntil(c *testkit.Client, commands ...string) (ircmsg.Message, error) {
	for {
		m, err := c.ReadMsg()
		if err != nil {
			return m, err
		}
		for _, cmd := range commands {
			if m.Command == cmd {
				return m, nil
			}
		}
	}
}
