package dueprocess

import "slices"

// The member states of the EEA, for the DSA's statements of reasons
// (internal/export): the EU's (EUMembers, regime.go) and three more.

// EEAStates lists the member states of the European Economic Area: the EU's
// and Iceland, Liechtenstein and Norway.
var EEAStates = append(slices.Clip(EUMembers), "IS", "LI", "NO")

// InEEA reports whether a jurisdiction (a country or one of its
// subdivisions) is in the European Economic Area.
func InEEA(jurisdiction string) bool {
	return slices.Contains(EEAStates, Country(jurisdiction))
}
