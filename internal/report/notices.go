package report

import "github.com/dueprocess/dueprocess"

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
		i := 0
		for i < len(rep.Rows) && rep.Rows[i].Jurisdiction != c.Jurisdiction {
			i++
		}
		if i == len(rep.Rows) {
			rep.Rows = append(rep.Rows, newRow(c.Jurisdiction, dueprocess.Countries[c.Jurisdiction]))
		}
		for _, n := range []*Notices{&rep.Rows[i].UserNotice, &rep.Total.UserNotice} {
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
		i := 0
		for i < len(rep.Rows) && rep.Rows[i].Jurisdiction != c.Jurisdiction {
			i++
		}
		if i == len(rep.Rows) {
			rep.Rows = append(rep.Rows, newRow(c.Jurisdiction, dueprocess.Countries[c.Jurisdiction]))
		}
		rep.Rows[i].Preservation.AccountsHeld += c.Accounts
		rep.Total.Preservation.AccountsHeld += c.Accounts
	}
}
