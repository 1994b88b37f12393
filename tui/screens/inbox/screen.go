package inbox

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Screen lists the user's messages with the unread count; enter opens the
// selected one, esc goes back to the list and then to where the user came
// from.
type Screen struct {
	ui.Base
	port           Port
	list           []core.Message
	sel            int
	open           *core.Message
	loading, ready bool
	opening        bool
	err            string
	// search filters the list while the user types it after "/".
	search    ui.Field
	searching bool
}

// The inbox's own keys.
var (
	keyCompose = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "new message"))
	keyReply   = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reply"))
	keySearch  = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search"))
)

// New lists the user's messages.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p, search: ui.NewField(30, "subject, text or name")}
}

// Capturing is set while the search is typed.
func (s *Screen) Capturing() bool { return s.searching }

// shown are the messages the search keeps: every one whose subject, text,
// sender or recipients hold the typed words, ignoring case.
func (s *Screen) shown() []core.Message {
	q := strings.Fields(strings.ToLower(s.search.Value()))
	if len(q) == 0 {
		return s.list
	}
	var out []core.Message
	for _, m := range s.list {
		hay := strings.ToLower(strings.Join([]string{m.Subject, m.Body, m.From, strings.Join(m.To, " ")}, " "))
		all := true
		for _, w := range q {
			all = all && strings.Contains(hay, w)
		}
		if all {
			out = append(out, m)
		}
	}
	return out
}

// Init loads the messages.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the messages.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	return loadCmd(s.port, s.ID())
}

// Title names the screen with the unread count.
func (s *Screen) Title() string {
	if n := s.unread(); n > 0 {
		return fmt.Sprintf("Messages (%d unread)", n)
	}
	return "Messages"
}

// Busy is set while loading or opening.
func (s *Screen) Busy() bool { return s.loading || s.opening }

// isUnread reports whether the user received m and has not opened it.
func (s *Screen) isUnread(m core.Message) bool {
	me := s.S.Who.User
	return slices.Contains(m.To, me) && !slices.Contains(m.ReadBy, me)
}

// unread counts the messages the user has not opened.
func (s *Screen) unread() int {
	n := 0
	for _, m := range s.list {
		if s.isUnread(m) {
			n++
		}
	}
	return n
}

// Update handles the keys and the answers of loads.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case inboxMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.list = msg.list
			s.sel = min(s.sel, max(0, len(s.list)-1))
		}
	case openedMsg:
		s.opening = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		m := msg.m
		s.open = &m
		for i := range s.list {
			if s.list[i].ID == m.ID {
				s.list[i].ReadBy = m.ReadBy
			}
		}
		s.S.Wrote()
	case tea.KeyMsg:
		if s.opening {
			return nil
		}
		s.err = ""
		if s.searching {
			return s.searchKey(msg)
		}
		return s.key(msg)
	}
	return nil
}

// searchKey types the search; enter keeps it, esc drops it.
func (s *Screen) searchKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, s.S.Keys.Back):
		s.searching = false
		s.search.SetValue("")
	case k.Type == tea.KeyEnter:
		s.searching = false
	default:
		s.search.Update(k)
	}
	s.sel = 0
	return nil
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	list := s.shown()
	switch {
	case key.Matches(k, keys.Back) && s.open != nil:
		s.open = nil
	case key.Matches(k, keys.Back) && s.search.Value() != "":
		s.search.SetValue("")
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case s.open != nil && key.Matches(k, keyReply):
		return s.S.Push(ui.PageCompose, ui.Route{Message: s.open.ID})
	case s.open != nil:
		return nil
	case key.Matches(k, keyCompose):
		return s.S.Push(ui.PageCompose, ui.Route{})
	case key.Matches(k, keySearch):
		s.searching = true
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(list)-1), s.sel+1)
	case key.Matches(k, keys.Open) && s.sel < len(list):
		s.opening = true
		return openCmd(s.port, s.ID(), list[s.sel].ID)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	}
	return nil
}

