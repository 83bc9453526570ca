// Package node is the composition root: it builds one parley node from a configuration snapshot
// (network state, protocol engine, listeners, HTTP door), runs it, reloads it, and shuts it down.
// Tests start nodes in process through New and Start, on port 0.
package node
