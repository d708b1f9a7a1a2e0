package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/export"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The public archive of content demands, /transparency/demands: every
// closed demand whose non-disclosure order (if any) has ended, redacted
// as its Lumen notice is (internal/export), with each item's action and a
// link to the proof that the audit log holds the entry recording it.

// archivePageSize is how many demands one page of the archive shows, and
// archiveItems how many items of each.
const (
	archivePageSize = 20
	archiveItems    = 100
)

type archivePage struct {
	basePage
	Demands      []archivedDemand
	Jurisdiction string
	Reason       string
	Query        string
	Reasons      []dueprocess.RemovalReason
	Page         int
	Prev, Next   string // links to the neighbouring pages, "" at an end
}

type archivedDemand struct {
	ID, Jurisdiction, Requester, Reason, Authority, Process, Received string
	Items                                                             []archivedItem
	More                                                              int // items not shown
}

type archivedItem struct {
	Index                  int
	URL, ContentID, Ground string
	Quoted                 bool
	Action, ActionReason   string
	Entry                  int64  // the audit entry recording the action in effect, -1 if none
	Proof                  string // where its inclusion proof is
}

// demandsArchive serves /transparency/demands.
func (s *Server) demandsArchive(w http.ResponseWriter, r *http.Request) error {
	if err := s.perCaller.allow("public:" + clientAddr(r)); err != nil {
		return err
	}
	v, f, err := archiveQuery(r.URL.Query())
	if err != nil {
		return err
	}
	f.Today = dueprocess.DateOf(s.now())
	list, more, err := s.db.ArchivedDemands(r.Context(), f)
	if err != nil {
		return err
	}
	size, _, err := s.db.AuditLog().LatestCheckpoint(r.Context())
	if err != nil && !errors.Is(err, dueprocess.ErrNotFound) {
		return err
	}
	for _, req := range list {
		d, err := s.archived(r.Context(), req, size)
		if err != nil {
			return err
		}
		v.Demands = append(v.Demands, d)
	}
	link := func(page int) string {
		q := url.Values{}
		for k, val := range map[string]string{"jurisdiction": v.Jurisdiction, "reason": v.Reason, "q": v.Query} {
			if val != "" {
				q.Set(k, val)
			}
		}
		q.Set("page", strconv.Itoa(page))
		return "/transparency/demands?" + q.Encode()
	}
	if v.Page > 1 {
		v.Prev = link(v.Page - 1)
	}
	if more {
		v.Next = link(v.Page + 1)
	}
	s.render(w, r, "demands", v)
	return nil
}

// archiveQuery reads the archive's query: jurisdiction, reason, q (text)
// and page, each checked, 400 naming the one that is wrong.
func archiveQuery(q url.Values) (*archivePage, store.ArchiveFilter, error) {
	v := &archivePage{basePage: basePage{Title: "Archive of content demands"}, Reasons: dueprocess.RemovalReasons, Page: 1}
	var f store.ArchiveFilter
	if j := q.Get("jurisdiction"); j != "" {
		code, err := dueprocess.ParseJurisdiction(j)
		if err != nil {
			return nil, f, dueprocess.FieldError("jurisdiction", "%q is not an ISO 3166 code such as HK or US-CA", j)
		}
		v.Jurisdiction, f.Jurisdiction = code, code
	}
	if reason := q.Get("reason"); reason != "" {
		if !slices.Contains(dueprocess.RemovalReasons, dueprocess.RemovalReason(reason)) {
			return nil, f, dueprocess.FieldError("reason", "%q is not a reason; see the list on this page", reason)
		}
		v.Reason, f.Reason = reason, dueprocess.RemovalReason(reason)
	}
	if text := strings.TrimSpace(q.Get("q")); text != "" {
		if len(text) > dueprocess.MaxShortLength {
			return nil, f, dueprocess.FieldError("q", "at most %d characters", dueprocess.MaxShortLength)
		}
		v.Query, f.Text = text, text
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return nil, f, dueprocess.FieldError("page", "must be a whole number from 1 to 10000")
		}
		v.Page = n
	}
	f.Limit, f.Offset = archivePageSize, (v.Page-1)*archivePageSize
	return v, f, nil
}

// archived redacts a demand for the archive and finds, for each item, the
// audit entry that put its action in effect.
func (s *Server) archived(ctx context.Context, req *dueprocess.Request, checkpoint int64) (archivedDemand, error) {
	d := archivedDemand{ID: req.ID, Jurisdiction: req.Jurisdiction, Requester: req.RequesterType.Label(), Reason: req.Reason.Label(),
		Authority: export.Redact(req.LegalProcess.IssuedBy),
		Process:   string(req.LegalProcess.Type) + " " + export.Redact(req.LegalProcess.Reference),
		Received:  req.ReceivedAt.UTC().Format("2006-01-02")}
	entries, err := s.itemEntries(ctx, req.ID)
	if err != nil {
		return d, err
	}
	for _, it := range req.Items {
		if len(d.Items) == archiveItems {
			d.More = len(req.Items) - archiveItems
			break
		}
		a := archivedItem{Index: it.Index, URL: it.URL, ContentID: it.ContentID, Ground: export.Redact(it.Ground), Quoted: it.Quote != "",
			Action: string(it.Action), ActionReason: export.Redact(it.Reason), Entry: -1}
		if e, ok := entries[it.Index]; ok {
			a.Entry, a.Proof = e, "/api/v1/audit/checkpoint"
			if e < checkpoint {
				a.Proof = fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", e, checkpoint)
			}
		}
		d.Items = append(d.Items, a)
	}
	return d, nil
}

// itemEntries maps each item of a demand to the index of the last audit
// entry that put an action in effect on it: a decision that took effect
// at once, or a confirmation.
func (s *Server) itemEntries(ctx context.Context, id string) (map[int]int64, error) {
	indexes, datas, err := s.db.AuditLog().ObjectEntries(ctx, "request:"+id)
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for i, data := range datas {
		e, err := audit.Decode(data)
		if err != nil {
			return nil, err
		}
		if e.Action != dueprocess.ActionItemsDecided && e.Action != dueprocess.ActionItemsConfirmed {
			continue
		}
		var body struct {
			Items    []int `json:"items"`
			InEffect *bool `json:"in_effect"`
		}
		if err := json.Unmarshal(e.Body, &body); err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", indexes[i], err)
		}
		if body.InEffect != nil && !*body.InEffect {
			continue
		}
		for _, n := range body.Items {
			out[n] = indexes[i]
		}
	}
	return out, nil
}
