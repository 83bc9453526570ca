package passhash

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHashVerify(t *testing.T) {
	long := bytes.Repeat([]byte("ä€𝄞x"), 100) // 1,000 bytes of mixed-width UTF-8
	cases := map[string][]byte{
		"ascii":  []byte("correct horse battery staple"),
		"empty":  {},
		"utf8":   []byte("pässwörd-密码-🔑"),
		"long":   long,
		"binary": {0, 255, 10, 13, 0},
	}
	for name, pw := range cases {
		t.Run(name, func(t *testing.T) {
			h, err := Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
				t.Fatalf("unexpected hash format %q", h)
			}
			if !Valid(h) {
				t.Fatalf("Valid(%q) = false", h)
			}
			if !Verify(h, pw) {
				t.Fatal("Verify rejected the right password")
			}
			wrong := append(append([]byte{}, pw...), 'x')
			if Verify(h, wrong) {
				t.Fatal("Verify accepted a wrong password")
			}
		})
	}
}

func TestLongPasswordsDifferInLastByte(t *testing.T) {
	a := bytes.Repeat([]byte("a"), 700)
	b := append(bytes.Repeat([]byte("a"), 699), 'b')
	h, err := Hash(a)
	if err != nil {
		t.Fatal(err)
	}
	if Verify(h, b) {
		t.Fatal("a 700-byte password matched one differing only in its last byte")
	}
}

func TestSaltIsRandom(t *testing.T) {
	h1, _ := Hash([]byte("pw"))
	h2, _ := Hash([]byte("pw"))
	if h1 == h2 {
		t.Fatal("two hashes of one password are identical")
	}
}

func TestBcrypt(t *testing.T) {
	pw := []byte("hunter2")
	raw, err := bcrypt.GenerateFromPassword(pw, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		h := prefix + string(raw[4:])
		if !Valid(h) {
			t.Errorf("Valid(%q) = false", h)
		}
		if !Verify(h, pw) {
			t.Errorf("Verify(%q) rejected the right password", h)
		}
		if Verify(h, []byte("hunter3")) {
			t.Errorf("Verify(%q) accepted a wrong password", h)
		}
	}
	// bcrypt reads only 72 bytes: a longer password must not match a hash of
	// its prefix.
	prefix := bytes.Repeat([]byte("p"), 72)
	raw, err = bcrypt.GenerateFromPassword(prefix, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if Verify(string(raw), append(prefix, "suffix"...)) {
		t.Error("bcrypt hash matched a password longer than 72 bytes")
	}
	if Valid("$2x$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCD") {
		t.Error("unknown bcrypt variant accepted")
	}
}

func TestInvalidHashes(t *testing.T) {
	salt := "c29tZXNhbHRzb21lc2FsdA"                     // 16 bytes
	key := "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g" // 32 bytes
	good := "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key
	if !Valid(good) {
		t.Fatalf("baseline %q should be valid", good)
	}
	bad := []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=4,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "=$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!",
		"$2a$99$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCD",
	}
	for _, h := range bad {
		if Valid(h) {
			t.Errorf("Valid(%q) = true", h)
		}
		if Verify(h, []byte("anything")) {
			t.Errorf("Verify(%q) = true", h)
		}
	}
}

// FuzzParsePHC checks that no input makes the parser panic, and that what it
// accepts stays inside the bounds Verify relies on.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=4294967296,t=2,p=1$$")
	f.Add("$argon2id$v=19$m=,t=,p=$$$")
	f.Add("$2b$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCD")
	f.Add("$argon2id$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parsePHC(s)
		valid := Valid(s)
		if err != nil {
			if valid && !isBcrypt(s) {
				t.Fatalf("Valid accepted %q that parsePHC rejects", s)
			}
			return
		}
		if !valid {
			t.Fatalf("Valid rejected %q that parsePHC accepts", s)
		}
		if h.memory < minMemory || h.memory > maxMemory || h.time < 1 || h.time > maxTime ||
			h.threads < 1 || h.threads > maxThreads || len(h.salt) < minSalt || len(h.key) < minKey {
			t.Fatalf("parsePHC(%q) accepted out-of-bounds parameters %+v", s, h.params)
		}
		if again := encodePHC(h.params, h.salt, h.key); again != s {
			t.Fatalf("re-encoding %q gave %q", s, again)
		}
	})
}

// BenchmarkVerify measures one login's cost with the default parameters.
func BenchmarkVerify(b *testing.B) {
	h, err := Hash([]byte("benchmark password"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !Verify(h, []byte("benchmark password")) {
			b.Fatal("no match")
		}
	}
}
