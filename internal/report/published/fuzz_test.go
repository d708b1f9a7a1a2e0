package published

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to every company's parser under a few
// file names. Parse must not panic, must return figures or an error but not
// both, and every figure it returns must be well formed.
func FuzzParse(f *testing.F) {
	for _, path := range []string{
		"testdata/google-invented.csv",
		"testdata/meta-invented-2030_H1.csv",
		"testdata/apple-invented-device_requests.csv",
	} {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Reporting period ending date,Number of requests (range MIN),Number of requests (range MAX),Number of accounts (range MIN),Number of accounts (range MAX)\n2023-06-30,0,499,1000,1499\n"))
	f.Add([]byte("TR Period,TR Start Date,TR End Date,Country/Region,National Security Requests Type+,Requests Received,Users/Accounts\r\n2015 H2,7/1/15,12/31/15,United States of America,National Security,\"1,251 - 1,499\",\"1,000 - 1,249\"\r\n"))
	f.Add([]byte("\uFEFFCountry,Total Requests,Total Requests Accounts,Total Requests Percentage\r\"United States\",\"11,000 - 12,000\",\"20,000 - 21,000\",79%\r"))

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, company := range []string{Google, Meta, Apple} {
			for _, name := range []string{"fuzz-2020_H1.csv", "google-usnationalsecurity-nsl-requests.csv"} {
				figs, err := Parse(company, bytes.NewReader(data), name)
				if err != nil {
					if figs != nil {
						t.Fatalf("%s: figures and an error: %v", company, err)
					}
					var pe *ParseError
					if !asParseError(err, &pe) {
						t.Fatalf("%s: error %v is not a *ParseError", company, err)
					}
					continue
				}
				seen := make(map[figureKey]bool)
				for _, fig := range figs {
					if !validFigure(fig) || fig.Company != company {
						t.Fatalf("%s: invalid figure %+v", company, fig)
					}
					if seen[keyOf(fig)] {
						t.Fatalf("%s: figure twice %+v", company, keyOf(fig))
					}
					seen[keyOf(fig)] = true
				}
			}
		}
	})
}

func asParseError(err error, pe **ParseError) bool {
	p, ok := err.(*ParseError)
	*pe = p
	return ok
}
