package sshhost

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	gossh "golang.org/x/crypto/ssh"
)

// HostKey reads the host's SSH key at path, or makes an Ed25519 key there
// (mode 0600) on first start, so terminals see the same host every time.
func HostKey(path string) (gossh.Signer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return newHostKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("sshhost: reading the host key %s: %w", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s may be read by others (mode %v); chmod 600 it", ErrHostKey, path, st.Mode().Perm())
	}
	s, err := gossh.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not an SSH private key", ErrHostKey, path)
	}
	return s, nil
}

// newHostKey makes and writes a new Ed25519 host key.
func newHostKey(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sshhost: making the host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "medisecure clinic host")
	if err != nil {
		return nil, fmt.Errorf("sshhost: encoding the host key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot create %s: %v", ErrHostKey, path, err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("%w: cannot write %s: %v", ErrHostKey, path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("%w: cannot write %s: %v", ErrHostKey, path, err)
	}
	return gossh.NewSignerFromKey(priv)
}
