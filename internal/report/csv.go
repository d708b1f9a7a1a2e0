package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report/chart"
)

// GoogleHeader is the header of Google's "Global requests for user
// information" file, byte for byte.
const GoogleHeader = "Period Ending,Country/Region,CLDR Territory Code,Legal Process,User Data Requests,Percentage disclosed,Accounts"

// googleProcesses names our legal processes as Google's file does; MLAT,
// other process and the regimes' orders (EU and UK DAA) fall under "Other
// Legal Requests", as in Google's.
var googleProcesses = []struct {
	label string
	types []dueprocess.LegalProcessType
}{
	{"Subpoenas", []dueprocess.LegalProcessType{dueprocess.ProcessSubpoena}},
	{"Search Warrants", []dueprocess.LegalProcessType{dueprocess.ProcessSearchWarrant}},
	{"Other Court Orders", []dueprocess.LegalProcessType{dueprocess.ProcessCourtOrder}},
	{"Other Legal Requests", []dueprocess.LegalProcessType{dueprocess.ProcessMLAT, dueprocess.ProcessOther, dueprocess.ProcessEmergency,
		dueprocess.ProcessEPOC, dueprocess.ProcessEPOCPR, dueprocess.ProcessDSAOrder, dueprocess.ProcessUKDAA}},
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

// MetaHeader is the header of Meta's per-half-year files from 2019-H2 on,
// byte for byte.
const MetaHeader = "Country,Preservation Requests,Preservation Accounts Preserved,Total Requests,Number of Requests Where Some Data Produced,Total Requests Accounts,Total Requests Percentage,Legal Process Request Total,Legal Number of Requests Where Some Data Produced,Legal Process Request Total Accounts,Legal Process Request Total Percentage,Emergency Request Total,ER Number of Requests Where Some Data Produced,Emergency Request Total Accounts,Emergency Request Total Percentage,Search Warrant,Search Warrant Accounts,Search Warrant Percentage,Subpoena,Subpoena Accounts,Subpoena Percentage,Court Order (Other),Court Order (Other) Accounts,Court Order (Other) Percentage,MLAT Search Warrant,MLAT Search Warrant Accounts,MLAT Search Warrant Percentage,MLAT Order,MLAT Order Accounts,MLAT Order Percentage,Court Order (18 USC 2703(d)),Court Order (18 USC 2703(d)) Accounts,Court Order (18 USC 2703(d)) Percentage,Pen Register/Trap and Trace,Pen Register/Trap and Trace Accounts,Pen Register/Trap and Trace Percentage,Title III,Title III Accounts,Title III Percentage,FISA Content Requests,FISA Content Requests Accounts,FISA Content Requests Percentage,FISA Non-Content Requests,FISA Non-Content Requests Accounts,FISA Non-Content Requests Percentage,NSLs,NSLs Accounts,NSLs Percentage"

// WriteMetaCSV writes r in Meta's wide layout: one line per country, with
// counts written as Meta writes them ("12,715", "65%"). Totals cover
// user-data and emergency requests; "Legal Process" user-data requests
// alone. Columns for process we do not receive (MLAT orders, 2703(d),
// pen registers, Title III, FISA, NSLs) are left empty, as Meta leaves
// columns without figures.
func WriteMetaCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, MetaHeader+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	n := func(v int64) string { return chart.Number(float64(v)) }
	pct := func(f Figures) string {
		if f.PercentSomeData == nil {
			return "0%"
		}
		return strconv.FormatInt(int64(math.Round(*f.PercentSomeData)), 10) + "%"
	}
	triple := func(f Figures) []string {
		if f.Requests == 0 {
			return []string{"", "", ""}
		}
		return []string{n(f.Requests), n(f.Accounts), pct(f)}
	}
	for _, row := range r.Rows {
		total := Figures{Requests: row.UserData.Requests + row.Emergency.Requests, Accounts: row.UserData.Accounts + row.Emergency.Accounts,
			SomeData: row.UserData.SomeData + row.Emergency.SomeData}
		percent(&total)
		rec := []string{row.Name, n(row.Preservation.Requests), n(row.Preservation.AccountsPreserved),
			n(total.Requests), n(total.SomeData), n(total.Accounts), pct(total),
			n(row.UserData.Requests), n(row.UserData.SomeData), n(row.UserData.Accounts), pct(row.UserData),
			n(row.Emergency.Requests), n(row.Emergency.SomeData), n(row.Emergency.Accounts), pct(row.Emergency)}
		rec = append(rec, triple(row.ByProcess[dueprocess.ProcessSearchWarrant])...)
		rec = append(rec, triple(row.ByProcess[dueprocess.ProcessSubpoena])...)
		rec = append(rec, triple(row.ByProcess[dueprocess.ProcessCourtOrder])...)
		rec = append(rec, triple(row.ByProcess[dueprocess.ProcessMLAT])...)
		for range 7 { // MLAT orders to NSLs
			rec = append(rec, "", "", "")
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
