package published

import (
	"io"
	"strings"

	"github.com/dueprocess/dueprocess"
)

// Google's two files about government requests to remove content: the
// summary by requester type (google-government-removal-requests.csv), and
// the detailed one by product and reason
// (google-government-detailed-removal-requests.csv). The "-historical"
// files use the layout Google dropped in 2019 and are refused.

// removalPercents are the summary's percentage columns (their header text
// trimmed: Google's "% Not Enough Information " ends with a space) and the
// action each stands for.
var removalPercents = []struct {
	column string
	action dueprocess.ItemAction
}{
	{"% Removed-Legal", dueprocess.ItemRestrict},
	{"% Removed-Policy", dueprocess.ItemRemoveUnderPolicy},
	{"% Content Not Found", dueprocess.ItemNotFound},
	{"% Not Enough Information", dueprocess.ItemNotEnoughInfo},
	{"% No Action Taken", dueprocess.ItemNoAction},
	{"% Content Already Removed", dueprocess.ItemAlreadyRemoved},
}

var (
	removalSummary  = []string{"Period Ending", "Country/Region", "CLDR Territory Code", "Requestor", "Number of Requests", "Items Requested To Be Removed"}
	removalDetailed = []string{"Period Ending", "Country/Region", "CLDR Territory Code", "Product", "Reason", "Total"}
)

// IsGoogleRemovals reports whether header (a file's first line) is one of
// Google's removals layouts, current or historical.
func IsGoogleRemovals(header string) bool {
	return strings.Contains(header, "Items Requested To Be Removed") ||
		strings.HasPrefix(strings.TrimPrefix(header, "\ufeff"), "Period Ending,Country/Region,CLDR Territory Code,Product,Reason,")
}

// ParseGoogleRemovals reads one of Google's two removals files. Lines of
// an international body rather than a country (Europol, Interpol: no
// territory code) are skipped; skipped says how many.
func ParseGoogleRemovals(r io.Reader, name string) (figs []dueprocess.PublishedRemoval, skipped int, err error) {
	t, err := openTable(r, name)
	if err != nil {
		return nil, 0, err
	}
	summary := t.has("Requestor")
	want := removalDetailed
	if summary {
		want = removalSummary
		for _, p := range removalPercents {
			want = append(want, p.column)
		}
	}
	if t.has("Court Orders") || t.has("All Requests: Number of Requests") {
		return nil, 0, &ParseError{File: name, Line: 1, Msg: "this is Google's historical removals layout (before 2019), which is not read; import google-government-removal-requests.csv and google-government-detailed-removal-requests.csv"}
	}
	if err := checkHeader(t, "removal requests", want); err != nil {
		return nil, 0, err
	}
	for {
		ok, err := t.next()
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return figs, skipped, nil
		}
		code := t.cell("CLDR Territory Code")
		if code == "" {
			skipped++
			continue
		}
		if !knownCode(code) {
			return nil, 0, t.errorf("CLDR Territory Code", "%q is not an ISO 3166-1 code", code)
		}
		f := dueprocess.PublishedRemoval{Company: Google, Jurisdiction: code}
		if f.Period, err = isoPeriod(t.cell("Period Ending")); err != nil {
			return nil, 0, t.errorf("Period Ending", "%v", err)
		}
		if summary {
			err = t.removalSummary(&f)
		} else {
			err = t.removalDetail(&f)
		}
		if err != nil {
			return nil, 0, err
		}
		figs = append(figs, f)
	}
}

func (t *table) removalSummary(f *dueprocess.PublishedRemoval) error {
	var ok bool
	label := t.cell("Requestor")
	if f.Requester, ok = dueprocess.ParseRequesterLabel(label); !ok {
		return t.errorf("Requestor", "%q is not a requester this program knows", label)
	}
	// Russia's "Information and Communications Authority Under Federal
	// Law 276-FZ" has a line of its own beside the authority's: the rest
	// of the label keeps it apart, in Product (which summary lines
	// otherwise leave empty).
	if rest, found := strings.CutPrefix(label, f.Requester.Label()); found {
		f.Product = strings.TrimSpace(rest)
	}
	n, _, err := t.count("Number of Requests")
	if err != nil {
		return err
	}
	if n == nil {
		return t.errorf("Number of Requests", "is empty")
	}
	f.Requests = *n
	if f.Items, _, err = t.count("Items Requested To Be Removed"); err != nil {
		return err
	}
	f.Percent = map[dueprocess.ItemAction]int64{}
	for _, p := range removalPercents {
		v, _, err := t.count(p.column)
		if err != nil {
			return err
		}
		if v != nil {
			f.Percent[p.action] = *v
		}
	}
	return nil
}

func (t *table) removalDetail(f *dueprocess.PublishedRemoval) error {
	f.Product = t.cell("Product")
	label := t.cell("Reason")
	f.Reason = dueprocess.RemovalReasonOf(label)
	if f.Reason == "" {
		return t.errorf("Reason", "%q is not one of Google's 22 reasons", label)
	}
	n, _, err := t.count("Total")
	if err != nil {
		return err
	}
	if n == nil {
		return t.errorf("Total", "is empty")
	}
	f.Requests = *n
	return nil
}
