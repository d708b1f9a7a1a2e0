package policy

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"

	"github.com/dueprocess/dueprocess"
)

// The variables a CEL rule sees, each a field of the request being
// evaluated. They are declared as qualified names ("request.kind") so
// that a rule reads naturally and the activation needs no map.
var celVars = []struct {
	name string
	typ  *cel.Type
	doc  string
}{
	{"request.kind", cel.StringType, "user_data, preservation, emergency or content_restriction"},
	{"request.jurisdiction", cel.StringType, `as submitted: "HK", "US-CA"`},
	{"request.country", cel.StringType, `the country part: "US" for "US-CA"`},
	{"request.route", cel.StringType, "direct or mlat"},
	{"request.process", cel.StringType, "the legal process type: subpoena, court_order, search_warrant, mlat, emergency, other"},
	{"request.offence", cel.StringType, `the offence category, normalised ("collusion_with_foreign_forces"); "" if none`},
	{"request.offence_description", cel.StringType, "the offence as described, in lower case"},
	{"request.categories", cel.ListType(cel.StringType), "the data categories asked for"},
	{"request.target_count", cel.IntType, "how many targets"},
	{"request.target_types", cel.ListType(cel.StringType), "the distinct target types: account_id, username, email, phone, url"},
	{"request.range_days", cel.IntType, "days in the date range, both ends counted; 0 without one"},
	{"request.harm", cel.StringType, `an emergency's claimed harm; "" if none`},
	{"request.has_justification", cel.BoolType, "an emergency's justification is given"},
	{"request.has_nondisclosure", cel.BoolType, "a court forbids telling the users"},
	{"request.deadline_days", cel.IntType, "days from arrival to the deadline; 0 without one"},
	{"request.channel", cel.StringType, "how it arrived: api, email, fax, post or in_person"},
	{"request.signals", cel.ListType(cel.StringType), "the codes of its signals (docs/verification.md)"},
	{"request.issuing_state", cel.StringType, `an EU order's issuing member state ("DE"); "" for other process`},
	{"request.issuing_authority", cel.StringType, `an e-Evidence order's issuing authority type: judge, court, investigating_judge, prosecutor or other; ""`},
	{"request.validated_by", cel.StringType, `the type of the authority that validated an e-Evidence order; "" if none`},
	{"request.identification_only", cel.BoolType, "ip_logs are asked for only to identify the user"},
	{"request.target_countries", cel.ListType(cel.StringType), "the distinct platform-known home countries of the targets"},
	{"request.extraterritorial", cel.BoolType, "some target's home country is outside the requesting country"},
}

func celEnv() (*cel.Env, error) {
	// The recursion limit bounds how deeply a condition nests, which is
	// what makes checking it slow (see maxCELDepth).
	opts := []cel.EnvOption{cel.ParserRecursionLimit(maxCELDepth), cel.ParserExpressionSizeLimit(maxWhen)}
	for _, v := range celVars {
		opts = append(opts, cel.Variable(v.name, v.typ))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: CEL environment: %w", err)
	}
	return env, nil
}

// activation presents one request to CEL without building a map: names
// are resolved on demand, and only the lists allocate.
type activation struct {
	r       *dueprocess.Request
	offence string
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (a *activation) ResolveName(name string) (any, bool) {
	r := a.r
	switch name {
	case "request.kind":
		return string(r.Kind), true
	case "request.jurisdiction":
		return r.Jurisdiction, true
	case "request.country":
		return dueprocess.Country(r.Jurisdiction), true
	case "request.route":
		return string(r.Route()), true
	case "request.process":
		return string(r.LegalProcess.Type), true
	case "request.offence":
		return a.offence, true
	case "request.offence_description":
		if r.Offence == nil {
			return "", true
		}
		return strings.ToLower(r.Offence.Description), true
	case "request.categories":
		out := make([]string, len(r.DataCategories))
		for i, c := range r.DataCategories {
			out[i] = string(c)
		}
		return out, true
	case "request.target_count":
		return int64(len(r.Targets)), true
	case "request.target_types":
		var out []string
		for _, t := range r.Targets {
			if !contains(out, string(t.Type)) {
				out = append(out, string(t.Type))
			}
		}
		if out == nil {
			out = []string{}
		}
		return out, true
	case "request.range_days":
		return int64(rangeDays(r)), true
	case "request.harm":
		if r.Emergency == nil {
			return "", true
		}
		return string(r.Emergency.Harm), true
	case "request.has_justification":
		return r.Emergency != nil && r.Emergency.Justification != "", true
	case "request.has_nondisclosure":
		return r.Nondisclosure != nil, true
	case "request.deadline_days":
		if r.Deadline.IsZero() || r.ReceivedAt.IsZero() {
			return int64(0), true
		}
		return int64(r.Deadline.Time.Sub(r.ReceivedAt.Truncate(24*time.Hour)).Hours() / 24), true
	case "request.channel":
		return string(cmp.Or(r.Channel, dueprocess.ChannelAPI)), true
	case "request.signals":
		out := make([]string, len(r.Signals))
		for i, s := range r.Signals {
			out[i] = s.Code
		}
		return out, true
	}
	return a.resolveRegime(name)
}

// resolveRegime resolves the variables of the legal regimes.
func (a *activation) resolveRegime(name string) (any, bool) {
	r, f := a.r, &a.r.LegalProcess.RegimeFields
	switch name {
	case "request.issuing_state":
		return f.IssuingState, true
	case "request.issuing_authority":
		return string(f.IssuingAuthorityType), true
	case "request.validated_by":
		if f.ValidatedBy == nil {
			return "", true
		}
		return string(f.ValidatedBy.Type), true
	case "request.identification_only":
		return r.IdentificationOnly, true
	case "request.target_countries":
		out := []string{}
		for _, t := range r.Targets {
			if t.Country != "" && !contains(out, t.Country) {
				out = append(out, t.Country)
			}
		}
		return out, true
	case "request.extraterritorial":
		_, ok := r.Extraterritorial()
		return ok, true
	}
	return nil, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rangeDays is the length of a request's date range in days, both ends
// counted, or 0 without one.
func rangeDays(r *dueprocess.Request) int {
	if r.DateRange == nil || r.DateRange.From.IsZero() || r.DateRange.To.IsZero() {
		return 0
	}
	return int(r.DateRange.To.Time.Sub(r.DateRange.From.Time).Hours()/24) + 1
}
