package dueprocess

import "slices"

// The member states of the EU and the EEA, for the DSA's orders and
// statements of reasons (dsaorder.go, internal/export). Kept in a file of
// its own so that another regime's copy folds into this one.

// EUMemberStates lists the 27 member states of the European Union, by
// ISO 3166-1 code (Greece as GR, not the EU's own EL).
var EUMemberStates = []string{
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}

// EEAStates lists the member states of the European Economic Area: the EU's
// and Iceland, Liechtenstein and Norway.
var EEAStates = append(slices.Clip(EUMemberStates), "IS", "LI", "NO")

// InEEA reports whether a jurisdiction (a country or one of its
// subdivisions) is in the European Economic Area.
func InEEA(jurisdiction string) bool {
	return slices.Contains(EEAStates, Country(jurisdiction))
}
