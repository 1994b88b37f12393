package invite

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestCodeRoundTrip(t *testing.T) {
	root := rootKey().Public().(ed25519.PublicKey)
	for _, server := range []string{"127.0.0.1:7443", "sync.clinic-north.example.org:443", "[::1]:7443"} {
		t.Run(server, func(t *testing.T) {
			c, err := NewCode(server, root)
			if err != nil {
				t.Fatal(err)
			}
			s := c.String()
			if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{1,4})+$`).MatchString(s) {
				t.Fatalf("code %q is not groups of four of Crockford's base32", s)
			}
			got, err := ParseCode(s)
			if err != nil || got != c {
				t.Fatalf("ParseCode(%q) = %+v, %v; want %+v", s, got, err, c)
			}
			// As a person may type it: lower case, spaces for dashes,
			// O for 0 and l for 1.
			typed := strings.NewReplacer("-", " ", "0", "O", "1", "l").Replace(strings.ToLower(s))
			if got, err := ParseCode("  " + typed + "\n"); err != nil || got != c {
				t.Fatalf("ParseCode(%q) = %+v, %v", typed, got, err)
			}
			sum := sha256.Sum256(root)
			if string(c.Fingerprint[:]) != string(sum[:FingerprintSize]) {
				t.Fatal("the fingerprint is not the start of the root key's SHA-256")
			}
			id := sha256.Sum256(c.Secret[:])
			if string(c.InviteID()) != string(id[:IDSize]) {
				t.Fatal("the invitation ID is not the start of the secret's SHA-256")
			}
		})
	}
	a, _ := NewCode("127.0.0.1:7443", root)
	b, _ := NewCode("127.0.0.1:7443", root)
	if a.Secret == b.Secret {
		t.Fatal("two codes share a secret")
	}
}

func TestParseCodeRefuses(t *testing.T) {
	good := fixtureCode().String()
	// flip changes the character at i to another of the alphabet.
	flip := func(s string, i int) string {
		r := byte('0')
		if s[i] == '0' {
			r = '1'
		}
		return s[:i] + string(r) + s[i+1:]
	}
	tests := []struct {
		name, code, want string
	}{
		{"empty", "", "empty"},
		{"only dashes", "----", "empty"},
		{"a letter no code holds", "U" + good[1:], `character 1 is 'U'`},
		{"punctuation", good[:10] + "!" + good[11:], `is '!'`},
		{"a character mistyped", flip(good, 7), "mistyped"},
		{"the last character mistyped", flip(good, len(good)-1), "mistyped|missing"},
		{"two characters swapped", good[:5] + good[6:7] + good[5:6] + good[7:], "mistyped"},
		{"a group missing", good[:len(good)-5], "missing|mistyped"},
		{"a character missing", good[:len(good)-1], "missing|mistyped"},
		{"a character too many", good + "7", "missing|mistyped"},
		{"too short", "ABCD-EFGH", "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCode(tt.code)
			if !errors.Is(err, ErrBadCode) {
				t.Fatalf("ParseCode(%q): %v, want %v", tt.code, err, ErrBadCode)
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Fatalf("ParseCode(%q): %q does not say %q", tt.code, err, tt.want)
			}
		})
	}
}

func TestNewCodeRefusesBadServers(t *testing.T) {
	root := rootKey().Public().(ed25519.PublicKey)
	for _, server := range []string{"", "no-port", "host:", ":7443", "two words:1", strings.Repeat("a", 251) + ":7443"} {
		if _, err := NewCode(server, root); !errors.Is(err, ErrBadCode) {
			t.Errorf("NewCode(%q): %v, want %v", server, err, ErrBadCode)
		}
	}
}
