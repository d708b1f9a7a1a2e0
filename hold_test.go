package dueprocess

import "testing"

// TestPlatformMayOnlyCheckHolds: the platform role, a machine's, holds
// hold.check and no other permission, not even those every staff member
// holds.
func TestPlatformMayOnlyCheckHolds(t *testing.T) {
	s := &Staff{Roles: []Role{RolePlatform}}
	for _, p := range Permissions() {
		if got, want := s.May(p), p == PermHoldCheck; got != want {
			t.Errorf("platform May(%s) = %v, want %v", p, got, want)
		}
	}
	if got := PermRequestRead.Refused().Message; got != "only officials of the requesting agency and staff may read a request" {
		t.Errorf("refusal: %q", got)
	}
}

func TestCheckTarget(t *testing.T) {
	if tg, err := CheckTarget("email", "Someone@Example.org"); err != nil || tg.Value != "someone@example.org" {
		t.Errorf("CheckTarget(email) = %+v, %v; want the address in lower case, as intake stores it", tg, err)
	}
	if _, err := CheckTarget("shoe_size", "42"); err == nil || err.(*Error).Field != "type" {
		t.Errorf("an unknown type: %v, want an error naming type", err)
	}
	if _, err := CheckTarget("username", "two words"); err == nil || err.(*Error).Field != "value" {
		t.Errorf("a username with a space: %v, want an error naming value", err)
	}
}
