package policy

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// regimes are the rules of the legal regimes that are not a step of the
// ladder: who may issue an e-Evidence order for each of the Regulation's
// categories, whose home country a UK–US Data Access Agreement order may
// never reach, and what a demand about a user living outside the
// requesting country gets (see docs/regimes.md).
type regimes struct {
	// eevidence maps epoc and epoc_pr to, for each of the Regulation's
	// categories, the authorities whose issuing or validating makes an
	// order for it good (Articles 4 and 5).
	eevidence map[dueprocess.LegalProcessType]map[dueprocess.EUCategory][]dueprocess.AuthorityType
	// daaRefused are home countries a UK DAA order may not reach.
	daaRefused []string
	// extraterritorial is the outcome of a demand about a user living
	// outside the requesting country; "" for none.
	extraterritorial dueprocess.Outcome
}

// eevidenceDefault is what Regulation (EU) 2023/1543 itself says, and what
// a policy file without a regimes section gets: Article 4(1) (subscriber
// and identification data: also a prosecutor), 4(2) (traffic and content
// data: only a judge, a court or an investigating judge) and Article 5
// (preservation of any category: also a prosecutor).
func eevidenceDefault() map[dueprocess.LegalProcessType]map[dueprocess.EUCategory][]dueprocess.AuthorityType {
	judicial := []dueprocess.AuthorityType{dueprocess.AuthorityJudge, dueprocess.AuthorityCourt, dueprocess.AuthorityInvestigatingJudge}
	all := dueprocess.ValidatorTypes
	return map[dueprocess.LegalProcessType]map[dueprocess.EUCategory][]dueprocess.AuthorityType{
		dueprocess.ProcessEPOC: {dueprocess.EUSubscriber: all, dueprocess.EUIdentification: all,
			dueprocess.EUTraffic: judicial, dueprocess.EUContent: judicial},
		dueprocess.ProcessEPOCPR: {dueprocess.EUSubscriber: all, dueprocess.EUIdentification: all,
			dueprocess.EUTraffic: all, dueprocess.EUContent: all},
	}
}

func defaultRegimes() regimes {
	return regimes{eevidence: eevidenceDefault(), daaRefused: []string{"US"}, extraterritorial: dueprocess.OutcomeEscalate}
}

// regimes reads the file's regimes section: each key given replaces the
// default's.
func (d *decoder) regimes(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"epoc", "epoc_pr", "uk_daa_order", "extraterritorial"}, func(key string, v *yaml.Node, path string) (err error) {
		switch key {
		case "epoc", "epoc_pr":
			t := dueprocess.LegalProcessType(key)
			byCat := map[dueprocess.EUCategory][]dueprocess.AuthorityType{}
			err = d.fields(v, path, nil, func(_ string, v *yaml.Node, path string) error {
				c, err := enum(d, d.key, path, "e-Evidence data category", dueprocess.EUCategories)
				if err != nil {
					return err
				}
				byCat[c], err = enums(d, v, path, "authority", dueprocess.ValidatorTypes)
				return err
			})
			for _, c := range dueprocess.EUCategories {
				if _, ok := byCat[c]; !ok && err == nil {
					err = d.errorf(v, path, "has no entry for %s; every category of the Regulation needs one (an empty list refuses it)", c)
				}
			}
			p.regimes.eevidence[t] = byCat
		case "uk_daa_order":
			err = d.fields(v, path, []string{"refuse_home_countries"}, func(_ string, v *yaml.Node, path string) error {
				p.regimes.daaRefused = nil
				return d.seq(v, path, func(i int, v *yaml.Node, path string) error {
					s, err := d.str(v, path)
					if _, ok := dueprocess.Countries[s]; err == nil && !ok {
						err = d.errorf(v, path, "%q is not an ISO 3166-1 alpha-2 code in capitals, such as US", s)
					}
					p.regimes.daaRefused = append(p.regimes.daaRefused, s)
					return err
				})
			})
		case "extraterritorial":
			p.regimes.extraterritorial, err = enum(d, v, path, "outcome", dueprocess.Outcomes)
		}
		return err
	})
}

