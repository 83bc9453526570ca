package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/local"
	"github.com/parleychat/parley/internal/model"
)

// clusteredNetwork is node "a" of a network whose directory is in memory, with its replica ready.
func clusteredNetwork(t *testing.T) *Network {
	t.Helper()
	n := New(Options{Casemap: mustCasemap(t), Settings: DefaultSettings(), Node: "a"})
	n.AttachCluster(ClusterOptions{Directory: local.NewState().Directory(), Incarnation: func() uint64 { return 1 }})
	t.Cleanup(func() { n.CloseCluster(t.Context()) })
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeSnapshot})
	return n
}

func remoteRecord(id, nick string) cluster.Change {
	return cluster.Change{Kind: cluster.ChangeUser, User: &cluster.UserRecord{
		ID: model.ClientID(id), Node: "b", Incarnation: 1, Nick: nick, User: nick, Host: "b.example", Signon: time.Now(),
	}}
}

// After a heal, this node's stale client and the directory's owner elsewhere hold one nick for a
// moment. The local one is shown while both exist; once it quits, the nick must lead to the owner,
// not vanish (PRIVMSG and WHO would find nobody while NAMES still lists the owner).
func TestNickShownHolderLeavesShadowTakesOver(t *testing.T) {
	n := clusteredNetwork(t)
	stale := n.NewUser(UserSpec{User: "x", Host: "h", IP: "127.0.0.1"}, &recorder{})
	if err := n.Register(stale, "owner"); err != nil {
		t.Fatal(err)
	}
	n.ApplyChange(remoteRecord("b-1", "Owner"))
	if got := n.FindUser("owner"); got != stale {
		t.Fatalf("while both hold the nick, FindUser = %v, want the local holder", got)
	}
	n.Quit(stale, "Node lost")
	got := n.FindUser("OWNER")
	if got == nil || got.ID != "b-1" {
		t.Fatalf("after the local holder quit, FindUser = %v, want the remote owner b-1", got)
	}
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeUser, Deleted: true, User: &cluster.UserRecord{ID: "b-1"}})
	deadline := time.Now().Add(5 * time.Second)
	for n.FindUser("owner") != nil {
		if time.Now().After(deadline) {
			t.Fatal("the remote owner's deletion never freed the nick")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(n.nickShadow) != 0 {
		t.Fatalf("shadows left behind: %v", n.nickShadow)
	}
}

// A remote user renamed away from a nick it was shadowed under must not be promoted back to it.
func TestNickShadowThatMovedOnIsNotPromoted(t *testing.T) {
	n := clusteredNetwork(t)
	local := n.NewUser(UserSpec{User: "x", Host: "h", IP: "127.0.0.1"}, &recorder{})
	if err := n.Register(local, "dup"); err != nil {
		t.Fatal(err)
	}
	n.ApplyChange(remoteRecord("b-2", "dup"))
	n.ApplyChange(remoteRecord("b-2", "elsewhere"))
	n.Quit(local, "bye")
	if got := n.FindUser("dup"); got != nil {
		t.Fatalf("FindUser(dup) = %v after both left the nick", got)
	}
	if got := n.FindUser("elsewhere"); got == nil || got.ID != "b-2" {
		t.Fatalf("FindUser(elsewhere) = %v, want b-2", got)
	}
}

func quitsOf(r *recorder, nick string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.evs {
		if ev.Kind == model.KindQuit && ev.Source.Nick == nick {
			n++
		}
	}
	return n
}

// A remote JOIN shown before the replica holds the membership (the watch stalled with the node that
// is about to be lost): the node's loss still shows its QUIT, once, so no ghost stays in the
// local members' lists. A user the replica holds gets exactly one QUIT too.
func TestNodeLostQuitsJoinsShownAheadOfTheReplica(t *testing.T) {
	n := clusteredNetwork(t)
	_, r := joinedUser(t, n, "alice", "#c")
	n.ApplyChange(remoteRecord("b-9", "known"))
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeMember, Member: &cluster.MemberRecord{
		Channel: "#c", Client: "b-9", Node: "b", Incarnation: 1, Joined: time.Now()}, Revision: 1})
	n.ApplyChange(remoteRecord("b-10", "half")) // its membership never arrives
	nicks := []string{"known", "ghost", "half"}
	for _, nick := range nicks {
		n.HandleBusEvent("", &model.Event{Kind: model.KindJoin, ID: "j-" + nick, Time: time.Now(), Node: "b",
			Source: model.Prefix{Nick: nick, User: nick, Host: "b.example"}, Target: "#c"})
	}
	n.NodeLost(cluster.NodeRecord{Node: "b", Incarnation: 1})
	for _, nick := range nicks {
		if got := quitsOf(r, nick); got != 1 {
			t.Errorf("alice saw %d QUITs of %s, want 1", got, nick)
		}
	}
	if n.FindUser("known") != nil || n.FindUser("half") != nil {
		t.Error("the lost node's users are still on the network")
	}
}

