package dueprocess

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Route is the channel a request came through: straight from the agency,
// or through a mutual legal assistance treaty (MLAT), where the requested
// state's own authorities have checked it first.
type Route string

const (
	RouteDirect Route = "direct"
	RouteMLAT   Route = "mlat"
)

// Routes lists every route.
var Routes = []Route{RouteDirect, RouteMLAT}

// Route returns the route r came through: MLAT when its legal process is
// an MLAT request, direct otherwise.
func (r *Request) Route() Route {
	if r.LegalProcess.Type == ProcessMLAT {
		return RouteMLAT
	}
	return RouteDirect
}

// PauseScope says which requests of a jurisdiction a pause holds. Empty
// Kinds or Routes mean all of them.
type PauseScope struct {
	Kinds           []RequestKind `json:"kinds"`
	Routes          []Route       `json:"routes"`
	ExceptEmergency bool          `json:"except_emergency"`
}

// Pause is a jurisdiction pause: while it is in force, requests from the
// jurisdiction in its scope are held (status paused) instead of reviewed.
// A pause on a country ("HK") covers its subdivisions too; a pause on a
// subdivision ("US-TX") covers only that subdivision.
type Pause struct {
	ID           string     `json:"id"`
	Jurisdiction string     `json:"jurisdiction"`
	Scope        PauseScope `json:"scope"`
	Reason       string     `json:"reason"`
	StartedAt    time.Time  `json:"started_at"`
	StartedBy    Actor      `json:"started_by"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	EndedBy      *Actor     `json:"ended_by,omitempty"`
	EndReason    string     `json:"end_reason,omitempty"`
}

// InForce reports whether p holds requests at time t.
func (p *Pause) InForce(t time.Time) bool {
	return !t.Before(p.StartedAt) && (p.EndedAt == nil || t.Before(*p.EndedAt))
}

// Covers reports whether r falls within p's jurisdiction and scope,
// whatever the time.
func (p *Pause) Covers(r *Request) bool {
	if r.Jurisdiction != p.Jurisdiction && !strings.HasPrefix(r.Jurisdiction, p.Jurisdiction+"-") {
		return false
	}
	return p.Scope.Covers(r)
}

// Covers reports whether r's kind and route fall within s.
func (s PauseScope) Covers(r *Request) bool {
	if s.ExceptEmergency && (r.Kind == KindEmergency || r.LegalProcess.Type == ProcessEmergency) {
		return false
	}
	if len(s.Kinds) > 0 && !slices.Contains(s.Kinds, r.Kind) {
		return false
	}
	if len(s.Routes) > 0 && !slices.Contains(s.Routes, r.Route()) {
		return false
	}
	return true
}

// Describe returns the scope in words, such as "user_data, preservation
// requests by the direct route, except emergencies".
func (s PauseScope) Describe() string {
	var b strings.Builder
	if len(s.Kinds) == 0 {
		b.WriteString("all requests")
	} else {
		for i, k := range s.Kinds {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(k))
		}
		b.WriteString(" requests")
	}
	if len(s.Routes) > 0 {
		b.WriteString(" by the ")
		for i, r := range s.Routes {
			if i > 0 {
				b.WriteString(" or ")
			}
			b.WriteString(string(r))
		}
		b.WriteString(" route")
	}
	if s.ExceptEmergency {
		b.WriteString(", except emergencies")
	}
	return b.String()
}

// NewPause is a pause as asked for, before it is checked: the API's body
// and the command line's flags, all plain text so that a wrong value is
// reported with its field's name.
type NewPause struct {
	Jurisdiction    string   `json:"-"`
	Reason          string   `json:"reason"`
	Kinds           []string `json:"kinds"`
	Routes          []string `json:"routes"`
	ExceptEmergency bool     `json:"except_emergency"`
}

// Check validates n and returns the pause it describes, not yet started.
func (n *NewPause) Check() (*Pause, error) {
	p := &Pause{}
	var err error
	if p.Jurisdiction, err = ParseJurisdiction(n.Jurisdiction); err != nil {
		return nil, &Error{Kind: Invalid, Field: "jurisdiction", Message: ErrorMessage(err)}
	}
	if p.Reason, err = CheckReason(n.Reason); err != nil {
		return nil, err
	}
	if p.Scope.Kinds, err = distinct("kinds", n.Kinds, RequestKinds); err != nil {
		return nil, err
	}
	if p.Scope.Routes, err = distinct("routes", n.Routes, Routes); err != nil {
		return nil, err
	}
	p.Scope.ExceptEmergency = n.ExceptEmergency
	if p.Scope.ExceptEmergency && len(p.Scope.Kinds) == 1 && p.Scope.Kinds[0] == KindEmergency {
		return nil, FieldError("except_emergency", "the pause covers only emergency requests and excepts them: it would hold nothing")
	}
	return p, nil
}

// distinct checks a list of names against allowed, refusing repeats.
func distinct[T ~string](field string, values []string, allowed []T) ([]T, error) {
	out := make([]T, 0, len(values))
	for i, v := range values {
		x, err := oneOf(fmt.Sprintf("%s[%d]", field, i), v, allowed)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, x) {
			return nil, FieldError(fmt.Sprintf("%s[%d]", field, i), "%q is listed twice", v)
		}
		out = append(out, x)
	}
	return out, nil
}

// CheckReason checks the reason given for resuming a pause (or any other
// recorded decision): required, and at most MaxTextLength.
func CheckReason(s string) (string, error) {
	return text("reason", s, MaxTextLength, true)
}
