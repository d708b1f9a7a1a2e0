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

// FuzzCheck: any domain, however malformed its punycode, is judged
// without a panic, and is never both listed and a look-alike.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"police.gov.hk", "xn--plice-7ve.gov.hk", "xn--", "po1ice.gov.hk", "..", "xn--zz.a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		got := Check(domain, []string{"police.gov.hk"})
		if got.Listed && got.Lookalike != "" {
			t.Errorf("Check(%q) = %+v: listed and a look-alike at once", domain, got)
		}
	})
}
