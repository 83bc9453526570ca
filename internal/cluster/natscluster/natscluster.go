// Package natscluster joins a parley node to a network over NATS: the cluster.Bus on core NATS
// subjects, the cluster.Directory on JetStream key-value buckets, and the cluster.Liveness
// (package heartbeat) on a bucket of heartbeats.
//
// Buckets, created by Open when missing (by whichever node comes first; creating one that exists
// with the same configuration is a no-op in JetStream, and one that exists with another is used
// as it is):
//
//	parley_nicks     <nick>                   -> claim {owner client, node, incarnation}
//	parley_users     <client id>              -> user record
//	parley_channels  <channel>                -> channel record (modes, key, limit, topic, bans)
//	parley_members   <channel>.<client id>    -> membership (ranks, joined, node, incarnation)
//	parley_nodes     <node>                   -> heartbeat {incarnation, started, time}
//	                 lost.<node>.<incarnation> -> marker; creating it is the cleanup claim
//
// Names in keys are case-folded by the caller and encoded by encodeKey. Values are JSON with a
// "v" version field. Each bucket keeps one revision per key (History 1), so the watch replays
// only current values; the node bucket also expires entries after a day (TTL), which removes
// old lost markers.
package natscluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

// Bucket names.
const (
	BucketNicks    = "parley_nicks"
	BucketUsers    = "parley_users"
	BucketChannels = "parley_channels"
	BucketMembers  = "parley_members"
	BucketNodes    = "parley_nodes"
)

// nodesMaxAge bounds how long a lost marker (and a heartbeat nobody deleted) stays in the bucket.
const nodesMaxAge = 24 * time.Hour

// Options configure Open.
type Options struct {
	Node      model.NodeID // this node's name (cluster.node); required
	Replicas  int          // copies of each bucket: 1 (default), or 3 with three or more nodes
	Liveness  cluster.LivenessOptions
	OpTimeout time.Duration // per directory request when the caller's context has no deadline; default 3s
	// BusPending is how many received messages may wait for the bus handler before NATS drops
	// them as a slow consumer; default 65536.
	BusPending int
	Logger     *slog.Logger
}

// Cluster is one node's membership of a NATS network. Safe for concurrent use.
type Cluster struct {
	bus   *Bus
	dir   *Directory
	live  *heartbeat.Liveness
	probe *nats.Subscription // answers the other nodes' liveness probes (probe.go)
}

// Open creates or binds the buckets and returns the node's Bus, Directory and Liveness over nc
// and js. Nothing runs yet: install the bus handler, start the directory watch, then call
// Liveness().Start. nc should be connected with nats.NoEcho(): the bus drops the node's own
// messages anyway, but NoEcho saves sending them back. The connection stays the caller's to close,
// after Close.
func Open(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, opt Options) (*Cluster, error) {
	if opt.Node == "" {
		return nil, errors.New("natscluster: Options.Node is required")
	}
	if opt.Replicas <= 0 {
		opt.Replicas = 1
	}
	if opt.OpTimeout <= 0 {
		opt.OpTimeout = 3 * time.Second
	}
	if opt.BusPending <= 0 {
		opt.BusPending = 65536
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	log := opt.Logger.With("component", "cluster", "node", string(opt.Node))
	d := &Directory{node: opt.Node, timeout: opt.OpTimeout, log: log}
	for _, b := range []struct {
		kv  *jetstream.KeyValue
		cfg jetstream.KeyValueConfig
	}{
		{&d.nicks, jetstream.KeyValueConfig{Bucket: BucketNicks, Description: "parley nick claims"}},
		{&d.users, jetstream.KeyValueConfig{Bucket: BucketUsers, Description: "parley users"}},
		{&d.channels, jetstream.KeyValueConfig{Bucket: BucketChannels, Description: "parley channels"}},
		{&d.members, jetstream.KeyValueConfig{Bucket: BucketMembers, Description: "parley channel members"}},
		{&d.nodes, jetstream.KeyValueConfig{Bucket: BucketNodes, Description: "parley node heartbeats", TTL: nodesMaxAge}},
	} {
		b.cfg.History, b.cfg.Storage, b.cfg.Replicas = 1, jetstream.FileStorage, opt.Replicas
		kv, err := openBucket(ctx, js, b.cfg)
		if err != nil {
			return nil, fmt.Errorf("natscluster: bucket %s: %w", b.cfg.Bucket, err)
		}
		*b.kv = kv
	}
	bus, err := newBus(nc, opt.Node, opt.BusPending, log)
	if err != nil {
		return nil, err
	}
	live := heartbeat.New(d, opt.Node, heartbeat.Options{LivenessOptions: opt.Liveness, Logger: opt.Logger,
		Probe: prober(nc)})
	probe, err := answerProbes(nc, opt.Node, func() *heartbeat.Liveness { return live })
	if err != nil {
		bus.Close()
		return nil, err
	}
	return &Cluster{bus: bus, dir: d, live: live, probe: probe}, nil
}

// openBucket creates the bucket or binds to the existing one. A cluster whose peers are still
// joining can refuse to place replicas for a moment, so failures are retried until ctx ends (or
// for ten seconds when it has no deadline).
func openBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
	}
	for {
		kv, err := bindBucket(ctx, js, cfg)
		if err == nil {
			return kv, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// bindBucket makes one attempt at openBucket, bounded by two seconds: a JetStream request whose
// answer is lost (a meta leader changing while the peers join) must not use up the whole wait.
func bindBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	// Bind first: creating a bucket that exists would turn its direct gets back on (nats.go
	// "upgrades" the stream), and nodes starting together would keep undoing each other.
	_, err := js.KeyValue(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		_, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			err = nil
		}
	}
	if err == nil {
		err = leaderReads(ctx, js, cfg.Bucket)
	}
	if err != nil {
		return nil, err
	}
	return js.KeyValue(ctx, cfg.Bucket) // binds with the stream's current config
}

// leaderReads turns off direct gets on the bucket's stream. With them, any replica answers a
// Get, and a lagging one answers with an old value: a compare-and-swap retry could then read a
// channel it just created as missing. Reads (GetChannel, a failed claim's check, a silent node's
// re-read) are rare, so sending them to the stream leader costs nothing that matters. Idempotent.
func leaderReads(ctx context.Context, js jetstream.JetStream, bucket string) error {
	st, err := js.Stream(ctx, "KV_"+bucket)
	if err != nil {
		return err
	}
	cfg := st.CachedInfo().Config
	if !cfg.AllowDirect {
		return nil
	}
	cfg.AllowDirect = false
	_, err = js.UpdateStream(ctx, cfg)
	return err
}

// Bus returns the node's cluster.Bus. Safe for concurrent use.
func (c *Cluster) Bus() *Bus { return c.bus }

// Directory returns the node's cluster.Directory. Safe for concurrent use.
func (c *Cluster) Directory() *Directory { return c.dir }

// Liveness returns the node's cluster.Liveness. Safe for concurrent use.
func (c *Cluster) Liveness() *heartbeat.Liveness { return c.live }

// Close leaves the network gracefully: the liveness removes the node's heartbeat and remaining
// records, and the bus unsubscribes. Directory watches end with their contexts. Safe to call more
// than once.
func (c *Cluster) Close(ctx context.Context) error {
	return errors.Join(c.live.Close(ctx), c.probe.Unsubscribe(), c.bus.Close())
}
