package claims

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
	"medisecure/tui/ui"
)

// order is the worklist's order: what needs doing first.
var order = map[core.ClaimStatus]int{core.ClaimRejected: 0, core.ClaimDraft: 1, core.ClaimAccepted: 2, core.ClaimSubmitted: 3, core.ClaimPaid: 4}

// The claim keys.
var (
	keySubmit = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "submit"))
	keyAccept = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "accepted"))
	keyReject = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "rejected"))
	keyPaid   = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "insurer paid"))
	keyDraft  = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "back to draft"))
)

// claimsMsg carries the claims and their patients' names.
type claimsMsg struct {
	ui.Envelope
	claims []core.Claim
	names  map[core.ID]string
	err    error
}

// setMsg is the result of a status change.
type setMsg struct {
	ui.Envelope
	claim core.Claim
	err   error
}

// Screen lists every claim, rejected and drafts first, with one key per
// answer.
type Screen struct {
	ui.Base
	port    Port
	claims  []core.Claim
	names   map[core.ID]string
	sel     int
	loading bool
	ready   bool
	busy    bool
	reason  *ui.Field
	err     string
	flash   string
}

// New opens the claims worklist.
func New(c *ui.Shared, p Port, _ ui.Route) *Screen {
	return &Screen{Base: ui.NewBase(c), port: p}
}

// Init loads the claims.
func (s *Screen) Init() tea.Cmd { return s.Refresh() }

// Refresh reloads them.
func (s *Screen) Refresh() tea.Cmd {
	s.loading = true
	p, to := s.port, s.ID()
	return func() tea.Msg {
		cls, err := p.Claims("")
		if err != nil {
			return claimsMsg{Envelope: ui.Envelope{To: to}, err: err}
		}
		var ids []core.ID
		for _, c := range cls {
			ids = append(ids, c.PatientID)
		}
		names, err := p.PatientNames(ids)
		return claimsMsg{Envelope: ui.Envelope{To: to}, claims: cls, names: names, err: err}
	}
}

// Title names the screen.
func (s *Screen) Title() string { return "Claims" }

// Busy is set while loading or saving.
func (s *Screen) Busy() bool { return s.loading || s.busy }

// Capturing is set while the reason for a rejection is typed.
func (s *Screen) Capturing() bool { return s.reason != nil }

// Update handles the keys and the results of loads and changes.
func (s *Screen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case claimsMsg:
		s.loading, s.ready = false, true
		s.err = s.S.Describe(msg.err)
		if msg.err == nil {
			// The selection follows its claim when its status moves it.
			was, _ := s.selected()
			s.claims, s.names = msg.claims, msg.names
			sort.SliceStable(s.claims, func(i, j int) bool { return order[s.claims[i].Status] < order[s.claims[j].Status] })
			s.sel = min(s.sel, max(0, len(s.claims)-1))
			for i, c := range s.claims {
				if c.ID == was.ID {
					s.sel = i
				}
			}
		}
	case setMsg:
		s.busy = false
		if msg.err != nil {
			s.err = s.S.Describe(msg.err)
			return nil
		}
		s.flash = fmt.Sprintf("Claim to %s is %s.", ui.Text(msg.claim.Insurer), msg.claim.Status)
		s.S.Wrote()
		return s.Refresh()
	case tea.KeyMsg:
		if s.busy {
			return nil
		}
		s.err, s.flash = "", ""
		if s.reason != nil {
			return s.reasonKey(msg)
		}
		return s.key(msg)
	}
	return nil
}

func (s *Screen) key(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		return s.S.Back()
	case key.Matches(k, keys.Up):
		s.sel = max(0, s.sel-1)
	case key.Matches(k, keys.Down):
		s.sel = min(max(0, len(s.claims)-1), s.sel+1)
	case key.Matches(k, keys.Refresh):
		return s.Refresh()
	case key.Matches(k, keySubmit):
		return s.set(core.ClaimSubmitted, "")
	case key.Matches(k, keyAccept):
		return s.set(core.ClaimAccepted, "")
	case key.Matches(k, keyPaid):
		return s.set(core.ClaimPaid, "")
	case key.Matches(k, keyDraft):
		return s.set(core.ClaimDraft, "")
	case key.Matches(k, keyReject):
		if c, ok := s.selected(); ok {
			if err := c.Status.CheckTransition(core.ClaimRejected); err != nil {
				s.err = s.S.Describe(err)
				return nil
			}
			f := ui.NewField(40, "why did the insurer reject it?")
			s.reason = &f
		}
	}
	return nil
}

