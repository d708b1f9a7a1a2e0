package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
)

// TestReportRemovalsCSV: "report --format removals-csv" writes Google's
// removals header and a line per country and requester type from the
// actions in effect.
func TestReportRemovalsCSV(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "r.db"), "DUEPROCESS_DATA": t.TempDir()}
	agency, err := cmd(t, vars, "agency", "add", "--name", "Hong Kong Police Force", "--jurisdiction", "HK", "--kind", "police", "--domain", "police.gov.hk")
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2020, 8, 3, 10, 0, 0, 0, time.UTC) }
	in := dueprocess.NewRequest{Kind: "content_restriction", Jurisdiction: "HK", RequesterType: "police", Reason: "government_criticism",
		Items: []dueprocess.NewItem{{URL: "https://video.example/1", Ground: "NSL"}, {URL: "https://video.example/2", Ground: "NSL"}, {ID: "post:3", Ground: "NSL"}}}
	in.LegalProcess = &dueprocess.NewLegalProcess{Type: "other", Reference: "HKPF-1", IssuedBy: "Hong Kong Police Force"}
	r, err := in.Check()
	if err != nil {
		t.Fatal(err)
	}
	o := &dueprocess.Official{AgencyID: agency, Email: "officer@police.gov.hk", Name: "Officer Chan"}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateOfficial(ctx, o, dueprocess.System) }); err != nil {
		t.Fatal(err)
	}
	r.AgencyID, r.OfficialID = agency, o.ID
	done, err := db.Submit(ctx, store.Submission{Request: r, By: dueprocess.System,
		Decide: func(*dueprocess.Request, []dueprocess.Pause) dueprocess.Decision {
			return dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "test"}
		},
		Answer: func(*dueprocess.Request) ([]byte, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	staff := &dueprocess.Staff{Email: "rae@example.com", Name: "Rae", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, staff, dueprocess.System) }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideItems(ctx, done.ID, staff, &dueprocess.NewItemActions{Items: []int{0, 1}, Action: "no_action", Reason: "criticism"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideItems(ctx, done.ID, staff, &dueprocess.NewItemActions{Items: []int{2}, Action: "content_not_found", Reason: "gone"}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, err := cmd(t, vars, "report", "--period", "2020-H2", "--format", "removals-csv")
	want := report.RemovalsHeader + "\n2020-12-31,Hong Kong,HK,Police,1,3,,,33,,67,"
	if err != nil || out != want {
		t.Errorf("removals-csv:\n%s\nwant\n%s (%v)", out, want, err)
	}
	out, err = cmd(t, vars, "report", "--period", "2020-H2", "--format", "removals-detailed-csv")
	if want := report.RemovalsDetailedHeader + "\n2020-12-31,Hong Kong,HK,Unspecified,Government Criticism,1"; err != nil || out != want {
		t.Errorf("removals-detailed-csv:\n%s\nwant\n%s (%v)", out, want, err)
	}
	if out, _ := cmd(t, vars, "report", "--period", "2020-H1", "--format", "removals-csv"); out != strings.TrimSpace(report.RemovalsHeader) {
		t.Errorf("an empty half-year: %q", out)
	}
	if _, err := cmd(t, vars, "report", "--period", "2020-H1", "--format", "removals"); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// TestImportGoogleRemovals imports Google's two removals files as
// published and finds Hong Kong's 2020 in them: 18 requests to remove 122
// items, 10 of the requests from the police in the first half, with 91%
// of their 106 items left as they were; and the same 18 requests by
// reason, 2 of them for government criticism.
func TestImportGoogleRemovals(t *testing.T) {
	dir := "../../../shared/data/google-government-removals/"
	summary, detailed := dir+"google-government-removal-requests.csv", dir+"google-government-detailed-removal-requests.csv"
	if _, err := os.Stat(summary); err != nil {
		t.Skipf("Google's removals files are not here (%v); see /work/shared/data/README", err)
	}
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "p.db")}
	if _, err := cmd(t, vars, "import", "published", "--company", "google", summary, detailed); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	figs, err := db.PeerRemovals(context.Background(), "google", "HK")
	if err != nil {
		t.Fatal(err)
	}
	var requests, items, byReason, criticism int64
	for _, f := range figs {
		if f.Period != "2020-H1" && f.Period != "2020-H2" {
			continue
		}
		if f.Requester != "" {
			requests += f.Requests
			items += *f.Items
			if f.Period == "2020-H1" && f.Requester == "police" && (f.Requests != 10 || *f.Items != 106 || f.Percent[dueprocess.ItemNoAction] != 91) {
				t.Errorf("Hong Kong police, 2020-H1: %+v", f)
			}
			continue
		}
		byReason += f.Requests
		if f.Reason == dueprocess.ReasonGovernmentCriticism {
			criticism += f.Requests
		}
	}
	if requests != 18 || items != 122 || byReason != 18 || criticism != 2 {
		t.Errorf("Hong Kong 2020: %d requests, %d items, %d by reason, %d for criticism; Google published 18, 122, 18, 2", requests, items, byReason, criticism)
	}
}
