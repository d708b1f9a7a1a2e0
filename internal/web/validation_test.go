package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// validationBody is a court's validation of an emergency order.
const validationBody = `{"name": "Amtsgericht Tiergarten", "type": "court", "reference": "352 Gs 78/26"}`

// emergencyEPOC is deEPOC in an emergency, issued by the police (another
// authority) without prior validation.
func emergencyEPOC(t *testing.T) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(deEPOC), &m); err != nil {
		t.Fatal(err)
	}
	lp := m["legal_process"].(map[string]any)
	delete(lp, "validated_by")
	lp["issuing_authority_type"], lp["issued_by"] = "other", "Landeskriminalamt Berlin"
	m["kind"] = "emergency"
	m["data_categories"] = []string{"subscriber", "location"}
	m["emergency"] = map[string]string{"harm": "death", "justification": "a kidnapping under way"}
	b, _ := json.Marshal(m)
	return string(b)
}

// assignTo assigns request id to a new reviewer and returns the reviewer.
func assignTo(t *testing.T, db *store.DB, id string) *dueprocess.Staff {
	t.Helper()
	s := &dueprocess.Staff{Email: "duty@example.com", Name: "Duty Reviewer", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
			return err
		}
		return tx.Assign(ctx, id, s.ID, dueprocess.System)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmergencyEPOCRefusedWithoutValidationIn48Hours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		received := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return received }
		defer func() { db.Now = time.Now }()
		status, m := e.submit(e.de, emergencyEPOC(t))
		if status != 201 {
			t.Fatalf("submit: %d %v", status, m)
		}
		id := m["id"].(string)
		assignTo(t, db, id)
		check := func(at time.Duration) (reminded, refused []string) {
			t.Helper()
			db.Now = func() time.Time { return received.Add(at) }
			reminded, refused, err := db.CheckValidations(ctx, dueprocess.ValidationReminderBefore, 100)
			if err != nil {
				t.Fatal(err)
			}
			return reminded, refused
		}
		if rem, ref := check(30 * time.Hour); len(rem)+len(ref) != 0 {
			t.Fatalf("30 hours in: reminded %v, refused %v; want nothing yet", rem, ref)
		}
		if rem, ref := check(37 * time.Hour); fmt.Sprint(rem) != "["+id+"]" || len(ref) != 0 {
			t.Fatalf("37 hours in: reminded %v, refused %v; want the one reminder", rem, ref)
		}
		if rem, ref := check(47 * time.Hour); len(rem)+len(ref) != 0 {
			t.Fatalf("47 hours in: reminded %v, refused %v; want no second reminder", rem, ref)
		}
		if r, _ := db.Request(ctx, id); r.Status == dueprocess.StatusRefused {
			t.Fatal("refused before the 48 hours passed")
		}
		if rem, ref := check(48*time.Hour + time.Minute); len(rem) != 0 || fmt.Sprint(ref) != "["+id+"]" {
			t.Fatalf("48 hours in: reminded %v, refused %v; want it refused", rem, ref)
		}
		if r, err := db.Request(ctx, id); err != nil || r.Status != dueprocess.StatusRefused {
			t.Fatalf("after 48 hours: %v, %v; want refused", r, err)
		}
		if rem, ref := check(50 * time.Hour); len(rem)+len(ref) != 0 {
			t.Fatalf("50 hours in: reminded %v, refused %v; want nothing more", rem, ref)
		}
		mails := outboxKinds(t, db)
		if mails[dueprocess.MailValidationReminder] != 1 || mails[dueprocess.MailValidationLapsed] != 1 {
			t.Fatalf("mails: %v, want one reminder and one refusal", mails)
		}
		// A validation that comes too late is refused with the reason.
		if status, b := e.do("POST", "/api/v1/requests/"+id+"/validation", e.staff, strings.NewReader(validationBody)); status != 409 || !strings.Contains(string(b), "48 hours") {
			t.Fatalf("late validation: %d %s", status, b)
		}
	})
}

func TestEmergencyEPOCValidatedInTimeIsNotRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		received := time.Now().UTC().Truncate(time.Second)
		db.Now = func() time.Time { return received }
		defer func() { db.Now = time.Now }()
		_, m := e.submit(e.de, emergencyEPOC(t))
		id := m["id"].(string)
		for body, field := range map[string]string{
			`{"name": "", "type": "court", "reference": "x"}`:   "name",
			`{"name": "AG", "type": "other", "reference": "x"}`: "type",
			`{"name": "AG", "type": "court", "reference": ""}`:  "reference",
		} {
			if status, b := e.do("POST", "/api/v1/requests/"+id+"/validation", e.staff, strings.NewReader(body)); status != 400 || !strings.Contains(string(b), `"field": "`+field+`"`) {
				t.Errorf("%s: %d %s, want 400 naming %s", body, status, b, field)
			}
		}
		db.Now = func() time.Time { return received.Add(40 * time.Hour) }
		if status, b := e.do("POST", "/api/v1/requests/"+id+"/validation", e.staff, strings.NewReader(validationBody)); status != 200 {
			t.Fatalf("validation: %d %s", status, b)
		}
		r, err := db.Request(ctx, id)
		if err != nil || r.LegalProcess.RegimeFields.ValidatedBy == nil || r.LegalProcess.RegimeFields.ValidatedBy.Reference != "352 Gs 78/26" {
			t.Fatalf("after the validation: %+v, %v", r, err)
		}
		db.Now = func() time.Time { return received.Add(49 * time.Hour) }
		if _, ref, err := db.CheckValidations(ctx, dueprocess.ValidationReminderBefore, 100); err != nil || len(ref) != 0 {
			t.Fatalf("after 48 hours: refused %v, %v; want none", ref, err)
		}
		// A second validation, or one of an order that needs none, is a conflict.
		if status, _ := e.do("POST", "/api/v1/requests/"+id+"/validation", e.staff, strings.NewReader(validationBody)); status != 409 {
			t.Errorf("second validation: %d, want 409", status)
		}
		_, other := e.submit(e.de, deEPOC)
		if status, _ := e.do("POST", "/api/v1/requests/"+other["id"].(string)+"/validation", e.staff, strings.NewReader(validationBody)); status != 409 {
			t.Errorf("validation of a validated order: %d, want 409", status)
		}
	})
}

// outboxKinds counts the outbox's messages by kind.
func outboxKinds(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	list, err := db.Outbox(ctx, store.OutboxFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range list {
		out[m.Kind]++
	}
	return out
}
