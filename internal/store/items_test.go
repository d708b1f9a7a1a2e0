package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// contentRequest checks a content demand with n items from HK police.
func contentRequest(t *testing.T, n int, reason string) *dueprocess.Request {
	t.Helper()
	items := make([]map[string]string, n)
	for i := range items {
		items[i] = map[string]string{"url": fmt.Sprintf("https://video.example/watch?v=%d", i), "ground": "National Security Law, art. 23", "quote": "five demands"}
	}
	body, _ := json.Marshal(map[string]any{
		"kind": "content_restriction", "jurisdiction": "HK",
		"legal_process":  map[string]string{"type": "other", "reference": "HKPF-NSL-1", "issued_by": "Hong Kong Police Force"},
		"requester_type": "police", "reason": reason, "items": items,
	})
	var in dueprocess.NewRequest
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	r, err := in.Check()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func submitContent(t *testing.T, db *store.DB, r *dueprocess.Request, a *dueprocess.Agency, o *dueprocess.Official) *dueprocess.Request {
	t.Helper()
	r.AgencyID, r.OfficialID = a.ID, o.ID
	done, err := db.Submit(ctx, store.Submission{Request: r, By: dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID},
		Decide: func(*dueprocess.Request, []dueprocess.Pause) dueprocess.Decision {
			return dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:test"}
		},
		Answer: func(r *dueprocess.Request) ([]byte, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return done.Request
}

func staffMember(t *testing.T, db *store.DB, email string, roles ...dueprocess.Role) *dueprocess.Staff {
	t.Helper()
	s := &dueprocess.Staff{Email: email, Name: email, Roles: roles}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, s, dueprocess.System) }); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestItemsStoredInBulk takes in a demand of MaxItems items in one
// transaction and reads every one back in order.
func TestItemsStoredInBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		r := submitContent(t, db, contentRequest(t, dueprocess.MaxItems, "national_security"), a, o)
		got, err := db.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Items) != dueprocess.MaxItems || got.RequesterType != "police" || got.Reason != "national_security" {
			t.Fatalf("read back %d items, %q, %q", len(got.Items), got.RequesterType, got.Reason)
		}
		_, datas, err := db.AuditLog().ObjectEntries(ctx, "request:"+r.ID)
		if err != nil || len(datas) != 1 || !strings.Contains(string(datas[0]), `"items":10000`) || strings.Contains(string(datas[0]), "video.example") {
			t.Errorf("the audit entry of the demand should count its items and name none: %v %.400s", err, datas)
		}
		last := got.Items[len(got.Items)-1]
		if last.Index != dueprocess.MaxItems-1 || last.URL != fmt.Sprintf("https://video.example/watch?v=%d", dueprocess.MaxItems-1) || last.Quote != "five demands" {
			t.Errorf("last item: %+v", last)
		}
	})
}

// TestItemActionsFourEyes: an action that does not restrict takes effect
// at once; one that restricts waits for a second staff member, who cannot
// be its proposer; every action in effect is in the feed, in order.
func TestItemActionsFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		rae := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer, dueprocess.RoleApprover)
		ann := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		r := submitContent(t, db, contentRequest(t, 3, "defamation"), a, o)

		items, err := db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{0}, Action: "no_action", Reason: "political speech"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if items[0].Action != dueprocess.ItemNoAction || items[0].Reason != "political speech" {
			t.Errorf("item 0 after no_action: %+v", items[0])
		}
		items, err = db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{1, 2}, Action: "restrict_in_jurisdiction", Reason: "court found it defamatory"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if items[1].Action != "" || items[1].Proposed == nil || items[1].Proposed.StaffID != rae.ID {
			t.Errorf("item 1 after a proposed restriction: %+v", items[1])
		}
		if feed, _ := db.ActionsSince(ctx, 0, 0); len(feed) != 1 {
			t.Errorf("feed before confirmation: %d actions, want 1", len(feed))
		}
		_, err = db.ConfirmItems(ctx, r.ID, rae, []int{1}, "mine")
		if !errors.Is(err, dueprocess.ErrForbidden) || !strings.Contains(err.Error(), "four eyes") {
			t.Errorf("the proposer confirming: %v", err)
		}
		if _, err := db.ConfirmItems(ctx, r.ID, ann, []int{0}, "none"); !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("confirming an item without a proposal: %v", err)
		}
		items, err = db.ConfirmItems(ctx, r.ID, ann, []int{1, 2}, "checked the judgment")
		if err != nil {
			t.Fatal(err)
		}
		if items[2].Action != dueprocess.ItemRestrict || items[2].Proposed != nil {
			t.Errorf("item 2 after confirmation: %+v", items[2])
		}
		feed, err := db.ActionsSince(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) != 3 || feed[1].Item != 1 || feed[1].ConfirmedBy != ann.ID || feed[1].ProposedBy != rae.ID || feed[1].Jurisdiction != "HK" {
			t.Fatalf("feed: %+v", feed)
		}
		if rest, _ := db.ActionsSince(ctx, feed[1].Seq, 0); len(rest) != 1 || rest[0].Item != 2 {
			t.Errorf("feed since %d: %+v", feed[1].Seq, rest)
		}
		_, err = db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{3}, Action: "no_action", Reason: "x"}, nil)
		if dueprocess.ErrorField(err) != "items[0]" {
			t.Errorf("an index out of range: %v", err)
		}
		counts, err := db.RemovalCounts(ctx, time.Time{}, db.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[0].Items[dueprocess.ItemRestrict] != 2 || counts[0].Items[dueprocess.ItemNoAction] != 1 {
			t.Errorf("removal counts: %+v", counts)
		}
	})
}

