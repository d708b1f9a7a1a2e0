package export_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/export"
)

func demand() *dueprocess.Request {
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	return &dueprocess.Request{
		ID: "DP-2026-000001", Kind: dueprocess.KindContentRestriction, Jurisdiction: "DE-BE",
		LegalProcess:  dueprocess.LegalProcess{Type: "court_order", Reference: "LG-27-O-1", IssuedBy: "Landgericht Berlin, call +49 30 1234 5678"},
		RequesterType: "court_order_directed_at_us", Reason: "defamation",
		ReceivedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Items: []dueprocess.Item{
			{Index: 0, URL: "https://video.example/a", Ground: "§ 186 StGB", Quote: "Max Muster is a thief", Action: dueprocess.ItemRestrict, Reason: "the court found it defamatory", ActedAt: &at},
			{Index: 1, ContentID: "post:9", Ground: "§ 186 StGB; write to max@example.org", Action: dueprocess.ItemNoAction, Reason: "opinion", ActedAt: &at},
			{Index: 2, URL: "https://video.example/c", Ground: "§ 186 StGB", Action: dueprocess.ItemRemoveUnderPolicy, Reason: "harassment under our rules", ActedAt: &at},
		},
	}
}

func TestStatements(t *testing.T) {
	got := export.Statements(demand())
	if len(got) != 2 {
		t.Fatalf("%d statements, want 2 (the no_action item restricts nothing)", len(got))
	}
	s := got[0]
	if s.DecisionGround != export.GroundIllegal || s.DecisionVisibility[0] != export.VisibilityDisabled ||
		s.IllegalContentLegalGround != "§ 186 StGB" || s.TerritorialScope[0] != "DE" || len(s.TerritorialScope) != 1 ||
		s.ApplicationDate != "2026-03-04" || s.PUID != "DP-2026-000001-item-0" ||
		s.Category != "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH" || s.SourceType != export.SourceOther {
		t.Errorf("restriction: %+v", s)
	}
	g := got[1]
	if g.DecisionGround != export.GroundIncompatible || g.DecisionVisibility[0] != export.VisibilityRemoved || len(g.TerritorialScope) != 30 {
		t.Errorf("removal: %+v", g)
	}
	for _, r := range dueprocess.RemovalReasons {
		if r.DSACategory() == "" {
			t.Errorf("reason %s has no category", r)
		}
	}
	b, _ := json.Marshal(s)
	for _, f := range []string{"decision_visibility", "decision_ground", "illegal_content_legal_ground", "illegal_content_explanation",
		"territorial_scope", "source_type", "content_type", "category", "application_date", "puid"} {
		if !strings.Contains(string(b), `"`+f+`"`) {
			t.Errorf("no %s in %s", f, b)
		}
	}
}

func TestLumenRedacts(t *testing.T) {
	l := export.LumenOf(demand(), "Example Video")
	b, _ := json.Marshal(l)
	for _, secret := range []string{"Max Muster", "max@example.org", "1234 5678"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("notice carries %q: %s", secret, b)
		}
	}
	n := l.Notice
	if n.Type != "CourtOrder" || n.ActionTaken != "Partial" || n.DateReceived != "2026-03-02" || len(n.Works) != 3 ||
		n.Works[0].InfringingURLs[0].URL != "https://video.example/a" || n.JurisdictionList[0] != "DE-BE" ||
		n.Entities[1].Entity.Name != "Example Video" || len(n.LawsReferenced) != 2 {
		t.Errorf("notice: %+v", n)
	}
	if got := export.Redact("call 12 34 or +852 2345 6789, mail a.b@c.hk"); got != "call 12 34 or [phone redacted], mail [e-mail redacted]" {
		t.Errorf("Redact: %q", got)
	}
}
