package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"medisecure/store"
)

// maxKeyFile bounds what clinic user key add reads: a public key line is
// well under a kilobyte.
const maxKeyFile = 16 << 10

// userKeyCmd is clinic user key: the SSH public keys of thin terminals.
func (a *app) userKeyCmd() *cobra.Command {
	g := group("key", "register, list or remove the SSH keys thin terminals log in with (admins)",
		a.userKeyAddCmd(), a.userKeyListCmd(), a.userKeyRemoveCmd())
	return g
}

// userKeyAddCmd is clinic user key add USER FILE.
func (a *app) userKeyAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "add USER FILE",
		Short: "register the public key in FILE (such as id_ed25519.pub; - reads it from standard input) for USER",
		Args:  exactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			line, err := a.readKeyFile(args[1])
			if err != nil {
				return err
			}
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				k, err := s.AddSSHKey(args[0], line)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.e.stdout, "registered %s %s for %s; they reach the clinic host with ssh -p 2222 %s@HOST\n", k.Type, k.Fingerprint, k.User, k.User)
				return nil
			})
		},
	}
}

// readKeyFile reads a public key from a file, or from standard input for
// "-". Over SSH only "-" is taken: the file would be the host's, not the
// admin's.
func (a *app) readKeyFile(name string) ([]byte, error) {
	var r io.Reader
	switch {
	case name == "-":
		r = a.e.stdin
	case a.e.host != nil:
		return nil, usagef("over SSH the key comes from standard input: ssh … user key add USER - < id_ed25519.pub")
	default:
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("cannot read the key file %s", name)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile))
	if err != nil {
		return nil, usagef("cannot read the key from %s", name)
	}
	return b, nil
}

// userKeyListCmd is clinic user key list [USER].
func (a *app) userKeyListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list [USER]",
		Short: "list the registered terminal keys, or one user's",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			user := ""
			if len(args) == 1 {
				user = args[0]
			}
			return a.withSession(func(db *store.DB, s *store.Session) error {
				keys, err := s.SSHKeys(user)
				if err != nil {
					return err
				}
				rows := make([][]string, len(keys))
				for i, k := range keys {
					rows[i] = []string{k.User, k.Fingerprint, k.Type, k.Comment, k.Added.In(db.Zone()).Format("2006-01-02 15:04"), k.AddedBy}
				}
				if keys == nil {
					keys = []store.SSHKey{}
				}
				return table(a.e.stdout, a.c.json, keys, []string{"USER", "FINGERPRINT", "TYPE", "COMMENT", "ADDED", "BY"}, rows)
			})
		},
	}
}

// userKeyRemoveCmd is clinic user key remove FINGERPRINT|USER.
func (a *app) userKeyRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove FINGERPRINT|USER",
		Short: "unregister one key by its fingerprint, or every key of a user",
		Args:  exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return a.withSession(func(_ *store.DB, s *store.Session) error {
				gone, err := s.RemoveSSHKey(args[0])
				if err != nil {
					return err
				}
				for _, k := range gone {
					fmt.Fprintf(a.e.stdout, "removed %s of %s\n", k.Fingerprint, k.User)
				}
				return nil
			})
		},
	}
}
