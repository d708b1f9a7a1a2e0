package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// principal authenticates the caller of r and takes one call from their
// allowance. An address that keeps failing to authenticate is refused
// before its tokens are even looked up.
func (s *Server) principal(r *http.Request) (*dueprocess.Principal, error) {
	addr := clientAddr(r)
	if err := s.failedAuth.exhausted(addr); err != nil {
		return nil, err
	}
	p, err := auth.Authenticate(r.Context(), s.db, r.Header.Get("Authorization"))
	if dueprocess.ErrorKind(err) == dueprocess.Unauthenticated {
		s.failedAuth.allow(addr)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	// The platform's deletion job asks before every deletion, thousands
	// of times a second; the per-caller limit is sized for agencies and
	// people, so it does not apply to a token that may check holds and
	// do nothing else.
	if p.May(dueprocess.PermHoldCheck) {
		return p, nil
	}
	if err := s.perCaller.allow(p.TokenID); err != nil {
		return nil, err
	}
	return p, nil
}

// checkRequestBody decodes and checks the body of POST /api/v1/requests:
// everything about a submitted request that needs neither the database nor
// who sent it.
func checkRequestBody(body []byte) (*dueprocess.Request, error) {
	var in dueprocess.NewRequest
	if err := decodeStrict(body, &in); err != nil {
		return nil, err
	}
	return in.Check()
}

// createRequest takes in a government demand from an official. It answers
// 201 only once the request is committed; with an Idempotency-Key, a retry
// gets the first answer again instead of creating a second request.
func (s *Server) createRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestSubmit)
	if err != nil {
		return err
	}
	body, err := readRequestBody(w, r)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		if len(key) > 255 || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			return &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Idempotency-Key", Message: "must be 1 to 255 printable ASCII characters without spaces"}
		}
	}
	req, err := checkRequestBody(body)
	if err != nil {
		return err
	}
	if !jurisdictionOf(p.Agency, req.Jurisdiction) {
		return dueprocess.FieldError("jurisdiction", "%s is not the jurisdiction of %s (%s)", req.Jurisdiction, p.Agency.Name, p.Agency.Jurisdiction)
	}
	req.AgencyID, req.OfficialID = p.Agency.ID, p.Official.ID
	if sig := r.Header.Get(auth.SignatureHeader); sig != "" {
		if req.SignedBy, err = s.verifySignature(r, p.Agency.ID, body, sig); err != nil {
			return err
		}
	}
	sum := sha256.Sum256(body)
	done, err := s.db.Submit(r.Context(), store.Submission{
		Request: req, By: p.Actor(), Decide: s.decide,
		Origin: store.Origin{Channel: dueprocess.ChannelAPI, Address: clientAddr(r), TokenID: p.TokenID,
			Agency: p.Agency, Official: p.Official},
		Principal: p.Official.ID, Key: key, BodyHash: hex.EncodeToString(sum[:]),
		Answer: func(stored *dueprocess.Request) ([]byte, error) {
			shown, err := s.show(r, p, stored)
			if err != nil {
				return nil, err
			}
			return marshalAnswer(shown[0])
		},
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requests/"+done.ID)
	if done.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeRaw(w, http.StatusCreated, done.Response)
	return nil
}

// verifySignature checks a signed request against the key the agency
// registered (docs/verification.md) and returns the key's name.
func (s *Server) verifySignature(r *http.Request, agencyID string, body []byte, sig string) (string, error) {
	a, err := s.db.Agency(r.Context(), agencyID)
	if err != nil {
		return "", err
	}
	return auth.VerifyRequest(a.SigningKey, body, sig)
}

func marshalAnswer(req visible) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(req); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// jurisdictionOf reports whether an agency may submit requests for
// jurisdiction j: its own, or a subdivision of its country ("US" agencies
// for "US-CA").
func jurisdictionOf(a *dueprocess.Agency, j string) bool {
	return j == a.Jurisdiction || (!strings.Contains(a.Jurisdiction, "-") && dueprocess.Country(j) == a.Jurisdiction)
}

// getRequest shows one request. An official sees only their own agency's
// requests; another agency's answers 404 exactly as a missing one does, so
// ids cannot be probed.
func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.recordRead(r, p, dueprocess.ActionRequestViewed, req.ID, nil); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, req)
	return nil
}

