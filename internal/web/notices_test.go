package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// contacts is a platform's contact lookup kept in a map, standing in for
// a connector's contact query.
type contacts map[string]string

func (c contacts) Contact(_ context.Context, t dueprocess.Target) (string, error) {
	return c[t.Value], nil
}

// openEndedOrder stores a request of p's agency under a non-disclosure
// order without an end date, releases it and plans its notices: one to
// an e-mail target, withheld until staff lift the order. It returns the
// request's id.
func openEndedOrder(t *testing.T, db *store.DB, p *dueprocess.Principal) string {
	t.Helper()
	r := &dueprocess.Request{Kind: dueprocess.KindUserData, Jurisdiction: "HK", AgencyID: p.Agency.ID, OfficialID: p.Official.ID,
		Status:         dueprocess.StatusApproved,
		LegalProcess:   dueprocess.LegalProcess{Type: dueprocess.ProcessCourtOrder, Reference: "HCMP 1/2026", IssuedBy: "High Court"},
		Targets:        []dueprocess.Target{{Type: dueprocess.TargetEmail, Value: "gagged@example.org"}},
		DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber},
		Nondisclosure:  &dueprocess.Nondisclosure{}, ReceivedAt: db.Now()}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
			return err
		}
		if err := tx.SetStatus(ctx, r.ID, dueprocess.StatusDisclosed, dueprocess.System, "released"); err != nil {
			return err
		}
		list, err := tx.PlanNotices(ctx, r.ID, dueprocess.NoticeReleased, store.NoticePlan{Policy: dueprocess.DefaultNoticePolicy,
			Addresses: map[dueprocess.Target]string{r.Targets[0]: "gagged@example.org"}})
		if err == nil && (len(list) != 1 || list[0].Status != dueprocess.NoticeWithheld || list[0].ReleaseAt != nil) {
			t.Errorf("planned %+v, want one notice withheld without an end", list)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

var _ = strings.Contains
