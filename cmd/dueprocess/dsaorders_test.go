package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
)

// TestReportDSAOrdersCSV: "report --format dsa-orders-csv" counts the
// DSA Art. 9 orders of a half-year by member state and type of illegal
// content, with the median hours to confirm receipt and to give effect.
func TestReportDSAOrdersCSV(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": filepath.Join(t.TempDir(), "r.db"), "DUEPROCESS_DATA": t.TempDir()}
	agency, err := cmd(t, vars, "agency", "add", "--name", "Bundeskriminalamt", "--jurisdiction", "DE", "--kind", "police", "--domain", "bka.bund.de")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, vars["DUEPROCESS_DB"])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 1, 10, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	var in dueprocess.NewRequest
	if err := json.Unmarshal([]byte(`{"kind": "content_restriction", "jurisdiction": "DE",
	  "legal_process": {"type": "dsa_removal_order", "reference": "ZMI-1", "issued_by": "Bundeskriminalamt"},
	  "requester_type": "police", "reason": "national_security",
	  "items": [{"url": "https://video.example/1", "ground": "§ 89a StGB"}],
	  "dsa_order": {"legal_basis": "§ 89a StGB", "statement_of_reasons": "instructions for an attack", "territorial_scope": ["DE"],
	    "redress": "objection within a month", "inform": "Bundeskriminalamt", "transmitted_at": "2026-09-01T10:00:00Z"}}`), &in); err != nil {
		t.Fatal(err)
	}
	r, err := in.Check()
	if err != nil {
		t.Fatal(err)
	}
	o := &dueprocess.Official{AgencyID: agency, Email: "zmi@bka.bund.de", Name: "Officer Weber"}
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
	now = now.Add(90 * time.Minute)
	if _, err := db.DecideItems(ctx, done.ID, staff, &dueprocess.NewItemActions{Items: []int{0}, Action: "content_not_found", Reason: "already deleted by the uploader"}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, err := cmd(t, vars, "report", "--period", "2026-H2", "--format", "dsa-orders-csv")
	want := report.DSAOrdersHeader + "\n2026-12-31,DE,STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY,1,0.5,1.5,1"
	if err != nil || out != want {
		t.Errorf("dsa-orders-csv:\n%s\nwant\n%s (%v)", out, want, err)
	}
	if out, _ := cmd(t, vars, "report", "--period", "2026-H1", "--format", "dsa-orders-csv"); out != strings.TrimSpace(report.DSAOrdersHeader) {
		t.Errorf("an empty half-year: %q", out)
	}
}
