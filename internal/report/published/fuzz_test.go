package published

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// slowParse is how long one fuzz input may take before it counts as a
// failure. Fuzz inputs are a few kilobytes at most, which every parser reads
// in well under a millisecond; a second means a loop that does not end or
// work that grows faster than the input.
const slowParse = 2 * time.Second

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
				checkParse(t, company, data, name)
			}
		}
	})
}

// FuzzGoogle, FuzzMeta and FuzzApple fuzz one company's importer each, so
// that the fuzzer's coverage guidance works on one parser at a time, with
// the file name as a second input: the name carries Meta's half-year and
// which demand a Google national-security file counts. They are seeded with
// the start of every file the company published, when the files are beside
// the repository (see sharedData).
func FuzzGoogle(f *testing.F) {
	fuzzCompany(f, Google, []string{"google-user-data-requests"}, "testdata/google-invented.csv")
}

func FuzzMeta(f *testing.F) {
	fuzzCompany(f, Meta, []string{"meta-government-requests"}, "testdata/meta-invented-2030_H1.csv")
}

func FuzzApple(f *testing.F) {
	fuzzCompany(f, Apple, []string{"apple-transparency"}, "testdata/apple-invented-device_requests.csv")
}

func fuzzCompany(f *testing.F, company string, folders []string, invented string) {
	b, err := os.ReadFile(invented)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, filepath.Base(invented))
	for _, folder := range folders {
		paths, _ := filepath.Glob(filepath.Join(sharedData, folder, "*.csv"))
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(head(b, 4096), filepath.Base(path))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		checkParse(t, company, data, name)
	})
}

// head returns about the first n bytes of a file, cut after a line ending so
// that the seed is still a well-formed file, only a shorter one.
func head(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	b = b[:n]
	if i := bytes.LastIndexAny(b, "\r\n"); i > 0 {
		b = b[:i+1]
	}
	return b
}

// checkParse parses data as one company's file and checks what must hold
// of any input: no panic, an answer in bounded time, figures or a
// *ParseError naming the file but not both, and figures that are well
// formed, each given once. Parsing the same bytes twice gives the same
// figures.
func checkParse(t *testing.T, company string, data []byte, name string) {
	t.Helper()
	start := time.Now()
	figs, err := Parse(company, bytes.NewReader(data), name)
	if d := time.Since(start); d > slowParse {
		t.Fatalf("%s: %d bytes took %v", company, len(data), d)
	}
	if err != nil {
		if figs != nil {
			t.Fatalf("%s: figures and an error: %v", company, err)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != name {
			t.Fatalf("%s: error %v is not a *ParseError about %q", company, err, name)
		}
		return
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
	again, err := Parse(company, bytes.NewReader(data), name)
	if err != nil || len(again) != len(figs) {
		t.Fatalf("%s: second parse gave %d figures and %v, first gave %d", company, len(again), err, len(figs))
	}
}
