package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/dueprocess/dueprocess"
)

// GoogleHeader is the header of Google's "Global requests for user
// information" file, byte for byte.
const GoogleHeader = "Period Ending,Country/Region,CLDR Territory Code,Legal Process,User Data Requests,Percentage disclosed,Accounts"

// googleProcesses names our legal processes as Google's file does; MLAT
// and other process fall under "Other Legal Requests", as in Google's.
var googleProcesses = []struct {
	label string
	types []dueprocess.LegalProcessType
}{
	{"Subpoenas", []dueprocess.LegalProcessType{dueprocess.ProcessSubpoena}},
	{"Search Warrants", []dueprocess.LegalProcessType{dueprocess.ProcessSearchWarrant}},
	{"Other Court Orders", []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder}},
	{"Other Legal Requests", []dueprocess.LegalProcessType{dueprocess.ProcessMLAT, dueprocess.ProcessOther, dueprocess.ProcessEmergency}},
}

// WriteGoogleCSV writes r in exactly the long layout of Google's file: one
// line per country and legal process with requests, the percentage
// answered with some data (a whole number), and the accounts named.
// Emergency and preservation requests have lines of their own, as in
// Google's.
func WriteGoogleCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, GoogleHeader+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	end := r.End.String()
	line := func(row Row, label string, f Figures) {
		if f.Requests == 0 {
			return
		}
		percent := int64(0)
		if f.PercentSomeData != nil {
			percent = int64(math.Round(*f.PercentSomeData))
		}
		cw.Write([]string{end, row.Name, row.Jurisdiction, label, strconv.FormatInt(f.Requests, 10),
			strconv.FormatInt(percent, 10), strconv.FormatInt(f.Accounts, 10)})
	}
	for _, row := range r.Rows {
		line(row, "Emergency Disclosure Requests", row.Emergency)
		line(row, "Preservation Requests", Figures{Requests: row.Preservation.Requests, Accounts: row.Preservation.AccountsPreserved})
		for _, gp := range googleProcesses {
			var f Figures
			for _, t := range gp.types {
				g := row.ByProcess[t]
				f.Requests += g.Requests
				f.Accounts += g.Accounts
				f.SomeData += g.SomeData
			}
			percent(&f)
			line(row, gp.label, f)
		}
	}
	cw.Flush()
	return cw.Error()
}
