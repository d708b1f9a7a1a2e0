package web_test

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestDrillOverHTTP runs the parts of the forged-request drill that the
// API itself answers: signals shown to staff and never to the official,
// another agency's jurisdiction refused, a callback to a number other
// than the registry's refused, and a suspended agency's token refused at
// once.
func TestDrillOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, m := e.submit(e.hk, hkRequest)
		if status != 201 {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		_, own := e.do("GET", "/api/v1/requests/"+id, e.hk, nil)
		_, staff := e.do("GET", "/api/v1/requests/"+id, e.staff, nil)
		if strings.Contains(string(own), "signals") || !strings.Contains(string(staff), `"code": "first_request"`) {
			t.Errorf("signals: the official read %.300s; staff read %.300s; want them for staff only", own, staff)
		}

		status, m = e.submit(e.hk, strings.ReplaceAll(hkRequest, `"HK"`, `"DE"`))
		if status != 400 || !strings.Contains(mustJSON(m), `"field":"jurisdiction"`) {
			t.Errorf("HK official filing in DE: %d %v, want 400 naming jurisdiction", status, m)
		}

		status, b := e.do("POST", "/api/v1/requests/"+id+"/callback", e.intake,
			strings.NewReader(`{"dialled": "+1 202 555 0100", "reached": "someone", "outcome": "confirmed"}`))
		if status != 409 || !strings.Contains(string(b), "not the callback number") {
			t.Errorf("callback to another number: %d %s, want 409 naming why", status, b)
		}

		status, b = e.do("POST", "/api/v1/agencies/"+e.hkID+"/suspend", e.admin, strings.NewReader(`{"reason": "a hijacked mail server"}`))
		if status != 200 {
			t.Fatalf("suspend: %d %s", status, b)
		}
		if status, b := e.do("GET", "/api/v1/requests/"+id, e.hk, nil); status != 401 {
			t.Errorf("a suspended agency's token: %d %s, want 401", status, b)
		}
		status, b = e.do("GET", "/api/v1/alerts", e.admin, nil)
		if status != 200 || !strings.Contains(string(b), "is suspended") {
			t.Errorf("alerts: %d %s, want the suspension", status, b)
		}
	})
}

// TestSignedRequest: an agency that registered a signing key sends a
// signed request; it is marked signed_by the key, to staff and to the
// agency. A body changed after signing, or signed by another key, is
// refused with 400 naming the header, and nothing is stored.
func TestSignedRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		skey, vkey, err := note.GenerateKey(nil, "police.gov.hk")
		if err != nil {
			t.Fatal(err)
		}
		sig, err := auth.SignRequest(skey, []byte(hkRequest))
		if err != nil {
			t.Fatal(err)
		}
		if status, m := e.submit(e.hk, hkRequest, auth.SignatureHeader, sig); status != 400 || !strings.Contains(mustJSON(m), "no signing key") {
			t.Errorf("signed before a key is registered: %d %v, want 400", status, m)
		}
		if err := db.SetAgencyKey(ctx, e.hkID, vkey, dueprocess.System); err != nil {
			t.Fatal(err)
		}
		status, m := e.submit(e.hk, hkRequest, auth.SignatureHeader, sig)
		if status != 201 || m["signed_by"] != "police.gov.hk" {
			t.Errorf("signed request: %d, signed_by %v; want 201 signed by police.gov.hk", status, m["signed_by"])
		}
		changed := strings.Replace(hkRequest, "demosisto", "someone-else", 1)
		if status, m := e.submit(e.hk, changed, auth.SignatureHeader, sig); status != 400 || !strings.Contains(mustJSON(m), auth.SignatureHeader) {
			t.Errorf("a body changed after signing: %d %v, want 400 naming the header", status, m)
		}
		other, _, _ := note.GenerateKey(nil, "police.gov.hk")
		forged, _ := auth.SignRequest(other, []byte(hkRequest))
		if status, _ := e.submit(e.hk, hkRequest, auth.SignatureHeader, forged); status != 400 {
			t.Errorf("signed by another key: %d, want 400", status)
		}
		if status, m := e.submit(e.hk, strings.Replace(hkRequest, "HKPF-2026-0113", "HKPF-2026-0114", 1)); status != 201 || m["signed_by"] != nil {
			t.Errorf("unsigned request: %d, signed_by %v; want 201 without signed_by", status, m["signed_by"])
		}
	})
}

// TestSuspensionEndsPortalSessions: an official signed in to the portal
// is signed out the moment an administrator suspends them, and cannot
// sign in again; the same for their agency.
func TestSuspensionEndsPortalSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chanB := newBrowser(t, db)
		secret := chanB.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		if status, _, _ := chanB.get("/portal"); status != 200 {
			t.Fatalf("the portal before the suspension: %d", status)
		}
		o, err := db.OfficialByEmail(ctx, "chan@police.gov.hk")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SuspendOfficial(ctx, o.ID, "a failed callback", dueprocess.System); err != nil {
			t.Fatal(err)
		}
		if status, loc, _ := chanB.get("/portal"); status != 303 || !strings.Contains(loc, "signin") {
			t.Errorf("the portal after the suspension: %d to %q, want the sign-in page", status, loc)
		}
		again := newBrowser(t, db)
		again.wait(31e9)
		csrf := again.form("/portal/signin")
		if status, loc, _ := again.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {"chan@police.gov.hk"}, "password": {officialPassword}}); status == 303 && loc == "/portal/totp" {
			t.Errorf("a suspended official passed the password step")
		}
		if err := db.ReinstateOfficial(ctx, o.ID, "confirmed in person", dueprocess.System); err != nil {
			t.Fatal(err)
		}
		again.signInOfficial("chan@police.gov.hk", secret)
		if err := db.SuspendAgency(ctx, hk, "hijacked mail server", dueprocess.System); err != nil {
			t.Fatal(err)
		}
		if status, loc, _ := again.get("/portal"); status != 303 || !strings.Contains(loc, "signin") {
			t.Errorf("the portal after the agency's suspension: %d to %q, want the sign-in page", status, loc)
		}
	})
}
