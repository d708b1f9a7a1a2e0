package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// staffMember adds a staff member with a password and an enrolled TOTP
// secret, ready to sign in, and returns their id and secret.
func staffMember(t *testing.T, db *store.DB, email string, roles ...dueprocess.Role) (string, string) {
	t.Helper()
	key, err := auth.NewTOTP("dueprocess", email)
	if err != nil {
		t.Fatal(err)
	}
	s := &dueprocess.Staff{Email: email, Name: strings.Split(email, "@")[0], Roles: roles}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, s.ID, auth.HashPassword(adminPassword), dueprocess.System); err != nil {
			return err
		}
		return tx.EnrolTOTP(ctx, s.ID, key.Secret, 0, dueprocess.System)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID, key.Secret
}

// signIn signs b in as email, with the password and a TOTP code.
func (b *browser) signIn(email, secret string) {
	b.t.Helper()
	b.wait(31e9) // a fresh TOTP period, so that no code is reused
	csrf := b.form("/console/signin")
	if status, loc, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {adminPassword}}); status != 303 || loc != "/console/totp" {
		b.t.Fatalf("sign-in of %s: %d to %q", email, status, loc)
	}
	csrf = b.form("/console/totp")
	code, _ := totp.GenerateCode(secret, b.now())
	if status, loc, _ := b.post("/console/totp", url.Values{"csrf": {csrf}, "code": {code}}); status != 303 || loc != "/console" {
		b.t.Fatalf("code of %s: %d to %q", email, status, loc)
	}
}

// TestConsolePages works a request through the console's forms: the
// reviewer assigns it to herself, proposes, is refused when she tries to
// approve her own proposal, and a second person approves; an admin pauses
// and resumes a jurisdiction. Every page renders.
func TestConsolePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.hk, strings.Replace(with("offence", map[string]string{"category": "fraud"}), `"subpoena"`, `"court_order"`, 1))
		id := m["id"].(string)

		rae := newBrowser(t, db)
		_, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
		rae.signIn("rae@example.com", raeSecret)
		_, _, queue := rae.get("/console")
		if !strings.Contains(queue, `href="/console/requests/`+id+`"`) {
			t.Fatalf("the queue does not link the request:\n%.600s", queue)
		}
		csrf := rae.form("/console/requests/" + id)
		_, _, page := rae.get("/console/requests/" + id)
		if !strings.Contains(page, "Withheld") || strings.Contains(page, "demosisto") || !strings.Contains(page, "ladder.subscriber") {
			t.Errorf("the unassigned reviewer's page shows targets or lacks the decision:\n%.1500s", page)
		}
		if status, _, _ := rae.post("/console/requests/"+id+"/assign", url.Values{"csrf": {csrf}, "staff_id": {"st_nobody"}}); status != 404 {
			t.Errorf("assigning a staff member who does not exist: %d", status)
		}
		_, _, page = rae.get("/console/requests/" + id)
		staffID := regexpFind(t, page, `name="staff_id" value="([^"]+)"`)
		if status, _, _ := rae.post("/console/requests/"+id+"/assign", url.Values{"csrf": {csrf}, "staff_id": {staffID}}); status != 303 {
			t.Fatalf("self-assignment: %d", status)
		}
		if _, _, page = rae.get("/console/requests/" + id); !strings.Contains(page, "demosisto") {
			t.Errorf("the assigned reviewer does not see the targets")
		}
		if status, _, _ := rae.post("/console/requests/"+id+"/review", url.Values{"csrf": {csrf}, "decision": {"approve"}, "note": {"as the order allows"}}); status != 303 {
			t.Fatalf("review: %d", status)
		}
		status, _, page := rae.post("/console/requests/"+id+"/approve", url.Values{"csrf": {csrf}, "note": {"mine"}})
		if status != 403 || !strings.Contains(page, "four eyes") {
			t.Errorf("approving her own proposal: %d\n%.300s", status, errorText.FindString(page))
		}

		ann := newBrowser(t, db)
		_, annSecret := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		ann.signIn("ann@example.com", annSecret)
		csrf = ann.form("/console/requests/" + id)
		if status, _, _ := ann.post("/console/requests/"+id+"/approve", url.Values{"csrf": {csrf}, "note": {"checked"}}); status != 303 {
			t.Fatalf("approval by a second person: %d", status)
		}
		if _, _, page = ann.get("/console/requests/" + id + "?done=recorded"); !strings.Contains(page, `status approved`) || !strings.Contains(page, "ann confirmed the approval proposed by rae") {
			t.Errorf("after approval the page shows no approval in status and timeline:\n%.2000s", page)
		}

		// Jurisdictions: only admins pause and resume.
		csrf = ann.form("/console/jurisdictions")
		if status, _, _ := ann.post("/console/jurisdictions/pause", url.Values{"csrf": {csrf}, "code": {"HK"}, "reason": {"x"}}); status != 403 {
			t.Errorf("an approver pausing: %d, want 403", status)
		}
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		csrf = ada.form("/console/jurisdictions")
		form := url.Values{"csrf": {csrf}, "code": {"HK"}, "reason": {"National Security Law"}, "kinds": {"user_data", "preservation"}}
		if status, loc, _ := ada.post("/console/jurisdictions/pause", form); status != 303 || loc != "/console/jurisdictions?done=paused" {
			t.Fatalf("pause: %d %s", status, loc)
		}
		if status, _, page := ada.post("/console/jurisdictions/pause", form); status != 409 || !strings.Contains(page, "already paused") {
			t.Errorf("a second pause: %d", status)
		}
		if _, _, page := ada.get("/console/jurisdictions"); !strings.Contains(page, "user_data, preservation requests") || !strings.Contains(page, "Resume HK") {
			t.Errorf("jurisdictions page after the pause:\n%.1500s", page)
		}
		if status, _, _ := ada.post("/console/jurisdictions/HK/resume", url.Values{"csrf": {csrf}, "reason": {"assessment done"}}); status != 303 {
			t.Errorf("resume: %d", status)
		}
		if _, _, page := ada.get("/console/jurisdictions?done=resumed"); !strings.Contains(page, "assessment done") || !strings.Contains(page, "No jurisdiction is paused") {
			t.Errorf("jurisdictions page after resuming:\n%.1500s", page)
		}
	})
}

