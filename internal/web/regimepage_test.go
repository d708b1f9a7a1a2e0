package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

func TestConsoleAnnexIIIAnswerAndObjectionForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.de, deEPOC)
		id := m["id"].(string)
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "reviewer@forms.example.com", dueprocess.RoleReviewer)
		b.signIn("reviewer@forms.example.com", secret)
		page := "/console/requests/" + id
		csrf := b.form(page)
		_, _, body := b.get(page)
		for _, want := range []string{`action="/console/requests/` + id + `/cannot-comply"`, `action="/console/requests/` + id + `/enforcing-objection"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the EPOC's page has no form %s", want)
			}
		}
		answer := url.Values{"kind": {"cannot_comply"}, "grounds": {"third_country_conflict"}, "third_country": {"US"},
			"third_country_law": {"18 U.S.C. 2702(a)"}, "third_country_explanation": {"The account holder is a US person."},
			"preserved": {"metadata"}, "preserved_until": {"2027-01-19"}}
		// Without the CSRF token nothing is recorded.
		if status, _, _ := b.post(page+"/cannot-comply", answer); status != 403 {
			t.Errorf("answer without CSRF: %d, want 403", status)
		}
		answer.Set("csrf", csrf)
		if status, loc, body := b.post(page+"/cannot-comply", answer); status != 303 {
			t.Fatalf("answer: %d to %q\n%.500s", status, loc, body)
		}
		answers, err := db.CannotComplyAnswers(ctx, id)
		if err != nil || len(answers) != 1 || answers[0].ThirdCountry == nil || answers[0].Preserved == nil {
			t.Fatalf("answers after the form: %+v, %v", answers, err)
		}
		// A bad answer names the fault on the page and records nothing.
		if status, _, body := b.post(page+"/cannot-comply", url.Values{"csrf": {csrf}, "kind": {"cannot_comply"}}); status != 400 || !strings.Contains(body, "grounds") {
			t.Errorf("answer without grounds: %d\n%.300s", status, body)
		}
		objection := url.Values{"csrf": {csrf}, "grounds": {"journalist's privilege"}, "received_at": {"2026-11-21T09:00"}}
		if status, loc, body := b.post(page+"/enforcing-objection", objection); status != 303 {
			t.Fatalf("objection: %d to %q\n%.500s", status, loc, body)
		}
		if obj, err := db.Objections(ctx, id); err != nil || len(obj) != 1 || obj[0].Grounds != "journalist's privilege" {
			t.Fatalf("objections after the form: %+v, %v", obj, err)
		}
		if _, _, body := b.get(page); !strings.Contains(body, "may not be released") {
			t.Errorf("the page does not say the objection stops the release")
		}
		if answers, _ := db.CannotComplyAnswers(ctx, id); len(answers) != 1 {
			t.Errorf("%d answers, want the one", len(answers))
		}
	})
}

func TestConsoleValidationForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, m := e.submit(e.de, emergencyEPOC(t))
		id := m["id"].(string)
		b := newBrowser(t, db)
		_, secret := staffMember(t, db, "approver@forms.example.com", dueprocess.RoleApprover)
		b.signIn("approver@forms.example.com", secret)
		page := "/console/requests/" + id
		csrf := b.form(page)
		if _, _, body := b.get(page); !strings.Contains(body, `action="/console/requests/`+id+`/validation"`) || !strings.Contains(body, "must arrive by") {
			t.Fatalf("the emergency order's page has no validation form")
		}
		form := url.Values{"name": {"Amtsgericht Tiergarten"}, "type": {"court"}, "reference": {"352 Gs 78/26"}}
		if status, _, _ := b.post(page+"/validation", form); status != 403 {
			t.Errorf("validation without CSRF: %d, want 403", status)
		}
		form.Set("csrf", csrf)
		if status, loc, body := b.post(page+"/validation", form); status != 303 {
			t.Fatalf("validation: %d to %q\n%.500s", status, loc, body)
		}
		r, err := db.Request(ctx, id)
		if err != nil || r.LegalProcess.RegimeFields.ValidatedBy == nil || r.LegalProcess.RegimeFields.ValidatedBy.Name != "Amtsgericht Tiergarten" {
			t.Fatalf("after the form: %+v, %v", r, err)
		}
		if _, _, body := b.get(page); strings.Contains(body, "must arrive by") {
			t.Errorf("the page still asks for the validation")
		}
	})
}
