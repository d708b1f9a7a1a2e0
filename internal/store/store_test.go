package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

var ctx = context.Background()

// fixture registers an agency with one official and returns them.
func fixture(t testing.TB, db *store.DB, jurisdiction, domain string) (*dueprocess.Agency, *dueprocess.Official) {
	t.Helper()
	a := &dueprocess.Agency{Name: "Police of " + jurisdiction, Jurisdiction: jurisdiction, Kind: dueprocess.AgencyPolice, Domains: []string{domain}, CallbackPhone: "+852 2860 2000"}
	o := &dueprocess.Official{Email: "officer@" + domain, Name: "An Officer"}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
			return err
		}
		o.AgencyID = a.ID
		return tx.CreateOfficial(ctx, o, dueprocess.System)
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return a, o
}

func sampleRequest(t *testing.T) *dueprocess.Request {
	t.Helper()
	var n dueprocess.NewRequest
	n.Kind = "user_data"
	n.Jurisdiction = "hk"
	n.LegalProcess = &dueprocess.NewLegalProcess{Type: "subpoena", Reference: "HKPF-2026-0113", IssuedBy: "Hong Kong Police Force", IssuedOn: "2026-03-01"}
	n.Offence = &struct {
		Category    string `json:"category"`
		Description string `json:"description"`
	}{"Subversion", "posts calling for a boycott"}
	n.Targets = append(n.Targets, dueprocess.NewTarget{Type: "username", Value: "demosisto"}, dueprocess.NewTarget{Type: "email", Value: "someone@example.org"})
	n.DataCategories = []string{"subscriber", "ip_logs"}
	n.DateRange = &struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{"2026-01-01", "2026-03-01"}
	n.Nondisclosure = &struct {
		Until string `json:"until"`
	}{"2026-12-31"}
	n.Deadline = "2026-04-01"
	r, err := n.Check()
	if err != nil {
		t.Fatalf("check sample: %v", err)
	}
	return r
}

func TestRequestRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		db.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC) }
		r := sampleRequest(t)
		r.AgencyID, r.OfficialID = a.ID, o.ID
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			return tx.CreateRequest(ctx, r, dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: o.ID})
		}); err != nil {
			t.Fatal(err)
		}
		if got, want := r.ID, "DP-2026-000001"; got != want {
			t.Errorf("id = %q, want %q", got, want)
		}
		got, err := db.Request(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Errorf("stored request differs:\n got %+v\nwant %+v", got, r)
		}
		if got.ReceivedAt.Nanosecond() != 123456000 {
			t.Errorf("received_at = %v, want microsecond precision", got.ReceivedAt)
		}
		events, err := db.Events(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].Type != dueprocess.EventReceived || events[0].Actor.ID != o.ID {
			t.Errorf("events = %+v, want one received event by the official", events)
		}
	})
}

func TestRequestIDsAreSequentialPerYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		var ids []string
		for _, year := range []int{2025, 2026, 2026, 2025} {
			r := sampleRequest(t)
			r.AgencyID, r.OfficialID = a.ID, o.ID
			r.ReceivedAt = time.Date(year, 5, 1, 0, 0, 0, 0, time.UTC)
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateRequest(ctx, r, dueprocess.System) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		want := []string{"DP-2025-000001", "DP-2026-000001", "DP-2026-000002", "DP-2025-000002"}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("ids = %v, want %v", ids, want)
		}
	})
}

func TestFailedTransactionLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		boom := errors.New("boom")
		r := sampleRequest(t)
		r.AgencyID, r.OfficialID = a.ID, o.ID
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if _, err := db.Request(ctx, r.ID); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("request after rollback: err = %v, want not found", err)
		}
		list, err := db.Requests(ctx, dueprocess.RequestFilter{})
		if err != nil || len(list) != 0 {
			t.Errorf("requests after rollback = %d (%v), want none", len(list), err)
		}
		// The number was not used up either: the next request takes it.
		r2 := sampleRequest(t)
		r2.AgencyID, r2.OfficialID = a.ID, o.ID
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateRequest(ctx, r2, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		if r2.ID != r.ID {
			t.Errorf("id after rollback = %s, want %s reused", r2.ID, r.ID)
		}
	})
}

func TestListRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, hkOff := fixture(t, db, "HK", "police.gov.hk")
		de, deOff := fixture(t, db, "DE", "polizei.de")
		for i := 0; i < 5; i++ {
			r := sampleRequest(t)
			r.AgencyID, r.OfficialID = hk.ID, hkOff.ID
			if i%2 == 1 {
				r.AgencyID, r.OfficialID, r.Jurisdiction = de.ID, deOff.ID, "DE"
				r.Kind = dueprocess.KindPreservation
			}
			if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateRequest(ctx, r, dueprocess.System) }); err != nil {
				t.Fatal(err)
			}
		}
		count := func(f dueprocess.RequestFilter) int {
			t.Helper()
			list, err := db.Requests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		tests := []struct {
			f    dueprocess.RequestFilter
			want int
		}{
			{dueprocess.RequestFilter{}, 5},
			{dueprocess.RequestFilter{Jurisdiction: "DE"}, 2},
			{dueprocess.RequestFilter{Kind: dueprocess.KindUserData}, 3},
			{dueprocess.RequestFilter{Status: dueprocess.StatusReceived}, 5},
			{dueprocess.RequestFilter{Status: dueprocess.StatusPaused}, 0},
			{dueprocess.RequestFilter{AgencyID: hk.ID}, 3},
			{dueprocess.RequestFilter{Limit: 2}, 2},
			{dueprocess.RequestFilter{After: "DP-2026-000003"}, 2},
		}
		for _, tt := range tests {
			if got := count(tt.f); got != tt.want {
				t.Errorf("Requests(%+v) = %d, want %d", tt.f, got, tt.want)
			}
		}
	})
}

func TestRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		got, err := db.Agency(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("agency = %+v, want %+v", got, a)
		}
		// An official's address must be at a verified domain.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.CreateOfficial(ctx, &dueprocess.Official{AgencyID: a.ID, Email: "impostor@gmail.com", Name: "X"}, dueprocess.System)
		})
		if dueprocess.ErrorField(err) != "email" {
			t.Errorf("official at a foreign domain: err = %v, want an email error", err)
		}
		// The same address twice is a conflict that names the field.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			return tx.CreateOfficial(ctx, &dueprocess.Official{AgencyID: a.ID, Email: o.Email, Name: "Twin"}, dueprocess.System)
		})
		if !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("duplicate official: err = %v, want conflict", err)
		}
		// Tokens are found by hash and stop working when revoked.
		hash := sha256.Sum256([]byte("secret"))
		tok := &dueprocess.Token{OfficialID: o.ID}
		s := &dueprocess.Staff{Email: "rev@example.com", Name: "Rev", Roles: []dueprocess.Role{dueprocess.RoleReviewer, dueprocess.RoleApprover}}
		staffHash := sha256.Sum256([]byte("staff-secret"))
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateToken(ctx, tok, hash[:], dueprocess.System); err != nil {
				return err
			}
			if err := tx.CreateStaff(ctx, s, dueprocess.System); err != nil {
				return err
			}
			return tx.CreateToken(ctx, &dueprocess.Token{StaffID: s.ID}, staffHash[:], dueprocess.System)
		}); err != nil {
			t.Fatal(err)
		}
		p, err := db.PrincipalByTokenHash(ctx, hash[:])
		if err != nil {
			t.Fatal(err)
		}
		if p.Official == nil || p.Official.ID != o.ID || p.Agency.ID != a.ID {
			t.Errorf("principal = %+v, want official %s of %s", p, o.ID, a.ID)
		}
		p, err = db.PrincipalByTokenHash(ctx, staffHash[:])
		if err != nil {
			t.Fatal(err)
		}
		if p.Staff == nil || !p.Staff.HasRole(dueprocess.RoleApprover) || p.Staff.HasRole(dueprocess.RoleAdmin) {
			t.Errorf("staff principal = %+v, want reviewer and approver", p.Staff)
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, tok.ID, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PrincipalByTokenHash(ctx, hash[:]); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("revoked token: err = %v, want not found", err)
		}
	})
}

func TestIdempotencyKeyConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		save := func() error {
			return db.Transact(ctx, func(tx *store.Tx) error {
				r := sampleRequest(t)
				r.AgencyID, r.OfficialID = a.ID, o.ID
				if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
					return err
				}
				return tx.SaveIdempotent(ctx, o.ID, "k1", &store.Idempotent{BodyHash: "h", RequestID: r.ID, Response: []byte(`{}`)})
			})
		}
		if err := save(); err != nil {
			t.Fatal(err)
		}
		if err := save(); !errors.Is(err, dueprocess.ErrConflict) {
			t.Errorf("second save: err = %v, want conflict", err)
		}
		got, err := db.IdempotentAnswer(ctx, o.ID, "k1")
		if err != nil || got.RequestID != "DP-2026-000001" {
			t.Errorf("answer = %+v, %v; want DP-2026-000001", got, err)
		}
		if _, err := db.IdempotentAnswer(ctx, o.ID, "k2"); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("unknown key: err = %v, want not found", err)
		}
	})
}

