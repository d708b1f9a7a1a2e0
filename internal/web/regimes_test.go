package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// deEPOC is a German prosecutor's production order for traffic data,
// validated by a court, about a user living in Germany.
const deEPOC = `{"kind": "user_data", "jurisdiction": "DE",
 "legal_process": {"type": "epoc", "reference": "276 Js 1234/26", "issued_by": "Staatsanwaltschaft Berlin",
   "issued_on": "2026-11-20", "issuing_state": "DE", "issuing_authority_type": "prosecutor",
   "validated_by": {"name": "Amtsgericht Tiergarten", "type": "court", "reference": "352 Gs 77/26"},
   "enforcing_authority": {"state": "IE", "name": "An Garda Síochána", "notified": true}},
 "offence": {"category": "fraud", "description": "phishing for bank credentials"},
 "targets": [{"type": "username", "value": "kontoinhaber", "country": "DE"}],
 "data_categories": ["subscriber", "metadata"]}`

// cannotComplyBody says that executing an order would break US law.
const cannotComplyBody = `{"kind": "cannot_comply", "grounds": ["third_country_conflict"],
 "third_country": {"country": "US", "law": "18 U.S.C. 2702(a)", "explanation": "The account holder is a US person."},
 "preserved": {"categories": ["metadata"], "until": "2027-01-19", "note": "kept while the conflict is reviewed"}}`

// withoutValidation is deEPOC as the prosecutor alone issued it.
func withoutValidation(t *testing.T) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(deEPOC), &m); err != nil {
		t.Fatal(err)
	}
	delete(m["legal_process"].(map[string]any), "validated_by")
	b, _ := json.Marshal(m)
	return string(b)
}

// officialOf registers an agency of jurisdiction juris with one official
// and returns the official's token.
func officialOf(t *testing.T, db *store.DB, juris string) string {
	t.Helper()
	var tok string
	err := db.Transact(ctx, func(tx *store.Tx) error {
		domain := strings.ToLower(juris) + "-agency.example"
		a := &dueprocess.Agency{Name: "Agency of " + juris, Jurisdiction: juris, Kind: dueprocess.AgencyPolice, Domains: []string{domain}}
		if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
			return err
		}
		o := &dueprocess.Official{AgencyID: a.ID, Email: "officer@" + domain, Name: "Officer"}
		if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
			return err
		}
		var err error
		tok, err = auth.IssueToken(ctx, tx, &dueprocess.Token{OfficialID: o.ID}, dueprocess.System)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// decided submits body as token and returns the stored request, failing
// unless it was taken in with status want.
func decided(t *testing.T, e *env, token, body string, want dueprocess.Status) *dueprocess.Request {
	t.Helper()
	status, b := e.do("POST", "/api/v1/requests", token, strings.NewReader(body))
	var r dueprocess.Request
	if err := json.Unmarshal(b, &r); err != nil || status != 201 {
		t.Fatalf("submit: %d %s", status, b)
	}
	if r.Status != want {
		t.Fatalf("status = %s, want %s; decision %+v", r.Status, want, r.Decision)
	}
	return &r
}

func reasonOf(r *dueprocess.Request, rule string) string {
	for _, reason := range r.Decision.Reasons {
		if reason.Rule == rule {
			return reason.Text
		}
	}
	return ""
}

func TestGermanProsecutorsEPOCForTrafficDataIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := decided(t, e, e.de, withoutValidation(t), dueprocess.StatusRefused)
		if text := reasonOf(r, "regime.epoc.traffic"); !strings.Contains(text, "a judge, a court or an investigating judge") || !strings.Contains(text, "prosecutor") {
			t.Errorf("reasons = %+v, want regime.epoc.traffic naming who may issue it", r.Decision.Reasons)
		}
	})
}

