package documents

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// The screen's own keys.
var (
	keyAdd    = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add a file"))
	keyReview = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark reviewed"))
	keyType   = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "next type"))
)

// Screen is one patient's documents: the list, one document's text, or
// the form that adds a file. Text is read in the background, one document
// at a time, with its progress on the list.
type Screen struct {
	ui.Base
	port    Port
	patient core.ID
	name    string

	list    []core.Document
	missing map[core.ID]bool
	sel     int
	ready   bool
	loading bool

	open   *core.Document
	scroll int

	form *addForm

	// queue are the documents whose text waits to be read here; reading
	// is the one being read, with its progress.
	queue       []core.ID
	reading     core.ID
	done, total int

	busy  bool
	flash string
	err   string
}

// addForm is the file to add: its path, type and title.
type addForm struct {
	path, title ui.Field
	typ         int
	focus       int
}

// New shows the documents of the route's patient.
func New(c *ui.Shared, p Port, r ui.Route) *Screen {
	s := &Screen{Base: ui.NewBase(c), port: p, patient: r.PatientID, name: r.Patient.Name, missing: map[core.ID]bool{}}
	if s.patient == "" {
		s.patient = r.Patient.ID
	}
	return s
}

// Init loads the list.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads the list.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	return loadCmd(s.port, s.ID(), s.patient)
}

// Title names the screen, with the patient when known.
func (s *Screen) Title() string {
	if s.name != "" {
		return "Documents · " + ui.Text(s.name)
	}
	return "Documents"
}

// Busy is set while loading or saving; reading text in the background
// does not make the screen busy.
func (s *Screen) Busy() bool { return s.loading || s.busy }

// Capturing is set while the add form is open.
func (s *Screen) Capturing() bool { return s.form != nil }

// Update handles keys and the answers of the commands.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case listMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			s.list, s.missing = msg.list, msg.missing
			s.sel = min(s.sel, max(0, len(s.list)-1))
			for _, id := range msg.unread {
				s.enqueue(id)
			}
			return s.next()
		}
	case openedMsg:
		s.busy = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		d := msg.d
		s.open, s.scroll = &d, 0
	case savedMsg:
		return s.saved(msg)
	case progressMsg:
		if msg.id == s.reading {
			s.done, s.total = msg.done, msg.total
		}
		return waitFor(msg.ch)
	case textMsg:
		return s.textRead(msg)
	case tea.KeyMsg:
		if s.busy {
			return nil
		}
		s.err, s.flash = "", ""
		if s.form != nil {
			return s.formKey(msg)
		}
		return s.key(msg)
	}
	return nil
}

// saved takes a document added or reviewed into the list; an added one's
// text is read next.
func (s *Screen) saved(msg savedMsg) tea.Cmd {
	s.busy = false
	if msg.err != nil {
		s.err = s.S.Describe(msg.err)
		return nil
	}
	s.S.Wrote()
	s.put(msg.d)
	if !msg.added {
		s.flash = "Marked reviewed."
		return nil
	}
	s.form = nil
	s.flash = "Added " + ui.Text(msg.d.Title) + "; reading its text in the background."
	s.enqueue(msg.d.ID)
	return s.next()
}

// textRead ends one background read and starts the next.
func (s *Screen) textRead(msg textMsg) tea.Cmd {
	s.reading, s.done, s.total = "", 0, 0
	if msg.d.ID != "" {
		s.put(msg.d)
	}
	if msg.err != nil {
		s.err = "The text of " + ui.Text(msg.d.Title) + " could not be read yet; the file is kept and it is tried again later. " + s.S.Describe(msg.err)
	}
	return s.next()
}

// put replaces a document in the list, or adds it at the top.
func (s *Screen) put(d core.Document) {
	for i := range s.list {
		if s.list[i].ID == d.ID {
			s.list[i] = d
			if s.open != nil && s.open.ID == d.ID {
				s.open = &d
			}
			return
		}
	}
	s.list = append([]core.Document{d}, s.list...)
	s.sel = 0
}

// enqueue queues a document's text to be read, once.
func (s *Screen) enqueue(id core.ID) {
	if id == s.reading {
		return
	}
	for _, q := range s.queue {
		if q == id {
			return
		}
	}
	s.queue = append(s.queue, id)
}

