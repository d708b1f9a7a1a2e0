package report

import (
	"testing"

	"github.com/dueprocess/dueprocess"
)

// TestForgedCountedApart: requests refused as suspected forgery are
// counted apart, in their jurisdiction's row (made if it had no other
// figure) and the total, and only for the report's period.
func TestForgedCountedApart(t *testing.T) {
	counts := []dueprocess.ReportCount{{Period: "2026-H1", Jurisdiction: "HK", Kind: dueprocess.KindUserData,
		Process: dueprocess.ProcessSubpoena, Status: dueprocess.StatusRefused, Requests: 3, Accounts: 3}}
	rep, err := Build("2026-H1", counts, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	rep.AddForged([]dueprocess.ForgedCount{
		{Period: "2026-H1", Jurisdiction: "HK", Kind: dueprocess.KindEmergency, Requests: 2},
		{Period: "2026-H1", Jurisdiction: "DE", Kind: dueprocess.KindEmergency, Requests: 1},
		{Period: "2025-H2", Jurisdiction: "HK", Kind: dueprocess.KindEmergency, Requests: 7},
	})
	if len(rep.Rows) != 2 || rep.Rows[0].Jurisdiction != "DE" || rep.Rows[0].RefusedUnverified != 1 ||
		rep.Rows[1].RefusedUnverified != 2 || rep.Rows[1].Refused != 3 || rep.Total.RefusedUnverified != 3 {
		t.Errorf("rows %+v, total %d; want DE 1 and HK 2 refused as forged, 3 in all", rep.Rows, rep.Total.RefusedUnverified)
	}
}
