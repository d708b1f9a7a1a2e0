package store_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// verifyWorld is a reviewWorld (an agency in HK at police-hk.example with
// the callback number +852 2860 2000, one in US) with a clock, a clerk,
// and the HK official's API token.
type verifyWorld struct {
	*reviewWorld
	now   time.Time
	clerk dueprocess.Actor
	token string
	tokID string
}

func newVerifyWorld(t *testing.T, db *store.DB) *verifyWorld {
	w := &verifyWorld{now: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	w.reviewWorld = newReviewWorld(t, db)
	clerk := &dueprocess.Staff{Email: "clerk@example.com", Name: "Clerk", Roles: []dueprocess.Role{dueprocess.RoleIntake}}
	w.do(func(tx *store.Tx) error { return tx.CreateStaff(ctx, clerk, dueprocess.System) })
	w.clerk = dueprocess.Actor{Type: dueprocess.ActorStaff, ID: clerk.ID}
	ada := &dueprocess.Staff{Email: "ada@example.com", Name: "Ada", Roles: []dueprocess.Role{dueprocess.RoleAdmin}}
	w.do(func(tx *store.Tx) error { return tx.CreateStaff(ctx, ada, dueprocess.System) })
	w.do(func(tx *store.Tx) error {
		tok := &dueprocess.Token{OfficialID: w.agencies["HK"][1]}
		secret, err := auth.IssueToken(ctx, tx, tok, dueprocess.System)
		w.token, w.tokID = secret, tok.ID
		return err
	})
	return w
}

// api submits a request from the HK official through the API from addr.
func (w *verifyWorld) api(kind dueprocess.RequestKind, ref, addr string) *dueprocess.Request {
	w.t.Helper()
	s := w.submission("HK", w.reviewDecide)
	r := *s.Request
	r.Kind, r.LegalProcess.Reference = kind, ref
	if kind == dueprocess.KindEmergency {
		r.Emergency = &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath, Justification: "a threat to kill"}
	}
	s.Request = &r
	s.Origin = store.Origin{Channel: dueprocess.ChannelAPI, Address: addr, TokenID: w.tokID}
	done, err := w.db.Submit(ctx, s)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.request(done.Request)
}

// paper enters a demand that arrived by fax for the HK agency, from the
// sender e-mail address given, in jurisdiction.
func (w *verifyWorld) paper(email, phone, jurisdiction string) *dueprocess.Request {
	w.t.Helper()
	r := sampleRequest(w.t)
	r.Jurisdiction, r.AgencyID = jurisdiction, w.agencies["HK"][0]
	r.Kind, r.Emergency = dueprocess.KindEmergency, &dueprocess.EmergencyClaim{Harm: dueprocess.HarmDeath, Justification: "a hostage"}
	sender := &dueprocess.Sender{Name: "Inspector Chan", Email: email, Phone: phone, VerifiedHow: "none yet", EnteredBy: w.clerk.ID}
	done, err := w.db.Submit(ctx, store.Submission{Request: r, By: w.clerk, Decide: w.reviewDecide,
		Origin: store.Origin{Channel: dueprocess.ChannelFax, Sender: sender},
		Answer: func(r *dueprocess.Request) ([]byte, error) { return json.Marshal(r) }})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.request(done.Request)
}

func codes(r *dueprocess.Request) string {
	var c []string
	for _, s := range r.Signals {
		c = append(c, s.Code)
	}
	return strings.Join(c, ",")
}

// blocked checks that nothing of r can be released, for a reason that
// mentions why, and that the administrators hold an alert about it.
func (w *verifyWorld) blocked(r *dueprocess.Request, why string) {
	w.t.Helper()
	err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.CheckReleasable(ctx, r.ID) })
	if dueprocess.ErrorKind(err) != dueprocess.Conflict || !strings.Contains(dueprocess.ErrorMessage(err), why) {
		w.t.Errorf("CheckReleasable(%s) = %v; want a Conflict mentioning %q", r.ID, err, why)
	}
	alerts, err := w.db.Alerts(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, a := range alerts {
		if a.RequestID == r.ID || (a.Kind == dueprocess.AlertSuspension && a.AgencyID == r.AgencyID) {
			return
		}
	}
	w.t.Errorf("no alert about %s among %+v", r.ID, alerts)
}

