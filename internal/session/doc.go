// Package session runs one client connection: the read loop (line -> parse -> command), the
// registration and ping deadlines, flood control, and the bounded send queue with its writer.
//
// Goroutines: the reader is the goroutine the transport hands the connection to; commands run
// synchronously in it, so one client's commands stay in order without an actor. The writer goroutine
// exists only while there are queued bytes (started on demand, the way Ergo's socket does it), so an
// idle connection costs one parked goroutine. Lines are written in batches: whatever queued while the
// previous write was in flight goes out in one WriteLines call (writev on TCP).
//
// The send queue is bounded in bytes. A client that cannot keep up is disconnected with
// "SendQ exceeded"; it never blocks the sender or grows memory without bound.
package session
