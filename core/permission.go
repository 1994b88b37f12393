package core

import (
	"fmt"
	"strings"
)

// ErrDenied is returned (wrapped in a *DeniedError) when a role may not take
// an action.
var ErrDenied = NewError(ClassAuth, "core: not permitted")

// Action is what a user wants to do with a kind of record.
type Action byte

// The actions permissions are decided on. Status changes are updates, so a
// role that may not update prescriptions may not cancel one either.
const (
	ActRead   Action = 'r'
	ActCreate Action = 'c'
	ActUpdate Action = 'u'
	ActDelete Action = 'd'
)

func (a Action) String() string {
	switch a {
	case ActRead:
		return "read"
	case ActCreate:
		return "create"
	case ActUpdate:
		return "change"
	case ActDelete:
		return "delete"
	}
	return "act on"
}

// Resources that are not records but are guarded the same way.
const (
	KindUser      Kind = "user"
	KindDevice    Kind = "device"
	KindAccessLog Kind = "access_log"
	// KindSSHKey is a thin terminal's SSH public key registered to a user.
	KindSSHKey Kind = "ssh_key"
)

// Principal is who is acting: a logged-in user with a role.
type Principal struct {
	User string
	Role Role
}

// DeniedError says who was refused what, and why, in words for the screen.
type DeniedError struct {
	Role   Role
	Action Action
	Kind   Kind
	Reason string
}

// Error reads "reception may not read note records: clinical notes are for clinicians".
func (e *DeniedError) Error() string {
	return fmt.Sprintf("%s may not %s %s records: %s", e.Role, e.Action, e.Kind, e.Reason)
}

// Unwrap lets errors.Is(err, ErrDenied) match.
func (e *DeniedError) Unwrap() error { return ErrDenied }

// group is a set of kinds that share their permissions and a reason.
type group struct {
	kinds  []Kind
	reason string
	rights map[Role]string
}

// groups is the whole permission table: for each group of kinds, what each
// role may do ("r" read, "c" create, "u" update, "d" delete).
var groups = []group{
	{
		kinds:  []Kind{KindPatient, KindAppointment, KindConsent, KindTelesession, KindConflict},
		reason: "front-desk records are kept by reception and clinicians",
		rights: map[Role]string{RoleAdmin: "r", RoleReception: "rcud", RoleDoctor: "rcud", RoleNurse: "rcu", RoleBilling: "r"},
	},
	{
		kinds:  []Kind{KindNotification, KindDelivery, KindNotifyConfig},
		reason: "patient notifications are kept by reception, clinicians and the admin who sets up the gateways",
		rights: map[Role]string{RoleAdmin: "rcu", RoleReception: "rcud", RoleDoctor: "rcu", RoleNurse: "rcu", RoleBilling: "r"},
	},
	{
		kinds:  []Kind{KindSchedule},
		reason: "schedules are set by admins and doctors",
		rights: map[Role]string{RoleAdmin: "rcud", RoleReception: "r", RoleDoctor: "rcu", RoleNurse: "r", RoleBilling: "r"},
	},
	{
		kinds:  []Kind{KindNote, KindNoteDraft, KindAddendum, KindProblem, KindDocument, KindMedication},
		reason: "clinical records are for clinicians only",
		rights: map[Role]string{RoleDoctor: "rcud", RoleNurse: "r"},
	},
	{
		kinds:  []Kind{KindAllergy, KindVital, KindReminder, KindAdherence},
		reason: "clinical records are for clinicians only",
		rights: map[Role]string{RoleDoctor: "rcud", RoleNurse: "rcu"},
	},
	{
		kinds:  []Kind{KindPrescription},
		reason: "only doctors prescribe",
		rights: map[Role]string{RoleDoctor: "rcu", RoleNurse: "r"},
	},
	{
		kinds:  []Kind{KindRefill},
		reason: "only doctors approve or deny refills; nurses request them (a request reads the prescription, sealed under the clinical key)",
		rights: map[Role]string{RoleDoctor: "rcu", RoleNurse: "rc"},
	},
	{
		kinds:  []Kind{KindMessage, KindAttachment, KindReceipt},
		reason: "messages are between clinic staff",
		rights: map[Role]string{RoleAdmin: "rc", RoleReception: "rc", RoleDoctor: "rc", RoleNurse: "rc", RoleBilling: "rc"},
	},
	{
		kinds:  []Kind{KindInvoice},
		reason: "invoices are kept by billing (the desk takes payments without reading them)",
		rights: map[Role]string{RoleAdmin: "r", RoleBilling: "rcud"},
	},
	{
		kinds:  []Kind{KindClaim},
		reason: "insurance claims are kept by billing",
		rights: map[Role]string{RoleAdmin: "r", RoleBilling: "rcud"},
	},
	{
		kinds:  []Kind{KindFee},
		reason: "the fee schedule is kept by admins and billing",
		rights: map[Role]string{RoleAdmin: "rcud", RoleReception: "r", RoleDoctor: "r", RoleNurse: "r", RoleBilling: "rcud"},
	},
	{
		kinds:  []Kind{KindPayment},
		reason: "payments are read by billing; the desk takes them but cannot read them back",
		rights: map[Role]string{RoleAdmin: "r", RoleReception: "c", RoleBilling: "rc"},
	},
	{
		kinds:  []Kind{KindUser, KindDevice, KindSSHKey},
		reason: "only admins manage users, devices and terminal keys",
		rights: map[Role]string{RoleAdmin: "rcud"},
	},
	{
		kinds:  []Kind{KindAccessLog},
		reason: "only admins review the access log",
		rights: map[Role]string{RoleAdmin: "r"},
	},
}

// table is groups indexed by kind.
var table = func() map[Kind]*group {
	t := map[Kind]*group{}
	for i := range groups {
		for _, k := range groups[i].kinds {
			t[k] = &groups[i]
		}
	}
	return t
}()

// Authorize is the one place that decides whether p may take action a on
// records of kind k. It returns nil, or a *DeniedError giving the reason.
// The store calls it for every operation; the TUI calls it only to decide
// what to offer.
func Authorize(p Principal, a Action, k Kind) error {
	g, ok := table[k]
	if !ok {
		return &DeniedError{Role: p.Role, Action: a, Kind: k, Reason: "no one may act on an unknown kind of record"}
	}
	if strings.IndexByte(g.rights[p.Role], byte(a)) < 0 {
		return &DeniedError{Role: p.Role, Action: a, Kind: k, Reason: g.reason}
	}
	return nil
}

// Can is Authorize as a yes or no, for deciding what to offer on screen.
func Can(p Principal, a Action, k Kind) bool { return Authorize(p, a, k) == nil }
