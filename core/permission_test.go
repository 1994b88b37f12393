package core

import (
	"errors"
	"strings"
	"testing"
)

// principalAs is a principal with the given role.
func principalAs(r Role) Principal { return Principal{User: "someone", Role: r} }

func TestAuthorizeRules(t *testing.T) {
	tests := []struct {
		role  Role
		act   Action
		kind  Kind
		allow bool
	}{
		// Reception keeps the front desk but never sees clinical records.
		{RoleReception, ActRead, KindPatient, true},
		{RoleReception, ActCreate, KindAppointment, true},
		{RoleReception, ActRead, KindNote, false},
		{RoleReception, ActRead, KindAddendum, false},
		{RoleReception, ActRead, KindPrescription, false},
		{RoleReception, ActRead, KindRefill, false},
		{RoleReception, ActCreate, KindRefill, false},
		{RoleReception, ActRead, KindVital, false},
		{RoleReception, ActCreate, KindPayment, true},

		// Only doctors prescribe and approve refills.
		{RoleDoctor, ActCreate, KindPrescription, true},
		{RoleDoctor, ActUpdate, KindPrescription, true},
		{RoleDoctor, ActUpdate, KindRefill, true},
		{RoleNurse, ActRead, KindPrescription, true},
		{RoleNurse, ActCreate, KindPrescription, false},
		{RoleNurse, ActUpdate, KindPrescription, false},
		{RoleNurse, ActCreate, KindRefill, true},
		{RoleNurse, ActUpdate, KindRefill, false},
		{RoleAdmin, ActCreate, KindPrescription, false},
		{RoleAdmin, ActUpdate, KindRefill, false},
		{RoleBilling, ActUpdate, KindRefill, false},

		// Only admins manage users and devices.
		{RoleAdmin, ActCreate, KindUser, true},
		{RoleAdmin, ActUpdate, KindUser, true},
		{RoleAdmin, ActDelete, KindDevice, true},
		{RoleDoctor, ActCreate, KindUser, false},
		{RoleReception, ActUpdate, KindUser, false},
		{RoleNurse, ActCreate, KindDevice, false},
		{RoleBilling, ActDelete, KindDevice, false},
		{RoleAdmin, ActRead, KindAccessLog, true},
		{RoleDoctor, ActRead, KindAccessLog, false},

		// Billing keeps invoices and claims, not clinical notes.
		{RoleBilling, ActRead, KindInvoice, true},
		{RoleBilling, ActCreate, KindInvoice, true},
		{RoleBilling, ActRead, KindClaim, true},
		{RoleBilling, ActUpdate, KindClaim, true},
		{RoleBilling, ActRead, KindNote, false},
		{RoleBilling, ActRead, KindPrescription, false},
		{RoleBilling, ActRead, KindVital, false},

		// Nurses record vitals.
		{RoleNurse, ActCreate, KindVital, true},
		{RoleNurse, ActRead, KindVital, true},
		{RoleNurse, ActRead, KindNote, true},
		{RoleNurse, ActCreate, KindNote, false},
		{RoleDoctor, ActCreate, KindNote, true},

		// A role the table does not know may do nothing.
		{Role("janitor"), ActRead, KindPatient, false},
		{Role(""), ActRead, KindMessage, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role)+" "+tt.act.String()+" "+string(tt.kind), func(t *testing.T) {
			err := Authorize(principalAs(tt.role), tt.act, tt.kind)
			if got := Can(principalAs(tt.role), tt.act, tt.kind); got != (err == nil) {
				t.Errorf("Can = %v but Authorize = %v", got, err)
			}
			if tt.allow {
				if err != nil {
					t.Fatalf("Authorize = %v, want nil", err)
				}
				return
			}
			assertDenied(t, err, tt.role, tt.act, tt.kind)
		})
	}
}

