package dueprocess

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func noticeRequest() *Request {
	return &Request{ID: "DP-2026-000007", Kind: KindUserData, Jurisdiction: "DE",
		LegalProcess:   LegalProcess{Type: ProcessCourtOrder, Reference: "AZ 12/26", IssuedBy: "Amtsgericht Berlin"},
		DataCategories: []DataCategory{CategorySubscriber, CategoryIPLogs}}
}

func TestPlanNotice(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	until := Date{time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	past := Date{time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)}
	p := DefaultNoticePolicy
	for _, tc := range []struct {
		name    string
		address string
		change  func(r *Request)
		status  NoticeStatus
		heldBy  string
		release time.Time
	}{
		{"plain", "a@example.org", func(*Request) {}, NoticeQueued, "", time.Time{}},
		{"no address", "", func(*Request) {}, NoticeUndeliverable, "", time.Time{}},
		{"order with end", "a@example.org", func(r *Request) { r.Nondisclosure = &Nondisclosure{Until: until} }, NoticeWithheld, HeldByNondisclosure, until.Add(24 * time.Hour)},
		{"order ended", "a@example.org", func(r *Request) { r.Nondisclosure = &Nondisclosure{Until: past} }, NoticeQueued, "", time.Time{}},
		{"open-ended order", "a@example.org", func(r *Request) { r.Nondisclosure = &Nondisclosure{} }, NoticeWithheld, HeldByNondisclosure, time.Time{}},
		{"emergency", "a@example.org", func(r *Request) { r.Kind = KindEmergency }, NoticeDelayed, HeldByEmergency, now.Add(90 * 24 * time.Hour)},
		{"emergency under a longer order", "a@example.org", func(r *Request) {
			r.Kind = KindEmergency
			r.Nondisclosure = &Nondisclosure{Until: Date{time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)}}
		}, NoticeWithheld, HeldByNondisclosure, time.Date(2027, 6, 2, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := noticeRequest()
			tc.change(r)
			n := &Notice{Address: tc.address}
			PlanNotice(n, r, now, p)
			var release time.Time
			if n.ReleaseAt != nil {
				release = *n.ReleaseAt
			}
			if n.Status != tc.status || n.HeldBy != tc.heldBy || !release.Equal(tc.release) {
				t.Errorf("got %s/%q/%v, want %s/%q/%v", n.Status, n.HeldBy, release, tc.status, tc.heldBy, tc.release)
			}
			if n.Status != NoticeQueued && n.Why == "" {
				t.Errorf("a %s notice says no why", n.Status)
			}
		})
	}
}

func TestUserNoticeInEveryLanguage(t *testing.T) {
	if got := NoticeLanguages(); len(got) < 2 {
		t.Fatalf("languages %v, want at least two", got)
	}
	for _, lang := range NoticeLanguages() {
		for _, reason := range []NoticeReason{NoticeReleased, NoticeHoldPlaced} {
			r := noticeRequest()
			m, err := UserNotice(lang, "alice@example.org", NoticeFacts{Target: Target{Type: TargetUsername, Value: "alice"},
				Agency: "Landeskriminalamt Berlin", Request: r, Categories: []DataCategory{CategorySubscriber}, Reason: reason})
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Check(); err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			for _, want := range []string{"alice", "Landeskriminalamt Berlin", "AZ 12/26", "Amtsgericht Berlin", r.ID} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("%s %s notice lacks %q:\n%s", lang, reason, want, m.Body)
				}
			}
			if strings.Contains(m.Body, "ip_logs") || strings.Contains(m.Body, "court_order") || strings.Contains(m.Body, "<no value>") {
				t.Errorf("%s notice shows a code instead of words:\n%s", lang, m.Body)
			}
		}
	}
	if _, err := UserNotice("xx", "a@example.org", NoticeFacts{Request: noticeRequest()}); err == nil {
		t.Error("a notice in an unknown language was written")
	}
}

type contactFunc func(Target) (string, error)

func (f contactFunc) Contact(_ context.Context, t Target) (string, error) { return f(t) }

func TestNoticeAddresses(t *testing.T) {
	mail := Target{Type: TargetEmail, Value: "carol@example.org"}
	user := Target{Type: TargetUsername, Value: "alice"}
	unknown := Target{Type: TargetPhone, Value: "+4930123456"}
	asked := 0
	c := contactFunc(func(t Target) (string, error) {
		asked++
		return map[string]string{"alice": "alice@mail.example"}[t.Value], nil
	})
	got, err := NoticeAddresses(context.Background(), []Target{mail, user, unknown}, c)
	if err != nil {
		t.Fatal(err)
	}
	if got[mail] != "carol@example.org" || got[user] != "alice@mail.example" || got[unknown] != "" || asked != 2 {
		t.Errorf("got %v after %d questions, want the e-mail target as it is and alice's from the platform, asking twice", got, asked)
	}
	if got, _ := NoticeAddresses(context.Background(), []Target{mail, user}, nil); len(got) != 1 || got[mail] == "" {
		t.Errorf("without connectors: %v, want only the e-mail target", got)
	}
	failing := contactFunc(func(Target) (string, error) { return "", errors.New("connection refused") })
	if _, err := NoticeAddresses(context.Background(), []Target{user}, failing); err == nil {
		t.Error("a failing contact query gave no error; the notice would be marked undeliverable")
	}
}
