package lookalike

import "testing"

func TestCheck(t *testing.T) {
	listed := []string{"police.gov.hk", "fbi.gov"}
	for _, c := range []struct {
		domain    string
		listed    bool
		lookalike string
	}{
		{"police.gov.hk", true, ""},
		{"mail.police.gov.hk", true, ""},
		{"po1ice.gov.hk", false, "police.gov.hk"},
		{"xn--plice-7ve.gov.hk", false, "police.gov.hk"}, // "pοlice" with a Greek omicron
		{"polices.gov.hk", false, "police.gov.hk"},
		{"police.gov.hk.example.net", false, "police.gov.hk"},
		{"x.p0lice.gov.hk", false, "police.gov.hk"},
		{"fbl.gov", false, "fbi.gov"},
		{"gmail.com", false, ""},
		{"justice.gov.uk", false, ""},
	} {
		got := Check(c.domain, listed)
		if got.Listed != c.listed || got.Lookalike != c.lookalike {
			t.Errorf("Check(%q) = %+v, want listed %v, look-alike %q", c.domain, got, c.listed, c.lookalike)
		}
	}
}
