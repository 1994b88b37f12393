package inbox

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// Screen lists the user's messages with the unread count, by thread (a
// message and its replies) or one by one; enter opens the selected one,
// [ and ] step through its thread, esc goes back to the list and then to
// where the user came from.
type Screen struct {
	ui.Base
	port Port
	list []core.Message
	sel  int
	open *core.Message
	// thread is the opened message's thread, oldest first.
	thread         []core.Message
	loading, ready bool
	opening        bool
	err            string
	// search filters the list while the user types it after "/".
	search    ui.Field
	searching bool
	// flat lists every message on its own row instead of by thread.
	flat bool
	// dir is the folder the opened message's files are saved into, typed
	// after s; note says where they went.
	dir    ui.Field
	saving bool
	note   string
}

// The inbox's own keys.
var (
	keyCompose = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "new message"))
	keyReply   = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reply"))
	keySearch  = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search"))
	keyThreads = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "threads/all"))
	keyOlder   = key.NewBinding(key.WithKeys("["), key.WithHelp("[", "older in thread"))
	keyNewer   = key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "newer in thread"))
	keySave    = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save files"))
)

// New lists the user's messages.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p, search: ui.NewField(30, "subject, text or name"), dir: ui.NewField(40, "folder, e.g. ~/Downloads")}
}

// Capturing is set while the search or a folder is typed.
func (s *Screen) Capturing() bool { return s.searching || s.saving }

// rows is how many rows the list has: threads, or messages when flat.
func (s *Screen) rows() int {
	if s.flat {
		return len(s.shown())
	}
	return len(threads(s.shown(), s.list))
}

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
			if s.open != nil {
				s.thread = threadOf(s.open.ID, s.list)
			}
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
		s.thread = threadOf(m.ID, s.list)
		s.S.Wrote()
	case savedMsg:
		s.opening = false
		if n := len(msg.paths); n > 0 {
			s.note = fmt.Sprintf("Saved %d file(s): %s", n, strings.Join(msg.paths, ", "))
		}
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
		}
		s.S.Wrote()
	case tea.KeyMsg:
		if s.opening {
			return nil
		}
		s.err, s.note = "", ""
		switch {
		case s.searching:
			return s.searchKey(msg)
		case s.saving:
			return s.saveKey(msg)
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

// saveKey types the folder; enter saves the files there, esc gives up.
func (s *Screen) saveKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, s.S.Keys.Back):
		s.saving = false
	case k.Type == tea.KeyEnter && s.open != nil:
		s.saving, s.opening = false, true
		return saveCmd(s.port, s.ID(), s.open.ID, expandHome(s.dir.Value()))
	default:
		s.dir.Update(k)
	}
	return nil
}

// expandHome turns a leading ~ into the user's home folder, as a shell
// would.
func expandHome(dir string) string {
	dir = strings.TrimSpace(dir)
	if dir != "~" && !strings.HasPrefix(dir, "~/") {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return dir
	}
	return home + dir[1:]
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	if s.open != nil {
		return s.openKey(k)
	}
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back) && s.search.Value() != "":
		s.search.SetValue("")
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keyCompose):
		return s.S.Push(ui.PageCompose, ui.Route{})
	case key.Matches(k, keySearch):
		s.searching = true
	case key.Matches(k, keyThreads):
		s.flat, s.sel = !s.flat, 0
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, s.rows()-1), s.sel+1)
	case key.Matches(k, keys.Open) && s.sel < s.rows():
		s.opening = true
		return openCmd(s.port, s.ID(), s.selected())
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	}
	return nil
}

// selected is the message enter opens: the selected one, or in a thread
// its oldest unread message, else its latest.
func (s *Screen) selected() core.ID {
	if s.flat {
		return s.shown()[s.sel].ID
	}
	t := threads(s.shown(), s.list)[s.sel]
	for _, m := range t.msgs {
		if s.isUnread(m) {
			return m.ID
		}
	}
	return t.newest().ID
}