// eevidence decides each category of an e-Evidence order by who issued
// and validated it, in place of the ladder, and refuses the order if a
// category needs an authority that did neither. It explains how our
// categories map onto the Regulation's.
func (e *decision) eevidence(r *dueprocess.Request, p *Policy) {
	t, f := r.LegalProcess.Type, &r.LegalProcess.RegimeFields
	byCat := p.regimes.eevidence[t]
	// Article 4(5): in an emergency another authority may issue an order
	// that it could issue at home without prior validation; a judge, court,
	// investigating judge or prosecutor must validate it within 48 hours.
	pending := r.Kind == dueprocess.KindEmergency && f.IssuingAuthorityType == dueprocess.AuthorityOther && f.ValidatedBy == nil
	if pending {
		e.add(dueprocess.OutcomeReview, "regime."+string(t)+".emergency_validation", "An emergency order issued by another authority without prior validation "+
			"must be validated within 48 hours (Regulation (EU) 2023/1543, Article 4(5)); record the validation when it comes, and refuse the order if it does not.")
	}
	var mapped []string
	for _, c := range r.DataCategories {
		eu := dueprocess.EUCategoryOf(c, r.IdentificationOnly)
		mapped = append(mapped, fmt.Sprintf("%s as %s data", c, eu))
		need := byCat[eu]
		rule := "regime." + string(t) + "." + string(eu)
		if pending || slices.Contains(need, f.IssuingAuthorityType) || (f.ValidatedBy != nil && slices.Contains(need, f.ValidatedBy.Type)) {
			e.verdict(c, true, rule, "")
			continue
		}
		why := fmt.Sprintf("a %s for %s data must be issued or validated by %s; this one was issued by %s%s",
			orderName(t), eu, authorityList(need), aAuthority(f.IssuingAuthorityType), validatedBy(f.ValidatedBy))
		e.verdict(c, false, rule, why)
		e.add(dueprocess.OutcomeRefuse, rule, "Under Regulation (EU) 2023/1543, %s. The order is refused; it may be sent again once validated by %s.",
			why, authorityList(need))
	}
	e.add(dueprocess.OutcomeReview, "regime."+string(t)+".categories", "Regulation (EU) 2023/1543 (Article 3(9) to 3(12)) names the data asked for: %s.", strings.Join(mapped, "; "))
}

// daa refuses a UK–US Data Access Agreement order about a user whose
// home country the platform knows to be one the Agreement may not reach.
func (e *decision) daa(r *dueprocess.Request, p *Policy) {
	for i, tg := range r.Targets {
		if slices.Contains(p.regimes.daaRefused, tg.Country) {
			e.add(dueprocess.OutcomeRefuse, "regime.uk_daa_order.home_country", "The UK–US Data Access Agreement never reaches a US person or a person in the United States (Article 4(3) and 4(4)); "+
				"the platform knows the home country of targets[%d] to be %s. The order is refused; such data may be sought only through the MLAT process.", i, dueprocess.Countries[tg.Country])
			return
		}
	}
}

// extraterritorial applies the policy's outcome to a demand about a user
// whose platform-known home country is outside the requesting country.
func (e *decision) extraterritorial(r *dueprocess.Request, p *Policy) {
	i, ok := r.Extraterritorial()
	if !ok || p.regimes.extraterritorial == "" {
		return
	}
	country := dueprocess.Country(r.Jurisdiction)
	e.add(p.regimes.extraterritorial, "extraterritorial", "The platform knows the home country of targets[%d] to be %s, outside %s, the requesting country: "+
		"the demand reaches beyond %s's borders, and the human-rights officer must assess whether that country's law may reach this user.",
		i, dueprocess.Countries[r.Targets[i].Country], dueprocess.Countries[country], dueprocess.Countries[country])
}

func orderName(t dueprocess.LegalProcessType) string {
	if t == dueprocess.ProcessEPOCPR {
		return "European Preservation Order"
	}
	return "European Production Order"
}

func aAuthority(a dueprocess.AuthorityType) string {
	switch a {
	case dueprocess.AuthorityOther:
		return "another authority"
	case dueprocess.AuthorityInvestigatingJudge:
		return "an investigating judge"
	}
	return "a " + string(a)
}

func authorityList(as []dueprocess.AuthorityType) string {
	if len(as) == 0 {
		return "no authority (this policy refuses it)"
	}
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = aAuthority(a)
	}
	return orList(names)
}

func validatedBy(v *dueprocess.Validation) string {
	if v == nil {
		return " and validated by none"
	}
	return " and validated by " + aAuthority(v.Type) + " (" + v.Name + ")"
}
