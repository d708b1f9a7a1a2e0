package dueprocess

import (
	"strings"
	"testing"
)

func TestParseJurisdictionChecksSubdivisions(t *testing.T) {
	for _, s := range []string{"US-CA", "us-ny", "US-DC", "GB-ENG", "GB-SCT", "DE-BY", "CH-ZH", "FR-IDF", "AR-F", "CN-HK", "IN-DL", "AU-NSW", "HK"} {
		if _, err := ParseJurisdiction(s); err != nil {
			t.Errorf("ParseJurisdiction(%q): %v", s, err)
		}
	}
	for _, tt := range []struct{ code, says string }{
		{"US-ZZ", "not an ISO 3166-2 subdivision of United States"},
		{"US-CAL", "not an ISO 3166-2 subdivision of United States"},
		{"GB-CA", "of United Kingdom"},
		{"HK-01", "Hong Kong (HK) has none"},
		{"US-C@", "not an ISO 3166-2 subdivision code"},
	} {
		_, err := ParseJurisdiction(tt.code)
		if ErrorKind(err) != Invalid || !strings.Contains(ErrorMessage(err), tt.says) {
			t.Errorf("ParseJurisdiction(%q) = %v; want an invalid error saying %q", tt.code, err, tt.says)
		}
	}
}

// TestSubdivisionListFitsCountries checks the embedded ISO 3166-2 list
// against the country list: a subdivision of a country that Countries
// lacks means that one of the two is out of date.
func TestSubdivisionListFitsCountries(t *testing.T) {
	subs := subdivisions()
	if len(subs.codes) < 5000 {
		t.Errorf("the embedded list has %d subdivisions; ISO 3166-2 has over 5000", len(subs.codes))
	}
	for code := range subs.codes {
		if _, ok := Countries[Country(code)]; !ok {
			t.Errorf("subdivision %s is of a country missing from Countries", code)
		}
		if _, err := ParseJurisdiction(code); err != nil {
			t.Errorf("ParseJurisdiction(%q): %v", code, err)
		}
	}
}