// The bus brings a remote user's JOIN and then its QUIT (or NICK) before the directory's watch
// brings the membership: the event names the user's channels, so the local member who was shown
// the JOIN is shown the QUIT as well, once.
func TestRemoteUserEventsReachMembersAheadOfTheReplica(t *testing.T) {
	n := clusteredNetwork(t)
	_, r := joinedUser(t, n, "alice", "#c")
	n.ApplyChange(remoteRecord("b-3", "bob"))
	src := model.Prefix{Nick: "bob", User: "bob", Host: "b.example"}
	n.HandleBusEvent("", &model.Event{Kind: model.KindJoin, ID: "j", Time: time.Now(), Node: "b", Source: src, Target: "#c"})
	n.HandleBusEvent("", &model.Event{Kind: model.KindNick, ID: "n", Time: time.Now(), Node: "b", Source: src,
		Text: "bobby", Channels: []string{"#c"}})
	n.ApplyChange(remoteRecord("b-3", "bobby"))
	src.Nick = "bobby"
	n.HandleBusEvent("", &model.Event{Kind: model.KindQuit, ID: "q", Time: time.Now(), Node: "b", Source: src,
		Text: "Quit: bye", Channels: []string{"#c"}})
	r.mu.Lock()
	var got []string
	for _, ev := range r.evs {
		if ev.Node == "b" {
			got = append(got, ev.Kind.String()+" "+ev.Source.Nick)
		}
	}
	r.mu.Unlock()
	want := []string{"JOIN bob", "NICK bob", "QUIT bobby"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("alice saw %q, want %q", got, want)
	}
	if n.FindUser("bobby") != nil {
		t.Fatal("bobby is still on the network after its QUIT")
	}
}

// A survivor that declared a node lost before this node did deletes the node's memberships, then
// its users. This node must not drop the memberships silently while the node is only silent:
// its own verdict comes next and shows the QUIT to the channels' members.
func TestSweptMembershipsWaitForTheVerdict(t *testing.T) {
	n := New(Options{Casemap: mustCasemap(t), Settings: DefaultSettings(), Node: "a"})
	n.AttachCluster(ClusterOptions{Directory: local.NewState().Directory(), Incarnation: func() uint64 { return 1 },
		Silent: func(node model.NodeID) bool { return node == "b" }})
	t.Cleanup(func() { n.CloseCluster(t.Context()) })
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeSnapshot})
	_, r := joinedUser(t, n, "alice", "#c")
	n.ApplyChange(remoteRecord("b-5", "victim"))
	member := cluster.MemberRecord{Channel: "#c", Client: "b-5", Node: "b", Incarnation: 1, Joined: time.Now()}
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeMember, Member: &member, Revision: 1})
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeMember, Deleted: true, Member: &member, Revision: 2})
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeUser, Deleted: true, User: &cluster.UserRecord{ID: "b-5"}})
	n.NodeLost(cluster.NodeRecord{Node: "b", Incarnation: 1})
	if got := quitsOf(r, "victim"); got != 1 {
		t.Fatalf("alice saw %d QUITs of victim, want 1", got)
	}
	if c := n.FindChannel("#c"); len(c.Members()) != 1 {
		t.Fatalf("#c still has %d members", len(c.Members()))
	}
}

