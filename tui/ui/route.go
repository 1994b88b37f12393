package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"medisecure/core"
)

// Page names a screen the root can show. Screens never import each other:
// they ask for a page by name and the root's route table makes it.
type Page string

// The pages.
const (
	PageSchedule  Page = "schedule"  // the day and the week
	PageSearch    Page = "search"    // find a patient, or pick one to book
	PageRegister  Page = "register"  // a new patient
	PagePatient   Page = "patient"   // one patient's record
	PageEdit      Page = "edit"      // change a patient's details
	PageChart     Page = "chart"     // a patient's chart in tabs
	PageRx        Page = "rx"        // prescribe with safety checks
	PageRefills   Page = "refills"   // the doctor's refill worklist
	PageBook      Page = "book"      // book or move an appointment
	PageConflicts Page = "conflicts" // open conflicts
	PageAdmin     Page = "admin"     // users and roles
	PageSchedules Page = "schedules" // a doctor's working hours
	PageBilling   Page = "billing"   // billing's worklist
	PageAccount   Page = "account"   // a patient's account
	PageInvoice   Page = "invoice"   // a new invoice from the fee schedule
	PagePay       Page = "pay"       // take a payment
	PageRefund    Page = "refund"    // give money back
	PageDayEnd    Page = "dayend"    // the day-end cash-up
	PageClaims    Page = "claims"    // insurance claims by status
	PageInbox     Page = "inbox"     // staff messages
	PageNurse     Page = "nurse"     // the nurse's day
	PageNotices   Page = "notices"   // in-app notifications
	PageCompose   Page = "compose"   // write or answer a message
	PageDocuments Page = "documents" // a patient's documents
	PageTele      Page = "tele"      // an appointment's video consultation
)

// Nav is what a route asks of the root.
type Nav int

// The navigations.
const (
	NavPush    Nav = iota // show the page on top; esc comes back
	NavReplace            // show the page in place of the current one
	NavBack               // leave the current screen
	NavHome               // back to the bottom screen, with a note
)

// Route is a screen's typed request to the root: which page, and what it
// opens with. Only the fields the page reads are set.
type Route struct {
	Nav  Nav
	Page Page

	Patient   core.Patient
	PatientID core.ID
	Doctor    string
	Day       core.Date
	// Move is the appointment the booking form moves; nil books anew.
	Move *core.Appointment
	// Pick makes the search pick a patient to book instead of opening one.
	Pick bool
	// Query is typed into the page's first field.
	Query string
	// Flash is the note shown on arrival; Appt is selected there.
	Flash string
	Appt  core.ID
	// At is a moment the page starts from.
	At time.Time
	// Invoice is the invoice a payment or refund is for.
	Invoice core.ID
	// Message is the message a reply answers.
	Message core.ID
}

// Go asks the root to carry out r before this Update returns, so a key
// typed right after "/" already reaches the search. It returns nil so a
// screen can write `return s.S.Go(r)`.
func (c *Shared) Go(r Route) tea.Cmd {
	c.nav = append(c.nav, r)
	return nil
}

// Push shows page p on top, opened with r.
func (c *Shared) Push(p Page, r Route) tea.Cmd {
	r.Nav, r.Page = NavPush, p
	return c.Go(r)
}

// Back leaves the current screen.
func (c *Shared) Back() tea.Cmd { return c.Go(Route{Nav: NavBack}) }

// TakeRoutes hands the root the routes asked for since the last call.
func (c *Shared) TakeRoutes() []Route {
	out := c.nav
	c.nav = nil
	return out
}
