package report

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/dueprocess/dueprocess"
)

// DSAOrdersHeader is the header of our file of orders to act against
// illegal content (DSA Art. 9), the counts Art. 15(1)(a) asks for, laid
// out as the harmonised templates' sheet of member-state orders
// (Implementing Regulation (EU) 2024/2835): one line per member state and
// type of illegal content. Times are in hours, to one decimal.
const DSAOrdersHeader = "Period Ending,Member State,Type of illegal content,Number of orders," +
	"Median time to confirm receipt (hours),Median time to give effect (hours),Orders given effect"

// DSAOrderRow is one line: the orders of one member state and type.
type DSAOrderRow struct {
	MemberState string
	Category    string // the DSA category of illegal content (dueprocess.RemovalReason.DSACategory)
	Orders      int64
	// Receipt and Effect are the medians, nil when there is nothing to
	// take one of; Effect counts only the orders given effect (Effected).
	Receipt, Effect *time.Duration
	Effected        int64
}

// DSAOrders groups orders by member state and type of illegal content,
// in that order, and takes the medians: time to confirm receipt (from the
// order's transmission to its receipt, when the intake answer confirms
// it) and time to give effect (from receipt to the last of its items'
// actions).
func DSAOrders(counts []dueprocess.DSAOrderCount) []DSAOrderRow {
	type key struct{ state, category string }
	receipts, effects := map[key][]time.Duration{}, map[key][]time.Duration{}
	var keys []key
	for _, c := range counts {
		k := key{c.MemberState, c.Reason.DSACategory()}
		if _, ok := receipts[k]; !ok {
			keys = append(keys, k)
		}
		receipts[k] = append(receipts[k], c.ReceivedAt.Sub(c.TransmittedAt))
		if c.EffectAt != nil {
			effects[k] = append(effects[k], c.EffectAt.Sub(c.ReceivedAt))
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.state != b.state {
			return cmp.Compare(a.state, b.state)
		}
		return cmp.Compare(a.category, b.category)
	})
	rows := make([]DSAOrderRow, len(keys))
	for i, k := range keys {
		rows[i] = DSAOrderRow{MemberState: k.state, Category: k.category, Orders: int64(len(receipts[k])),
			Receipt: median(receipts[k]), Effect: median(effects[k]), Effected: int64(len(effects[k]))}
	}
	return rows
}

// median returns the median of ds (the mean of the middle two for an even
// count), or nil for none.
func median(ds []time.Duration) *time.Duration {
	if len(ds) == 0 {
		return nil
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// WriteDSAOrdersCSV writes rows under DSAOrdersHeader, each line dated end.
func WriteDSAOrdersCSV(w io.Writer, end dueprocess.Date, rows []DSAOrderRow) error {
	if _, err := io.WriteString(w, DSAOrdersHeader+"\n"); err != nil {
		return err
	}
	hours := func(d *time.Duration) string {
		if d == nil {
			return ""
		}
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64)
	}
	cw := csv.NewWriter(w)
	for _, r := range rows {
		if err := cw.Write([]string{end.String(), r.MemberState, r.Category, strconv.FormatInt(r.Orders, 10),
			hours(r.Receipt), hours(r.Effect), strconv.FormatInt(r.Effected, 10)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
