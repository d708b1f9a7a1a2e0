package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The portal is the officials' site under /portal, built like the console
// (realm.go): the same sign-in, second factor, sessions and CSRF, with the
// official's session cookie. Its pages work without JavaScript; only
// passkeys need it.

// portalCaller is a signed-in official: their session and the principal
// that permissions and the visibility rule are asked about.
type portalCaller struct {
	se *store.Session
	p  *dueprocess.Principal
}

func (c *portalCaller) base(title string) basePage {
	return basePage{Title: title, Base: portal.base, Official: c.p.Official, Agency: c.p.Agency, CSRF: c.se.CSRF}
}

// signedInOfficial wraps a portal page that needs a complete session, as
// signedIn does for the console; a post's body is at most limit bytes and
// is checked for the session's CSRF token.
func (s *Server) signedInOfficial(limit int64, h func(w http.ResponseWriter, r *http.Request, c *portalCaller) error) http.Handler {
	return s.page(func(w http.ResponseWriter, r *http.Request) error {
		se, err := s.session(w, r, portal)
		if errors.Is(err, errNoSession) {
			http.Redirect(w, r, "/portal/signin", http.StatusSeeOther)
			return nil
		}
		if err != nil {
			return err
		}
		if se.MFAAt == nil {
			http.Redirect(w, r, "/portal/totp", http.StatusSeeOther)
			return nil
		}
		o, err := s.db.Official(r.Context(), se.OfficialID)
		if err != nil {
			return err
		}
		a, err := s.db.Agency(r.Context(), o.AgencyID)
		if err != nil {
			return err
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := parsePost(r); err != nil {
				return err
			}
			if err := checkCSRF(r, se.CSRF); err != nil {
				return err
			}
		}
		return h(w, r, &portalCaller{se: se, p: &dueprocess.Principal{Official: o, Agency: a}})
	})
}

// parsePost reads a posted form, multipart (with a file) or not, so that
// a body over its limit is answered as too large rather than as a form
// without its CSRF token. A multipart form keeps at most 1 MiB in memory;
// files beyond that wait in temporary files, removed by the handler.
func parsePost(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &dueprocess.Error{Kind: dueprocess.TooLarge, Field: "file", Message: fmt.Sprintf("the form is larger than %d bytes", mbe.Limit)}
	}
	if err != nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the form could not be read")
	}
	return nil
}

// portalForm is signedInOfficial for the portal's small forms.
func (s *Server) portalForm(h func(w http.ResponseWriter, r *http.Request, c *portalCaller) error) http.Handler {
	return s.signedInOfficial(maxFormBody, h)
}

// portalRow is one of the agency's requests in the portal's list.
type portalRow struct {
	*dueprocess.Request
	By    string // who submitted it, by name
	Mine  bool   // the official may act on it: theirs, or shared with them
	Due   string // "overdue", "due-soon" or ""
	Final bool
}

type portalHomePage struct {
	basePage
	Rows []portalRow
}

// portalHome lists the agency's requests, newest first, with their status
// and deadline.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	list, err := s.db.AgencyRequests(r.Context(), c.p.Agency.ID, 200)
	if err != nil {
		return err
	}
	if _, err := s.show(r, c.p, list...); err != nil {
		return err
	}
	names, err := s.colleagueNames(r, c)
	if err != nil {
		return err
	}
	today := dueprocess.DateOf(s.now())
	v := &portalHomePage{basePage: c.base("Requests")}
	for _, req := range list {
		mine, err := s.db.MayActOn(r.Context(), req, c.p.Official.ID)
		if err != nil {
			return err
		}
		row := portalRow{Request: req, By: names[req.OfficialID], Mine: mine, Final: !req.Status.Open()}
		if !req.Deadline.IsZero() && req.Status.Open() {
			switch days := req.Deadline.Sub(today.Time).Hours() / 24; {
			case days < 0:
				row.Due = "overdue"
			case days <= 3:
				row.Due = "due-soon"
			}
		}
		v.Rows = append(v.Rows, row)
	}
	switch r.URL.Query().Get("done") {
	case "withdrawn":
		v.Flash = "The request is withdrawn."
	}
	s.render(w, r, "portal_home", v)
	return nil
}

