package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// queuePageSize is how many requests one page of the console's queue shows.
const queuePageSize = 50

// queueSorts are the orders the console's queue offers, by the name in
// its URL (the store's name for the order, except the default, soonest
// due first), with the words shown for each.
var queueSorts = []struct{ Key, Label string }{
	{"", "due, soonest first"},
	{"-received", "received, newest first"},
	{"received", "received, oldest first"},
	{"status", "status"},
	{"id", "number"},
}

// dueSoon is how close to its due_at an unfinished request is marked
// "due soon" in the queue.
const dueSoon = 72 * time.Hour

// queuePage is the console's queue of requests, filtered, sorted and
// paged.
type queuePage struct {
	basePage
	Filter   dueprocess.RequestFilter
	Statuses []dueprocess.Status
	Kinds    []dueprocess.RequestKind
	Sorts    []struct{ Key, Label string }
	Sort     string // the sort chosen, as in the URL
	Rows     []queueRow
	Page     int
	Prev     string // the previous page's URL, if any
	Next     string // the next page's URL, if any
}

// queueOrder reads the sort and the page of the console's queue.
func queueOrder(q url.Values) (sort string, page int, err error) {
	sort = q.Get("sort")
	known := false
	for _, s := range queueSorts {
		known = known || s.Key == sort
	}
	if !known {
		return "", 0, dueprocess.FieldError("sort", "%q is not one of received, -received, status, id (the default is soonest due first)", sort)
	}
	page = 1
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 10000 {
			return "", 0, dueprocess.FieldError("page", "must be a whole number from 1 to 10000")
		}
	}
	return sort, page, nil
}

// pageURL is the queue's URL with q's filters and sort, at page n.
func pageURL(q url.Values, n int) string {
	v := url.Values{}
	for _, k := range []string{"status", "jurisdiction", "kind", "due_by", "overdue", "sort"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/console"
	}
	return "/console?" + v.Encode()
}

// home is the console's first page: the queue, filtered, sorted (soonest
// due first unless asked otherwise) and paged, with overdue and soon-due
// requests marked.
func (s *Server) home(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	q := r.URL.Query()
	f, err := queueFilter(q)
	if err != nil {
		return err
	}
	sort, page, err := queueOrder(q)
	if err != nil {
		return err
	}
	f.Sort, f.ByDue, f.Offset, f.Limit = sort, sort == "", (page-1)*queuePageSize, queuePageSize+1
	list, err := s.db.Requests(r.Context(), f)
	if err != nil {
		return err
	}
	v := &queuePage{basePage: basePage{Title: "Queue", Staff: staff, CSRF: se.CSRF}, Filter: f,
		Statuses: dueprocess.Statuses, Kinds: dueprocess.RequestKinds, Sorts: queueSorts, Sort: sort, Page: page}
	if len(list) > queuePageSize {
		list = list[:queuePageSize]
		v.Next = pageURL(q, page+1)
	}
	if page > 1 {
		v.Prev = pageURL(q, page-1)
	}
	// The queue shows no targets today; it still passes the one
	// visibility rule, so that a column added later cannot leak them.
	shown, err := s.show(r, &dueprocess.Principal{Staff: staff}, list...)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, req := range list {
		ids[i] = req.ID
	}
	me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	if err := s.db.Record(r.Context(), me, dueprocess.ActionRequestsListed, "requests", map[string]any{
		"ids": ids, "status": f.Status, "jurisdiction": f.Jurisdiction, "kind": f.Kind, "view": "console"}); err != nil {
		return err
	}
	now := s.now()
	v.Rows = make([]queueRow, len(list))
	for i, req := range shown {
		v.Rows[i].Request = req.Request
		switch {
		case req.Overdue(now):
			v.Rows[i].Due = "overdue"
		case req.Status.Open() && req.Status != dueprocess.StatusPaused && req.DueAt.Sub(now) <= dueSoon:
			v.Rows[i].Due = "due-soon"
		}
	}
	s.render(w, r, "home", v)
	return nil
}