func (w *verifyWorld) callback(id, dialled string, outcome dueprocess.CallbackOutcome) error {
	n := dueprocess.NewCallback{Dialled: dialled, Reached: "Duty Sergeant Wong", Outcome: string(outcome)}
	c, err := n.Check(w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.db.RecordCallback(ctx, id, c, w.clerk)
}

// TestSignalsAtIntake checks the signals computed as requests arrive,
// and that they are stored with the request.
func TestSignalsAtIntake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		first := w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		if got := codes(first); got != "first_request,new_account" {
			t.Errorf("first request: signals %q, want first_request,new_account", got)
		}
		w.now = w.now.Add(40 * 24 * time.Hour)
		second := w.api(dueprocess.KindEmergency, "A-2", "192.0.2.1")
		if got := codes(second); got != "first_emergency" {
			t.Errorf("first emergency of a known official: signals %q, want first_emergency", got)
		}
		var last *dueprocess.Request
		for i := range store.BurstCount - 1 {
			last = w.api(dueprocess.KindUserData, "B-"+string(rune('a'+i)), "192.0.2.1")
		}
		if !last.HasSignal(dueprocess.SignalBurst) || last.HasSignal(dueprocess.SignalFirstRequest) {
			t.Errorf("request %d within the hour: signals %q, want burst", store.BurstCount, codes(last))
		}
		if err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.CheckReleasable(ctx, last.ID) }); err != nil {
			t.Errorf("a burst alone blocks release: %v", err)
		}
	})
}

// TestCallbackMustDialTheRegistryNumber checks that only a call to the
// registry's number counts, in whatever spelling, and that a confirmed
// callback makes an emergency releasable.
func TestCallbackMustDialTheRegistryNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		w.now = w.now.Add(40 * 24 * time.Hour)
		w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		r := w.api(dueprocess.KindEmergency, "E-1", "192.0.2.1")
		w.blocked(r, "until a callback")
		err := w.callback(r.ID, "+852 5555 0100", dueprocess.CallbackConfirmed)
		if dueprocess.ErrorKind(err) != dueprocess.Conflict || !strings.Contains(dueprocess.ErrorMessage(err), "not the callback number") {
			t.Errorf("wrong number: %v, want a Conflict naming why", err)
		}
		if list, _ := db.Callbacks(ctx, r.ID); len(list) != 0 {
			t.Errorf("a refused callback was recorded: %+v", list)
		}
		if err := w.callback(r.ID, "(852) 2860-2000", dueprocess.CallbackConfirmed); err != nil {
			t.Fatal(err)
		}
		if err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.CheckReleasable(ctx, r.ID) }); err != nil {
			t.Errorf("after a confirmed callback: %v, want releasable", err)
		}
		if got := w.request(r); got.Status == dueprocess.StatusRefused {
			t.Errorf("a confirmed callback refused the request")
		}
	})
}

// TestDrillHijackedAccountCallbackFails: an emergency from a real
// official's hijacked account. The callback to the registry's number
// finds the official sent nothing: the request is refused as suspected
// forgery, the official is suspended at once and their token dies, the
// administrators are alerted, and the refusal is counted apart.
func TestDrillHijackedAccountCallbackFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		w.now = w.now.Add(40 * 24 * time.Hour)
		w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		r := w.api(dueprocess.KindEmergency, "E-1", "192.0.2.1")
		other := w.api(dueprocess.KindUserData, "A-2", "192.0.2.1")
		if err := w.callback(r.ID, "+852 2860 2000", dueprocess.CallbackFailed); err != nil {
			t.Fatal(err)
		}
		got := w.request(r)
		if got.Status != dueprocess.StatusRefused || got.Forged == nil || !strings.Contains(got.Flag, "suspected forgery") {
			t.Errorf("after a failed callback: status %s, forged %v, flag %q; want refused as suspected forgery", got.Status, got.Forged, got.Flag)
		}
		w.blocked(r, "suspected forgery")
		w.blocked(other, "is suspended")
		if _, err := db.PrincipalByTokenHash(ctx, auth.HashToken(w.token)); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("the suspended official's token still works: %v", err)
		}
		if err := w.callback(r.ID, "+852 2860 2000", dueprocess.CallbackConfirmed); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("a confirming callback after the failure: %v, want a Conflict", err)
		}
		forged, _ := db.ForgedCounts(ctx, "")
		recount, _ := db.RecountForged(ctx, "")
		want := []dueprocess.ForgedCount{{Period: "2026-H2", Jurisdiction: "HK", Kind: dueprocess.KindEmergency, Requests: 1}}
		if !reflect.DeepEqual(forged, want) || !reflect.DeepEqual(recount, want) {
			t.Errorf("forged counts %+v, recount %+v, want %+v", forged, recount, want)
		}
		w.checkCounts("after the forgery")
		// The administrator is told by e-mail, through the outbox, of the
		// forgery and of the suspension; never of the targets.
		mails, err := db.Outbox(ctx, store.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range mails {
			if m.Kind == dueprocess.MailAlert && m.To == "ada@example.com" && !strings.Contains(m.Body, "demosisto") {
				kinds = append(kinds, m.Subject)
			}
		}
		if len(kinds) != 2 {
			t.Errorf("alert mails to the administrator: %q, want the forgery and the suspension", kinds)
		}
	})
}

