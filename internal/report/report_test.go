package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report/published"
)

func counts() []dueprocess.ReportCount {
	c := func(j string, k dueprocess.RequestKind, p dueprocess.LegalProcessType, s dueprocess.Status, n, accounts int64) dueprocess.ReportCount {
		return dueprocess.ReportCount{Period: "2020-H2", Jurisdiction: j, Kind: k, Process: p, Status: s, Requests: n, Accounts: accounts}
	}
	return []dueprocess.ReportCount{
		c("HK", dueprocess.KindUserData, dueprocess.ProcessOther, dueprocess.StatusPaused, 40, 55),
		c("HK", dueprocess.KindUserData, dueprocess.ProcessOther, dueprocess.StatusRefused, 2, 2),
		c("HK", dueprocess.KindContentRestriction, dueprocess.ProcessCourtOrder, dueprocess.StatusApproved, 3, 7),
		c("HK", dueprocess.KindContentRestriction, dueprocess.ProcessCourtOrder, dueprocess.StatusInReview, 1, 2),
		c("US", dueprocess.KindUserData, dueprocess.ProcessSubpoena, dueprocess.StatusDisclosed, 30, 40),
		c("US", dueprocess.KindUserData, dueprocess.ProcessSubpoena, dueprocess.StatusNoData, 10, 10),
		c("US", dueprocess.KindUserData, dueprocess.ProcessSearchWarrant, dueprocess.StatusDisclosed, 4, 4),
		c("US", dueprocess.KindEmergency, dueprocess.ProcessEmergency, dueprocess.StatusDisclosed, 2, 2),
		c("US", dueprocess.KindPreservation, dueprocess.ProcessOther, dueprocess.StatusApproved, 5, 9),
		{Period: "2021-H1", Jurisdiction: "US", Kind: dueprocess.KindUserData, Process: dueprocess.ProcessSubpoena, Status: dueprocess.StatusDisclosed, Requests: 99, Accounts: 99},
	}
}

func TestBuild(t *testing.T) {
	ended := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	pauses := []dueprocess.Pause{
		{ID: "pz_hk", Jurisdiction: "HK", StartedAt: time.Date(2020, 7, 1, 0, 0, 0, 0, time.UTC), Reason: "NSL"},
		{ID: "pz_old", Jurisdiction: "XX", StartedAt: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), EndedAt: &ended, Reason: "old"},
		{ID: "pz_later", Jurisdiction: "YY", StartedAt: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Reason: "later"},
	}
	r, err := Build("2020-H2", counts(), pauses, Checkpoint{Size: 42, Root: "abc="})
	if err != nil {
		t.Fatal(err)
	}
	if r.Start.String() != "2020-07-01" || r.End.String() != "2020-12-31" || len(r.Rows) != 2 {
		t.Fatalf("report %s: %d rows", r, len(r.Rows))
	}
	hk, us := r.Rows[0], r.Rows[1]
	if hk.Name != "Hong Kong" || hk.UserData.Requests != 42 || hk.UserData.SomeData != 0 || *hk.UserData.PercentSomeData != 0 ||
		hk.Paused != 40 || hk.Refused != 2 {
		t.Errorf("HK: %+v", hk)
	}
	if hk.ContentRestriction.Requests != 4 || hk.ContentRestriction.Items != 9 || hk.ContentRestriction.ItemsActedOn != 7 {
		t.Errorf("HK content restriction: %+v", hk.ContentRestriction)
	}
	if us.UserData.Requests != 44 || us.UserData.SomeData != 34 || us.NoData != 10 || us.Emergency.Requests != 2 ||
		us.Preservation.Requests != 5 || us.Preservation.AccountsPreserved != 9 {
		t.Errorf("US: %+v", us)
	}
	if sw := us.ByProcess[dueprocess.ProcessSubpoena]; sw.Requests != 40 || *sw.PercentSomeData != 75 {
		t.Errorf("US subpoenas: %+v", sw)
	}
	if r.Total.UserData.Requests != 86 {
		t.Errorf("total user-data requests %d, want 86 (2021-H1 left out)", r.Total.UserData.Requests)
	}
	if len(r.Pauses) != 2 || r.Pauses[0].ID != "pz_hk" || r.Pauses[1].ID != "pz_old" {
		t.Errorf("pauses during the period: %+v", r.Pauses)
	}
	for _, bad := range []string{"2020-H3", "2020", "20-H1", "1999-H1"} {
		if _, err := Build(bad, nil, nil, Checkpoint{}); dueprocess.ErrorField(err) != "period" {
			t.Errorf("period %q: %v", bad, err)
		}
	}
}