// A channel enters the replica from two goroutines: the watch's, and a local JOIN's that read the
// channel the directory says another node created. A remote membership the watch holds back
// while the channel is unknown must not be stranded when the JOIN's goroutine makes the channel
// between the watch's lookup and its holding the membership back.
func TestMembershipRacingTheChannelsArrival(t *testing.T) {
	for i := range 300 {
		n := clusteredNetwork(t)
		n.ApplyChange(remoteRecord("b-1", "bob"))
		name := fmt.Sprintf("#r%d", i)
		start := make(chan struct{})
		done := make(chan struct{})
		go func() {
			<-start
			n.applyChannelRecord(nil, cluster.ChannelRecord{Key: name, Name: name, Revision: 1, Created: time.Now()})
			close(done)
		}()
		close(start)
		n.ApplyChange(cluster.Change{Kind: cluster.ChangeMember, Revision: 2, Member: &cluster.MemberRecord{
			Channel: name, Client: "b-1", Node: "b", Incarnation: 1, Joined: time.Now()}})
		<-done
		if _, in := n.FindChannel(name).Membership(n.FindUser("bob")); !in {
			t.Fatalf("try %d: bob's membership of %s was stranded", i, name)
		}
	}
}

// inFlightCreate is a directory in which another node's creation of a channel is on its way: the
// stream leader refuses this node's create against it, while a read does not find it yet.
type inFlightCreate struct {
	cluster.Directory
	other cluster.ChannelRecord // the other node's channel, readable from the second read on
	reads int
}

func (d *inFlightCreate) CreateChannel(ctx context.Context, rec *cluster.ChannelRecord) error {
	if rec.Key == d.other.Key {
		return cluster.ErrExists
	}
	return d.Directory.CreateChannel(ctx, rec)
}

func (d *inFlightCreate) GetChannel(ctx context.Context, key string) (cluster.ChannelRecord, error) {
	if key == d.other.Key {
		if d.reads++; d.reads == 1 {
			return cluster.ChannelRecord{}, cluster.ErrNotFound
		}
		return d.other, nil
	}
	return d.Directory.GetChannel(ctx, key)
}

// A JOIN racing another node's creation of the channel joins the channel that node made, rather
// than failing with "network unavailable" (seen in the cluster's nick race).
func TestJoinRacingACreationInFlight(t *testing.T) {
	dir := &inFlightCreate{Directory: local.NewState().Directory(),
		other: cluster.ChannelRecord{Key: "#race", Name: "#race", Revision: 7, Created: time.Now(), Topic: "theirs"}}
	n := New(Options{Casemap: mustCasemap(t), Settings: DefaultSettings(), Node: "a"})
	n.AttachCluster(ClusterOptions{Directory: dir, Incarnation: func() uint64 { return 1 }})
	t.Cleanup(func() { n.CloseCluster(t.Context()) })
	n.ApplyChange(cluster.Change{Kind: cluster.ChangeSnapshot})
	u, _ := joinedUser(t, n, "racer", "#race")
	c := n.FindChannel("#race")
	m, in := c.Membership(u)
	if !in || m.Prefixes.AtLeast(model.Op) {
		t.Fatalf("racer in #race = %v with ranks %b, want a member without op", in, m.Prefixes)
	}
	if c.Topic().Text != "theirs" {
		t.Fatalf("topic %q: the join did not take the other node's channel", c.Topic().Text)
	}
}
