package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Content-restriction demands item by item (docs/content.md): the larger
// body a demand of many items needs, staff actions on items with four
// eyes for those that restrict, and the feed of actions in effect that
// the platform polls.

// readRequestBody reads the body of POST /api/v1/requests. A body up to
// dueprocess.MaxRequestBody may be of any kind; a larger one, up to
// dueprocess.MaxContentRequestBody, only of kind content_restriction (ten
// thousand items do not fit in 1 MiB). The kind of a large body is read
// before the body is decoded and checked, and a body over the larger
// limit is never read whole.
func readRequestBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := readJSONBody(w, r, dueprocess.MaxContentRequestBody)
	if err != nil {
		if dueprocess.ErrorKind(err) == dueprocess.TooLarge {
			return nil, dueprocess.Errorf(dueprocess.TooLarge, "the body is larger than %d bytes, the most a content_restriction request may be (other kinds: %d)",
				dueprocess.MaxContentRequestBody, dueprocess.MaxRequestBody)
		}
		return nil, err
	}
	if len(body) <= dueprocess.MaxRequestBody {
		return body, nil
	}
	var kind struct {
		Kind string `json:"kind"`
	}
	// Only the kind matters here; the strict decoding that follows says
	// what else is wrong.
	if json.Unmarshal(body, &kind, json.RejectUnknownMembers(false)) != nil || kind.Kind != string(dueprocess.KindContentRestriction) {
		return nil, dueprocess.Errorf(dueprocess.TooLarge, "the body is larger than %d bytes; only a content_restriction request may be larger (up to %d bytes)",
			dueprocess.MaxRequestBody, dueprocess.MaxContentRequestBody)
	}
	return body, nil
}

// itemsAnswer is what the item routes answer: the demand's items as they
// now stand.
type itemsAnswer struct {
	RequestID string            `json:"request_id"`
	Items     []dueprocess.Item `json:"items"`
}

// decideItems records a staff member's action on a selection of items.
func (s *Server) decideItems(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermItemsDecide)
	if err != nil {
		return err
	}
	var in dueprocess.NewItemActions
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	items, err := s.db.DecideItems(r.Context(), id, p.Staff, &in, s.itemRule)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsAnswer{RequestID: id, Items: items})
	return nil
}

// confirmItems confirms actions proposed on items by someone else.
func (s *Server) confirmItems(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermItemsConfirm)
	if err != nil {
		return err
	}
	var in struct {
		Items []int  `json:"items"`
		Note  string `json:"note"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	items, err := s.db.ConfirmItems(r.Context(), id, p.Staff, in.Items, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, itemsAnswer{RequestID: id, Items: items})
	return nil
}

// actionsPage is one page of the actions feed; Next is the since of the
// next poll.
type actionsPage struct {
	Actions []dueprocess.AppliedAction `json:"actions"`
	Next    int64                      `json:"next"`
}

// listActions answers the platform's poll: the actions on items that took
// effect after the cursor since, oldest first.
func (s *Server) listActions(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.need(r, dueprocess.PermActionsPoll); err != nil {
		return err
	}
	q := r.URL.Query()
	var since int64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return dueprocess.FieldError("since", "%q is not a cursor; give the next of the previous page, or 0", v)
		}
		since = n
	}
	limit := store.MaxActionsPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxActionsPage {
			return dueprocess.FieldError("limit", "must be a whole number from 1 to %d", store.MaxActionsPage)
		}
		limit = n
	}
	list, err := s.db.ActionsSince(r.Context(), since, limit)
	if err != nil {
		return err
	}
	page := actionsPage{Actions: list, Next: since}
	if len(list) > 0 {
		page.Next = list[len(list)-1].Seq
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// removalsFile serves /transparency/{period}-removals.csv: the content
// demands of a half-year in Google's removals layout, computed from the
// actions in effect on their items; with detailed,
// {period}-removals-detailed.csv, Google's detailed layout by reason.
func (s *Server) removalsFile(w http.ResponseWriter, r *http.Request, period string, detailed bool) error {
	suffix := "-removals.csv"
	if detailed {
		suffix = "-removals-detailed.csv"
	}
	start, end, err := report.ParsePeriod(period)
	if err != nil {
		return dueprocess.Errorf(dueprocess.NotFound, "no such file %q; try /transparency/2026-H1%s", period+suffix, suffix)
	}
	b, err := s.removalsCSV(r.Context(), start, end, detailed)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="dueprocess-`+period+suffix+`"`)
	w.Write(b)
	return nil
}

// removalsCSV writes the content demands received from start to end (both
// days included) in Google's removals layout, or with detailed in its
// detailed layout by reason.
func (s *Server) removalsCSV(ctx context.Context, start, end dueprocess.Date, detailed bool) ([]byte, error) {
	counts, err := s.db.RemovalCounts(ctx, start.Time, end.Time.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if detailed {
		err = report.WriteRemovalsDetailedCSV(&buf, end, report.RemovalsByReason(counts))
	} else {
		err = report.WriteRemovalsCSV(&buf, end, report.Removals(counts))
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// consoleItems records an action on the items checked on the request page.
func (s *Server) consoleItems(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermItemsDecide, func(id string) error {
		idx, err := formIndexes(r)
		if err != nil {
			return err
		}
		in := &dueprocess.NewItemActions{Items: idx, Action: r.PostFormValue("action"), Reason: r.PostFormValue("reason")}
		_, err = s.db.DecideItems(r.Context(), id, staff, in, s.itemRule)
		return err
	})
}

// consoleConfirmItems confirms the proposals on the items checked.
func (s *Server) consoleConfirmItems(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermItemsConfirm, func(id string) error {
		idx, err := formIndexes(r)
		if err != nil {
			return err
		}
		_, err = s.db.ConfirmItems(r.Context(), id, staff, idx, r.PostFormValue("note"))
		return err
	})
}

// formIndexes reads the item checkboxes of the request page.
func formIndexes(r *http.Request) ([]int, error) {
	var idx []int
	for i, v := range r.PostForm["items"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, dueprocess.FieldError(fmt.Sprintf("items[%d]", i), "%q is not an item number", v)
		}
		idx = append(idx, n)
	}
	return idx, nil
}
