package login

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The reset form: a user whose login says an admin reset them types the
// one-time reset code and a new passphrase twice; the screen sets it
// (Port.RedeemReset) and logs them in with it.

// resetForm is the reset form's state; user is "" while it is closed.
type resetForm struct {
	user              string
	code, pass, again ui.Field
	focus             int
}

// openReset turns the screen into the reset form for user.
func (l *Screen) openReset(user string) {
	l.reset = resetForm{user: user, code: ui.NewField(29, "reset code"), pass: ui.NewField(24, "new passphrase"), again: ui.NewField(24, "new passphrase again")}
	l.reset.pass.Mask, l.reset.again.Mask = true, true
}

// fields are the form's fields in focus order.
func (r *resetForm) fields() []*ui.Field { return []*ui.Field{&r.code, &r.pass, &r.again} }

// resetKey types into the reset form and submits it from its last field.
func (l *Screen) resetKey(k tea.KeyMsg) tea.Cmd {
	keys := l.S.Keys
	r := &l.reset
	switch {
	case key.Matches(k, keys.NextField):
		r.focus = (r.focus + 1) % 3
		return nil
	case key.Matches(k, keys.PrevField):
		r.focus = (r.focus + 2) % 3
		return nil
	case k.Type == tea.KeyEnter:
		if r.focus < 2 {
			r.focus++
			return nil
		}
		return l.submitReset()
	}
	if r.fields()[r.focus].Update(k) {
		l.err = ""
	}
	return nil
}

// submitReset sets the new passphrase and logs in with it, in a Cmd.
func (l *Screen) submitReset() tea.Cmd {
	r := &l.reset
	code, pass, again := strings.TrimSpace(r.code.Value()), r.pass.Value(), r.again.Value()
	r.pass.SetValue("")
	r.again.SetValue("")
	r.focus = 1
	if pass != again {
		l.err = "The two passphrases differ; type them again."
		return nil
	}
	l.busy, l.err = true, ""
	p, to, user := l.port, l.ID(), r.user
	return func() tea.Msg {
		if err := p.RedeemReset(user, code, pass); err != nil {
			return DoneMsg{Envelope: ui.Envelope{To: to}, Err: err}
		}
		return loginCmd(p, to, user, pass, false)()
	}
}

// resetPending reports whether a login failed because the user was reset.
func resetPending(err error) bool { return errors.Is(err, core.ErrResetPending) }

// resetView draws the reset form.
func (l *Screen) resetView(st ui.Styles, b *strings.Builder) {
	r := &l.reset
	b.WriteString("  " + ui.Text(r.user) + ", an admin reset your account. Type the reset code they\n")
	b.WriteString("  gave you and choose a new passphrase (at least 8 characters).\n\n")
	for i, row := range []struct {
		label string
		f     *ui.Field
	}{{"Reset code", &r.code}, {"Passphrase", &r.pass}, {"Again", &r.again}} {
		b.WriteString("  " + ui.FormRow(st, row.label, row.f.View(st, r.focus == i), r.focus == i) + "\n")
	}
	b.WriteString("\n")
}
