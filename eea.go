package dueprocess

import "slices"

// EEAStates lists the member states of the European Economic Area: the 27
// of the EU and Iceland, Liechtenstein and Norway, by ISO 3166-1 code. The
// EU Transparency Database takes a statement's territorial scope as a
// list of these.
var EEAStates = []string{
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
}

// EUMemberStates lists the 27 member states of the European Union.
var EUMemberStates = EEAStates[:27]

// InEEA reports whether country (ISO 3166-1, or a subdivision of it) is in
// the European Economic Area.
func InEEA(country string) bool {
	if len(country) > 2 {
		country = country[:2]
	}
	return slices.Contains(EEAStates, country)
}
