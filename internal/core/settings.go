package core

// Settings are the limits core enforces. The network holds an immutable snapshot and swaps it whole
// on reload (see Network.SetSettings).
type Settings struct {
	ServerName     string
	Network        string
	NickLen        int
	ChannelLen     int
	TopicLen       int
	KickLen        int
	AwayLen        int
	RealnameLen    int
	MaxChannels    int // channels one user may be in
	MaxListEntries int // entries per list mode (bans)
	WhowasEntries  int
}

// DefaultSettings returns the limits parley uses when the configuration says nothing.
func DefaultSettings() Settings {
	return Settings{
		ServerName: "parley.local", Network: "parley",
		NickLen: 30, ChannelLen: 64, TopicLen: 390, KickLen: 390, AwayLen: 390, RealnameLen: 150,
		MaxChannels: 100, MaxListEntries: 100, WhowasEntries: 1000,
	}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence. n <= 0 means no limit.
func truncate(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
