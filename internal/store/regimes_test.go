package store_test

import (
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestRegimeFieldsAndAnswerTimes stores an EPOC about a user living in
// Poland and a Hong Kong order about a user living in Germany, answers
// them later, and reads back the fields and the times the report needs.
func TestRegimeFieldsAndAnswerTimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		now := t0
		db.Now = func() time.Time { return now }
		de, deOfficial := fixture(t, db, "DE", "bka.example")
		hk, hkOfficial := fixture(t, db, "HK", "police.hk.example")
		staff := &dueprocess.Staff{Email: "rae@example.com", Name: "Rae", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, staff, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}

		epoc := sampleRequest(t)
		epoc.Jurisdiction, epoc.AgencyID, epoc.OfficialID = "DE", de.ID, deOfficial.ID
		epoc.LegalProcess.Type = dueprocess.ProcessEPOC
		epoc.LegalProcess.RegimeFields = dueprocess.RegimeFields{IssuingState: "DE", IssuingAuthorityType: dueprocess.AuthorityProsecutor,
			ValidatedBy:        &dueprocess.Validation{Name: "Amtsgericht Tiergarten", Type: dueprocess.AuthorityCourt},
			EnforcingAuthority: &dueprocess.EnforcingAuthority{State: "IE", Name: "An Garda Síochána", Notified: true}}
		epoc.IdentificationOnly = true
		epoc.Targets[0].Country = "PL"
		intake(t, db, epoc)

		abroad := sampleRequest(t)
		abroad.AgencyID, abroad.OfficialID = hk.ID, hkOfficial.ID
		abroad.Targets[1].Country = "DE"
		intake(t, db, abroad)
		local := sampleRequest(t)
		local.AgencyID, local.OfficialID = hk.ID, hkOfficial.ID
		local.Targets[0].Country = "HK"
		intake(t, db, local)

		got, err := db.Request(ctx, epoc.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := got.LegalProcess.RegimeFields
		if f.IssuingState != "DE" || f.ValidatedBy == nil || f.ValidatedBy.Name != "Amtsgericht Tiergarten" || f.EnforcingAuthority == nil ||
			!f.EnforcingAuthority.Notified || !got.IdentificationOnly || got.Targets[0].Country != "PL" || got.Targets[1].Country != "" {
			t.Errorf("read back %+v, want the regime fields and home countries stored", got)
		}

		byID, err := db.TargetsOf(ctx, []string{epoc.ID, abroad.ID, "DP-1999-000001"})
		if err != nil || len(byID[epoc.ID]) != 2 || byID[epoc.ID][0].Country != "PL" || byID[abroad.ID][1].Country != "DE" || byID["DP-1999-000001"] == nil {
			t.Errorf("TargetsOf = %+v, %v", byID, err)
		}

		// Only an e-Evidence order gets an Annex III answer.
		answer := &dueprocess.CannotComply{Kind: dueprocess.AnswerCannotComply, Grounds: []dueprocess.Ground{dueprocess.GroundDeFactoImpossible}}
		if _, err := db.CannotComply(ctx, abroad.ID, answer, staff); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("Annex III answer to a subpoena: %v, want Conflict", err)
		}
		now = t0.Add(30 * time.Hour)
		if _, err := db.CannotComply(ctx, epoc.ID, answer, staff); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(50 * time.Hour) // a later answer keeps the first time
		if _, err := db.CannotComply(ctx, epoc.ID, answer, staff); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(2 * time.Hour)
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.SetStatus(ctx, abroad.ID, dueprocess.StatusRejected, dueprocess.System, "")
		}); err != nil {
			t.Fatal(err)
		}

		list, err := db.RegimeRequests(ctx, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("regime requests = %+v, want the EPOC and the extraterritorial order", list)
		}
		for _, q := range list {
			want := map[dueprocess.LegalProcessType]time.Duration{dueprocess.ProcessEPOC: 30 * time.Hour, dueprocess.ProcessSubpoena: 2 * time.Hour}[q.Process]
			if !q.Extraterritorial || q.AnsweredAt.Sub(q.ReceivedAt) != want {
				t.Errorf("%+v: want extraterritorial, answered after %s", q, want)
			}
		}
		answers, err := db.CannotComplyAnswers(ctx, epoc.ID)
		if err != nil || len(answers) != 2 || answers[1].Seq != 2 || !answers[0].At.Equal(t0.Add(30*time.Hour)) {
			t.Errorf("answers = %+v, %v", answers, err)
		}
	})
}