// View is the list, or the opened message.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading messages…"
	}
	var lines []string
	if s.open != nil {
		lines = s.message(*s.open)
	} else {
		lines = s.listLines()
	}
	switch {
	case s.opening:
		lines = append(lines, s.S.Spinner()+" Opening…")
	case s.err != "":
		lines = append(lines, st.Error.Render(s.err))
	}
	return strings.Join(lines, "\n")
}

// listLines are the heading and the rows that fit.
func (s *Screen) listLines() []string {
	st := s.S.Styles
	lines := []string{st.Bold.Render(fmt.Sprintf("Messages (%d, %d unread)", len(s.list), s.unread()))}
	if len(s.list) == 0 {
		return append(lines, "", "  "+st.Subtle.Render("No messages yet. Press c to write one."))
	}
	list := s.shown()
	if s.searching || s.search.Value() != "" {
		lines = append(lines, ui.Truncate(ui.FormRow(st, "Search", s.search.View(st, s.searching), s.searching)+fmt.Sprintf("  %d found", len(list)), max(1, s.Width)))
	}
	start, end := ui.Window(len(list), s.sel, max(1, s.Height-len(lines)-2))
	for i := start; i < end; i++ {
		lines = append(lines, s.row(list, i))
	}
	return lines
}

// row is one message in the list: new or not, when, who, the subject.
func (s *Screen) row(list []core.Message, i int) string {
	m := list[i]
	mark := "  "
	if i == s.sel {
		mark = "> "
	}
	state := "    "
	switch {
	case s.isUnread(m):
		state = "NEW "
	case m.From == s.S.Who.User:
		state = "sent"
	}
	who := "from " + ui.Text(m.From)
	if m.From == s.S.Who.User {
		who = "to " + ui.Text(strings.Join(m.To, ", "))
	}
	clip := "  "
	if len(m.Attachments) > 0 {
		clip = fmt.Sprintf("+%d", len(m.Attachments))
	}
	row := fmt.Sprintf("%s%s %s  %-20s %s %s", mark, state, m.CreatedAt.In(s.S.Zone()).Format("_2 Jan 15:04"),
		ui.Truncate(who, 20), clip, ui.Text(m.Subject))
	row = ui.Truncate(row, max(1, s.Width))
	if i == s.sel {
		return s.S.Styles.Selected.Render(row)
	}
	return row
}

// message draws one opened message with its attachments.
func (s *Screen) message(m core.Message) []string {
	st := s.S.Styles
	w := max(1, s.Width)
	lines := []string{
		st.Bold.Render(ui.Truncate(ui.Text(m.Subject), w)),
		ui.Truncate("From  "+ui.Text(m.From)+"   "+s.S.When(m.CreatedAt), w),
		ui.Truncate("To    "+ui.Text(strings.Join(m.To, ", ")), w),
	}
	if len(m.ReadBy) > 0 {
		lines = append(lines, ui.Truncate("Read  "+ui.Text(strings.Join(m.ReadBy, ", ")), w))
	}
	lines = append(lines, "")
	for _, l := range strings.Split(ui.Block(m.Body), "\n") {
		lines = append(lines, ui.Truncate(l, w))
	}
	if len(m.Attachments) > 0 {
		lines = append(lines, "")
		for _, a := range m.Attachments {
			lines = append(lines, ui.Truncate(fmt.Sprintf("Attached: %s (%s, %d bytes)", ui.Text(a.FileName), a.MIMEType, a.SizeBytes), w))
		}
		lines = append(lines, st.Subtle.Render(ui.Truncate("Save files with: clinic message read "+string(m.ID)+" --save-attachments DIR", w)))
	}
	return lines
}

// ShortHelp is the list's or the message's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	if s.open != nil {
		return []key.Binding{keyReply, ui.WithHelp(k.Back, "esc", "to the list")}
	}
	return []key.Binding{ui.WithHelp(k.Open, "enter", "read"), keyCompose, keySearch, k.Up, k.Down}
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{ui.WithHelp(k.Open, "enter", "read"), keyCompose, keyReply, keySearch, k.Up, k.Down, k.Refresh, k.Back}}
}
