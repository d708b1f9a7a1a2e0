package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/pquerna/otp/totp"
)

// The demo's people. Their password and second factor are printed for
// anyone to use, which is safe only because they exist nowhere but in a
// database the demo filled from empty: the fixed TOTP secret lives in this
// file alone, and demoEmpty refuses a database that holds anything.

// demoActor is who the demo's set-up steps are recorded as.
var demoActor = dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "demo"}

const (
	demoPassword = "demo password, not for real use"
	// demoTOTPSecret is every demo account's TOTP secret (base32), so
	// that one authenticator entry, or the code the demo prints, signs in
	// as anyone.
	demoTOTPSecret = "DEMODEMODEMODEMODEMODEMODEMODEMO"
)

// demoStaffList is the demo's staff: one of each role.
var demoStaffList = []struct {
	role        dueprocess.Role
	email, name string
}{
	{dueprocess.RoleIntake, "intake@demo.example", "Ines Intake"},
	{dueprocess.RoleReviewer, "reviewer@demo.example", "Rae Reviewer"},
	{dueprocess.RoleApprover, "approver@demo.example", "Ann Approver"},
	{dueprocess.RoleHumanRights, "hr@demo.example", "Hana Rights"},
	{dueprocess.RoleAdmin, "admin@demo.example", "Ada Admin"},
	{dueprocess.RoleAuditor, "auditor@demo.example", "Aud Auditor"},
}

// demoPortalEmail is the official with a portal account: the FBI's
// liaison, who filed most of the demo's open cases.
const demoPortalEmail = "liaison@fbi.gov"

// demoPhone is agency code's callback number in the demo's registry.
func demoPhone(code string) string {
	return fmt.Sprintf("+1 555 01%02d %03d", int(code[0]-'A'), 100+int(code[1]-'A'))
}

// demoEmpty refuses a database that holds anything the demo did not
// make: its printed passwords and second factor must never reach a real
// instance's accounts.
func demoEmpty(ctx context.Context, db *store.DB) error {
	requests, err := db.Requests(ctx, dueprocess.RequestFilter{Limit: 1})
	if err != nil {
		return err
	}
	agencies, err := db.Agencies(ctx)
	if err != nil {
		return err
	}
	staff, err := db.StaffMembers(ctx)
	if err != nil {
		return err
	}
	if len(requests)+len(agencies)+len(staff) > 0 {
		return fmt.Errorf("the demo needs an empty database; this one holds requests, agencies or staff (use --db with a new file)")
	}
	return nil
}

// demoAccounts are the demo's accounts, as printed.
type demoAccounts struct {
	staff         map[dueprocess.Role]*dueprocess.Staff
	platformToken string
}

// demoStaff adds the demo's staff, each with demoPassword and the TOTP
// secret demoTOTPSecret, a platform token for the hold check, and a portal
// account for the official demoPortalEmail.
func demoStaff(ctx context.Context, db *store.DB, officials map[string]*dueprocess.Official) (*demoAccounts, error) {
	hash := auth.HashPassword(demoPassword)
	acc := &demoAccounts{}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		acc.staff = map[dueprocess.Role]*dueprocess.Staff{}
		for _, d := range demoStaffList {
			s := &dueprocess.Staff{Email: d.email, Name: d.name, Roles: []dueprocess.Role{d.role}}
			if err := tx.CreateStaff(ctx, s, demoActor); err != nil {
				return err
			}
			if err := tx.SetPassword(ctx, s.ID, hash, demoActor); err != nil {
				return err
			}
			if err := tx.EnrolTOTP(ctx, s.ID, demoTOTPSecret, 0, demoActor); err != nil {
				return err
			}
			acc.staff[d.role] = s
		}
		job := &dueprocess.Staff{Email: "deletion-job@demo.example", Name: "Platform deletion job", Roles: []dueprocess.Role{dueprocess.RolePlatform}}
		if err := tx.CreateStaff(ctx, job, demoActor); err != nil {
			return err
		}
		var err error
		if acc.platformToken, err = auth.IssueToken(ctx, tx, &dueprocess.Token{StaffID: job.ID}, demoActor); err != nil {
			return err
		}
		return demoPortal(ctx, tx, officials["US"], hash)
	})
	return acc, err
}

// demoPortal gives official o a portal account, as an invitation accepted
// at once would, with demoPassword's hash and the demo's TOTP secret.
func demoPortal(ctx context.Context, tx *store.Tx, o *dueprocess.Official, hash string) error {
	_, link := auth.NewToken()
	if _, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: o.AgencyID, Email: o.Email, Name: o.Name}, link, time.Hour, demoActor); err != nil {
		return err
	}
	if _, err := tx.Join(ctx, link, "Lee Liaison", hash); err != nil {
		return err
	}
	return tx.EnrolAccountTOTP(ctx, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID}, demoTOTPSecret, 0, demoActor)
}

// printDemo says how to sign in to the demo at url, and which cases wait
// there.
func printDemo(w io.Writer, url string, acc *demoAccounts, cases []demoCase, n int, now time.Time) {
	code, _ := totp.GenerateCode(demoTOTPSecret, now)
	fmt.Fprintf(w, "\nThe demo holds %d requests. Sign in at %s/console (staff) or %s/portal (officials):\n\n", n, url, url)
	for _, d := range demoStaffList {
		fmt.Fprintf(w, "  %-14s %s\n", d.role, d.email)
	}
	fmt.Fprintf(w, "  %-14s %s (portal, FBI)\n\n", "official", demoPortalEmail)
	fmt.Fprintf(w, "Every account's password is %q and its TOTP secret %s\n", demoPassword, demoTOTPSecret)
	fmt.Fprintf(w, "(add it to an authenticator app, or run: oathtool --totp -b %s). The code now is %s.\n", demoTOTPSecret, code)
	fmt.Fprintf(w, "The platform's hold check: curl -H 'Authorization: Bearer %s' '%s/api/v1/holds/check?type=username&value=bluejay42'\n\n", acc.platformToken, url)
	fmt.Fprintf(w, "Open cases to take further:\n")
	for _, c := range cases {
		fmt.Fprintf(w, "  %s  %s\n", c.ID, c.What)
	}
	fmt.Fprintln(w)
}
