package policy

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// deadline is one rule of the policy's deadlines section: the requests it
// matches (by kind, jurisdiction and legal process type; an empty list
// matches any) are due within its time of their receipt, unless they
// state a deadline of their own.
type deadline struct {
	id            string
	kinds         []dueprocess.RequestKind
	jurisdictions []string // a country's code matches its subdivisions too
	processes     []dueprocess.LegalProcessType
	within        time.Duration
}

// builtinDeadlines apply to a policy with no deadlines section, and after
// the last rule of one that matches nothing.
var builtinDeadlines = []deadline{
	{id: "builtin.emergency", kinds: []dueprocess.RequestKind{dueprocess.KindEmergency}, within: 24 * time.Hour},
	{id: "builtin.default", within: dueprocess.DefaultDueWithin},
}

// Due returns how long after its receipt request r is due, and the id of
// the deadline rule that says so: the first rule of the policy's deadlines
// section that matches r. It does not look at r's own deadline; see
// dueprocess.Request.Due.
func (p *Policy) Due(r *dueprocess.Request) (time.Duration, string) {
	for _, rules := range [][]deadline{p.deadlines, builtinDeadlines} {
		for i := range rules {
			if rules[i].matches(r) {
				return rules[i].within, rules[i].id
			}
		}
	}
	return dueprocess.DefaultDueWithin, "builtin.default"
}

func (dl *deadline) matches(r *dueprocess.Request) bool {
	if len(dl.kinds) > 0 && !slices.Contains(dl.kinds, r.Kind) {
		return false
	}
	if len(dl.processes) > 0 && !slices.Contains(dl.processes, r.LegalProcess.Type) {
		return false
	}
	if len(dl.jurisdictions) > 0 && !slices.ContainsFunc(dl.jurisdictions, func(code string) bool {
		return r.Jurisdiction == code || strings.HasPrefix(r.Jurisdiction, code+"-")
	}) {
		return false
	}
	return true
}

// deadlines reads the deadlines section: a list of rules, first match wins.
func (d *decoder) deadlines(n *yaml.Node, path string, p *Policy) error {
	ids := map[string]bool{}
	return d.seq(n, path, func(i int, v *yaml.Node, path string) error {
		var dl deadline
		err := d.fields(v, path, []string{"id", "kind", "jurisdiction", "legal_process", "within"}, func(key string, v *yaml.Node, path string) (err error) {
			switch key {
			case "id":
				dl.id, err = d.text(v, path)
			case "kind":
				dl.kinds, err = enums(d, v, path, "kind", dueprocess.RequestKinds)
			case "legal_process":
				dl.processes, err = enums(d, v, path, "legal process", dueprocess.LegalProcessTypes)
			case "jurisdiction":
				err = d.seq(v, path, func(_ int, v *yaml.Node, path string) error {
					code, err := dueprocess.ParseJurisdiction(v.Value)
					if err != nil || code != v.Value {
						return d.errorf(v, path, "%q is not an ISO 3166 code in capitals, such as DE or US-CA", v.Value)
					}
					dl.jurisdictions = append(dl.jurisdictions, code)
					return nil
				})
			case "within":
				dl.within, err = d.period(v, path)
			}
			return err
		})
		if err != nil {
			return err
		}
		if dl.id == "" || dl.within == 0 {
			return d.errorf(v, path, "a deadline needs an id and within (such as 30d or 8h)")
		}
		if ids[dl.id] {
			return d.errorf(v, path+".id", "%q is used twice", dl.id)
		}
		ids[dl.id] = true
		p.deadlines = append(p.deadlines, dl)
		return nil
	})
}

// period reads a time such as "8h" or "10d": whole hours or days, up to
// two years.
func (d *decoder) period(n *yaml.Node, path string) (time.Duration, error) {
	s, err := d.str(n, path)
	if err != nil {
		return 0, err
	}
	unit := time.Hour
	num, ok := strings.CutSuffix(s, "h")
	if !ok {
		num, ok = strings.CutSuffix(s, "d")
		unit = 24 * time.Hour
	}
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v < 1 || time.Duration(v)*unit > 2*366*24*time.Hour {
		return 0, d.errorf(n, path, "want whole hours or days, such as 8h or 10d (at most two years), not %q", s)
	}
	return time.Duration(v) * unit, nil
}
