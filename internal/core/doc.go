// Package core is the network as this node sees it: users, nicks and channels, and the operations on
// them (register, join, part, kick, say, topic, modes, nick changes, away, quit). Both front doors call
// it: IRC commands and the JSON API make the same calls.
//
// # Delivery
//
// Core delivers events to local recipients synchronously, through the Sink each local User carries:
// when an operation returns, every local effect is already in the recipients' send queues, so the
// caller's next reply cannot overtake them. Sink.Deliver must not block. Core never delivers to the
// user performing an operation: the operation returns the event and the caller renders the actor's
// copy into its reply (so labeled-response and echo-message stay in the door that knows about them).
// Events for other nodes go out once per operation through the cluster.Bus.
//
// # Locks
//
// There is no global lock on the message path. Locks, and the only orders in which they nest:
//
//	Network.nickMu (registry of nicks)        tier 1
//	Network.chanMu (registry of channels)     tier 1
//	Channel.mu                                tier 2 (may be taken while holding chanMu)
//	User.mu                                   tier 3 (may be taken while holding Channel.mu)
//	sink locks (a session's send queue)       tier 4 (Deliver is called with Channel.mu held)
//
// The Watcher (MONITOR, see watch.go) is called with no core lock held, after the change and its
// deliveries to channel neighbours. Its own lock (the door's monitor registry) is therefore never
// taken inside a core lock, and the watcher takes no core lock while holding it: it copies what it
// needs under its lock, releases it, then reads users and delivers (sink locks, tier 4).
//
// Observers (observe.go: the API's event stream, webhooks) are sinks too, called where events leave
// the node (Network.publish), sometimes with Channel.mu held: their locks are tier 4 like a session's
// send queue, and they never call back into core. Network.observers.mu only guards changes to the
// observer list; it is never taken while holding, nor held while taking, another core lock. Readers
// use an immutable snapshot behind an atomic pointer, so the message path pays one atomic load.
//
// With a directory (a network of several nodes, cluster.go), clusterLink.mu guards its maps of
// users by id, memberships waiting for their user or channel, and lost nodes; writeQueue.mu guards
// the queue of background directory writes. Both are leaves (tier 5): taken with no other core
// lock held, and nothing is taken while holding them. No core lock is ever held across a directory
// round trip: an operation asks the directory first (a nick claim, a channel creation, a
// membership), then changes the replica under its locks, or changes it first and writes the
// directory after releasing them (MODE, TOPIC, PART). The watch (remote.go) and the bus handler
// (remotebus.go) take the same locks in the same order as local operations.
//
// nickMu and chanMu are never held together. No lock is held across I/O other than Sink.Deliver,
// which only appends already encoded bytes to a bounded queue. A PRIVMSG to a channel reads the
// channel's immutable snapshot of local members and delivers with no lock held; state changes (JOIN,
// PART, MODE...) deliver under the channel's lock so that every member sees them in one order.
package core
