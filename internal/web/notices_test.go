package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// contacts is a platform's contact lookup kept in a map, standing in for
// a connector's contact query.
type contacts map[string]string

func (c contacts) Contact(_ context.Context, t dueprocess.Target) (string, error) {
	return c[t.Value], nil
}

// disclosedRequest stores a disclosed request of p's agency naming
// targets, under a non-disclosure order without an end date, and returns
// its id.
func disclosedRequest(t *testing.T, db *store.DB, p *dueprocess.Principal, targets ...dueprocess.Target) string {
	t.Helper()
	r := &dueprocess.Request{Kind: dueprocess.KindUserData, Jurisdiction: "HK", AgencyID: p.Agency.ID, OfficialID: p.Official.ID,
		Status:         dueprocess.StatusApproved,
		LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.ProcessCourtOrder, Reference: "HCMP 1/2026", IssuedBy: "High Court"},
		Targets:        targets,
		DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber},
		Nondisclosure:  &dueprocess.Nondisclosure{}, ReceivedAt: db.Now()}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		return tx.SetStatus(ctx, r.ID, dueprocess.StatusDisclosed, dueprocess.System, "released")
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// openEndedOrder stores a disclosed request of p's agency under a
// non-disclosure order without an end date and plans its notices: one to
// an e-mail target, withheld until staff lift the order. It returns the
// request's id.
func openEndedOrder(t *testing.T, db *store.DB, p *dueprocess.Principal) string {
	t.Helper()
	target := dueprocess.Target{Type: dueprocess.TargetEmail, Value: "gagged@example.org"}
	id := disclosedRequest(t, db, p, target)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		list, err := tx.PlanNotices(ctx, id, dueprocess.NoticeReleased, store.NoticePlan{Policy: dueprocess.DefaultNoticePolicy,
			Addresses: map[dueprocess.Target]string{target: "gagged@example.org"}})
		if err == nil && (len(list) != 1 || list[0].Status != dueprocess.NoticeWithheld || list[0].ReleaseAt != nil) {
			t.Errorf("planned %+v, want one notice withheld without an end", list)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestNotices shows a request's notices to staff on its case and admins,
// to nobody else, and lets an approver lift an open-ended order from the
// console, with a reason.
func TestNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		id := openEndedOrder(t, db, mustPrincipal(t, db, e.hk))
		path := "/api/v1/requests/" + id + "/notices"
		for _, tc := range []struct {
			name, token string
			want        int
		}{{"admin", e.admin, 200}, {"reviewer off the case", e.staff, 403}, {"the official", e.hk, 403}, {"another agency", e.de, 403}} {
			status, b := e.do("GET", path, tc.token, nil)
			if status != tc.want {
				t.Errorf("%s: %d, want %d: %s", tc.name, status, tc.want, b)
			}
			if status != 200 && strings.Contains(string(b), "gagged@example.org") {
				t.Errorf("%s: the refusal names the target: %s", tc.name, b)
			}
			if status == 200 && (!strings.Contains(string(b), `"status": "withheld"`) || !strings.Contains(string(b), "gagged@example.org")) {
				t.Errorf("%s: %s", tc.name, b)
			}
		}

		b := newBrowser(t, db)
		approverID, secret := staffMember(t, db, "lift@example.com", dueprocess.RoleApprover)
		if err := db.Assign(ctx, id, approverID, dueprocess.System); err != nil {
			t.Fatal(err)
		}
		b.signIn("lift@example.com", secret)
		page := "/console/requests/" + id
		csrf := b.form(page)
		_, _, body := b.get(page)
		for _, want := range []string{"User notices", "gagged@example.org", "until staff lift the order", "lift-nondisclosure"} {
			if !strings.Contains(body, want) {
				t.Errorf("the request page lacks %q", want)
			}
		}
		if status, _, body := b.post(page+"/lift-nondisclosure", url.Values{"csrf": {csrf}, "reason": {""}}); status != 400 || !strings.Contains(body, "no longer holds") {
			t.Errorf("lift without a reason: %d, want 400 saying what to give", status)
		}
		if status, loc, _ := b.post(page+"/lift-nondisclosure", url.Values{"csrf": {csrf}, "reason": {"The High Court discharged the order on 20 November."}}); status != 303 || !strings.HasSuffix(loc, "done=recorded") {
			t.Fatalf("lift: %d to %q", status, loc)
		}
		list, err := db.Notices(ctx, id)
		if err != nil || len(list) != 1 || list[0].Status != dueprocess.NoticeQueued || list[0].LiftedBy != approverID {
			t.Fatalf("after lifting: %+v, %v", list, err)
		}
		_, _, body = b.get(page)
		if !strings.Contains(body, "discharged the order") || strings.Contains(body, "lift-nondisclosure") {
			t.Errorf("after lifting, the page shows no reason or still offers the form")
		}
		if status, _, _ := b.post(page+"/lift-nondisclosure", url.Values{"csrf": {csrf}, "reason": {"again"}}); status != 409 {
			t.Errorf("lifting again: %d, want 409", status)
		}
	})
}
