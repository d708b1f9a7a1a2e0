package dueprocess

import (
	"testing"
	"time"
)

func TestPauseCovers(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	hk := Pause{Jurisdiction: "HK", StartedAt: day("2020-07-01"),
		Scope: PauseScope{Kinds: []RequestKind{KindUserData, KindPreservation, KindEmergency}}}
	us := Pause{Jurisdiction: "US", Scope: PauseScope{Routes: []Route{RouteDirect}, ExceptEmergency: true}}
	req := func(j string, k RequestKind, p LegalProcessType) *Request {
		return &Request{Jurisdiction: j, Kind: k, LegalProcess: LegalProcess{Type: p}}
	}
	tests := []struct {
		name  string
		pause Pause
		req   *Request
		want  bool
	}{
		{"data request", hk, req("HK", KindUserData, ProcessSubpoena), true},
		{"content restriction flows on", hk, req("HK", KindContentRestriction, ProcessCourtOrder), false},
		{"another jurisdiction", hk, req("MO", KindUserData, ProcessSubpoena), false},
		{"a country covers its subdivisions", us, req("US-CA", KindUserData, ProcessSubpoena), true},
		{"a prefix is not a subdivision", Pause{Jurisdiction: "US-C"}, req("US-CA", KindUserData, ProcessSubpoena), false},
		{"a subdivision does not cover its country", Pause{Jurisdiction: "US-CA"}, req("US", KindUserData, ProcessSubpoena), false},
		{"the MLAT route stays open", us, req("US", KindUserData, ProcessMLAT), false},
		{"emergency kind excepted", us, req("US", KindEmergency, ProcessEmergency), false},
		{"emergency process excepted", us, req("US", KindUserData, ProcessEmergency), false},
		{"all kinds by default", Pause{Jurisdiction: "HK"}, req("HK", KindContentRestriction, ProcessOther), true},
	}
	for _, tc := range tests {
		if got := tc.pause.Covers(tc.req); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}

	end := day("2021-01-01")
	hk.EndedAt = &end
	for _, tc := range []struct {
		at   string
		want bool
	}{{"2020-06-30", false}, {"2020-07-01", true}, {"2020-12-31", true}, {"2021-01-01", false}} {
		if got := hk.InForce(day(tc.at)); got != tc.want {
			t.Errorf("InForce(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestNewPauseCheck(t *testing.T) {
	tests := []struct {
		in    NewPause
		field string
	}{
		{NewPause{Jurisdiction: "hk", Reason: "NSL", Kinds: []string{"user_data"}, Routes: []string{"direct"}}, ""},
		{NewPause{Jurisdiction: "XX", Reason: "x"}, "jurisdiction"},
		{NewPause{Jurisdiction: "HK", Reason: "  "}, "reason"},
		{NewPause{Jurisdiction: "HK", Reason: "x", Kinds: []string{"user_data", "data"}}, "kinds[1]"},
		{NewPause{Jurisdiction: "HK", Reason: "x", Kinds: []string{"user_data", "user_data"}}, "kinds[1]"},
		{NewPause{Jurisdiction: "HK", Reason: "x", Routes: []string{"treaty"}}, "routes[0]"},
		{NewPause{Jurisdiction: "HK", Reason: "x", Kinds: []string{"emergency"}, ExceptEmergency: true}, "except_emergency"},
	}
	for _, tc := range tests {
		p, err := tc.in.Check()
		if got := ErrorField(err); got != tc.field || (err == nil) != (tc.field == "") {
			t.Errorf("%+v: error %v (field %q), want field %q", tc.in, err, got, tc.field)
		}
		if err == nil && (p.Jurisdiction != "HK" || p.Scope.Kinds[0] != KindUserData || p.Scope.Describe() != "user_data requests by the direct route") {
			t.Errorf("%+v: checked pause %+v (%s)", tc.in, p, p.Scope.Describe())
		}
	}
}

func TestOutcomeOrder(t *testing.T) {
	for i := 1; i < len(Outcomes); i++ {
		if Outcomes[i-1].Severity() <= Outcomes[i].Severity() {
			t.Errorf("%s is not more restrictive than %s", Outcomes[i-1], Outcomes[i])
		}
	}
	want := map[Outcome]Status{OutcomeRefuse: StatusRefused, OutcomePause: StatusPaused, OutcomeEscalate: StatusEscalated,
		OutcomeNarrow: StatusNarrowingRequested, OutcomeReview: StatusInReview}
	for o, s := range want {
		if o.Status() != s {
			t.Errorf("%s.Status() = %s, want %s", o, o.Status(), s)
		}
	}
	if Outcome("maybe").Severity() != 0 {
		t.Error("an unknown outcome has a severity")
	}
}