func TestGermanEPOCValidatedByACourtIsAllowed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := decided(t, e, e.de, deEPOC, dueprocess.StatusInReview)
		for _, c := range r.DataCategories {
			if v := r.Decision.Categories[c]; !v.Allowed {
				t.Errorf("%s: %+v, want allowed", c, v)
			}
		}
		// Due 10 days after receipt (Article 10(2)), by the default
		// policy's deadline rule eu-epoc.
		if got := r.DueAt.Sub(r.ReceivedAt); got != 10*24*time.Hour {
			t.Errorf("due %s after receipt, want 240h", got)
		}
		if text := reasonOf(r, "regime.epoc.categories"); !strings.Contains(text, "metadata as traffic data") {
			t.Errorf("reasons = %+v, want the mapping onto the Regulation's categories", r.Decision.Reasons)
		}
		// Stored and read back whole, on both databases.
		status, b := e.do("GET", "/api/v1/requests/"+r.ID, e.de, nil)
		var got dueprocess.Request
		json.Unmarshal(b, &got)
		lp := got.LegalProcess
		if status != 200 || lp.IssuingState != "DE" || lp.IssuingAuthorityType != dueprocess.AuthorityProsecutor ||
			lp.ValidatedBy == nil || *lp.ValidatedBy != (dueprocess.Validation{Name: "Amtsgericht Tiergarten", Type: "court", Reference: "352 Gs 77/26"}) ||
			lp.EnforcingAuthority == nil || *lp.EnforcingAuthority != (dueprocess.EnforcingAuthority{State: "IE", Name: "An Garda Síochána", Notified: true}) ||
			got.Targets[0].Country != "DE" {
			t.Errorf("read back: %d %s", status, b)
		}
	})
}

func TestEmergencyEPOCIsDueIn8Hours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		emergency := strings.NewReplacer(`"kind": "user_data"`, `"kind": "emergency"`,
			`"data_categories": ["subscriber", "metadata"]`, `"data_categories": ["subscriber", "location"], "emergency": {"harm": "death", "justification": "a kidnapping under way"}`).Replace(deEPOC)
		r := decided(t, e, e.de, emergency, dueprocess.StatusInReview)
		if got := r.DueAt.Sub(r.ReceivedAt); got != 8*time.Hour {
			t.Errorf("due %s after receipt, want 8h", got)
		}
		// The order's own date may bring it forward, never push it back.
		late := strings.Replace(deEPOC, `"data_categories"`, `"deadline": "2027-06-30", "data_categories"`, 1)
		if r := decided(t, e, e.de, late, dueprocess.StatusInReview); r.DueAt.Sub(r.ReceivedAt) != 10*24*time.Hour {
			t.Errorf("an EPOC stating a later deadline is due %s after receipt, want 240h", r.DueAt.Sub(r.ReceivedAt))
		}
	})
}

func TestUKDAAOrderAboutAUSResidentIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		gb := officialOf(t, db, "GB")
		body := `{"kind": "user_data", "jurisdiction": "GB",
		 "legal_process": {"type": "uk_daa_order", "reference": "IPC-2026-0042", "issued_by": "Investigatory Powers Commissioner",
		   "designated_authority": "Home Office", "certification": {"not_us_person": true, "not_in_us": true}},
		 "targets": [{"type": "email", "value": "suspect@example.org", "country": "US"}], "data_categories": ["content"]}`
		r := decided(t, e, gb, body, dueprocess.StatusRefused)
		if text := reasonOf(r, "regime.uk_daa_order.home_country"); !strings.Contains(text, "United States") {
			t.Errorf("reasons = %+v, want regime.uk_daa_order.home_country", r.Decision.Reasons)
		}
		decided(t, e, gb, strings.Replace(body, `"country": "US"`, `"country": "GB"`, 1), dueprocess.StatusInReview)
	})
}

func TestHongKongDemandAboutAUserLivingInGermanyEscalates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// A court order about fraud would go to review; the user lives in
		// Germany.
		body := strings.NewReplacer(`"subpoena"`, `"court_order"`, `"subversion"`, `"fraud"`,
			`{"type": "username", "value": "demosisto"}`, `{"type": "username", "value": "demosisto", "country": "DE"}`).Replace(hkRequest)
		r := decided(t, e, e.hk, body, dueprocess.StatusEscalated)
		if text := reasonOf(r, "extraterritorial"); !strings.Contains(text, "Germany") {
			t.Errorf("reasons = %+v, want extraterritorial naming Germany", r.Decision.Reasons)
		}
		decided(t, e, e.hk, strings.Replace(body, `"country": "DE"`, `"country": "HK"`, 1), dueprocess.StatusInReview)
	})
}

