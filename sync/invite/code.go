package invite

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"net"
	"strings"
)

// Sizes of a join code's parts.
const (
	// SecretSize is the length of the invitation secret.
	SecretSize = 32
	// FingerprintSize is how much of the root key's SHA-256 a code pins.
	FingerprintSize = 16
	// IDSize is the length of the invitation ID the server files it under.
	IDSize = 16
	// MaxServerLen caps the server address a code carries.
	MaxServerLen = 255
)

// codeVersion is the first byte of every join code of this format.
const codeVersion = 1

// checksumSize is the length of a code's checksum: a typo goes unnoticed
// once in four billion.
const checksumSize = 4

// checksumDomain keeps a code's checksum apart from every other SHA-256.
const checksumDomain = "medisecure join code v1\x00"

// fixedLen is the length of a decoded code without its server address.
const fixedLen = 1 + SecretSize + FingerprintSize + checksumSize

// alphabet is Crockford's base32: digits and capitals without I, L, O and
// U, so that a code read aloud or copied by hand has no look-alikes.
var alphabet = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// Code is a one-time join code: where the invitation waits, the secret that
// names and opens it, and the fingerprint of the organisation's root key.
type Code struct {
	// Server is the sync server's address, host:port.
	Server string
	// Secret names the invitation (InviteID) and derives its key.
	Secret [SecretSize]byte
	// Fingerprint is the first FingerprintSize bytes of the SHA-256 of
	// the org root public key.
	Fingerprint [FingerprintSize]byte
}

// NewCode returns a code with a fresh random secret for an invitation to
// the organisation whose root public key is root, waiting at server. It
// returns ErrBadCode when server is not host:port or too long.
func NewCode(server string, root ed25519.PublicKey) (Code, error) {
	if err := checkServer(server); err != nil {
		return Code{}, err
	}
	c := Code{Server: server}
	// crypto/rand.Read never fails; it aborts the program if the system's
	// randomness does.
	rand.Read(c.Secret[:])
	sum := sha256.Sum256(root)
	copy(c.Fingerprint[:], sum[:])
	return c, nil
}

// InviteID is the ID the server keeps the invitation under: the first
// IDSize bytes of the SHA-256 of the secret. It reveals nothing of the
// secret, and the server cannot open the invitation with it.
func (c Code) InviteID() []byte {
	sum := sha256.Sum256(c.Secret[:])
	return sum[:IDSize]
}

// String is the code as a person reads it: groups of four characters of
// Crockford's base32 joined by dashes.
func (c Code) String() string {
	body := make([]byte, 0, fixedLen+len(c.Server))
	body = append(body, codeVersion)
	body = append(body, c.Secret[:]...)
	body = append(body, c.Fingerprint[:]...)
	body = append(body, c.Server...)
	body = append(body, checksum(body)...)
	text := alphabet.EncodeToString(body)
	var b strings.Builder
	for i := 0; i < len(text); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(text[i:min(i+4, len(text))])
	}
	return b.String()
}

// ParseCode decodes a join code as a person may have typed it: case,
// dashes and spaces do not matter, and O, I and L are read as 0, 1 and 1.
// It returns ErrBadCode, with what is wrong in words, for anything else.
func ParseCode(s string) (Code, error) {
	text, err := normalise(s)
	if err != nil {
		return Code{}, err
	}
	body, err := alphabet.DecodeString(text)
	if err != nil || len(body) < fixedLen+1 {
		return Code{}, fmt.Errorf("%w: it is %d characters long, which no join code is; a character is missing or one too many", ErrBadCode, len(text))
	}
	sum := body[len(body)-checksumSize:]
	body = body[:len(body)-checksumSize]
	if subtle.ConstantTimeCompare(sum, checksum(body)) != 1 {
		return Code{}, fmt.Errorf("%w: it does not check out, so a character is mistyped, missing or one too many; compare it group by group with the one the admin gave", ErrBadCode)
	}
	if body[0] != codeVersion {
		return Code{}, fmt.Errorf("%w: it is of version %d, which this version of clinic does not know", ErrBadCode, body[0])
	}
	var c Code
	rest := body[1:]
	rest = rest[copy(c.Secret[:], rest):]
	rest = rest[copy(c.Fingerprint[:], rest):]
	c.Server = string(rest)
	if err := checkServer(c.Server); err != nil {
		return Code{}, err
	}
	return c, nil
}

// normalise turns a typed code into the characters of the alphabet.
func normalise(s string) (string, error) {
	var b strings.Builder
	pos := 0
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		pos++
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", r) {
			return "", fmt.Errorf("%w: character %d is %q, which no join code holds", ErrBadCode, pos, r)
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("%w: it is empty", ErrBadCode)
	}
	return b.String(), nil
}

// checksum is the checksum of a code's body.
func checksum(body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(checksumDomain))
	h.Write(body)
	return h.Sum(nil)[:checksumSize]
}

// checkServer reports whether s is an address a code may carry: host:port
// in printable ASCII, at most MaxServerLen bytes.
func checkServer(s string) error {
	if s == "" || len(s) > MaxServerLen {
		return fmt.Errorf("%w: the server address must be 1 to %d characters", ErrBadCode, MaxServerLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return fmt.Errorf("%w: the server address holds a character that is not printable ASCII", ErrBadCode)
		}
	}
	if host, port, err := net.SplitHostPort(s); err != nil || host == "" || port == "" {
		return fmt.Errorf("%w: the server address %q is not host:port", ErrBadCode, s)
	}
	return nil
}
