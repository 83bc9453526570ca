package model

// Prefixes is the set of channel ranks a member holds, as bits ordered from the highest rank.
type Prefixes uint8

// The channel ranks, highest first (ISUPPORT PREFIX=(qaohv)~&@%+).
const (
	Founder Prefixes = 1 << iota
	Admin
	Op
	Halfop
	Voice
)

// PrefixModes lists the rank mode letters and their symbols, highest first.
var PrefixModes = []struct {
	Mode   byte
	Symbol byte
	Bit    Prefixes
}{
	{'q', '~', Founder}, {'a', '&', Admin}, {'o', '@', Op}, {'h', '%', Halfop}, {'v', '+', Voice},
}

// PrefixForMode returns the rank bit of a mode letter, or 0.
func PrefixForMode(mode byte) Prefixes {
	for _, p := range PrefixModes {
		if p.Mode == mode {
			return p.Bit
		}
	}
	return 0
}

// PrefixForSymbol returns the rank bit of a prefix symbol such as '@', or 0.
func PrefixForSymbol(sym byte) Prefixes {
	for _, p := range PrefixModes {
		if p.Symbol == sym {
			return p.Bit
		}
	}
	return 0
}

// Highest returns the highest rank held (a single bit), or 0.
func (p Prefixes) Highest() Prefixes {
	return p & -p
}

// AtLeast reports whether the member's highest rank is r or above.
func (p Prefixes) AtLeast(r Prefixes) bool {
	h := p.Highest()
	return h != 0 && h <= r
}

// Symbols appends the prefix symbols: all of them when all is true (multi-prefix), else the highest.
func (p Prefixes) Symbols(buf []byte, all bool) []byte {
	for _, pm := range PrefixModes {
		if p&pm.Bit != 0 {
			buf = append(buf, pm.Symbol)
			if !all {
				break
			}
		}
	}
	return buf
}