func TestCannotComply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := decided(t, e, e.de, deEPOC, dueprocess.StatusInReview)
		path := "/api/v1/requests/" + r.ID + "/cannot-comply"
		// Bad input names the field; nothing is stored.
		for _, c := range []struct{ body, field string }{
			{`{"kind": "cannot_comply", "grounds": ["third_country_conflict"], "third_country": {"country": "US", "law": "SCA"}}`, "third_country.explanation"},
			{`{"kind": "cannot_comply", "grounds": ["third_country_conflict"]}`, "third_country"},
			{`{"kind": "cannot_comply", "grounds": []}`, "grounds"},
			{`{"kind": "cannot_comply", "grounds": ["bored"]}`, "grounds[0]"},
			{`{"kind": "clarification"}`, "clarification"},
			{`{"kind": "cannot_comply", "grounds": ["incomplete"], "preserved": {"categories": ["dna"]}}`, "preserved.categories[0]"},
			{`{"kind": "cannot_comply", "grounds": ["third_country_conflict"], "third_country": {"country": "FR", "law": "x", "explanation": "y"}}`, "third_country.country"},
		} {
			status, b := e.do("POST", path, e.staff, strings.NewReader(c.body))
			var m map[string]any
			json.Unmarshal(b, &m)
			if _, field, _ := errorOf(m); status != 400 || field != c.field {
				t.Errorf("%s: %d %s, want 400 naming %s", c.body, status, b, c.field)
			}
		}
		if status, b := e.do("GET", path, e.de, nil); status != 200 || !bytes.Contains(b, []byte(`"answers": []`)) {
			t.Errorf("before any answer: %d %s", status, b)
		}
		// Only for e-Evidence orders.
		other := decided(t, e, e.hk, with("offence", map[string]any{"category": "fraud"}), dueprocess.StatusInReview)
		if status, b := e.do("POST", "/api/v1/requests/"+other.ID+"/cannot-comply", e.staff, strings.NewReader(cannotComplyBody)); status != 409 {
			t.Errorf("on a subpoena: %d %s, want 409", status, b)
		}
		status, b := e.do("POST", path, e.staff, strings.NewReader(cannotComplyBody))
		if status != 201 {
			t.Fatalf("cannot comply: %d %s", status, b)
		}
		status, b = e.do("POST", path, e.approver, strings.NewReader(`{"kind": "clarification", "grounds": ["insufficient_information"], "clarification": "Which of two accounts named kontoinhaber is meant?"}`))
		if status != 201 {
			t.Fatalf("clarification: %d %s", status, b)
		}
		// The requesting official reads both, as JSON and as Annex III.
		status, b = e.do("GET", path, e.de, nil)
		var got struct{ Answers []dueprocess.CannotComply }
		json.Unmarshal(b, &got)
		if status != 200 || len(got.Answers) != 2 || got.Answers[0].ThirdCountry == nil || got.Answers[0].ThirdCountry.Explanation != "The account holder is a US person." ||
			got.Answers[0].Preserved == nil || got.Answers[0].Preserved.Until.String() != "2027-01-19" || got.Answers[1].Kind != dueprocess.AnswerClarification {
			t.Errorf("answers: %d %s", status, b)
		}
		status, b = e.do("GET", path+"?seq=1", e.de, nil, "Accept", "text/html")
		page := string(b)
		for _, want := range []string{"Annex III", "Section C", "☒ executing it would conflict with the applicable law of a third country", "18 U.S.C. 2702(a)",
			"☐ the EPOC/EPOC-PR is incomplete", "276 Js 1234/26", "Preserved meanwhile: metadata, until 2027-01-19"} {
			if status != 200 || !strings.Contains(page, want) {
				t.Errorf("page: %d, want %q in\n%s", status, want, page)
				break
			}
		}
		// Another agency's official finds nothing, as for a missing id.
		if status, _ := e.do("GET", path, e.hk, nil); status != 404 {
			t.Errorf("another agency: %d, want 404", status)
		}
	})
}