// TestSomeDataComesFromReleases: a user-data request approved but not yet
// released has produced nothing: it is pending, not answered with some
// data; released with a package it is. A preservation's approval is its
// answer.
func TestSomeDataComesFromReleases(t *testing.T) {
	c := func(k dueprocess.RequestKind, s dueprocess.Status, n int64) dueprocess.ReportCount {
		return dueprocess.ReportCount{Period: "2026-H1", Jurisdiction: "DE", Kind: k, Process: dueprocess.ProcessCourtOrder, Status: s, Requests: n, Accounts: n}
	}
	r, err := Build("2026-H1", []dueprocess.ReportCount{
		c(dueprocess.KindUserData, dueprocess.StatusApproved, 3), c(dueprocess.KindUserData, dueprocess.StatusPartiallyApproved, 2),
		c(dueprocess.KindUserData, dueprocess.StatusDisclosed, 5), c(dueprocess.KindUserData, dueprocess.StatusNoData, 7),
		c(dueprocess.KindPreservation, dueprocess.StatusApproved, 4),
	}, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	de := r.Rows[0]
	if de.UserData.Requests != 17 || de.UserData.SomeData != 5 || de.Pending != 5 || de.NoData != 7 || de.Preservation.AccountsPreserved != 4 {
		t.Errorf("DE: user data %+v, pending %d, no data %d, preserved %d; want 17 requests, 5 with some data, 5 pending, 7 no data, 4 preserved",
			de.UserData, de.Pending, de.NoData, de.Preservation.AccountsPreserved)
	}
}

func TestGoogleCSV(t *testing.T) {
	r, _ := Build("2020-H2", counts(), nil, Checkpoint{})
	var buf bytes.Buffer
	if err := WriteGoogleCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// The header is Google's, byte for byte (see ../../shared/data).
	if first, _, _ := strings.Cut(out, "\n"); first != "Period Ending,Country/Region,CLDR Territory Code,Legal Process,User Data Requests,Percentage disclosed,Accounts" {
		t.Errorf("header %q", first)
	}
	want := `2020-12-31,Hong Kong,HK,Other Legal Requests,42,0,57
2020-12-31,United States,US,Emergency Disclosure Requests,2,100,2
2020-12-31,United States,US,Preservation Requests,5,0,9
2020-12-31,United States,US,Subpoenas,40,75,50
2020-12-31,United States,US,Search Warrants,4,100,4
`
	if _, body, _ := strings.Cut(out, "\n"); body != want {
		t.Errorf("rows:\n%s\nwant:\n%s", body, want)
	}
	// And our file reads back with the same reader as Google's.
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 6 || len(recs[0]) != 7 {
		t.Errorf("re-reading: %d records, %v", len(recs), err)
	}
}

// TestGoogleCSVReadsAsGoogle reads our file with the importer of Google's
// own files: a peer's tools can read ours.
func TestGoogleCSVReadsAsGoogle(t *testing.T) {
	r, _ := Build("2020-H2", counts(), nil, Checkpoint{})
	var buf bytes.Buffer
	WriteGoogleCSV(&buf, r)
	figs, err := published.Parse(published.Google, &buf, "ours.csv")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range figs {
		if f.Jurisdiction == "US" && f.LegalProcess == "subpoena" && f.Period == "2020-H2" {
			found = *f.Requests == 40 && *f.PercentSomeData == 75 && *f.Accounts == 50
		}
	}
	if !found {
		t.Errorf("US subpoenas not read back as 40 requests, 75%%, 50 accounts: %+v", figs)
	}
}

func TestMetaCSV(t *testing.T) {
	r, _ := Build("2020-H2", counts(), nil, Checkpoint{})
	var buf bytes.Buffer
	if err := WriteMetaCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	header, body, _ := strings.Cut(out, "\n")
	if header != MetaHeader || strings.Count(header, ",") != 47 {
		t.Errorf("header %q", header)
	}
	if !strings.HasPrefix(body, "Hong Kong,0,0,42,0,57,0%,42,0,57,0%,0,0,0,0%,,,,,,,,,,,") {
		t.Errorf("Hong Kong line: %q", strings.Split(body, "\n")[0])
	}
	// Meta's own importer reads our file as it reads Meta's.
	figs, err := published.Parse(published.Meta, strings.NewReader(out), "dueprocess-Government-Report-2020_H2.csv")
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, f := range figs {
		if f.Jurisdiction == "US" && f.LegalProcess == "subpoena" {
			ok = *f.Requests == 40 && *f.Accounts == 50 && *f.PercentSomeData == 75
		}
	}
	if !ok {
		t.Errorf("US subpoenas not read back: %+v", figs)
	}
}

// TestNationalSecurityBands: national-security demands appear only as
// bands, and in no exact figure.
func TestNationalSecurityBands(t *testing.T) {
	ns := func(n, accounts int64, s dueprocess.Status) dueprocess.ReportCount {
		return dueprocess.ReportCount{Period: "2020-H2", Jurisdiction: "US", Kind: dueprocess.KindUserData,
			Process: dueprocess.ProcessNationalSecurity, Status: s, Requests: n, Accounts: accounts}
	}
	list := append(counts(), ns(260, 900, dueprocess.StatusDisclosed), ns(3, 3, dueprocess.StatusRefused))
	plain, _ := Build("2020-H2", counts(), nil, Checkpoint{})
	r, err := Build("2020-H2", list, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	us := r.Rows[1]
	if us.NationalSecurity == nil || us.NationalSecurity.Requests != "250-499" || us.NationalSecurity.Accounts != "750-999" {
		t.Errorf("US bands: %+v", us.NationalSecurity)
	}
	same := func(a, b Figures) bool {
		return a.Requests == b.Requests && a.Accounts == b.Accounts && a.SomeData == b.SomeData
	}
	if !same(us.UserData, plain.Rows[1].UserData) || us.Refused != plain.Rows[1].Refused || !same(r.Total.UserData, plain.Total.UserData) {
		t.Errorf("national-security demands leak into exact figures: %+v", us)
	}
	if r.Rows[0].NationalSecurity != nil {
		t.Error("Hong Kong has national-security bands")
	}
	wide, _ := BuildBanded("2020-H2", list, nil, Checkpoint{}, 1000)
	if wide.Rows[1].NationalSecurity.Requests != "0-999" {
		t.Errorf("1000-wide band: %+v", wide.Rows[1].NationalSecurity)
	}
	if _, err := BuildBanded("2020-H2", list, nil, Checkpoint{}, 100); dueprocess.ErrorField(err) != "band" {
		t.Errorf("a 100-wide band: %v", err)
	}
	var buf bytes.Buffer
	WriteGoogleCSV(&buf, r)
	if strings.Contains(buf.String(), "263") || strings.Contains(buf.String(), "260") {
		t.Errorf("the CSV holds an exact national-security figure:\n%s", buf.String())
	}
}

func TestAddNotices(t *testing.T) {
	counts := []dueprocess.ReportCount{
		{Period: "2026-H1", Jurisdiction: "DE", Kind: dueprocess.KindUserData, Process: dueprocess.ProcessCourtOrder, Status: dueprocess.StatusDisclosed, Requests: 2, Accounts: 3},
		{Period: "2026-H1", Jurisdiction: "HK", Kind: dueprocess.KindEmergency, Process: dueprocess.ProcessEmergency, Status: dueprocess.StatusDisclosed, Requests: 1, Accounts: 1},
	}
	rep, err := Build("2026-H1", counts, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	rep.AddNotices([]dueprocess.NoticeCount{
		{Period: "2026-H1", Jurisdiction: "DE", Sent: 2, Withheld: 1, Undeliverable: 1},
		{Period: "2026-H1", Jurisdiction: "HK", Delayed: 1},
		{Period: "2025-H2", Jurisdiction: "DE", Sent: 40}, // another period
	})
	want := map[string]Notices{"DE": {Sent: 2, Withheld: 1, Undeliverable: 1}, "HK": {Delayed: 1}}
	for _, row := range rep.Rows {
		if row.UserNotice != want[row.Jurisdiction] {
			t.Errorf("%s: %+v, want %+v", row.Jurisdiction, row.UserNotice, want[row.Jurisdiction])
		}
	}
	if got := rep.Total.UserNotice; got != (Notices{Sent: 2, Withheld: 1, Delayed: 1, Undeliverable: 1}) {
		t.Errorf("total %+v", got)
	}
}

func TestAddHolds(t *testing.T) {
	counts := []dueprocess.ReportCount{
		{Period: "2026-H1", Jurisdiction: "US", Kind: dueprocess.KindPreservation, Process: dueprocess.ProcessSubpoena, Status: dueprocess.StatusInReview, Requests: 2, Accounts: 3},
	}
	rep, err := Build("2026-H1", counts, nil, Checkpoint{})
	if err != nil {
		t.Fatal(err)
	}
	rep.AddHolds([]dueprocess.HoldCount{
		{Period: "2026-H1", Jurisdiction: "US", Accounts: 3},
		{Period: "2026-H1", Jurisdiction: "DE", Accounts: 1},  // its request counted a moment later
		{Period: "2025-H2", Jurisdiction: "US", Accounts: 40}, // another period
	})
	got := map[string]int64{}
	for _, row := range rep.Rows {
		got[row.Jurisdiction] = row.Preservation.AccountsHeld
	}
	if got["US"] != 3 || got["DE"] != 1 || rep.Total.Preservation.AccountsHeld != 4 {
		t.Errorf("accounts held %v, total %d; want US 3, DE 1, total 4", got, rep.Total.Preservation.AccountsHeld)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Jurisdiction != "DE" || rep.Rows[1].Jurisdiction != "US" {
		t.Errorf("rows %v, want DE's new row in its place before US", []string{rep.Rows[0].Jurisdiction, rep.Rows[len(rep.Rows)-1].Jurisdiction})
	}
}
