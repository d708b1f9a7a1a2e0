package published

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"github.com/dueprocess/dueprocess"
)

func TestLineEndings(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"lf", "a\nb\n", "a\nb\n"},
		{"crlf", "a\r\nb\r\n", "a\nb\n"},
		{"bare cr", "a\rb\r", "a\nb\n"},
		{"mixed", "a\r\r\nb\n\rc", "a\n\nb\n\nc"},
	} {
		// One byte at a time, so that a CR and its LF arrive in
		// different reads.
		for _, slow := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tc.in)
			if slow {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(&lineEndings{r: r})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("%s (one byte a read: %v): got %q, want %q", tc.name, slow, got, tc.want)
			}
		}
	}
}

func TestBOMAndBareCR(t *testing.T) {
	in := "\uFEFFCountry,Total Requests,Total Requests Accounts,Total Requests Percentage\rHong Kong,241,257,46%\rAlbania,1,1,0%\r"
	figs, err := Parse(Meta, strings.NewReader(in), "x-2019_H2.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Without the BOM dropped the first column would be "\uFEFFCountry";
	// without the CRs read as line ends there would be one row.
	if len(figs) != 2 || figs[0].Jurisdiction != "HK" || figs[1].Jurisdiction != "AL" {
		t.Fatalf("got %+v", figs)
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		band *Band
		none bool
		bad  bool
	}{
		{in: "0", n: 0},
		{in: "12", n: 12},
		{in: "73,956", n: 73956},
		{in: "1,234,567", n: 1234567},
		{in: " 7 ", n: 7},
		{in: "", none: true},
		{in: "-", none: true},
		{in: " -", none: true},
		{in: "0 - 249", band: &Band{Min: 0, Max: 249}},
		{in: "1,251 - 1,499", band: &Band{Min: 1251, Max: 1499}},
		{in: "11,000 - 12,000", band: &Band{Min: 11000, Max: 12000}},
		{in: "0-499", band: &Band{Min: 0, Max: 499}},
		{in: "499 - 0", bad: true},
		{in: "1,5", bad: true},
		{in: "1234,567", bad: true},
		{in: ",123", bad: true},
		{in: "12%", bad: true},
		{in: "-5", bad: true},
		{in: "3.0", bad: true},
		{in: "n/a", bad: true},
		{in: "99999999999999999999", bad: true},
	} {
		n, b, err := parseCount(tc.in)
		switch {
		case tc.bad:
			if err == nil {
				t.Errorf("parseCount(%q): got %v %v, want an error", tc.in, n, b)
			}
		case err != nil:
			t.Errorf("parseCount(%q): %v", tc.in, err)
		case tc.none:
			if n != nil || b != nil {
				t.Errorf("parseCount(%q): got %v %v, want nothing", tc.in, n, b)
			}
		case tc.band != nil:
			if n != nil || b == nil || *b != *tc.band {
				t.Errorf("parseCount(%q): got %v %v, want band %v", tc.in, n, b, *tc.band)
			}
		default:
			if n == nil || *n != tc.n || b != nil {
				t.Errorf("parseCount(%q): got %v %v, want %d", tc.in, n, b, tc.n)
			}
		}
	}
}

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		none bool
		bad  bool
	}{
		{in: "88%", want: 88},
		{in: "81", want: 81},
		{in: "0%", want: 0},
		{in: "100%", want: 100},
		{in: "74.4%", want: 74.4},
		{in: " 5 % ", want: 5},
		{in: "", none: true},
		{in: " -", none: true},
		{in: "-", none: true},
		{in: "101%", bad: true},
		{in: "-3%", bad: true},
		{in: "NaN", bad: true},
		{in: "1e2", bad: true},
		{in: "%", bad: true},
		{in: ".5", bad: true},
		{in: "half", bad: true},
	} {
		p, err := parsePercent(tc.in)
		switch {
		case tc.bad:
			if err == nil {
				t.Errorf("parsePercent(%q): got %v, want an error", tc.in, *p)
			}
		case err != nil:
			t.Errorf("parsePercent(%q): %v", tc.in, err)
		case tc.none:
			if p != nil {
				t.Errorf("parsePercent(%q): got %v, want nothing", tc.in, *p)
			}
		case p == nil || *p != tc.want:
			t.Errorf("parsePercent(%q): got %v, want %v", tc.in, p, tc.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	for in, want := range map[string]string{"2023-06-30": "2023-H1", "2016-12-31": "2016-H2"} {
		if got, err := isoPeriod(in); err != nil || got != want {
			t.Errorf("isoPeriod(%q): got %q, %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"2023-03-31", "30/06/2023", "2023-06-31"} {
		if _, err := isoPeriod(in); err == nil {
			t.Errorf("isoPeriod(%q): want an error", in)
		}
	}
	for in, want := range map[string]string{"2016 H2": "2016-H2", "2013 H1": "2013-H1"} {
		if got, err := labelPeriod(in); err != nil || got != want {
			t.Errorf("labelPeriod(%q): got %q, %v, want %q", in, got, err, want)
		}
	}
	if d, err := usDate("7/1/16"); err != nil || d.Format("2006-01-02") != "2016-07-01" {
		t.Errorf(`usDate("7/1/16"): got %v, %v`, d, err)
	}
	for in, want := range map[string]string{
		"PRPL-Facebook-Government-Report-2019_H2.csv": "2019-H2",
		"/data/meta/2013 H1.csv":                      "2013-H1",
		`C:\meta\report-2020-h1.csv`:                  "2020-H1",
	} {
		if got, ok := nameLabel(in); !ok || got != want {
			t.Errorf("nameLabel(%q): got %q, %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"report.csv", "2020_H2/report.csv", "x12019_H2.csv"} {
		if got, ok := nameLabel(in); ok {
			t.Errorf("nameLabel(%q): got %q, want none", in, got)
		}
	}
}

func TestJurisdictionOf(t *testing.T) {
	for name, want := range map[string]string{
		"United States":            "US",
		"United States of America": "US",
		"China mainland":           "CN",
		"Hong Kong":                "HK",
		"Hong Kong SAR China":      "HK",
		"Korea, Republic of":       "KR",
		"South Korea":              "KR",
		"Czech Republic":           "CZ",
		"Czechia":                  "CZ",
		"Turkey":                   "TR",
		"Türkiye":                  "TR",
		"Russian Federation":       "RU",
		"Macedonia":                "MK",
		"Macau":                    "MO",
		"Aland Islands":            "AX",
		"Reunion":                  "RE",
		"Curacao":                  "CW",
		"Sao Tome and Principe":    "ST",
		"Ivory Coast":              "CI",
		"Côte d'Ivoire":            "CI",
		"St. Lucia":                "LC",
		"Bosnia & Herzegovina":     "BA",
		"Trinidad & Tobago":        "TT",
		"  united   KINGDOM ":      "GB",
		"Kosovo":                   "XK",
		"Somaliland":               "XS",
		"Netherlands Antilles":     "AN",
		"United Nations":           "UN",
		"N/A":                      "ZZ",
	} {
		code, agg, ok := jurisdictionOf(name)
		if !ok || agg || code != want {
			t.Errorf("jurisdictionOf(%q): got %q, aggregate %v, known %v; want %q", name, code, agg, ok, want)
		}
	}
	if _, agg, ok := jurisdictionOf("Global"); !ok || !agg {
		t.Errorf(`jurisdictionOf("Global"): want an aggregate`)
	}
	if _, _, ok := jurisdictionOf("Narnia"); ok {
		t.Errorf(`jurisdictionOf("Narnia"): want unknown`)
	}
	// Every alias must lead to a code a Figure may carry.
	for name, code := range aliases {
		if !knownCode(code) {
			t.Errorf("alias %q maps to %q, which is neither in dueprocess.Countries nor in OtherJurisdictions", name, code)
		}
	}
	for code := range OtherJurisdictions {
		if _, clash := dueprocess.Countries[code]; clash {
			t.Errorf("OtherJurisdictions has %q, which is an ISO country", code)
		}
	}
}

// TestTestdata parses the small invented files in testdata, which carry the
// quirks of each company's files, so that the layouts are tested even where
// the companies' own files are absent.
func TestTestdata(t *testing.T) {
	for _, tc := range []struct {
		company, file string
		want          string
	}{
		{Google, "testdata/google-invented.csv", `[
{"company":"google","period":"2030-H1","jurisdiction":"HK","legal_process":"other_legal","requests":12,"accounts":20,"percent_some_data":50},
{"company":"google","period":"2030-H1","jurisdiction":"US","legal_process":"subpoena","requests":1234,"accounts":2000,"percent_some_data":80},
{"company":"google","period":"2030-H1","jurisdiction":"US","legal_process":"preservation","requests":7,"accounts":9,"percent_some_data":null},
{"company":"google","period":"2030-H1","jurisdiction":"UN","legal_process":"other_legal","requests":1,"accounts":1,"percent_some_data":0}]`},
		{Meta, "testdata/meta-invented-2030_H1.csv", `[
{"company":"meta","period":"2030-H1","jurisdiction":"HK","legal_process":"preservation","requests":3,"accounts":4,"percent_some_data":null},
{"company":"meta","period":"2030-H1","jurisdiction":"HK","legal_process":"total","requests":10,"accounts":12,"percent_some_data":50},
{"company":"meta","period":"2030-H1","jurisdiction":"US","legal_process":"preservation","requests":1000,"accounts":1500,"percent_some_data":null},
{"company":"meta","period":"2030-H1","jurisdiction":"US","legal_process":"total","requests":2000,"accounts":3000,"percent_some_data":90},
{"company":"meta","period":"2030-H1","jurisdiction":"US","legal_process":"search_warrant","requests":1100,"accounts":1900,"percent_some_data":88},
{"company":"meta","period":"2030-H1","jurisdiction":"XK","legal_process":"preservation","requests":0,"accounts":0,"percent_some_data":null},
{"company":"meta","period":"2030-H1","jurisdiction":"XK","legal_process":"total","requests":1,"accounts":1,"percent_some_data":0}]`},
		{Apple, "testdata/apple-invented-device_requests.csv", `[
{"company":"apple","period":"2030-H1","jurisdiction":"CN","legal_process":"device","requests":10,"accounts":20,"percent_some_data":50},
{"company":"apple","period":"2030-H1","jurisdiction":"CZ","legal_process":"device","requests":1,"accounts":null,"percent_some_data":null}]`},
	} {
		figs, err := ParseFile(tc.company, tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, f := range figs {
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, string(b))
		}
		got := "[\n" + strings.Join(lines, ",\n") + "]"
		if got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.file, got, tc.want)
		}
	}
}

func TestBandsInJSON(t *testing.T) {
	in := "Reporting period ending date,Number of requests (range MIN),Number of requests (range MAX),Number of accounts (range MIN),Number of accounts (range MAX)\n2023-06-30,0,499,\"33,000\",33499\n"
	figs, err := Parse(Google, strings.NewReader(in), "google-usnationalsecurity-fisa-non-content-requests.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(figs)
	want := `[{"company":"google","period":"2023-H1","jurisdiction":"US","legal_process":"national_security_fisa_non_content","requests":null,"accounts":null,"percent_some_data":null,"requests_band":{"min":0,"max":499},"accounts_band":{"min":33000,"max":33499}}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestMetaEmergencyTwice(t *testing.T) {
	header := "Country,Emergency Request Total,Emergency Request Total Accounts,Emergency Request Total Percentage,Emergency Disclosures,Emergency Disclosures Accounts,Emergency Disclosures Percentage\n"
	// Old files fill one of the two, or both with the same figures.
	figs, err := Parse(Meta, strings.NewReader(header+"Chile,,,,5,6,40%\nPeru,3,4,50%,3,4,50%\n"), "m-2016_H1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 || *figs[0].Requests != 5 || *figs[1].Requests != 3 {
		t.Errorf("got %+v", figs)
	}
	_, err = Parse(Meta, strings.NewReader(header+"Peru,3,4,50%,4,4,50%\n"), "m-2016_H1.csv")
	want := `m-2016_H1.csv:2: column "Emergency Disclosures": the emergency figures differ from those in column "Emergency Request Total" of the same row`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestAggregateRowsDropped(t *testing.T) {
	in := "Country,Total Requests\nChile,5\nGlobal,5\n"
	figs, err := Parse(Meta, strings.NewReader(in), "m-2016_H1.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 1 || figs[0].Jurisdiction != "CL" {
		t.Errorf("got %+v, want Chile alone", figs)
	}
}

func TestErrors(t *testing.T) {
	const (
		google = "Period Ending,Country/Region,CLDR Territory Code,Legal Process,User Data Requests,Percentage disclosed,Accounts\n"
		meta   = "Country,Total Requests,Total Requests Accounts,Total Requests Percentage\n"
		apple  = "TR Period,TR Start Date,TR End Date,Country/Region,Device Requests Received,Devices Specified in Requests\n"
	)
	for _, tc := range []struct {
		company, name, in, want string
	}{
		{"twitter", "t.csv", google, `t.csv: company "twitter" is not one of google, meta, apple`},
		{Google, "g.csv", "", `g.csv: the file is empty; a header line was expected`},
		{Google, "g.csv", google + "2023-06-30,Hong Kong,HK,Subpoenas,7x,1,1\n",
			`g.csv:2: column "User Data Requests": "7x" is not a count such as 73,956`},
		{Google, "g.csv", google + "2023-06-30,Hong Kong,HK,Subpoenas,\"1,0\",1,1\n",
			`g.csv:2: column "User Data Requests": "1,0" is not a count such as 73,956`},
		{Google, "g.csv", google + "2023-06-30,Hong Kong,HK,Subpoenas,1,1,1\n2023-06-30,Hong Kong,HK,Subpoenas,1,1,1\n",
			`g.csv:3: the row repeats the figure of line 2 (2023-H1 HK subpoena)`},
		{Google, "g.csv", google + "2023-06-30,Hong Kong,HK,Subpoenas,1,120,1\n",
			`g.csv:2: column "Percentage disclosed": "120" is more than 100%`},
		{Google, "g.csv", google + "2023-05-31,Hong Kong,HK,Subpoenas,1,1,1\n",
			`g.csv:2: column "Period Ending": 2023-05-31 is not the end of a half-year (30 June or 31 December)`},
		{Google, "g.csv", google + "2023-06-30,Hong Kong,HK,Letters rogatory,1,1,1\n",
			`g.csv:2: column "Legal Process": the legal process "Letters rogatory" is not one this package knows`},
		{Google, "g.csv", google + "2023-06-30,Atlantis,QQ,Subpoenas,1,1,1\n",
			`g.csv:2: column "CLDR Territory Code": "QQ" is not an ISO 3166-1 code`},
		{Google, "g.csv", google + "2023-06-30,Atlantis,,Subpoenas,1,1,1\n",
			`g.csv:2: column "Country/Region": no ISO 3166-1 code is known for the country or region "Atlantis"`},
		{Google, "g.csv", google + "2023-06-30,Chile,CL,Subpoenas,1,1\n",
			`g.csv:2: the row has 6 cells where the header has 7`},
		{Google, "g.csv", strings.TrimSuffix(google, "\n") + ",Notes\n",
			`g.csv:1: column "Notes": the column is not part of Google's layout for user data requests`},
		{Google, "g.csv", "a,b\n1,2\n", `g.csv:1: the header "a,b" is not one of Google's user data layouts`},
		{Google, "fisa.csv", "Reporting period ending date,Number of requests (range MIN),Number of requests (range MAX),Number of accounts (range MIN),Number of accounts (range MAX)\n",
			`fisa.csv: the file name must say which demands the file counts (fisa-content, fisa-non-content or nsl), as Google's names do`},
		{Meta, "m.csv", meta, `m.csv: Meta's files give their half-year only in their name, as in …-2020_H2.csv, and this name has none`},
		{Meta, "m-2020_H2.csv", meta + "Narnia,1,1,0%\n",
			`m-2020_H2.csv:2: column "Country": no ISO 3166-1 code is known for the country or region "Narnia"`},
		{Meta, "m-2020_H2.csv", meta + ",1,1,0%\n",
			`m-2020_H2.csv:2: column "Country": the country or region is missing`},
		{Meta, "m-2020_H2.csv", meta + "Chile,1,1,0%\nChile,1,1,0%\n",
			`m-2020_H2.csv:3: column "Country": the row repeats CL of line 2`},
		{Meta, "m-2020_H2.csv", meta + "Chile,1,1,zero\n",
			`m-2020_H2.csv:2: column "Total Requests Percentage": "zero" is not a percentage such as 88%`},
		{Meta, "m-2020_H2.csv", "Country,Total Requests,Blocked Posts\n",
			`m-2020_H2.csv:1: column "Blocked Posts": the column is not part of any Meta layout this package knows`},
		{Meta, "m-2020_H2.csv", meta + "Chile,\"1,1,0%\n",
			`m-2020_H2.csv:2: extraneous or missing " in quoted-field`},
		{Apple, "a.csv", apple + "2016 H2,7/1/16,6/30/16,Chile,1,1\n",
			`a.csv:2: column "TR End Date": the half-year ends on 6/30/16, which is not the end of 2016 H2`},
		{Apple, "a.csv", apple + "2016 H2,1/1/16,12/31/16,Chile,1,1\n",
			`a.csv:2: column "TR Start Date": the half-year starts on 1/1/16, which is not the start of 2016 H2`},
		{Apple, "a.csv", apple + "2016 H3,7/1/16,12/31/16,Chile,1,1\n",
			`a.csv:2: column "TR Period": "2016 H3" is not a half-year such as "2016 H2"`},
		{Apple, "a.csv", "TR Period,TR Start Date,TR End Date,Country/Region,Sticker Requests Received\n",
			`a.csv:1: column "Sticker Requests Received": the kind of request is not one this package knows`},
		{Apple, "a.csv", "TR Period,TR Start Date,Country/Region,Device Requests Received\n",
			`a.csv:1: column "TR End Date": the column is missing; Apple's files begin with TR Period, TR Start Date, TR End Date, Country/Region`},
	} {
		_, err := Parse(tc.company, strings.NewReader(tc.in), tc.name)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%s, %q):\ngot  %v\nwant %s", tc.company, tc.in, err, tc.want)
			continue
		}
		// The web layer and the command line show Invalid errors to
		// the user, whole.
		if !errors.Is(err, dueprocess.ErrInvalid) || dueprocess.ErrorMessage(err) != tc.want {
			t.Errorf("%q: not an Invalid error with its whole message: kind %s, message %q", tc.want, dueprocess.ErrorKind(err), dueprocess.ErrorMessage(err))
		}
	}
}

// TestAppleImporterRefusesUnknownColumn: Apple's reader used to read past
// any column it did not know, so a misspelt accounts or percentage column
// was silently dropped and its figures imported as "not published". It now
// refuses the column by name, as the Google and Meta readers do, and
// suggests the column meant when one is close.
func TestAppleImporterRefusesUnknownColumn(t *testing.T) {
	const start = "TR Period,TR Start Date,TR End Date,Country/Region,"
	const row = "2016 H2,7/1/16,12/31/16,Chile,1,2,3\n"
	for _, tc := range []struct{ header, want string }{
		{start + "Device Requests Received,Devices Specifed in Requests,Percentage of Requests where Data Provided\n",
			`a.csv:1: column "Devices Specifed in Requests": the column is not part of any Apple layout this package knows; did you mean "Devices Specified in Requests"?`},
		{start + "Device Requests Received,Devices Specified in Requests,Percentage of Requests where Data Provded\n",
			`a.csv:1: column "Percentage of Requests where Data Provded": the column is not part of any Apple layout this package knows; did you mean "Percentage of Requests where Data Provided"?`},
		{start + "Device Requests Received,Devices Specified in Requests,Notes\n",
			`a.csv:1: column "Notes": the column is not part of any Apple layout this package knows`},
		{start + "Device Request Received,Devices Specified in Requests,Notes\n",
			`a.csv:1: column "Device Request Received": the column is not part of any Apple layout this package knows; did you mean "Device Requests Received"?`},
		{start + "Devise Requests Received,Devices Specified in Requests,Notes\n",
			`a.csv:1: column "Devise Requests Received": the kind of request is not one this package knows; did you mean "Device Requests Received"?`},
		{start + "National Security Requests Type+,Requests Received,Users/Accounts,Remarks\n",
			`a.csv:1: column "Remarks": the column is not part of any Apple layout this package knows`},
	} {
		_, err := Parse(Apple, strings.NewReader(tc.header+row), "a.csv")
		if err == nil || err.Error() != tc.want {
			t.Errorf("header %q:\ngot  %v\nwant %s", tc.header, err, tc.want)
		}
	}
	// The columns of Apple's layouts are still read past.
	in := start + "Device Requests Received,Devices Specified in Requests,Requests where Data Provided,Percentage of Requests where Data Provided\n" +
		"2016 H2,7/1/16,12/31/16,Chile,4,5,2,50%\n"
	if figs, err := Parse(Apple, strings.NewReader(in), "a.csv"); err != nil || len(figs) != 1 || *figs[0].Accounts != 5 {
		t.Errorf("a known layout: %v %+v", err, figs)
	}
}

// TestImportRefusesUTF16: a file saved as UTF-16 (what spreadsheets call
// "Unicode text") used to fail with a CSV error about quotes or a header
// of garbage; every reader now names the encoding.
func TestImportRefusesUTF16(t *testing.T) {
	in := "Country,Total Requests\nChile,5\n"
	var le []byte
	for _, u := range utf16.Encode([]rune("\ufeff" + in)) {
		le = binary.LittleEndian.AppendUint16(le, u)
	}
	for _, company := range []string{Google, Meta, Apple} {
		for name, data := range map[string][]byte{"with a mark": le, "without": le[2:]} {
			_, err := Parse(company, bytes.NewReader(data), "m-2016_H1.csv")
			want := "m-2016_H1.csv: the file is UTF-16 encoded; save it as UTF-8"
			if err == nil || err.Error() != want {
				t.Errorf("%s, %s: got %v, want %s", company, name, err, want)
			}
		}
	}
}