// TestRegimeExamplesInDocs submits every JSON example of docs/regimes.md
// as an official of its jurisdiction, and checks the outcome the page
// gives for it in the comment before it.
func TestRegimeExamplesInDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/regimes.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)<!-- status: ([a-z_]+) -->\\s*```json\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(examples) < 5 {
		t.Fatalf("docs/regimes.md has %d examples marked with their status, want one for each regime and more", len(examples))
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		tokens := map[string]string{}
		answerTo := ""
		for _, x := range examples {
			var head struct{ Jurisdiction string }
			if err := json.Unmarshal([]byte(x[2]), &head); err != nil {
				t.Fatalf("example does not parse: %v\n%s", err, x[2])
			}
			if tokens[head.Jurisdiction] == "" {
				tokens[head.Jurisdiction] = officialOf(t, db, head.Jurisdiction)
			}
			r := decided(t, e, tokens[head.Jurisdiction], x[2], dueprocess.Status(x[1]))
			if r.LegalProcess.Type == dueprocess.ProcessEPOC && answerTo == "" {
				answerTo = r.ID
			}
		}
		// The Annex III answer of the page is accepted for an EPOC.
		answer := regexp.MustCompile("(?s)<!-- answer -->\\s*```json\n(.*?)```").FindStringSubmatch(string(doc))
		if answer == nil {
			t.Fatal("docs/regimes.md has no example answer marked <!-- answer -->")
		}
		if status, b := e.do("POST", "/api/v1/requests/"+answerTo+"/cannot-comply", e.staff, strings.NewReader(answer[1])); status != 201 {
			t.Errorf("the page's Annex III answer: %d %s", status, b)
		}
	})
}

// TestReportShowsTheRegimes submits the regimes' orders and an
// extraterritorial demand, and reads them back from the transparency
// report's JSON, its regimes CSV and its page.
func TestReportShowsTheRegimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		epoc := decided(t, e, e.de, deEPOC, dueprocess.StatusInReview)
		decided(t, e, e.de, withoutValidation(t), dueprocess.StatusRefused)
		if status, b := e.do("POST", "/api/v1/requests/"+epoc.ID+"/cannot-comply", e.staff, strings.NewReader(cannotComplyBody)); status != 201 {
			t.Fatalf("cannot comply: %d %s", status, b)
		}
		gb := officialOf(t, db, "GB")
		decided(t, e, gb, `{"kind": "user_data", "jurisdiction": "GB",
		 "legal_process": {"type": "uk_daa_order", "reference": "IPC-1", "issued_by": "Investigatory Powers Commissioner",
		   "designated_authority": "Home Office", "certification": {"not_us_person": true, "not_in_us": true}},
		 "targets": [{"type": "email", "value": "suspect@example.org", "country": "US"}], "data_categories": ["content"]}`, dueprocess.StatusRefused)
		decided(t, e, e.hk, strings.Replace(hkRequest, `"value": "demosisto"`, `"value": "demosisto", "country": "DE"`, 1), dueprocess.StatusEscalated)

		period := dueprocess.HalfYear(time.Now())
		status, b := e.do("GET", "/transparency/"+period+".json", "", nil)
		var rep report.Report
		if err := json.Unmarshal(b, &rep); err != nil || status != 200 {
			t.Fatalf("report: %d %v %s", status, err, b)
		}
		g := rep.Regimes
		if len(g.EU) != 1 || g.EU[0].Regime != dueprocess.ProcessEPOC || g.EU[0].IssuingState != "DE" || g.EU[0].Requests != 2 ||
			g.EU[0].Refused != 1 || g.EU[0].Answered != 2 || g.EU[0].MedianHoursToAnswer == nil {
			t.Errorf("EU rows = %+v, want 2 German EPOCs, one refused, both answered", g.EU)
		}
		// Both the Hong Kong demand and the UK order about a US resident
		// reach beyond their country.
		if g.UKDAA.Requests != 1 || g.UKDAA.Refused != 1 || g.Extraterritorial != 2 {
			t.Errorf("regimes = %+v, want one UK DAA order refused and two extraterritorial demands", g)
		}
		status, b = e.do("GET", "/transparency/"+period+"-regimes.csv", "", nil)
		if status != 200 || !bytes.Contains(b, []byte(",epoc,Germany,DE,2,2,0,0.0,1,2,")) || !bytes.Contains(b, []byte(",uk_daa_order,United Kingdom,GB,1,1,")) {
			t.Errorf("regimes CSV: %d\n%s", status, b)
		}
		status, b = e.do("GET", "/transparency?period="+period, "", nil)
		if status != 200 || !bytes.Contains(b, []byte("By legal regime")) || !bytes.Contains(b, []byte("Extraterritorial demands")) {
			t.Errorf("page: %d, want the regimes section", status)
		}
	})
}

// TestPortalShowsAnnexIII: an official of the requesting agency, signed
// in to the portal, reads the Annex III answer to the agency's EPOC as a
// page; an official of another agency finds nothing.
func TestPortalShowsAnnexIII(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, de := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		schmidt := newBrowser(t, db)
		schmidt.join(ada.invite(de, "schmidt@bka.bund.de", "Kommissarin Schmidt"))
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))

		// The order arrives by the API, from a colleague of the agency.
		var n dueprocess.NewRequest
		if err := json.Unmarshal([]byte(deEPOC), &n); err != nil {
			t.Fatal(err)
		}
		req, err := n.Check()
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.PrincipalByTokenHash(ctx, auth.HashToken(officialOfAgency(t, db, de)))
		if err != nil {
			t.Fatal(err)
		}
		req.AgencyID, req.OfficialID = de, p.Official.ID
		done, err := db.Submit(ctx, store.Submission{Request: req, By: p.Actor(), Decide: defaultPolicy,
			Answer: func(*dueprocess.Request) ([]byte, error) { return nil, nil }})
		if err != nil {
			t.Fatal(err)
		}
		reviewer := &dueprocess.Staff{Email: "rae@example.com", Name: "Rae", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, reviewer, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		var in dueprocess.NewCannotComply
		json.Unmarshal([]byte(cannotComplyBody), &in)
		answer, err := in.Check()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CannotComply(ctx, done.ID, answer, reviewer); err != nil {
			t.Fatal(err)
		}

		status, _, page := schmidt.get("/portal/requests/" + done.ID)
		if status != 200 || !strings.Contains(page, "/portal/requests/"+done.ID+"/annex-iii") {
			t.Errorf("the request's page: %d, want a link to its Annex III answers", status)
		}
		status, _, page = schmidt.get("/portal/requests/" + done.ID + "/annex-iii")
		if status != 200 || !strings.Contains(page, "Section C") || !strings.Contains(page, "18 U.S.C. 2702(a)") {
			t.Errorf("the Annex III page: %d\n%.500s", status, page)
		}
		if status, _, _ := chan_.get("/portal/requests/" + done.ID + "/annex-iii"); status != 404 {
			t.Errorf("another agency's official: %d, want 404", status)
		}
	})
}

// officialOfAgency adds an official with an API token to agency id and
// returns the token.
func officialOfAgency(t *testing.T, db *store.DB, agencyID string) string {
	t.Helper()
	var tok string
	err := db.Transact(ctx, func(tx *store.Tx) error {
		o := &dueprocess.Official{AgencyID: agencyID, Email: "api@bka.bund.de", Name: "Case system"}
		if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
			return err
		}
		var err error
		tok, err = auth.IssueToken(ctx, tx, &dueprocess.Token{OfficialID: o.ID}, dueprocess.System)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEPOCReleaseWaitsForTheEnforcingAuthority: a production order for
// traffic data whose enforcing authority was notified is released only
// once that authority's ten days have passed (Article 10(2)).
func TestEPOCReleaseWaitsForTheEnforcingAuthority(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		received := time.Now()
		db.Now = func() time.Time { return received }
		defer func() { db.Now = time.Now }()
		id := e.approve(e.de, deEPOC, approveAll)
		if status, m := e.post("/api/v1/requests/"+id+"/files?category=metadata&name=metadata.csv", e.staff, "account,at\nkontoinhaber,2026-11-01\n"); status != 201 {
			t.Fatalf("file: %d %v", status, m)
		}
		db.Now = func() time.Time { return received.Add(dueprocess.EnforcingWait - time.Minute) }
		status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, "")
		if status != 409 || !strings.Contains(fmt.Sprint(m), "Article 10(2)") {
			t.Fatalf("release within the enforcing authority's ten days: %d %v, want 409 naming Article 10(2)", status, m)
		}
		db.Now = func() time.Time { return received.Add(dueprocess.EnforcingWait + time.Minute) }
		if status, m := e.post("/api/v1/requests/"+id+"/release", e.approver, ""); status != 200 {
			t.Fatalf("release after the ten days: %d %v", status, m)
		}
	})
}
