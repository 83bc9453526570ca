// Package commands is parley's IRC protocol: the per-connection protocol state (Client), the command
// table with its declared preconditions, the reply buffer that every handler writes through, and the
// rendering of network events into IRC lines for each client's negotiated capabilities.
//
// One file per command family: registration.go, cap.go, channel.go, mode.go, message.go, query.go,
// info.go, oper.go. Handlers never write to a socket: they add lines to a ReplyBuffer, which applies
// labeled-response in one place, and the Client hands finished lines to its Output.
package commands
