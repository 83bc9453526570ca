// Package api is parley's JSON API for bots and administrators, served under /api/v1 on the HTTP
// port: a second front door onto core that makes the same core calls as the IRC commands and shares
// no code with the IRC door (it never imports session, commands or ircmsg).
//
// Requests carry "Authorization: Bearer <token>"; each configured token has scopes (read, post,
// admin; admin implies the other two). Responses are JSON, and every error has the shape
// {"error":{"code":"...","message":"..."}} with a fitting HTTP status. Bots post as service
// pseudo-users of the network (core.ServiceSay); administrators moderate with the rights of a
// channel founder (core.ServerMode, ServerKick, ServerTopic, ServerKill).
//
// Events leave through two observers of the network (core.Network.Observe): a Server-Sent Events
// stream per client (events.go) and outgoing webhooks (webhook.go). Both queue into bounded buffers
// and never block the fan-out: a slow stream is disconnected, a slow webhook receiver loses events.
//
// docs/api.md describes every endpoint; docs/openapi.yaml is checked against the route table by a
// test.
package api
