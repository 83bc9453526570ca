// Package model holds the protocol-neutral values that core, cluster, store and api share: who sent
// something (Prefix), what happened (Event), and a member's rank in a channel (Prefixes).
//
// Nothing here knows IRC's wire format. An Event carries a small cache so that the door rendering it
// (the IRC session, the JSON API) encodes it once per distinct client capability set and shares the
// bytes among every recipient with that set.
package model
