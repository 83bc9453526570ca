// Package ircmsg is the IRC line codec: it parses one client line into a
// Message and appends a Message in wire form. It follows the message format
// of the modern IRC client protocol (modern.ircdocs.horse, "Message format")
// and the IRCv3 message-tags specification.
//
// The package does no I/O and keeps no state; every function is safe to call
// from any goroutine. A Message is a plain value: concurrent reads are safe,
// and a Message shared between goroutines must not be modified.
package ircmsg
