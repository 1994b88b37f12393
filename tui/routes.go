package tui

import (
	"github.com/charmbracelet/bubbles/key"

	"medisecure/core"
	"medisecure/tui/screens/admin"
	"medisecure/tui/screens/billing"
	"medisecure/tui/screens/booking"
	"medisecure/tui/screens/chart"
	"medisecure/tui/screens/claims"
	"medisecure/tui/screens/compose"
	"medisecure/tui/screens/conflicts"
	"medisecure/tui/screens/documents"
	"medisecure/tui/screens/inbox"
	"medisecure/tui/screens/notifications"
	"medisecure/tui/screens/nurse"
	"medisecure/tui/screens/patient"
	"medisecure/tui/screens/refills"
	"medisecure/tui/screens/rx"
	"medisecure/tui/screens/schedule"
	"medisecure/tui/screens/schedules"
	"medisecure/tui/screens/tele"
	"medisecure/tui/ui"
)

// route is one line of the route table: a page, how to make its screen,
// and, for a page opened from the home screen, its key and who is offered
// it (may act on kind).
type route struct {
	page ui.Page
	make func(c *ui.Shared, s Session, r ui.Route) ui.Screen
	key  key.Binding
	act  core.Action
	kind core.Kind
}

// routes is every page the screens may ask for. Adding a screen is one
// line here.
var routes = []route{
	{page: ui.PageSchedule, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return schedule.New(c, s, r) }},
	{page: ui.PageSearch, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return patient.NewSearch(c, s, r) }},
	{page: ui.PageRegister, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return patient.NewRegister(c, s, r) }},
	{page: ui.PagePatient, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return patient.NewRecord(c, s, r) }},
	{page: ui.PageEdit, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return patient.NewEdit(c, s, r) }},
	{page: ui.PageChart, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return chart.New(c, s, r) }},
	{page: ui.PageRx, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return rx.New(c, s, r) }},
	{page: ui.PageRefills, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return refills.New(c, s, r) },
		key: pageKey("F", "refills"), act: core.ActUpdate, kind: core.KindRefill},
	{page: ui.PageBook, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return booking.New(c, s, r) }},
	{page: ui.PageConflicts, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return conflicts.New(c, s, r) }},
	{page: ui.PageAdmin, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return admin.New(c, s, r) },
		key: pageKey("A", "users"), act: core.ActRead, kind: core.KindUser},
	{page: ui.PageSchedules, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return schedules.New(c, s, r) },
		key: pageKey("H", "working hours"), act: core.ActUpdate, kind: core.KindSchedule},
	{page: ui.PageBilling, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewWorklist(c, s, r) }},
	{page: ui.PageAccount, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewAccount(c, s, r) }},
	{page: ui.PageInvoice, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewInvoice(c, s, r) }},
	{page: ui.PagePay, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewPay(c, s, r) }},
	{page: ui.PageRefund, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewRefund(c, s, r) }},
	{page: ui.PageDayEnd, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return billing.NewDayEnd(c, s, r) }},
	{page: ui.PageClaims, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return claims.New(c, s, r) }},
	{page: ui.PageNurse, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return nurse.New(c, s, r) }},
	{page: ui.PageInbox, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return inbox.New(c, s, r) },
		key: key.NewBinding(key.WithKeys("M")), act: core.ActRead, kind: core.KindMessage},
	{page: ui.PageCompose, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return compose.New(c, s, r) }},
	{page: ui.PageTele, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return tele.New(c, s, r) }},
	{page: ui.PageNotices, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return notifications.New(c, s, r) },
		key: key.NewBinding(key.WithKeys("I")), act: core.ActRead, kind: core.KindPatient},
	{page: ui.PageDocuments, make: func(c *ui.Shared, s Session, r ui.Route) ui.Screen { return documents.New(c, s, r) }},
}

// pageKey is the key that opens a page from the screens that do not type.
func pageKey(k, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc))
}

// pageKeys are the keys of the pages the logged-in user may open.
func (m *model) pageKeys() []route {
	var out []route
	for _, r := range routes {
		if len(r.key.Keys()) > 0 && m.c.Can(r.act, r.kind) {
			out = append(out, r)
		}
	}
	return out
}

// find is the route table's line for page p.
func find(p ui.Page) (route, bool) {
	for _, r := range routes {
		if r.page == p {
			return r, true
		}
	}
	return route{}, false
}

// home is the first page a role sees after login: a doctor their own
// day, a nurse the nurse's day, billing its worklist, everyone else the
// clinic's schedule.
func home(p core.Principal) ui.Route {
	r := ui.Route{Nav: ui.NavPush, Page: ui.PageSchedule}
	if p.Role == core.RoleDoctor {
		r.Doctor = p.User
	}
	if p.Role == core.RoleBilling {
		r.Page = ui.PageBilling
	}
	if p.Role == core.RoleNurse {
		r.Page = ui.PageNurse
	}
	return r
}
