package compose

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The form's fields, in order.
const (
	fieldTo = iota
	fieldSubject
	fieldBody
	fieldFiles
	fieldCount
)

// labels name the fields.
var labels = [fieldCount]string{"To", "Subject", "Message", "Attach"}

// keySend sends from any field.
var keySend = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "send"))

// Screen is the compose form. A reply (Route.Message) starts addressed to
// the sender with "Re: " and the same patient.
type Screen struct {
	ui.Base
	port    Port
	fields  [fieldCount]ui.Field
	focus   int
	reply   core.ID
	patient core.ID
	loading bool
	sending bool
	err     string
}

// New opens an empty form, or a reply to r.Message.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	s := &Screen{Base: ui.NewBase(c), port: p, reply: r.Message}
	for i := range s.fields {
		s.fields[i] = ui.NewField(40, placeholder(i))
	}
	s.fields[fieldTo].SetValue(r.Query)
	return s
}

// Init loads the message a reply answers.
func (s *Screen) Init() tea.Cmd {
	if s.reply == "" {
		return nil
	}
	s.loading = true
	return openCmd(s.port, s.ID(), s.reply)
}

// Title names the form.
func (s *Screen) Title() string {
	if s.reply != "" {
		return "Reply"
	}
	return "New message"
}

// Busy is set while loading or sending.
func (s *Screen) Busy() bool { return s.loading || s.sending }

// Capturing is always true: every key types into a field.
func (s *Screen) Capturing() bool { return true }

// Dirty reports typed text not yet sent.
func (s *Screen) Dirty() bool {
	return s.fields[fieldBody].Value() != "" || s.fields[fieldFiles].Value() != ""
}

// SetSize makes the fields as wide as the screen allows.
func (s *Screen) SetSize(w, h int) {
	s.Base.SetSize(w, h)
	for i := range s.fields {
		v := s.fields[i].Value()
		s.fields[i] = ui.NewField(max(10, w-ui.LabelWidth-6), placeholder(i))
		s.fields[i].SetValue(v)
	}
}

// placeholder is the hint an empty field shows.
func placeholder(i int) string {
	switch i {
	case fieldTo:
		return "user, user or role:doctor"
	case fieldFiles:
		return "path, path (PDF, PNG, JPEG, text; 2 MiB each)"
	}
	return ""
}

// Update handles the keys and the answers of opening and sending.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openedMsg:
		s.loading = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		m := msg.m
		s.patient = m.PatientID
		// Shown through the safe renderer: a received subject may carry
		// escape sequences, which must not reach the terminal from a field.
		s.fields[fieldTo].SetValue(ui.Text(m.From))
		subject := ui.Text(m.Subject)
		if !strings.HasPrefix(subject, "Re: ") {
			subject = "Re: " + subject
		}
		s.fields[fieldSubject].SetValue(subject)
		s.focus = fieldBody
	case sentMsg:
		s.sending = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.S.Wrote()
		for i := range s.fields {
			s.fields[i].SetValue("")
		}
		return s.S.Back()
	case tea.KeyMsg:
		if s.sending || s.loading {
			return nil
		}
		s.err = ""
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keySend):
		return s.send()
	case k.Type == tea.KeyEnter && s.focus == fieldCount-1:
		return s.send()
	case key.Matches(k, keys.NextField) || k.Type == tea.KeyEnter:
		s.focus = (s.focus + 1) % fieldCount
	case key.Matches(k, keys.PrevField):
		s.focus = (s.focus + fieldCount - 1) % fieldCount
	default:
		s.fields[s.focus].Update(k)
	}
	return nil
}

// send checks the form and sends in a Cmd.
func (s *Screen) send() tea.Cmd {
	to := splitList(s.fields[fieldTo].Value())
	m := core.Message{To: to, Subject: strings.TrimSpace(s.fields[fieldSubject].Value()), Body: s.fields[fieldBody].Value(), ReplyTo: s.reply, PatientID: s.patient}
	switch {
	case len(to) == 0:
		s.err, s.focus = "Say who the message is for: user names or role:doctor, separated by commas.", fieldTo
		return nil
	case m.Subject == "" || strings.TrimSpace(m.Body) == "":
		s.err = "A message needs a subject and a text."
		return nil
	}
	s.sending = true
	return sendCmd(s.port, s.ID(), m, splitList(s.fields[fieldFiles].Value()))
}

// splitList is the comma-separated items of s, trimmed, empty ones left out.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// View is the form.
func (s *Screen) View() string {
	st := s.S.Styles
	var lines []string
	head := "New message"
	if s.reply != "" {
		head = "Reply"
	}
	lines = append(lines, st.Bold.Render(head), "")
	for i := range s.fields {
		lines = append(lines, ui.Truncate(ui.FormRow(st, labels[i], s.fields[i].View(st, i == s.focus), i == s.focus), max(1, s.Width)))
	}
	lines = append(lines, "", st.Subtle.Render(ui.Truncate("tab next field · enter on the last field or ctrl+s sends · role:doctor reaches every doctor", max(1, s.Width))))
	switch {
	case s.loading:
		lines = append(lines, s.S.Spinner()+" Opening the message…")
	case s.sending:
		lines = append(lines, s.S.Spinner()+" Sealing and sending…")
	case s.err != "":
		lines = append(lines, st.Error.Render(ui.Truncate(s.err, max(1, s.Width))))
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the form's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	return []key.Binding{keySend, k.NextField, ui.WithHelp(k.Back, "esc", "discard")}
}

// FullHelp lists every key of the form.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{keySend, k.NextField, k.PrevField, ui.WithHelp(k.Back, "esc", "discard")}}
}
