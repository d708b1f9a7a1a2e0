package policy

import (
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// holdPolicy is the file's holds section: how long preservation holds
// last, by default and per jurisdiction (a subdivision's entry, then its
// country's, then the default).
type holdPolicy struct {
	terms         dueprocess.HoldTerms
	jurisdictions map[string]dueprocess.HoldTerms
}

// maxHoldDays bounds a hold's term and its extension: ten years.
const maxHoldDays = 3650

// HoldTerms returns how long a jurisdiction's preservation holds last:
// the holds section's entry for the jurisdiction, else for its country,
// else the section's default, else 90 days with one extension of 90.
func (p *Policy) HoldTerms(jurisdiction string) dueprocess.HoldTerms {
	if t, ok := p.holds.jurisdictions[jurisdiction]; ok {
		return t
	}
	if t, ok := p.holds.jurisdictions[dueprocess.Country(jurisdiction)]; ok {
		return t
	}
	return p.holds.terms
}

func (d *decoder) holds(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"days", "extension_days", "jurisdictions"}, func(key string, v *yaml.Node, path string) (err error) {
		switch key {
		case "days":
			p.holds.terms.Days, err = d.days(v, path, 1)
		case "extension_days":
			p.holds.terms.ExtensionDays, err = d.days(v, path, 0)
		case "jurisdictions":
			err = d.fields(v, path, nil, func(code string, v *yaml.Node, path string) error {
				c, err := dueprocess.ParseJurisdiction(code)
				if err != nil || c != code {
					return d.errorf(d.key, path, "%q is not an ISO 3166 code in capitals, such as GB or US-CA", code)
				}
				return d.holdTerms(v, path, code, p)
			})
		}
		return err
	})
}

// holdTerms reads one jurisdiction's terms; a field left out is the
// section's default, read in full before the jurisdictions are used.
func (d *decoder) holdTerms(n *yaml.Node, path, code string, p *Policy) error {
	t := dueprocess.HoldTerms{Days: -1, ExtensionDays: -1}
	err := d.fields(n, path, []string{"days", "extension_days"}, func(key string, v *yaml.Node, path string) (err error) {
		if key == "days" {
			t.Days, err = d.days(v, path, 1)
		} else {
			t.ExtensionDays, err = d.days(v, path, 0)
		}
		return err
	})
	if p.holds.jurisdictions == nil {
		p.holds.jurisdictions = map[string]dueprocess.HoldTerms{}
	}
	p.holds.jurisdictions[code] = t
	return err
}

// fillHolds gives each jurisdiction's terms the default's fields it left
// out, once the whole section is read.
func (p *Policy) fillHolds() {
	for code, t := range p.holds.jurisdictions {
		if t.Days < 0 {
			t.Days = p.holds.terms.Days
		}
		if t.ExtensionDays < 0 {
			t.ExtensionDays = p.holds.terms.ExtensionDays
		}
		p.holds.jurisdictions[code] = t
	}
}

func (d *decoder) days(n *yaml.Node, path string, least int) (int, error) {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < least || v > maxHoldDays {
		return 0, d.errorf(n, path, "want a number of days from %d to %d, not %q", least, maxHoldDays, n.Value)
	}
	return v, nil
}