// TestDrillLookalikeDomain: a faxed emergency from an address at a domain
// made to look like the agency's.
func TestDrillLookalikeDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		r := w.paper("chan@po1ice-hk.example", "", "HK")
		if !r.HasSignal(dueprocess.SignalDomainLookalike) || r.Channel != dueprocess.ChannelFax || r.Sender == nil {
			t.Errorf("signals %q, channel %s, sender %+v; want domain_lookalike on a fax", codes(r), r.Channel, r.Sender)
		}
		w.blocked(r, "until a callback")
	})
}

// TestDrillOtherAgencysJurisdiction: a real official of the HK agency
// files (on paper; the API refuses it outright) in the US jurisdiction.
func TestDrillOtherAgencysJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		r := w.paper("officer@police-hk.example", "", "US")
		if !r.HasSignal(dueprocess.SignalOutsideJuris) || r.HasSignal(dueprocess.SignalDomainNotListed) || r.OfficialID != w.agencies["HK"][1] {
			t.Errorf("signals %q, official %s; want jurisdiction_outside_agency from the known official", codes(r), r.OfficialID)
		}
		w.blocked(r, "acts in HK")
	})
}

// TestDrillStolenTokenNewAddress: a token used from an address it was
// never used from.
func TestDrillStolenTokenNewAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		r := w.api(dueprocess.KindUserData, "A-2", "203.0.113.9")
		if !r.HasSignal(dueprocess.SignalTokenNewAddress) || !r.HasSignal(dueprocess.SignalAgencyNewAddress) {
			t.Errorf("signals %q, want token_new_address and agency_new_address", codes(r))
		}
		w.blocked(r, "203.0.113.9")
		if again := w.api(dueprocess.KindUserData, "A-3", "192.0.2.1"); again.HasSignal(dueprocess.SignalTokenNewAddress) {
			t.Errorf("a known address is new: %q", codes(again))
		}
	})
}

// TestDrillCallbackNumberInRequest: the demand gives its own number to
// call back; a callback to it does not count, and nothing is recorded.
func TestDrillCallbackNumberInRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		r := w.paper("officer@police-hk.example", "+1 202 555 0100", "HK")
		err := w.callback(r.ID, r.Sender.Phone, dueprocess.CallbackConfirmed)
		if dueprocess.ErrorKind(err) != dueprocess.Conflict || !strings.Contains(dueprocess.ErrorMessage(err), "never one a request gives") {
			t.Errorf("callback to the request's number: %v, want a Conflict", err)
		}
		w.blocked(r, "until a callback")
	})
}

// TestDrillReplayedRequest: the same demand sent again without an
// Idempotency-Key is flagged as a duplicate and cannot be released.
func TestDrillReplayedRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		first := w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		again := w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		if first.HasSignal(dueprocess.SignalDuplicate) || !again.HasSignal(dueprocess.SignalDuplicate) {
			t.Errorf("signals %q then %q, want duplicate on the second only", codes(first), codes(again))
		}
		w.blocked(again, "replay")
	})
}