// openKey handles the keys of an opened message.
func (s *Screen) openKey(k tea.KeyMsg) tea.Cmd {
	th := s.thread
	at := slices.IndexFunc(th, func(m core.Message) bool { return m.ID == s.open.ID })
	switch {
	case key.Matches(k, s.S.Keys.Back):
		s.open = nil
	case key.Matches(k, keyReply):
		return s.S.Push(ui.PageCompose, ui.Route{Message: s.open.ID})
	case key.Matches(k, keyOlder) && at > 0:
		s.opening = true
		return openCmd(s.port, s.ID(), th[at-1].ID)
	case key.Matches(k, keyNewer) && at >= 0 && at < len(th)-1:
		s.opening = true
		return openCmd(s.port, s.ID(), th[at+1].ID)
	case key.Matches(k, keySave) && len(s.open.Attachments) > 0:
		s.saving = true
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
		lines = append(lines, s.S.Spinner()+" Working…")
	case s.err != "":
		lines = append(lines, st.Error.Render(ui.Truncate(s.err, max(1, s.Width))))
	case s.note != "":
		lines = append(lines, st.Subtle.Render(ui.Truncate(ui.Text(s.note), max(1, s.Width))))
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
	if s.flat {
		start, end := ui.Window(len(list), s.sel, max(1, s.Height-len(lines)-2))
		for i := start; i < end; i++ {
			lines = append(lines, s.threadRow(thread{msgs: list[i : i+1]}, i == s.sel))
		}
		return lines
	}
	ths := threads(list, s.list)
	start, end := ui.Window(len(ths), s.sel, max(1, s.Height-len(lines)-2))
	for i := start; i < end; i++ {
		lines = append(lines, s.threadRow(ths[i], i == s.sel))
	}
	return lines
}

// threadRow is one row of the list, a thread or (when flat) a message
// alone: new or not, its latest message's time and sender, how many
// messages it holds, its first subject.
func (s *Screen) threadRow(t thread, selected bool) string {
	last := t.newest()
	mark := "  "
	if selected {
		mark = "> "
	}
	state := "    "
	for _, m := range t.msgs {
		if s.isUnread(m) {
			state = "NEW "
		}
	}
	if state == "    " && last.From == s.S.Who.User {
		state = "sent"
	}
	who := "from " + ui.Text(last.From)
	if last.From == s.S.Who.User {
		who = "to " + ui.Text(strings.Join(last.To, ", "))
	}
	clip := "  "
	files := 0
	for _, m := range t.msgs {
		files += len(m.Attachments)
	}
	if files > 0 {
		clip = fmt.Sprintf("+%d", files)
	}
	count := ""
	if len(t.msgs) > 1 {
		count = fmt.Sprintf(" (%d)", len(t.msgs))
	}
	row := fmt.Sprintf("%s%s %s  %-20s %s %s%s", mark, state, last.CreatedAt.In(s.S.Zone()).Format("_2 Jan 15:04"),
		ui.Truncate(who, 20), clip, ui.Text(t.msgs[0].Subject), count)
	row = ui.Truncate(row, max(1, s.Width))
	if selected {
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
		if s.saving {
			lines = append(lines, ui.Truncate(ui.FormRow(st, "Save into", s.dir.View(st, true), true), w))
		}
	}
	if th := s.thread; len(th) > 1 {
		lines = append(lines, "", st.Bold.Render(ui.Truncate(fmt.Sprintf("Thread, %d messages", len(th)), w)))
		for _, o := range th {
			mark := "  "
			if o.ID == m.ID {
				mark = "> "
			}
			first, _, _ := strings.Cut(o.Body, "\n")
			lines = append(lines, ui.Truncate(fmt.Sprintf("%s%s  %-12s %s", mark, o.CreatedAt.In(s.S.Zone()).Format("_2 Jan 15:04"), ui.Truncate(ui.Text(o.From), 12), ui.Text(first)), w))
		}
	}
	return lines
}

// ShortHelp is the list's or the message's keys.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	switch {
	case s.saving:
		return []key.Binding{ui.WithHelp(k.Open, "enter", "save here"), ui.WithHelp(k.Back, "esc", "cancel")}
	case s.open != nil:
		keys := []key.Binding{keyReply}
		if len(s.thread) > 1 {
			keys = append(keys, keyOlder, keyNewer)
		}
		if len(s.open.Attachments) > 0 {
			keys = append(keys, keySave)
		}
		return append(keys, ui.WithHelp(k.Back, "esc", "to the list"))
	}
	return []key.Binding{ui.WithHelp(k.Open, "enter", "read"), keyCompose, keySearch, keyThreads}
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{
		{ui.WithHelp(k.Open, "enter", "read"), keyCompose, keySearch, keyThreads, k.Up, k.Down, k.Refresh, k.Back},
		{keyReply, keyOlder, keyNewer, keySave},
	}
}