// TestItemActionsWaitForAPause: a content demand from a jurisdiction
// paused for every kind is paused, and its items cannot be acted on.
func TestItemActionsWaitForAPause(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		rae := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		r := submitContent(t, db, contentRequest(t, 2, "national_security"), a, o)
		err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.SetStatus(ctx, r.ID, dueprocess.StatusPaused, dueprocess.System, "pause")
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{0}, Action: "no_action", Reason: "x"}, nil)
		if !errors.Is(err, dueprocess.ErrConflict) || !strings.Contains(err.Error(), "paused") {
			t.Errorf("acting on a paused demand: %v", err)
		}
	})
}

// TestItemActionsConcurrent: tens of staff acting at once on one demand's
// items each take effect once, and the feed numbers them without gap or
// repeat; two approvers confirming one proposal at once put it in effect
// once.
func TestItemActionsConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		const n = 24
		r := submitContent(t, db, contentRequest(t, n+1, "defamation"), a, o)
		rae := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		ann := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		bob := staffMember(t, db, "bob@example.com", dueprocess.RoleApprover)
		errs := make(chan error, n)
		for i := range n {
			go func() {
				_, err := db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{i}, Action: "no_action", Reason: "lawful"}, nil)
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if _, err := db.DecideItems(ctx, r.ID, rae, &dueprocess.NewItemActions{Items: []int{n}, Action: "remove_globally_under_policy", Reason: "spam"}, nil); err != nil {
			t.Fatal(err)
		}
		confirms := make(chan error, 2)
		for _, s := range []*dueprocess.Staff{ann, bob} {
			go func() {
				_, err := db.ConfirmItems(ctx, r.ID, s, []int{n}, "checked")
				confirms <- err
			}()
		}
		var ok int
		for range 2 {
			err := <-confirms
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, dueprocess.ErrConflict):
				t.Errorf("the second confirmation: %v, want a conflict", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d confirmations took effect, want 1", ok)
		}
		feed, err := db.ActionsSince(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) != n+1 {
			t.Fatalf("feed has %d actions, want %d", len(feed), n+1)
		}
		seen := map[int]bool{}
		for i, f := range feed {
			if i > 0 && f.Seq <= feed[i-1].Seq {
				t.Errorf("feed out of order at %d: %d after %d", i, f.Seq, feed[i-1].Seq)
			}
			if seen[f.Item] {
				t.Errorf("item %d is in the feed twice", f.Item)
			}
			seen[f.Item] = true
		}
	})
}

// TestImportPeerRemovals stores published removals figures, reads them
// back with their empty columns still empty, and replaces a file's
// figures when it is imported again.
func TestImportPeerRemovals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		items := int64(106)
		file := store.PeerRemovalFile{Name: "google-government-removal-requests.csv", SHA256: "00", Figures: []dueprocess.PublishedRemoval{
			{Company: "google", Period: "2020-H1", Jurisdiction: "HK", Requester: "police", Requests: 10, Items: &items,
				Percent: map[dueprocess.ItemAction]int64{dueprocess.ItemRemoveUnderPolicy: 1, dueprocess.ItemNotFound: 1, dueprocess.ItemNotEnoughInfo: 8, dueprocess.ItemNoAction: 91}},
			{Company: "google", Period: "2020-H1", Jurisdiction: "HK", Product: "YouTube", Reason: dueprocess.ReasonGovernmentCriticism, Requests: 2},
		}}
		for range 2 {
			err := db.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.ImportPeerRemovals(ctx, "google", []store.PeerRemovalFile{file}, dueprocess.System)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.PeerRemovals(ctx, "google", "HK")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("%d figures, want 2: %+v", len(got), got)
		}
		byReason, police := got[0], got[1]
		if police.Requester != "police" || *police.Items != 106 || len(police.Percent) != 4 || police.Percent[dueprocess.ItemNoAction] != 91 {
			t.Errorf("police: %+v", police)
		}
		if byReason.Reason != dueprocess.ReasonGovernmentCriticism || byReason.Items != nil || len(byReason.Percent) != 0 || byReason.Requests != 2 {
			t.Errorf("by reason: %+v", byReason)
		}
	})
}