// reasonKey types the reason for a rejection; enter records it.
func (s *Screen) reasonKey(k tea.KeyMsg) tea.Cmd {
	keys := s.S.Keys
	switch {
	case key.Matches(k, keys.Back):
		s.reason = nil
	case k.Type == tea.KeyEnter:
		why := strings.TrimSpace(s.reason.Value())
		if why == "" {
			s.err = "Say why the insurer rejected it."
			return nil
		}
		s.reason = nil
		return s.set(core.ClaimRejected, why)
	default:
		s.reason.Update(k)
	}
	return nil
}

// selected is the claim under the cursor.
func (s *Screen) selected() (core.Claim, bool) {
	if s.sel < len(s.claims) {
		return s.claims[s.sel], true
	}
	return core.Claim{}, false
}

// set moves the selected claim to status to; a step the status machine
// forbids is explained without asking the store.
func (s *Screen) set(to core.ClaimStatus, reason string) tea.Cmd {
	c, ok := s.selected()
	if !ok {
		return nil
	}
	if err := c.Status.CheckTransition(to); err != nil {
		s.err = s.S.Describe(err)
		return nil
	}
	s.busy = true
	p, id := s.port, s.ID()
	return func() tea.Msg {
		got, err := p.SetClaimStatus(c.ID, to, reason, core.Money{})
		return setMsg{Envelope: ui.Envelope{To: id}, claim: got, err: err}
	}
}

// View lists the claims over the selected one's details.
func (s *Screen) View() string {
	st := s.S.Styles
	if !s.ready {
		return "\n  " + s.S.Spinner() + " Loading claims…"
	}
	counts := map[core.ClaimStatus]int{}
	for _, c := range s.claims {
		counts[c.Status]++
	}
	var parts []string
	for _, c := range []core.ClaimStatus{core.ClaimRejected, core.ClaimDraft, core.ClaimSubmitted, core.ClaimAccepted, core.ClaimPaid} {
		parts = append(parts, fmt.Sprintf("%d %s", counts[c], c))
	}
	lines := []string{st.Bold.Render(fmt.Sprintf("Insurance claims (%d)", len(s.claims))), "  " + strings.Join(parts, " · "), ""}
	if len(s.claims) == 0 {
		lines = append(lines, "  "+st.Subtle.Render("No claims yet: clinic claim create INVOICE drafts one."))
	}
	start, end := ui.Window(len(s.claims), s.sel, max(1, s.Height-len(lines)-5))
	nameW := min(ui.MaxName, max(4, s.Width-60))
	for i := start; i < end; i++ {
		c := s.claims[i]
		row := "  " + ui.PadRight(string(c.Status), 10) + " " + ui.PadRight(ui.Text(s.names[c.PatientID]), nameW) + " " +
			ui.PadRight(ui.Text(c.Insurer), 24) + " " + ui.PadLeft(c.Amount.String(), 14)
		if i == s.sel {
			row = st.Selected.Render(row)
		}
		lines = append(lines, row)
	}
	if c, ok := s.selected(); ok {
		detail := "  member " + ui.Text(c.PolicyNumber)
		if !c.SubmittedAt.IsZero() {
			detail += "   submitted " + s.S.When(c.SubmittedAt)
		}
		if c.RejectionReason != "" {
			detail += "   rejected: " + ui.Text(c.RejectionReason)
		}
		lines = append(lines, "", detail)
	}
	switch {
	case s.reason != nil:
		lines = append(lines, "", ui.FormRow(st, "Reason", s.reason.View(st, true), true))
		if s.err != "" {
			lines = append(lines, st.Error.Render(s.err))
		}
	case s.busy:
		lines = append(lines, "", s.S.Spinner()+" Saving…")
	case s.err != "":
		lines = append(lines, "", st.Error.Render(s.err))
	case s.flash != "":
		lines = append(lines, "", st.OK.Render(s.flash))
	}
	return strings.Join(lines, "\n")
}

// ShortHelp is the answers a claim can get.
func (s *Screen) ShortHelp() []key.Binding {
	if s.reason != nil {
		k := s.S.Keys
		return []key.Binding{ui.WithHelp(k.Submit, "enter", "record"), ui.WithHelp(k.Back, "esc", "leave it")}
	}
	return []key.Binding{keySubmit, keyAccept, keyReject, keyPaid, s.S.Keys.Back}
}

// FullHelp lists every key of the worklist.
func (s *Screen) FullHelp() [][]key.Binding {
	k := s.S.Keys
	return [][]key.Binding{{k.Up, k.Down, k.Refresh, k.Back}, {keySubmit, keyAccept, keyReject, keyPaid, keyDraft}}
}