// colleagueNames maps the ids of the agency's officials to their names.
func (s *Server) colleagueNames(r *http.Request, c *portalCaller) (map[string]string, error) {
	list, err := s.db.Colleagues(r.Context(), c.p.Agency.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{c.p.Official.ID: c.p.Official.Name}
	for _, o := range list {
		names[o.ID] = o.Name
	}
	return names, nil
}

// portalRequestPage is one request as its agency sees it.
type portalRequestPage struct {
	basePage
	Request    *dueprocess.Request
	By         string
	Mine       bool
	Events     []dueprocess.Event
	Shares     []dueprocess.Official
	Colleagues []dueprocess.Official // those it may still be shared with
	MaxShares  int
	// Answer is the agency's answer, as GET …/response gives it.
	Answer *dueprocess.Response
	// Holds are a preservation request's holds; MayExtend is set while
	// one in force may still be extended.
	Holds     []*dueprocess.Hold
	MayExtend bool
}

func (s *Server) portalRequest(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	return s.showPortalRequest(w, r, c, r.PathValue("id"), nil)
}

// showPortalRequest shows a request of the caller's agency, with failed
// (the refusal of a form on it) when not nil. Another agency's request is
// not found, as a missing one is.
func (s *Server) showPortalRequest(w http.ResponseWriter, r *http.Request, c *portalCaller, id string, failed error) error {
	req, err := s.visibleRequest(r, c.p, id)
	if err != nil {
		return err
	}
	v := &portalRequestPage{basePage: c.base(req.ID), Request: req.Request, MaxShares: dueprocess.MaxShares}
	if v.Mine, err = s.db.MayActOn(r.Context(), req.Request, c.p.Official.ID); err != nil {
		return err
	}
	if v.Events, err = s.db.Events(r.Context(), req.ID); err != nil {
		return err
	}
	if err := s.portalAnswer(r.Context(), v); err != nil {
		return err
	}
	if v.Shares, err = s.db.Shares(r.Context(), req.ID); err != nil {
		return err
	}
	names, err := s.colleagueNames(r, c)
	if err != nil {
		return err
	}
	v.By = names[req.OfficialID]
	colleagues, err := s.db.Colleagues(r.Context(), c.p.Agency.ID)
	if err != nil {
		return err
	}
	shared := map[string]bool{req.OfficialID: true}
	for _, o := range v.Shares {
		shared[o.ID] = true
	}
	for _, o := range colleagues {
		if !shared[o.ID] {
			v.Colleagues = append(v.Colleagues, o)
		}
	}
	switch r.URL.Query().Get("done") {
	case "submitted":
		v.Flash = "The request is submitted. Its status and deadline are shown here and in your list of requests."
	case "shared":
		v.Flash = "The request is shared."
	case "replied":
		v.Flash = "Your reply is sent; the request is back in review."
	case "extended":
		v.Flash = "The holds are extended."
	}
	if failed != nil {
		v.refuse(failed)
	}
	s.render(w, r, "portal_request", v)
	return nil
}

// actOn loads a request of the caller's agency that they may act on (see
// store.DB.MayActOn) and checks that they hold perm. A request of another
// agency is not found; one of theirs that is neither their own nor shared
// with them is refused.
func (s *Server) actOn(r *http.Request, c *portalCaller, perm dueprocess.Permission) (*dueprocess.Request, error) {
	req, err := s.visibleRequest(r, c.p, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := allow(c.p, perm); err != nil {
		return nil, err
	}
	mine, err := s.db.MayActOn(r.Context(), req.Request, c.p.Official.ID)
	if err != nil {
		return nil, err
	}
	if !mine {
		return nil, dueprocess.Errorf(dueprocess.Forbidden, "only the official who submitted %s, or a colleague it is shared with, may do this", req.ID)
	}
	return req.Request, nil
}

// portalWithdraw withdraws a request, with a reason.
func (s *Server) portalWithdraw(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.actOn(r, c, dueprocess.PermRequestWithdraw)
	if err != nil {
		return err
	}
	reason, err := dueprocess.CheckReason(r.PostFormValue("reason"))
	if err == nil {
		err = s.db.Withdraw(r.Context(), req.ID, reason, c.p.Actor())
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return s.showPortalRequest(w, r, c, req.ID, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal?done=withdrawn", http.StatusSeeOther)
	return nil
}

// portalShare shares a request with a colleague of the same agency.
func (s *Server) portalShare(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.actOn(r, c, dueprocess.PermRequestShare)
	if err != nil {
		return err
	}
	colleague := r.PostFormValue("official_id")
	err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
		return tx.ShareRequest(r.Context(), c.p.Agency.ID, req.ID, colleague, c.p.Actor())
	})
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return s.showPortalRequest(w, r, c, req.ID, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/requests/"+req.ID+"?done=shared", http.StatusSeeOther)
	return nil
}

type tokensPage struct {
	basePage
	Tokens []dueprocess.Token
}

// portalTokens lists the official's own API tokens.
func (s *Server) portalTokens(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	if err := allow(c.p, dueprocess.PermTokenRevoke); err != nil {
		return err
	}
	list, err := s.db.OfficialTokens(r.Context(), c.p.Official.ID)
	if err != nil {
		return err
	}
	v := &tokensPage{basePage: c.base("API tokens"), Tokens: list}
	if r.URL.Query().Get("done") == "revoked" {
		v.Flash = "The token is revoked; it no longer works."
	}
	s.render(w, r, "portal_tokens", v)
	return nil
}

// portalRevokeToken revokes one of the official's own tokens; anyone
// else's is not found.
func (s *Server) portalRevokeToken(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	if err := allow(c.p, dueprocess.PermTokenRevoke); err != nil {
		return err
	}
	err := s.db.Transact(r.Context(), func(tx *store.Tx) error {
		return tx.RevokeOwnToken(r.Context(), c.p.Official.ID, r.PathValue("id"))
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/tokens?done=revoked", http.StatusSeeOther)
	return nil
}
