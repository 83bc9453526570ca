package ircmsg

// seedLines are real-world lines, client and server side, used by the
// round-trip test and as the fuzz seed corpus.
var seedLines = []string{
	"CAP LS 302",
	"CAP REQ :message-tags server-time echo-message sasl",
	"AUTHENTICATE PLAIN",
	"AUTHENTICATE dGVzdAB0ZXN0AHBhc3N3b3Jk",
	"NICK alice",
	"USER alice 0 * :Alice Liddell",
	"PING :irc.example.com",
	"PONG irc.example.com :1700000000",
	"JOIN #chan,#other key1",
	"MODE #chan +ov alice bob",
	"PRIVMSG #chan :hello world",
	"PRIVMSG bob :\x01ACTION waves\x01",
	"NOTICE #chan :",
	"QUIT :Gone to lunch :-)",
	"@label=abc;+draft/reply=msg1 PRIVMSG #chan :reply",
	"@+typing=active TAGMSG #chan",
	"@batch=xyz;time=2024-01-02T03:04:05.678Z;msgid=AB12 :alice!alice@host PRIVMSG #chan :hi",
	`@+example=raw+:=,escaped\:\s\\ :irc.example.com NOTICE #channel :Message`,
	":irc.example.com 001 alice :Welcome to the Internet Relay Network alice",
	":irc.example.com 005 alice CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(ov)@+ :are supported by this server",
	":irc.example.com 353 alice = #chan :@alice +bob carol",
	":irc.example.com CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL",
	":alice!alice@127.0.0.1 JOIN #chan * :Alice Liddell",
	":server.example 417 * :Input line was too long",
	"CHATHISTORY BEFORE #chan timestamp=2024-01-02T03:04:05.678Z 50",
	"  PRIVMSG   #c   :x  ",
}