// recordRead appends an audit entry for a staff member's read of a
// request, before anything is shown: a read that cannot be logged is not
// served. Officials' reads of their own agency's requests are not logged.
func (s *Server) recordRead(r *http.Request, p *dueprocess.Principal, action, id string, body map[string]any) error {
	if p.Staff == nil {
		return nil
	}
	return s.db.Record(r.Context(), p.Actor(), action, "request:"+id, body)
}

// onCase refuses a staff member who is not on a request's case.
func onCase(req visible) error {
	if req.Withheld != "" {
		return dueprocess.Errorf(dueprocess.Forbidden, "%s; ask a reviewer or an admin to assign you", dueprocess.CaseBound)
	}
	return nil
}

// listRequests is the staff queue: filters by status, jurisdiction and
// kind, paged by id with ?after=.
func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestList)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	for name := range q {
		switch name {
		case "status", "jurisdiction", "kind", "due_by", "overdue", "after", "limit":
		default:
			return dueprocess.FieldError(name, "is not a known filter (status, jurisdiction, kind, due_by, overdue, after, limit)")
		}
	}
	f, err := queueFilter(q)
	if err != nil {
		return err
	}
	f.After = q.Get("after")
	f.Limit = 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxPage {
			return dueprocess.FieldError("limit", "must be a whole number from 1 to %d", store.MaxPage)
		}
		f.Limit = n
	}
	list, err := s.db.Requests(r.Context(), f)
	if err != nil {
		return err
	}
	shown, err := s.show(r, p, list...)
	if err != nil {
		return err
	}
	// A listing shows requests' details, so it is a read of each.
	ids := make([]string, len(list))
	for i, req := range list {
		ids[i] = req.ID
	}
	err = s.db.Record(r.Context(), p.Actor(), dueprocess.ActionRequestsListed, "requests", map[string]any{
		"ids": ids, "status": f.Status, "jurisdiction": f.Jurisdiction, "kind": f.Kind, "after": f.After})
	if err != nil {
		return err
	}
	type page struct {
		Requests []visible `json:"requests"`
		Next     string    `json:"next,omitempty"`
	}
	out := page{Requests: shown}
	if len(list) == f.Limit {
		out.Next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// queueFilter reads the status, kind and jurisdiction filters of a
// queue listing, for the API and the console alike.
func queueFilter(q url.Values) (dueprocess.RequestFilter, error) {
	var f dueprocess.RequestFilter
	var err error
	if v := q.Get("status"); v != "" {
		if f.Status, err = parseEnum("status", v, dueprocess.Statuses); err != nil {
			return f, err
		}
	}
	if v := q.Get("kind"); v != "" {
		if f.Kind, err = parseEnum("kind", v, dueprocess.RequestKinds); err != nil {
			return f, err
		}
	}
	if v := q.Get("jurisdiction"); v != "" {
		if f.Jurisdiction, err = dueprocess.ParseJurisdiction(v); err != nil {
			return f, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "jurisdiction", Message: dueprocess.ErrorMessage(err)}
		}
	}
	switch v := q.Get("overdue"); v {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return f, dueprocess.FieldError("overdue", "overdue is true or false")
	}
	if v := q.Get("due_by"); v != "" {
		if f.DueBy, err = dueprocess.ParseDate(v); err != nil {
			return f, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "due_by", Message: err.Error()}
		}
	}
	return f, nil
}

// readReason reads a body of {"reason": "…"}, the reason required.
func readReason(w http.ResponseWriter, r *http.Request) (string, error) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readStrict(w, r, &in); err != nil {
		return "", err
	}
	return dueprocess.CheckReason(in.Reason)
}

func parseEnum[T ~string](field, v string, allowed []T) (T, error) {
	for _, a := range allowed {
		if string(a) == v {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", dueprocess.FieldError(field, "%q is not one of %s", v, strings.Join(names, ", "))
}

// listEvents shows a request's history to whoever may see the request.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	events, err := s.db.Events(r.Context(), req.ID)
	if err != nil {
		return err
	}
	if err := s.recordRead(r, p, dueprocess.ActionRequestViewed, req.ID, map[string]any{"view": "events"}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
	return nil
}

// healthz answers 200 when the database answers reads and takes writes,
// and otherwise 503 with what is wrong ("the database is full"); see
// store.DB.Health for what is checked when.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.Health(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.db.Dialect())})
	return nil
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return dueprocess.Errorf(dueprocess.NotFound, "no such route: %s %s", r.Method, r.URL.Path)
}
