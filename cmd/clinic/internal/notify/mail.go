package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mailer sends e-mail through an SMTP server.
type Mailer struct {
	// Addr is host:port; From the envelope and header sender.
	Addr string
	From string
	// User and Password log in with AUTH PLAIN when User is set; net/smtp
	// refuses to send them unencrypted to any host but this machine.
	User     string
	Password string
	// TLS configures STARTTLS; nil verifies the server's name against the
	// system's roots.
	TLS *tls.Config
	// Hello is the name given in EHLO; empty is "localhost".
	Hello string
	// Timeout bounds one whole conversation; zero is 30 seconds.
	Timeout time.Duration
}

// Mail is one e-mail to one patient.
type Mail struct {
	To      string
	Subject string
	Body    string
	// MessageID is the Message-ID header without brackets; it is the same
	// for every attempt of a notification, so a mail system that saw it
	// once may drop a copy.
	MessageID string
	Date      time.Time
}

// Send delivers m. A refusal by the server with a 5xx reply is a
// *Refused error (permanent); anything else may pass on a later try.
func (s *Mailer) Send(ctx context.Context, m Mail) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("notify: cannot reach the mail server %s: %w", s.Addr, err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return classify("greeting", err)
	}
	defer c.Close()
	if err := s.converse(c, host, m); err != nil {
		return err
	}
	return c.Quit()
}

// converse runs one SMTP conversation after the greeting.
func (s *Mailer) converse(c *smtp.Client, host string, m Mail) error {
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return classify("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return classify("STARTTLS", err)
		}
	}
	if s.User != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return &Refused{What: "AUTH", Err: errors.New("the mail server offers no login, but one is set")}
		}
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return classify("AUTH", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(s.message(m)); err != nil {
		return classify("DATA", err)
	}
	return classify("DATA", w.Close())
}

// message is the RFC 5322 message: headers, then the body in
// quoted-printable UTF-8.
func (s *Mailer) message(m Mail) []byte {
	var b strings.Builder
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", s.From)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", m.Date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.MessageID+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	qp.Close()
	b.WriteString("\r\n")
	return []byte(b.String())
}

// Refused is a gateway's permanent refusal: retrying will not help.
type Refused struct {
	What string
	Err  error
}

func (e *Refused) Error() string { return fmt.Sprintf("notify: %s refused: %v", e.What, e.Err) }

// Unwrap returns the gateway's answer.
func (e *Refused) Unwrap() error { return e.Err }

// classify makes a 5xx SMTP reply a *Refused and wraps anything else.
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &Refused{What: what, Err: err}
	}
	return fmt.Errorf("notify: mail server at %s: %w", what, err)
}