func TestSchemaCheck(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			db, err := store.Open(ctx, storetest.DSN(t, d))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if empty, err := db.IsEmpty(ctx); err != nil || !empty {
				t.Errorf("IsEmpty = %v, %v; want true", empty, err)
			}
			if err := db.CheckSchema(ctx); err == nil {
				t.Error("CheckSchema on an empty database passed; want an error saying to migrate")
			}
			n, err := db.Migrate(ctx)
			if err != nil || n == 0 {
				t.Fatalf("Migrate = %d, %v", n, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Errorf("CheckSchema after migrate: %v", err)
			}
			if n, err := db.Migrate(ctx); err != nil || n != 0 {
				t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

// TestGroupCommit submits many transactions at once, one of which fails,
// and checks that the others commit whole and the failed one leaves nothing.
func TestGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		db.Now = func() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }
		const n = 40
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				errs <- db.Transact(ctx, func(tx *store.Tx) error {
					r := sampleRequest(t)
					r.AgencyID, r.OfficialID = a.ID, o.ID
					if err := tx.CreateRequest(ctx, r, dueprocess.System); err != nil {
						return err
					}
					if i == 7 {
						return dueprocess.Errorf(dueprocess.Invalid, "refused on purpose")
					}
					return nil
				})
			}()
		}
		failed := 0
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				failed++
				if dueprocess.ErrorMessage(err) != "refused on purpose" {
					t.Errorf("unexpected error: %v", err)
				}
			}
		}
		list, err := db.Requests(ctx, dueprocess.RequestFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if failed != 1 || len(list) != n-1 {
			t.Fatalf("%d failed, %d stored; want 1 and %d", failed, len(list), n-1)
		}
		// Numbers have no gaps: the failed op's number was given back.
		for i, r := range list {
			if want := fmt.Sprintf("DP-2026-%06d", i+1); r.ID != want {
				t.Errorf("request %d has id %s, want %s", i, r.ID, want)
			}
			events, _ := db.Events(ctx, r.ID)
			if len(events) != 1 {
				t.Errorf("%s has %d events, want 1", r.ID, len(events))
			}
		}
	})
}

// TestOtherAgencyRequestIsNotFoundUnread: an agency asking for another
// agency's request gets the error a missing id gets, from the one query
// that reads the request's row, before any target or document is read.
// The tables of targets and documents are renamed away, so that reading
// either would fail: the own agency's read fails, which shows that the
// other two never reached them.
func TestOtherAgencyRequestIsNotFoundUnread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, o := fixture(t, db, "HK", "police.gov.hk")
		other, _ := fixture(t, db, "DE", "bka.bund.de")
		r := sampleRequest(t)
		r.AgencyID, r.OfficialID = a.ID, o.ID
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateRequest(ctx, r, dueprocess.System) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.AgencyRequest(ctx, a.ID, r.ID)
		if err != nil || len(got.Targets) != 2 {
			t.Fatalf("own agency's request: %v, %v; want it with its two targets", got, err)
		}
		for _, table := range []string{"request_targets", "documents"} {
			if _, err := db.SQL().Exec("ALTER TABLE " + table + " RENAME TO " + table + "_away"); err != nil {
				t.Fatal(err)
			}
		}
		_, errOther := db.AgencyRequest(ctx, other.ID, r.ID)
		_, errMissing := db.AgencyRequest(ctx, other.ID, "DP-2026-999999")
		if !errors.Is(errOther, dueprocess.ErrNotFound) || !errors.Is(errMissing, dueprocess.ErrNotFound) {
			t.Fatalf("another agency's request: %v; a missing one: %v; want both not found, with nothing else read", errOther, errMissing)
		}
		if got, want := dueprocess.ErrorMessage(errOther), dueprocess.ErrorMessage(errMissing); got != strings.Replace(want, "DP-2026-999999", r.ID, 1) {
			t.Errorf("another agency's request: %q; a missing one: %q; want the same words", got, want)
		}
		if _, err := db.AgencyRequest(ctx, a.ID, r.ID); err == nil || errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("own agency's request with its targets' table gone: %v, want a failed read", err)
		}
		if _, err := db.AgencyRequest(ctx, "", r.ID); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("no agency: %v, want not found", err)
		}
	})
}
