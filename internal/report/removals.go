package report

import (
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// RemovalsHeader is the header of Google's "Government requests to remove
// content" file (google-government-removal-requests.csv), byte for byte,
// with the space Google left after "% Not Enough Information".
const RemovalsHeader = "Period Ending,Country/Region,CLDR Territory Code,Requestor,Number of Requests,Items Requested To Be Removed," +
	"% Removed-Legal,% Removed-Policy,% Content Not Found,% Not Enough Information ,% No Action Taken,% Content Already Removed"

// removalColumns are the actions behind the percentage columns, in the
// header's order: removed for legal reasons is a restriction in the
// requesting jurisdiction; removed for policy, a removal everywhere under
// our own rules.
var removalColumns = []dueprocess.ItemAction{
	dueprocess.ItemRestrict, dueprocess.ItemRemoveUnderPolicy, dueprocess.ItemNotFound,
	dueprocess.ItemNotEnoughInfo, dueprocess.ItemNoAction, dueprocess.ItemAlreadyRemoved,
}

// RemovalRow is one line of the removals layout: the content demands of
// one country and requester type in a half-year, and their items by the
// action in effect ("" for items with none yet, which no percentage
// counts).
type RemovalRow struct {
	Code, Name string
	Requester  dueprocess.RequesterType
	Requests   int64
	Items      int64
	ByAction   map[dueprocess.ItemAction]int64
}

// Percent returns the share of the row's items with action in effect, as
// Google gives it: a whole number, rounded to the nearest, and "" when no
// item had it (a share that rounds to 0 is "0").
func (r RemovalRow) Percent(action dueprocess.ItemAction) string {
	n := r.ByAction[action]
	if n == 0 || r.Items == 0 {
		return ""
	}
	return strconv.FormatInt(int64(math.Round(float64(n)*100/float64(r.Items))), 10)
}

// Removals adds up content demands by country (a subdivision counts for
// its country) and requester type, in the order of Google's file: by
// territory code, then requester type.
func Removals(counts []dueprocess.RemovalCount) []RemovalRow {
	type key struct {
		code string
		rt   dueprocess.RequesterType
	}
	rows := map[key]*RemovalRow{}
	for _, c := range counts {
		k := key{dueprocess.Country(c.Jurisdiction), c.RequesterType}
		row := rows[k]
		if row == nil {
			row = &RemovalRow{Code: k.code, Name: dueprocess.Countries[k.code], Requester: k.rt, ByAction: map[dueprocess.ItemAction]int64{}}
			rows[k] = row
		}
		row.Requests++
		for a, n := range c.Items {
			row.Items += n
			row.ByAction[a] += n
		}
	}
	out := make([]RemovalRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b RemovalRow) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return slices.Index(dueprocess.RequesterTypes, a.Requester) - slices.Index(dueprocess.RequesterTypes, b.Requester)
	})
	return out
}

// WriteRemovalsCSV writes rows in Google's removals layout, each line
// dated end, the period's last day.
func WriteRemovalsCSV(w io.Writer, end dueprocess.Date, rows []RemovalRow) error {
	if _, err := io.WriteString(w, RemovalsHeader+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, r := range rows {
		line := []string{end.String(), r.Name, r.Code, r.Requester.Label(),
			strconv.FormatInt(r.Requests, 10), strconv.FormatInt(r.Items, 10)}
		for _, a := range removalColumns {
			line = append(line, r.Percent(a))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// RemovalsDetailedHeader is the header of Google's detailed removals file
// (google-government-detailed-removal-requests.csv), byte for byte: the
// requests of a country in a half-year by product and reason.
const RemovalsDetailedHeader = "Period Ending,Country/Region,CLDR Territory Code,Product,Reason,Total"

// RemovalsProduct is what the detailed layout's Product column says: a
// demand to dueprocess names no product of the service, and "Unspecified"
// is the word Google's own file uses for that.
const RemovalsProduct = "Unspecified"

// ReasonRow is one line of the detailed removals layout: the content
// demands of one country in a half-year that gave one reason. Total
// counts requests, as Google's does (its Hong Kong 2020-H1 lines add up
// to the 12 requests of the summary file); Items counts their items and
// Restricted those restricted or removed by the actions in effect, for
// the public page.
type ReasonRow struct {
	Code, Name string
	Reason     dueprocess.RemovalReason
	Total      int64
	Items      int64
	Restricted int64
}

// RemovalsByReason adds up content demands by country (a subdivision
// counts for its country) and reason, by territory code, then reason in
// Google's alphabetical order.
func RemovalsByReason(counts []dueprocess.RemovalCount) []ReasonRow {
	type key struct {
		code   string
		reason dueprocess.RemovalReason
	}
	rows := map[key]*ReasonRow{}
	for _, c := range counts {
		k := key{dueprocess.Country(c.Jurisdiction), c.Reason}
		row := rows[k]
		if row == nil {
			row = &ReasonRow{Code: k.code, Name: dueprocess.Countries[k.code], Reason: k.reason}
			rows[k] = row
		}
		row.Total++
		for a, n := range c.Items {
			row.Items += n
			if a.Restricts() {
				row.Restricted += n
			}
		}
	}
	out := make([]ReasonRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b ReasonRow) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return slices.Index(dueprocess.RemovalReasons, a.Reason) - slices.Index(dueprocess.RemovalReasons, b.Reason)
	})
	return out
}

// WriteRemovalsDetailedCSV writes rows in Google's detailed removals
// layout, each line dated end, the period's last day.
func WriteRemovalsDetailedCSV(w io.Writer, end dueprocess.Date, rows []ReasonRow) error {
	if _, err := io.WriteString(w, RemovalsDetailedHeader+"\n"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, r := range rows {
		if err := cw.Write([]string{end.String(), r.Name, r.Code, RemovalsProduct, r.Reason.Label(), strconv.FormatInt(r.Total, 10)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// RemovalTotals adds up content demands over every country: by requester
// type and by reason, for the public page (Code and Name are empty).
func RemovalTotals(counts []dueprocess.RemovalCount) (byRequester []RemovalRow, byReason []ReasonRow) {
	all := make([]dueprocess.RemovalCount, len(counts))
	for i, c := range counts {
		c.Jurisdiction = ""
		all[i] = c
	}
	return Removals(all), RemovalsByReason(all)
}

// Restricted returns the row's items restricted or removed by the
// actions in effect.
func (r RemovalRow) Restricted() int64 {
	return r.ByAction[dueprocess.ItemRestrict] + r.ByAction[dueprocess.ItemRemoveUnderPolicy]
}