// TestCannotComplyConcurrently gives one order twenty answers at once:
// each gets its own number, with none lost and none repeated.
func TestCannotComplyConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		de, official := fixture(t, db, "DE", "bka.example")
		staff := &dueprocess.Staff{Email: "rae@example.com", Name: "Rae", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, staff, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		r := sampleRequest(t)
		r.Jurisdiction, r.AgencyID, r.OfficialID = "DE", de.ID, official.ID
		r.LegalProcess.Type = dueprocess.ProcessEPOC
		r.LegalProcess.RegimeFields = dueprocess.RegimeFields{IssuingState: "DE", IssuingAuthorityType: dueprocess.AuthorityJudge}
		intake(t, db, r)
		const n = 20
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := db.CannotComply(ctx, r.ID, &dueprocess.CannotComply{Kind: dueprocess.AnswerClarification, Grounds: []dueprocess.Ground{},
					Clarification: "which account?"}, staff)
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		answers, err := db.CannotComplyAnswers(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(answers) != n {
			t.Fatalf("%d answers, want %d", len(answers), n)
		}
		for i, a := range answers {
			if a.Seq != int64(i+1) {
				t.Errorf("answer %d has number %d", i, a.Seq)
			}
		}
	})
}

// TestNarrowingToLocalUsersIsNotExtraterritorial: a reply that drops the
// target living abroad makes the request a local one in the report, and
// the target kept keeps its home country.
func TestNarrowingToLocalUsersIsNotExtraterritorial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, official := fixture(t, db, "HK", "police.hk.example")
		r := sampleRequest(t)
		r.AgencyID, r.OfficialID = hk.ID, official.ID
		r.Targets[0].Country, r.Targets[1].Country = "HK", "DE"
		intake(t, db, r)
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.SetStatus(ctx, r.ID, dueprocess.StatusNarrowingRequested, dueprocess.System, "")
		}); err != nil {
			t.Fatal(err)
		}
		year := func() []dueprocess.RegimeRequest {
			list, err := db.RegimeRequests(ctx, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		if len(year()) != 1 {
			t.Fatalf("before the reply: %+v, want the request counted as extraterritorial", year())
		}
		var reply dueprocess.NewReply
		reply.Note = "only the local account"
		reply.Targets = append(reply.Targets, struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}{string(r.Targets[0].Type), r.Targets[0].Value})
		if _, err := db.Reply(ctx, r.ID, &reply, dueprocess.System, pauseDecider); err != nil {
			t.Fatal(err)
		}
		if list := year(); len(list) != 0 {
			t.Errorf("after narrowing to the local user: %+v, want none", list)
		}
		got, err := db.Request(ctx, r.ID)
		if err != nil || len(got.Targets) != 1 || got.Targets[0].Country != "HK" {
			t.Errorf("targets after the reply: %+v, %v", got.Targets, err)
		}
	})
}

// TestEPOCPRHoldsFor60DaysAndItsExtensionAdds30: a European Preservation
// Order keeps the data 60 days and its one extension adds 30 (Article
// 11(1)), whatever the policy's terms for other preservation requests.
func TestEPOCPRHoldsFor60DaysAndItsExtensionAdds30(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return t0 }
		db.HoldTerms = func(string) dueprocess.HoldTerms { return dueprocess.HoldTerms{Days: 90, ExtensionDays: 90} }
		nl, official := fixture(t, db, "NL", "om.example")
		place := func(process dueprocess.LegalProcessType) *dueprocess.Request {
			r := sampleRequest(t)
			r.Kind, r.Jurisdiction, r.AgencyID, r.OfficialID = dueprocess.KindPreservation, "NL", nl.ID, official.ID
			r.Targets = r.Targets[:1]
			r.LegalProcess.Type = process
			if process == dueprocess.ProcessEPOCPR {
				r.LegalProcess.RegimeFields = dueprocess.RegimeFields{IssuingState: "NL", IssuingAuthorityType: dueprocess.AuthorityProsecutor}
			}
			intake(t, db, r)
			return r
		}
		expiry := func(r *dueprocess.Request) time.Time {
			t.Helper()
			hs, err := db.Holds(ctx, dueprocess.HoldFilter{RequestID: r.ID})
			if err != nil || len(hs) != 1 {
				t.Fatalf("holds of %s: %v, %v", r.ID, hs, err)
			}
			return hs[0].ExpiresAt
		}
		pr, domestic := place(dueprocess.ProcessEPOCPR), place(dueprocess.ProcessSubpoena)
		if got, want := expiry(pr), t0.AddDate(0, 0, 60); !got.Equal(want) {
			t.Errorf("EPOC-PR hold expires %s, want %s", got, want)
		}
		if got, want := expiry(domestic), t0.AddDate(0, 0, 90); !got.Equal(want) {
			t.Errorf("a subpoena's hold expires %s, want the policy's %s", got, want)
		}
		if _, err := db.ExtendHolds(ctx, pr.ID, pr.AgencyID, dueprocess.System); err != nil {
			t.Fatal(err)
		}
		if got, want := expiry(pr), t0.AddDate(0, 0, 90); !got.Equal(want) {
			t.Errorf("extended EPOC-PR hold expires %s, want %s (60 + 30 days)", got, want)
		}
	})
}
