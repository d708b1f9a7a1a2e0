package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

func TestRegimes(t *testing.T) {
	c := func(j string, k dueprocess.RequestKind, p dueprocess.LegalProcessType, s dueprocess.Status, n, accounts int64) dueprocess.ReportCount {
		return dueprocess.ReportCount{Period: "2026-H2", Jurisdiction: j, Kind: k, Process: p, Status: s, Requests: n, Accounts: accounts}
	}
	counts := []dueprocess.ReportCount{
		c("DE", dueprocess.KindUserData, dueprocess.ProcessEPOC, dueprocess.StatusDisclosed, 2, 3),
		c("DE", dueprocess.KindUserData, dueprocess.ProcessEPOC, dueprocess.StatusRefused, 1, 1),
		c("DE", dueprocess.KindPreservation, dueprocess.ProcessEPOCPR, dueprocess.StatusInReview, 1, 2),
		c("FR", dueprocess.KindUserData, dueprocess.ProcessDSAOrder, dueprocess.StatusNoData, 1, 1),
		c("GB", dueprocess.KindUserData, dueprocess.ProcessUKDAA, dueprocess.StatusRefused, 1, 1),
		c("HK", dueprocess.KindUserData, dueprocess.ProcessCourtOrder, dueprocess.StatusEscalated, 4, 4),
	}
	rep, err := Build("2026-H2", counts, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 9, day, hour, 0, 0, 0, time.UTC) }
	rep.AddRegimeRequests([]dueprocess.RegimeRequest{
		{Jurisdiction: "DE", Process: dueprocess.ProcessEPOC, ReceivedAt: at(1, 0), AnsweredAt: at(1, 10)},
		{Jurisdiction: "DE", Process: dueprocess.ProcessEPOC, ReceivedAt: at(1, 0), AnsweredAt: at(3, 0)},
		{Jurisdiction: "DE", Process: dueprocess.ProcessEPOC, ReceivedAt: at(2, 0), AnsweredAt: at(2, 2)},
		{Jurisdiction: "DE", Process: dueprocess.ProcessEPOCPR, ReceivedAt: at(2, 0), Extraterritorial: true}, // unanswered
		{Jurisdiction: "GB", Process: dueprocess.ProcessUKDAA, ReceivedAt: at(4, 0), AnsweredAt: at(4, 1)},
		{Jurisdiction: "HK", Process: dueprocess.ProcessCourtOrder, ReceivedAt: at(5, 0), Extraterritorial: true},
		{Jurisdiction: "HK", Process: dueprocess.ProcessCourtOrder, ReceivedAt: at(6, 0), Extraterritorial: true},
		{Jurisdiction: "HK", Process: dueprocess.ProcessCourtOrder, ReceivedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Extraterritorial: true}, // another period
	})
	g := rep.Regimes
	if len(g.EU) != 3 {
		t.Fatalf("EU rows = %+v, want epoc DE, epoc_pr DE, dsa FR", g.EU)
	}
	epoc := g.EU[0]
	if epoc.Regime != dueprocess.ProcessEPOC || epoc.IssuingState != "DE" || epoc.Requests != 3 || epoc.Accounts != 4 || epoc.SomeData != 2 ||
		epoc.Refused != 1 || epoc.Answered != 3 || epoc.MedianHoursToAnswer == nil || *epoc.MedianHoursToAnswer != 10 {
		t.Errorf("EPOC DE = %+v, want 3 requests, 1 refused, answered in a median of 10 hours", epoc)
	}
	if pr := g.EU[1]; pr.Regime != dueprocess.ProcessEPOCPR || pr.Answered != 0 || pr.MedianHoursToAnswer != nil {
		t.Errorf("EPOC-PR DE = %+v, want unanswered", pr)
	}
	if dsa := g.EU[2]; dsa.Regime != dueprocess.ProcessDSAOrder || dsa.IssuingState != "FR" || dsa.Requests != 1 {
		t.Errorf("DSA FR = %+v", dsa)
	}
	if g.UKDAA.Requests != 1 || g.UKDAA.Refused != 1 || g.UKDAA.MedianHoursToAnswer == nil || *g.UKDAA.MedianHoursToAnswer != 1 {
		t.Errorf("UK DAA = %+v", g.UKDAA)
	}
	if g.Extraterritorial != 3 || rep.Total.Extraterritorial != 3 {
		t.Errorf("extraterritorial = %d (total row %d), want 3", g.Extraterritorial, rep.Total.Extraterritorial)
	}
	for _, row := range rep.Rows {
		if want := map[string]int64{"HK": 2, "DE": 1}[row.Jurisdiction]; row.Extraterritorial != want {
			t.Errorf("%s extraterritorial = %d, want %d", row.Jurisdiction, row.Extraterritorial, want)
		}
	}
	// The regimes' orders also count in the by-jurisdiction figures.
	for _, row := range rep.Rows {
		if row.Jurisdiction == "DE" && row.ByProcess[dueprocess.ProcessEPOC].Requests != 3 {
			t.Errorf("DE by process = %+v, want 3 EPOCs", row.ByProcess)
		}
	}

	var buf bytes.Buffer
	if err := WriteRegimesCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{RegimesHeader + "\n", "2026-12-31,epoc,Germany,DE,3,4,2,66.7,1,3,10.0\n", "2026-12-31,epoc_pr,Germany,DE,1,2,0,0.0,0,0,\n",
		"2026-12-31,uk_daa_order,United Kingdom,GB,1,1,0,0.0,1,1,1.0\n", "2026-12-31,extraterritorial,All jurisdictions,,3,,,,,,\n"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("regimes CSV lacks %q:\n%s", want, buf.String())
		}
	}
	// In Google's layout the regimes' orders are other legal requests.
	buf.Reset()
	if err := WriteGoogleCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2026-12-31,Germany,DE,Other Legal Requests,3,67,4\n") {
		t.Errorf("Google CSV:\n%s", buf.String())
	}
}
