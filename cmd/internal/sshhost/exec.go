package sshhost

import (
	"errors"
	"io"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
)

// maxSecret bounds a passphrase read over a session.
const maxSecret = 1024

// errInterrupted is returned when the passphrase prompt is interrupted.
var errInterrupted = errors.New("sshhost: interrupted")

// exec runs the command of an exec request as the key's user and sends
// its exit code as the exit status.
func (s *Server) exec(sess ssh.Session) {
	user, _ := sess.Context().Value(userKey{}).(string)
	if user == "" {
		return
	}
	_, _, pty := sess.Pty()
	args := sess.Command()
	if len(args) == 0 {
		wish.Println(sess, "The terminal UI needs a terminal: ssh -t. To run a command, put it after the host, such as: ssh -p 2222 HOST appt list.")
		sess.Exit(1)
		return
	}
	code := s.cfg.Exec(sess.Context(), Exec{
		User: user, Args: args, Stdin: sess, Stdout: sess, Stderr: sess.Stderr(),
		Terminal: pty, ReadSecret: func() (string, error) { return readSecret(sess) },
	})
	sess.Exit(code)
}

// readSecret reads one line typed on the client's terminal without echo:
// the client's terminal is raw while a pty is open, so nothing shows
// unless echoed. Backspace deletes; ctrl+c and ctrl+d give up.
func readSecret(r io.Reader) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) <= maxSecret {
		if _, err := r.Read(b); err != nil {
			return "", err
		}
		switch b[0] {
		case '\r', '\n':
			return string(line), nil
		case 3, 4:
			return "", errInterrupted
		case 8, 127:
			if len(line) > 0 {
				line = line[:len(line)-1]
			}
		default:
			line = append(line, b[0])
		}
	}
	return "", errInterrupted
}