// assertDenied checks that err is a *DeniedError for exactly this request,
// with a reason a person can read.
func assertDenied(tb testing.TB, err error, role Role, act Action, kind Kind) *DeniedError {
	tb.Helper()
	if !errors.Is(err, ErrDenied) {
		tb.Fatalf("Authorize = %v, want ErrDenied", err)
	}
	var de *DeniedError
	if !errors.As(err, &de) {
		tb.Fatalf("Authorize = %#v, want a *DeniedError", err)
	}
	if de.Role != role || de.Action != act || de.Kind != kind {
		tb.Errorf("DeniedError = %+v, want role %q, action %v, kind %q", de, role, act, kind)
	}
	if strings.TrimSpace(de.Reason) == "" {
		tb.Errorf("DeniedError %+v has no reason", de)
	}
	msg := err.Error()
	if !strings.HasSuffix(msg, ": "+de.Reason) || !strings.Contains(msg, string(kind)) {
		tb.Errorf("Error() = %q, want it to name %s and end with the reason %q", msg, kind, de.Reason)
	}
	return de
}

func TestDeniedErrorMessage(t *testing.T) {
	err := Authorize(principalAs(RoleReception), ActRead, KindNote)
	want := "reception may not read note records: clinical records are for clinicians only"
	if err == nil || err.Error() != want {
		t.Fatalf("Authorize(reception, read, note) = %v, want %q", err, want)
	}
}

func TestActionString(t *testing.T) {
	tests := []struct {
		a    Action
		want string
	}{
		{ActRead, "read"},
		{ActCreate, "create"},
		{ActUpdate, "change"},
		{ActDelete, "delete"},
		{Action('x'), "act on"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.a.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOnlyDoctorsPrescribe checks every role, so a role added later cannot
// quietly gain the right.
func TestOnlyDoctorsPrescribe(t *testing.T) {
	for _, r := range Roles {
		t.Run(string(r), func(t *testing.T) {
			for _, c := range []struct {
				act  Action
				kind Kind
			}{{ActCreate, KindPrescription}, {ActUpdate, KindPrescription}, {ActUpdate, KindRefill}} {
				if got, want := Can(principalAs(r), c.act, c.kind), r == RoleDoctor; got != want {
					t.Errorf("Can(%s, %v, %s) = %v, want %v", r, c.act, c.kind, got, want)
				}
			}
		})
	}
}

func TestOnlyAdminsManageUsersAndDevices(t *testing.T) {
	for _, r := range Roles {
		for _, k := range []Kind{KindUser, KindDevice, KindSSHKey} {
			for _, a := range []Action{ActRead, ActCreate, ActUpdate, ActDelete} {
				if got, want := Can(principalAs(r), a, k), r == RoleAdmin; got != want {
					t.Errorf("Can(%s, %v, %s) = %v, want %v", r, a, k, got, want)
				}
			}
		}
	}
}

// TestEveryKindIsInTheTable checks that no kind falls through to the
// "unknown kind" refusal, and that someone may create each one.
func TestEveryKindIsInTheTable(t *testing.T) {
	unknown := assertDenied(t, Authorize(principalAs(RoleAdmin), ActRead, Kind("spaceship")), RoleAdmin, ActRead, "spaceship")
	kinds := append(append([]Kind(nil), Kinds...), KindUser, KindDevice, KindSSHKey, KindAccessLog)
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			anyone := false
			for _, r := range Roles {
				for _, a := range []Action{ActRead, ActCreate, ActUpdate, ActDelete} {
					err := Authorize(principalAs(r), a, k)
					if err == nil {
						anyone = true
						continue
					}
					var de *DeniedError
					if errors.As(err, &de) && de.Reason == unknown.Reason {
						t.Fatalf("Authorize(%s, %v, %s) treats the kind as unknown", r, a, k)
					}
				}
			}
			if !anyone {
				t.Errorf("no role may do anything with %s records", k)
			}
			if k != KindAccessLog && !someoneCan(ActCreate, k) {
				t.Errorf("no role may create %s records", k)
			}
		})
	}
}

// someoneCan reports whether any role may take action a on kind k.
func someoneCan(a Action, k Kind) bool {
	for _, r := range Roles {
		if Can(principalAs(r), a, k) {
			return true
		}
	}
	return false
}