// next starts reading the next queued document, when none is being read.
func (s *Screen) next() tea.Cmd {
	if s.reading != "" || len(s.queue) == 0 || !s.S.Can(core.ActUpdate, core.KindDocument) {
		return nil
	}
	s.reading, s.queue = s.queue[0], s.queue[1:]
	s.done, s.total = 0, 0
	return readCmd(s.port, s.ID(), s.reading)
}

// key handles the list's and the opened document's keys.
func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back) && s.open != nil:
		s.open = nil
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case s.open != nil && key.Matches(k, keys.Up):
		s.scroll = max(0, s.scroll-1)
	case s.open != nil && key.Matches(k, keys.Down):
		s.scroll++
	case key.Matches(k, keyReview) && s.S.Can(core.ActUpdate, core.KindDocument):
		if d := s.current(); d != nil && !d.Reviewed() {
			s.busy = true
			return reviewCmd(s.port, s.ID(), d.ID)
		}
	case s.open != nil:
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.list)-1), s.sel+1)
	case key.Matches(k, keys.Open) && s.sel < len(s.list):
		s.busy = true
		return openCmd(s.port, s.ID(), s.list[s.sel].ID)
	case key.Matches(k, keyAdd) && s.S.Can(core.ActCreate, core.KindDocument):
		s.form = &addForm{path: ui.NewField(50, "/path/to/scan.pdf"), title: ui.NewField(50, "the file's name")}
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	}
	return nil
}

// current is the opened document, else the selected one.
func (s *Screen) current() *core.Document {
	if s.open != nil {
		return s.open
	}
	if s.sel < len(s.list) {
		return &s.list[s.sel]
	}
	return nil
}

// Form rows.
const (
	rowPath = iota
	rowType
	rowTitle
	rowCount
)

// formKey edits the add form; enter adds the file.
func (s *Screen) formKey(k tea.KeyMsg) tea.Cmd {
	f, keys := s.form, s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		s.form = nil
	case key.Matches(k, keys.Submit):
		path := f.path.Value()
		if path == "" {
			s.err = "Type the path of the file to add."
			return nil
		}
		s.busy = true
		return addCmd(s.port, s.ID(), s.patient, core.DocumentTypes[f.typ], f.title.Value(), path)
	case key.Matches(k, keys.NextField):
		f.focus = (f.focus + 1) % rowCount
	case key.Matches(k, keys.PrevField):
		f.focus = (f.focus + rowCount - 1) % rowCount
	case f.focus == rowType && (key.Matches(k, keyType) || key.Matches(k, keys.Right)):
		f.typ = (f.typ + 1) % len(core.DocumentTypes)
	case f.focus == rowType && key.Matches(k, keys.Left):
		f.typ = (f.typ + len(core.DocumentTypes) - 1) % len(core.DocumentTypes)
	case f.focus == rowPath:
		f.path.Update(k)
	case f.focus == rowTitle:
		f.title.Update(k)
	}
	return nil
}

// ShortHelp is the keys of what is shown.
func (s *Screen) ShortHelp() []key.Binding {
	k := s.S.Keys
	switch {
	case s.form != nil:
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "add"), k.NextField, ui.WithHelp(keyType, "space", "type"), ui.WithHelp(k.Back, "esc", "cancel")}
	case s.open != nil:
		return s.withReview([]key.Binding{ui.WithHelp(k.Back, "esc", "to the list"), ui.WithHelp(k.Down, "j/k", "scroll")})
	}
	out := []key.Binding{ui.WithHelp(k.Open, "enter", "read")}
	if s.S.Can(core.ActCreate, core.KindDocument) {
		out = append(out, keyAdd)
	}
	return s.withReview(append(out, k.Refresh, k.Back))
}

// withReview adds the review key for those who may review.
func (s *Screen) withReview(b []key.Binding) []key.Binding {
	if s.S.Can(core.ActUpdate, core.KindDocument) {
		return append(b, keyReview)
	}
	return b
}

// FullHelp lists every key of the screen.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{
		{ui.WithHelp(k.Open, "enter", "read"), k.Up, k.Down, keyAdd, keyReview, k.Refresh, k.Back},
		{ui.WithHelp(k.Submit, "enter", "add the file"), k.NextField, k.PrevField, keyType},
	}
}

// progress says how far reading a document's text has come.
func (s *Screen) progress() string {
	if s.total > 0 {
		return fmt.Sprintf("reading text: page %d of %d", min(s.done+1, s.total), s.total)
	}
	return "reading text…"
}