// TestDrillSuspendedAgencyToken: an official of a suspended agency who
// still holds a token is refused at once; the agency's open requests are
// flagged and blocked; reinstatement is audited and does not revive the
// token.
func TestDrillSuspendedAgencyToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		w.now = w.now.Add(40 * 24 * time.Hour)
		r := w.api(dueprocess.KindUserData, "A-1", "192.0.2.1")
		hk := w.agencies["HK"][0]
		if err := db.SuspendAgency(ctx, hk, "a hijacked mail server", w.admin); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PrincipalByTokenHash(ctx, auth.HashToken(w.token)); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("a suspended agency's token still works: %v", err)
		}
		if got := w.request(r); !strings.Contains(got.Flag, "suspended") {
			t.Errorf("flag %q, want the suspension", got.Flag)
		}
		w.blocked(r, "is suspended")
		if err := db.SuspendAgency(ctx, hk, "again", w.admin); dueprocess.ErrorKind(err) != dueprocess.Conflict {
			t.Errorf("suspending twice: %v, want a Conflict", err)
		}
		if err := db.ReinstateAgency(ctx, hk, "mail server rebuilt", w.admin); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PrincipalByTokenHash(ctx, auth.HashToken(w.token)); !errors.Is(err, dueprocess.ErrNotFound) {
			t.Errorf("reinstatement revived a revoked token: %v", err)
		}
		if got := w.request(r); got.Flag != "" {
			t.Errorf("flag %q after reinstatement, want none", got.Flag)
		}
		if err := w.db.Transact(ctx, func(tx *store.Tx) error { return tx.CheckReleasable(ctx, r.ID) }); err != nil {
			t.Errorf("after reinstatement: %v, want releasable", err)
		}
		var actions []string
		src := db.AuditLog()
		n, _ := src.Size(ctx)
		src.Entries(ctx, 0, n, func(_ int64, data []byte) error {
			if e, err := audit.Decode(data); err == nil && e.Object == "agency:"+hk {
				actions = append(actions, e.Action)
			}
			return nil
		})
		if want := "agency.created,agency.suspended,agency.reinstated"; strings.Join(actions, ",") != want {
			t.Errorf("agency entries %v, want %s", actions, want)
		}
	})
}

// TestFailedCallbacksAtOnce: twenty staff record a failed callback on the
// same request at once. One refuses it as forgery; the others are refused
// as a Conflict (it is refused already), so it is counted once and its
// official suspended once.
func TestFailedCallbacksAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		w.now = w.now.Add(40 * 24 * time.Hour)
		r := w.api(dueprocess.KindEmergency, "E-1", "192.0.2.1")
		const n = 20
		errs := make(chan error, n)
		for range n {
			go func() { errs <- w.callback(r.ID, "+852 2860 2000", dueprocess.CallbackFailed) }()
		}
		ok := 0
		for range n {
			switch err := <-errs; {
			case err == nil:
				ok++
			case dueprocess.ErrorKind(err) != dueprocess.Conflict:
				t.Errorf("a concurrent callback: %v, want nil or a Conflict", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d failed callbacks recorded, want 1", ok)
		}
		forged, _ := db.ForgedCounts(ctx, "")
		if len(forged) != 1 || forged[0].Requests != 1 {
			t.Errorf("forged counts %+v, want one request", forged)
		}
		var suspensions int
		src := db.AuditLog()
		size, _ := src.Size(ctx)
		src.Entries(ctx, 0, size, func(_ int64, data []byte) error {
			if e, err := audit.Decode(data); err == nil && e.Action == dueprocess.ActionOfficialSuspended {
				suspensions++
			}
			return nil
		})
		if suspensions != 1 {
			t.Errorf("%d suspensions in the log, want 1", suspensions)
		}
		w.checkCounts("after concurrent callbacks")
	})
}

// TestPaperIntakeNamesTheOfficial: a paper demand naming an official's
// address finds them in the agency; a new address adds an official with
// no portal account (audited as from paper intake); an address of another
// agency's official is a Conflict and nothing is stored.
func TestPaperIntakeNamesTheOfficial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newVerifyWorld(t, db)
		known := w.paper("OFFICER@police-hk.example", "", "HK")
		if known.OfficialID != w.agencies["HK"][1] {
			t.Errorf("the known official's address gave official %s, want %s", known.OfficialID, w.agencies["HK"][1])
		}
		added := w.paper("lam@police-hk.example", "", "HK")
		o, err := db.Official(ctx, added.OfficialID)
		if err != nil || o.Email != "lam@police-hk.example" || o.AgencyID != w.agencies["HK"][0] {
			t.Errorf("new official %+v, %v; want lam@police-hk.example of the HK agency", o, err)
		}
		r := sampleRequest(t)
		r.AgencyID = w.agencies["HK"][0]
		sender := &dueprocess.Sender{Name: "US officer", Email: "officer@police-us.example", VerifiedHow: "none", EnteredBy: w.clerk.ID}
		_, err = db.Submit(ctx, store.Submission{Request: r, By: w.clerk, Decide: w.reviewDecide,
			Origin: store.Origin{Channel: dueprocess.ChannelPost, Sender: sender},
			Answer: func(r *dueprocess.Request) ([]byte, error) { return nil, nil }})
		if dueprocess.ErrorKind(err) != dueprocess.Conflict || dueprocess.ErrorField(err) != "sender.email" {
			t.Errorf("another agency's official named: %v, want a Conflict on sender.email", err)
		}
		if list, _ := db.Requests(ctx, dueprocess.RequestFilter{}); len(list) != 2 {
			t.Errorf("%d requests stored, want 2", len(list))
		}
	})
}
