package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestConsoleIntakeOfAFaxedDemand: an intake clerk enters a faxed
// emergency demand with its PDF, for a registered agency and an official
// with no portal account. It is checked as the API checks, stored with its
// channel, sender, document and signals, and cannot be released before a
// callback; a bad field shows the form again naming it, with what was
// typed, and stores nothing.
func TestConsoleIntakeOfAFaxedDemand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "ida@example.com", dueprocess.RoleIntake)
		b.signIn("ida@example.com", secret)
		csrf := b.form("/console/requests/new")
		fields := url.Values{"csrf": {csrf}, "agency_id": {e.hkID}, "channel": {"fax"},
			"sender_name": {"Inspector Lam"}, "sender_email": {"lam@police.gov.hk"}, "sender_phone": {"+852 5555 0100"},
			"verified_how": {"fax header matches the force's fax number"},
			"kind":         {"emergency"}, "jurisdiction": {"HK"}, "process_type": {"emergency"}, "process_reference": {"HKPF-E-7"},
			"process_issued_by": {"Hong Kong Police Force"}, "targets": {"username: demosisto\nemail: someone@example.org"},
			"data_categories": {"subscriber", "location"}, "emergency_harm": {"death"}, "emergency_justification": {"a threat to kill, posted today"}}

		bad := url.Values{}
		for k, v := range fields {
			bad[k] = v
		}
		bad.Set("jurisdiction", "XX")
		status, _, page := b.postMultipart("/console/requests/new", bad, pdf(3000))
		if status != 400 || !strings.Contains(page, "jurisdiction:") || !strings.Contains(page, `value="Inspector Lam"`) {
			t.Errorf("a bad jurisdiction: %d, want 400 naming the field with the form kept:\n%.400s", status, page)
		}
		if list, _ := db.Requests(ctx, dueprocess.RequestFilter{}); len(list) != 0 {
			t.Errorf("a refused form stored %d requests", len(list))
		}

		status, loc, page := b.postMultipart("/console/requests/new", fields, pdf(200<<10))
		if status != 303 || !strings.HasPrefix(loc, "/console/requests/DP-") {
			t.Fatalf("intake: %d to %q, want the new request:\n%.600s", status, loc, page)
		}
		id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/console/requests/")
		r, err := db.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel != dueprocess.ChannelFax || r.Sender == nil || r.Sender.Phone != "+852 5555 0100" || len(r.Documents) != 1 ||
			!r.HasSignal(dueprocess.SignalPaper) || r.Kind != dueprocess.KindEmergency {
			t.Errorf("stored %+v (sender %+v), want a faxed emergency with its sender, its PDF and the paper signal", r, r.Sender)
		}
		if err := db.CheckReleasable(ctx, id); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("CheckReleasable: %v, want a Conflict until a callback", err)
		}
		_, _, view := b.get("/console/requests/" + id)
		if !strings.Contains(view, "paper_channel") || !strings.Contains(view, "852 2860 2000") || !strings.Contains(view, "Nothing may be released") {
			t.Errorf("the request page does not show the signals, the registry's number and the block:\n%.800s", view)
		}
	})
}

// TestConsoleCallbackFailsAndAlerts: a reviewer records a failed callback
// in the console; the request is refused as suspected forgery, and every
// page an administrator opens carries the alert until it is dismissed.
func TestConsoleCallbackFailsAndAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		b := newBrowser(t, db)
		_, m := e.submit(e.hk, hkRequest)
		id := m["id"].(string)
		_, secret := staffMember(t, db, "rae@example.net", dueprocess.RoleReviewer)
		b.signIn("rae@example.net", secret)
		csrf := b.form("/console/requests/" + id)
		form := url.Values{"csrf": {csrf}, "dialled": {"+1 202 555 0100"}, "reached": {"a voice"}, "outcome": {"failed"}}
		if status, _, page := b.post("/console/requests/"+id+"/callback", form); status != 409 || !strings.Contains(page, "not the callback number") {
			t.Errorf("a callback to another number: %d, want 409 naming why", status)
		}
		form.Set("dialled", "+852 2860 2000")
		if status, loc, _ := b.post("/console/requests/"+id+"/callback", form); status != 303 {
			t.Fatalf("failed callback: %d to %q", status, loc)
		}
		if r, _ := db.Request(ctx, id); r.Status != dueprocess.StatusRefused || r.Forged == nil {
			t.Errorf("after a failed callback: %s, forged %v; want refused as forgery", r.Status, r.Forged)
		}

		// The transparency report counts it apart.
		period := dueprocess.HalfYear(r0(t, db, id).ReceivedAt)
		if status, _, js := b.get("/transparency/" + period + ".json"); status != 200 || !strings.Contains(js, `"refused_unverified": 1`) {
			t.Errorf("report %s: %d, want refused_unverified 1:\n%.300s", period, status, js)
		}

		admin := newBrowser(t, db)
		_, secret = staffMember(t, db, "ada@example.net", dueprocess.RoleAdmin)
		admin.signIn("ada@example.net", secret)
		_, _, home := admin.get("/console")
		if !strings.Contains(home, `class="alerts"`) || !strings.Contains(home, "suspected forgery") {
			t.Fatalf("the admin's queue carries no forgery alert:\n%.1500s", home)
		}
		alerts, _ := db.Alerts(ctx)
		csrf = admin.form("/console")
		for _, a := range alerts {
			if status, _, _ := admin.post("/console/alerts/"+a.ID+"/dismiss", url.Values{"csrf": {csrf}}); status != 303 {
				t.Errorf("dismiss: %d", status)
			}
		}
		if _, _, home := admin.get("/console"); strings.Contains(home, `class="alerts"`) {
			t.Errorf("dismissed alerts still show")
		}
	})
}

func r0(t *testing.T, db *store.DB, id string) *dueprocess.Request {
	t.Helper()
	r, err := db.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