func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in:\n%.1000s", pattern, s)
	}
	return m[1]
}

// TestConsoleAddsStaff: an admin adds a staff member, who signs in with
// the initial password and is sent to set up an authenticator app.
func TestConsoleAddsStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ada := newBrowser(t, db)
		_, secret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", secret)
		csrf := ada.form("/console/staff")
		bad := url.Values{"csrf": {csrf}, "name": {"Rae"}, "email": {"rae@example.com"}, "roles": {"reviewer", "janitor"}, "password": {adminPassword}}
		if status, _, page := ada.post("/console/staff", bad); status != 400 || !strings.Contains(page, "janitor") {
			t.Errorf("an unknown role: %d\n%.300s", status, errorText.FindString(page))
		}
		good := url.Values{"csrf": {csrf}, "name": {"Rae"}, "email": {"rae@example.com"}, "roles": {"reviewer", "approver"}, "password": {adminPassword}}
		if status, loc, _ := ada.post("/console/staff", good); status != 303 || loc != "/console/staff?done=added" {
			t.Fatalf("add: %d %s", status, loc)
		}
		if status, _, _ := ada.post("/console/staff", good); status != 409 {
			t.Errorf("adding the same e-mail twice: %d, want 409", status)
		}
		if _, _, page := ada.get("/console/staff"); !strings.Contains(page, "rae@example.com") || !strings.Contains(page, "approver, reviewer") {
			t.Errorf("staff list:\n%.1500s", page)
		}
		rae := newBrowser(t, db)
		raeCSRF := rae.form("/console/signin")
		if status, loc, _ := rae.post("/console/signin", url.Values{"csrf": {raeCSRF}, "email": {"rae@example.com"}, "password": {adminPassword}}); status != 303 || loc != "/console/enrol" {
			t.Errorf("the new member's first sign-in: %d to %q, want the enrolment", status, loc)
		}
		// Disabling ends her session at once, and she cannot sign in again.
		_, _, page := ada.get("/console/staff")
		raeID := regexpFind(t, page, `action="/console/staff/([^"]+)/disable"`)
		if status, loc, _ := ada.post("/console/staff/"+raeID+"/disable", url.Values{"csrf": {csrf}}); status != 303 || loc != "/console/staff?done=disabled" {
			t.Fatalf("disable: %d %s", status, loc)
		}
		if status, loc, _ := rae.get("/console/enrol"); status != 303 || !strings.HasPrefix(loc, "/console/signin") {
			t.Errorf("the disabled member's session: %d to %q", status, loc)
		}
		if status, _, _ := rae.post("/console/signin", url.Values{"csrf": {raeCSRF}, "email": {"rae@example.com"}, "password": {adminPassword}}); status != 401 {
			t.Errorf("the disabled member signing in: %d, want 401", status)
		}
	})
}
