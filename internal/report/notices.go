package report

import (
	"slices"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// Notices counts the user notices of one jurisdiction's requests
// (Ranking Digital Rights indicator P12): sent to the user, withheld by a
// non-disclosure order, delayed after an emergency, and undeliverable for
// want of an address. A notice held back and sent since counts as sent
// and as withheld or delayed.
type Notices struct {
	Sent          int64 `json:"sent"`
	Withheld      int64 `json:"withheld"`
	Delayed       int64 `json:"delayed"`
	Undeliverable int64 `json:"undeliverable"`
}

// AddNotices adds the notice counts of the report's period to its rows and
// total (see store.DB.NoticeCounts). Every notice belongs to a request
// the report counts, so its row is there already; one that is not (the
// counts read a moment after the requests) gets a row of its own.
func (rep *Report) AddNotices(counts []dueprocess.NoticeCount) {
	for _, c := range counts {
		if c.Period != rep.Period {
			continue
		}
		for _, n := range []*Notices{&rep.row(c.Jurisdiction).UserNotice, &rep.Total.UserNotice} {
			n.Sent += c.Sent
			n.Withheld += c.Withheld
			n.Delayed += c.Delayed
			n.Undeliverable += c.Undeliverable
		}
	}
}

// AddHolds adds the accounts held by preservation holds to the rows and
// total (see store.DB.HoldCounts): Preservation.AccountsHeld.
func (rep *Report) AddHolds(counts []dueprocess.HoldCount) {
	for _, c := range counts {
		if c.Period != rep.Period {
			continue
		}
		rep.row(c.Jurisdiction).Preservation.AccountsHeld += c.Accounts
		rep.Total.Preservation.AccountsHeld += c.Accounts
	}
}

// row returns the row of a jurisdiction. Figures counted when the report
// is built belong to requests the report counts, so the row is there
// already; one that is not (the figures read a moment after the requests)
// gets a row of its own, in its place among the others (by code).
func (rep *Report) row(jurisdiction string) *Row {
	i, found := slices.BinarySearchFunc(rep.Rows, jurisdiction, func(r Row, j string) int { return strings.Compare(r.Jurisdiction, j) })
	if !found {
		rep.Rows = slices.Insert(rep.Rows, i, newRow(jurisdiction, dueprocess.Countries[jurisdiction]))
	}
	return &rep.Rows[i]
}
