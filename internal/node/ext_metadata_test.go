package node_test

import (
	"testing"
)

func TestMetadataSetGetSubscribeNotify(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "draft/metadata-2", "batch")
	bob := capConnect(t, addr, "bob", "draft/metadata-2", "batch")
	carol := capConnect(t, addr, "carol", "batch") // no metadata capability
	alice.Join("#m")
	bob.Join("#m")
	carol.Join("#m")

	want(t, numeric(bob, "METADATA * SUB avatar display-name", "770"), msg("", "770", "bob", "avatar display-name"))
	want(t, numeric(bob, "METADATA * SUBS", "772"), msg("", "772", "bob", "avatar display-name"))
	bob.Roundtrip()

	// Setting: the setter gets RPL_KEYVALUE, a subscribed neighbour a METADATA message.
	want(t, numeric(alice, "METADATA * SET display-name :Alice A.", "761"), msg("", "761", "alice", "alice", "display-name", "*", "Alice A."))
	want(t, bob.Expect("METADATA"), msg(prefix("alice"), "METADATA", "alice", "display-name", "*", "Alice A."))
	// Not subscribed to the key: nothing; without the capability: nothing.
	alice.Send("METADATA * SET homepage :https://example.org")
	alice.Expect("761")
	wantNone(t, bob.Roundtrip(), "METADATA")
	wantNone(t, carol.Roundtrip(), "METADATA")

	// GET and LIST answer anyone, in a metadata batch.
	carol.Send("METADATA alice GET display-name nothere BAD$KEY")
	msgs := carol.Roundtrip()
	if msgs[0].Command != "BATCH" || msgs[0].Param(1) != "metadata" {
		t.Fatalf("GET: %s", dump(msgs))
	}
	wantIn(t, msgs, msg("", "761", "carol", "alice", "display-name", "*", "Alice A."))
	wantIn(t, msgs, msg("", "766", "carol", "alice", "nothere", "No matching key"))
	wantIn(t, msgs, msg("", "FAIL", "METADATA", "KEY_INVALID", "bad$key", "Invalid key"))
	carol.Send("METADATA alice LIST")
	msgs = carol.Roundtrip()
	if len(only(msgs, "761")) != 2 {
		t.Fatalf("LIST: %s", dump(msgs))
	}

	// Nobody sets another user's keys; deleting an unset key is 768.
	want(t, numeric(carol, "METADATA alice SET avatar :x", "FAIL"), msg("", "FAIL", "METADATA", "KEY_NO_PERMISSION", "alice", "avatar", "Permission denied"))
	want(t, numeric(alice, "METADATA * SET avatar", "768"), msg("", "768", "alice", "alice", "avatar", "Key not set"))

	// Channel keys: operators only; members subscribed get the change.
	want(t, numeric(bob, "METADATA #m SET avatar :https://example.org/b.png", "FAIL"), msg("", "FAIL", "METADATA", "KEY_NO_PERMISSION", "#m", "avatar", "Permission denied"))
	alice.Send("METADATA #m SET avatar :https://example.org/m.png")
	alice.Expect("761")
	want(t, bob.Expect("METADATA"), msg(prefix("alice"), "METADATA", "#m", "avatar", "*", "https://example.org/m.png"))

	// Deleting notifies with no value; UNSUB stops notifications.
	alice.Send("METADATA * SET display-name")
	want(t, alice.Expect("761"), msg("", "761", "alice", "alice", "display-name", "*"))
	want(t, bob.Expect("METADATA"), msg(prefix("alice"), "METADATA", "alice", "display-name", "*"))
	want(t, numeric(bob, "METADATA * UNSUB display-name", "771"), msg("", "771", "bob", "display-name"))
	alice.Send("METADATA * SET display-name :again")
	alice.Expect("761")
	wantNone(t, bob.Roundtrip(), "METADATA")

	// SYNC sends the channel's and its members' subscribed keys; CLEAR empties a target.
	bob.Send("METADATA #m SYNC")
	msgs = bob.Roundtrip()
	wantIn(t, msgs, msg("", "METADATA", "#m", "avatar", "*", "https://example.org/m.png"))
	alice.Send("METADATA #m CLEAR")
	wantIn(t, alice.Roundtrip(), msg("", "761", "alice", "#m", "avatar", "*"))
	want(t, numeric(alice, "METADATA #m GET avatar", "766"), msg("", "766", "alice", "#m", "avatar", "No matching key"))

	want(t, numeric(alice, "METADATA #nowhere LIST", "FAIL"), msg("", "FAIL", "METADATA", "INVALID_TARGET", "#nowhere", "Invalid metadata target"))
	want(t, numeric(alice, "METADATA * FROB", "FAIL"), msg("", "FAIL", "METADATA", "INVALID_SUBCOMMAND", "FROB", "Invalid subcommand"))
}

func TestMetadataLimitsAndJoinBurst(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "draft/metadata-2", "batch")
	caps := capLS(t, connect(t, addr, "probe"), "302")
	if caps["draft/metadata-2"] != "max-subs=50,max-keys=20,max-value-bytes=300" {
		t.Fatalf("cap value %q", caps["draft/metadata-2"])
	}
	for i := 0; i < 20; i++ {
		alice.Sendf("METADATA * SET k%d :v", i)
		alice.Expect("761")
	}
	want(t, numeric(alice, "METADATA * SET k20 :v", "FAIL"), msg("", "FAIL", "METADATA", "LIMIT_REACHED", "alice", "Metadata limit reached"))
	long := make([]byte, 301)
	for i := range long {
		long[i] = 'x'
	}
	want(t, numeric(alice, "METADATA * SET k0 :"+string(long), "FAIL"), msg("", "FAIL", "METADATA", "VALUE_INVALID", "Value too long"))

	// 50 subscriptions at most; the first key refused is named.
	line := "METADATA * SUB"
	for i := 0; i < 51; i++ {
		line += " s" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	alice.Send(line)
	want(t, alice.Expect("FAIL"), msg("", "FAIL", "METADATA", "TOO_MANY_SUBS", "syb", "Too many subscriptions"))

	// Joining a channel brings the subscribed metadata of the channel and its members.
	alice.Join("#j")
	alice.Send("METADATA #j SET k1 :chan")
	alice.Expect("761")
	bob := capConnect(t, addr, "bob", "draft/metadata-2", "batch")
	bob.Send("METADATA * SUB k1")
	bob.Expect("770")
	bob.Send("JOIN #j")
	msgs := bob.Roundtrip()
	wantIn(t, msgs, msg("", "METADATA", "#j", "k1", "*", "chan"))
	wantIn(t, msgs, msg("", "METADATA", "alice", "k1", "*", "v"))
}

func TestMetadataOwnBatchOnCapRequest(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	c := connect(t, addr, "alice")
	c.Send("CAP REQ :draft/metadata-2 batch")
	msgs := c.Roundtrip()
	batches := only(msgs, "BATCH")
	if len(batches) != 2 || batches[0].Param(1) != "metadata" {
		t.Fatalf("want an empty metadata batch after ACK: %s", dump(msgs))
	}
}
