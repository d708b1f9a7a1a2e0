package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console's request and jurisdiction pages. Their forms call the same
// store operations as the API, so the rules (roles, four eyes, the
// workflow) are the same whichever way staff work.

// requestPage is a request as staff see it in the console: the request
// (redacted off the case), its decision, its timeline from the audit log,
// and what the review forms need. Which forms show is the template's to
// say, by the request's status and .May.
type requestPage struct {
	basePage
	Request         *dueprocess.Request
	ReviewDecisions []dueprocess.ReviewDecision
	Allowed         []dueprocess.DataCategory
	Proposal        string // the proposal awaiting approval, if any, in words
	OwnProposal     bool   // the signed-in staff member made it: four eyes
	Closable        bool   // the workflow lets the request be closed
	Assignees       []string
	Timeline        []timelineItem
	ItemActions     []dueprocess.ItemAction // for a content demand's items (items.go)
	// Notices are the request's user notices, shown on the case only.
	Notices []dueprocess.Notice
	// Liftable says some notice waits for staff to lift an order
	// without an end date.
	Liftable bool
	// Verification: the agency and official as our registry holds them,
	// the callbacks recorded, and why nothing may be released yet ("" if
	// it may, as far as the sender goes).
	Agency     *dueprocess.Agency
	Official   *dueprocess.Official
	Callbacks  []dueprocess.Callback
	Unreleased string
	// Gathering is set while files may be gathered and the package
	// released; Gathered and Package are shown to staff on the case
	// (consoledisclose.go).
	Gathering bool
	Gathered  []shownFile
	Package   *shownPackage
	// Passphrase is the one-time passphrase of the package just
	// released, shown on that answer only.
	Passphrase string
	// e-Evidence orders (regimepage.go).
	regimeView
}

// requestView builds the request page for staff.
func (s *Server) requestView(r *http.Request, se *store.Session, staff *dueprocess.Staff, id string) (*requestPage, error) {
	p := &dueprocess.Principal{Staff: staff}
	req, err := s.visibleRequest(r, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.recordRead(r, p, dueprocess.ActionRequestViewed, req.ID, map[string]any{"view": "console"}); err != nil {
		return nil, err
	}
	_, datas, err := s.db.AuditLog().ObjectEntries(r.Context(), "request:"+req.ID)
	if err != nil {
		return nil, err
	}
	entries := make([]audit.Entry, len(datas))
	for i, data := range datas {
		if entries[i], err = audit.Decode(data); err != nil {
			return nil, err
		}
	}
	names, err := s.people(r.Context())
	if err != nil {
		return nil, err
	}
	v := &requestPage{basePage: basePage{Title: req.ID, Staff: staff, CSRF: se.CSRF}, Request: req.Request, ReviewDecisions: dueprocess.ReviewDecisions,
		Timeline: names.timeline(entries), Closable: req.CheckClose() == nil,
		ItemActions: dueprocess.ItemActions}
	if req.Decision != nil {
		v.Allowed = req.Decision.Allowed()
	}
	if err := v.loadNotices(r, s); err != nil {
		return nil, err
	}
	if err := s.verificationView(r, v); err != nil {
		return nil, err
	}
	if err := v.loadRegime(r, s); err != nil {
		return nil, err
	}
	ids, err := s.db.Assignees(r.Context(), req.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range ids {
		v.Assignees = append(v.Assignees, names.staffName(a))
	}
	if req.Status == dueprocess.StatusAwaitingApproval {
		if err := v.proposal(r, s, names, staff); err != nil {
			return nil, err
		}
	}
	if err := v.disclosureView(r, s, names); err != nil {
		return nil, err
	}
	switch r.URL.Query().Get("done") {
	case "recorded":
		v.Flash = "Recorded."
	case "released":
		v.Flash = "Released. The package is encrypted to the official's age key."
	case "entered":
		v.Flash = "Entered. Check its signals, and call the agency back on the number in our registry before anything is released."
	}
	return v, nil
}

// loadNotices fills in the request's user notices, on the case only:
// they name the targets and their addresses.
func (v *requestPage) loadNotices(r *http.Request, s *Server) error {
	if v.Request.Withheld != "" {
		return nil
	}
	var err error
	if v.Notices, err = s.db.Notices(r.Context(), v.Request.ID); err != nil {
		return err
	}
	for _, n := range v.Notices {
		v.Liftable = v.Liftable || n.Status == dueprocess.NoticeWithheld && n.ReleaseAt == nil
	}
	return nil
}

// proposal fills in the proposal awaiting approval, in words, and whether
// the signed-in staff member made it: the proposer is not offered the
// form that would confirm it.
func (v *requestPage) proposal(r *http.Request, s *Server, names *people, staff *dueprocess.Staff) error {
	reviews, err := s.db.Reviews(r.Context(), v.Request.ID)
	if err != nil {
		return err
	}
	for _, rv := range reviews {
		if rv.Kind != dueprocess.ReviewKindProposal {
			continue
		}
		cats := make([]string, len(rv.Categories))
		for i, c := range rv.Categories {
			cats[i] = string(c)
		}
		v.Proposal = fmt.Sprintf("%s proposed to %s (%s) on %s: %s", names.staffName(rv.StaffID), words(rv.Decision),
			strings.Join(cats, ", "), rv.At.Format("2 January 2006, 15:04 UTC"), rv.Note)
		v.OwnProposal = rv.StaffID == staff.ID
	}
	return nil
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	v, err := s.requestView(r, se, staff, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, "request", v)
	return nil
}

// act runs a console form's action on request id, for staff who hold
// perm: fn makes the one store call. A refusal (wrong role, four eyes, a
// move the workflow does not allow, bad input) shows the request page
// again with the reason; success goes back to the page.
func (s *Server) act(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff, perm dueprocess.Permission, fn func(id string) error) error {
	id := r.PathValue("id")
	err := allow(staff, perm)
	if err == nil {
		err = fn(id)
	}
	if err == nil {
		http.Redirect(w, r, "/console/requests/"+id+"?done=recorded", http.StatusSeeOther)
		return nil
	}
	return s.refuseOnPage(w, r, se, staff, id, err)
}

// refuseOnPage answers a console form's refusal on request id: the request
// page again with the reason, or the error page for a fault or a request
// the staff member may not see.
func (s *Server) refuseOnPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff, id string, err error) error {
	switch dueprocess.ErrorKind(err) {
	case dueprocess.Internal, dueprocess.Unavailable, dueprocess.NotFound:
		return err
	}
	v, verr := s.requestView(r, se, staff, id)
	if verr != nil {
		return verr
	}
	v.refuse(err)
	s.render(w, r, "request", v)
	return nil
}

func (s *Server) consoleReview(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestReview, func(id string) error {
		p := &dueprocess.NewProposal{Decision: r.PostFormValue("decision"), Categories: r.PostForm["categories"], Note: r.PostFormValue("note")}
		_, err := s.db.Propose(r.Context(), id, staff, p)
		return err
	})
}

func (s *Server) consoleApprove(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestApprove, func(id string) error {
		_, err := s.db.Approve(r.Context(), id, staff, r.PostFormValue("note"))
		return err
	})
}

func (s *Server) consoleAssess(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestAssess, func(id string) error {
		in := dueprocess.NewAssessment{Conclusion: r.PostFormValue("conclusion"), Legality: r.PostFormValue("legality"),
			Necessity: r.PostFormValue("necessity"), Proportionality: r.PostFormValue("proportionality"), Note: r.PostFormValue("note")}
		conclusion, a, note, err := in.Check()
		if err != nil {
			return err
		}
		_, err = s.db.AssessHumanRights(r.Context(), id, staff, conclusion, a, note)
		return err
	})
}

func (s *Server) consoleAssign(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestAssign, func(id string) error {
		return s.db.Assign(r.Context(), id, r.PostFormValue("staff_id"), dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
	})
}

func (s *Server) consoleEscalate(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.consoleMove(w, r, se, staff, dueprocess.PermRequestReview, s.db.Escalate)
}

func (s *Server) consoleSendBack(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.consoleMove(w, r, se, staff, dueprocess.PermRequestApprove, s.db.SendBack)
}

func (s *Server) consoleClose(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.consoleMove(w, r, se, staff, dueprocess.PermRequestClose, s.db.CloseRequest)
}

// consoleMove runs a move that takes a note from a console form.
func (s *Server) consoleMove(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff, perm dueprocess.Permission,
	fn func(ctx context.Context, id, note string, by dueprocess.Actor) error) error {
	return s.act(w, r, se, staff, perm, func(id string) error {
		note, err := dueprocess.CheckNote(r.PostFormValue("note"))
		if err != nil {
			return err
		}
		return fn(r.Context(), id, note, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
	})
}

// jurisdictionsPage shows the pauses in force and their history, with the
// forms to pause and resume for those who may.
type jurisdictionsPage struct {
	basePage
	Pauses  []dueprocess.Pause
	History []dueprocess.Pause
	Kinds   []dueprocess.RequestKind
}

func (s *Server) jurisdictionsView(r *http.Request, se *store.Session, staff *dueprocess.Staff) (*jurisdictionsPage, error) {
	inForce, err := s.db.PausesInForce(r.Context())
	if err != nil {
		return nil, err
	}
	history, err := s.db.Pauses(r.Context(), "")
	if err != nil {
		return nil, err
	}
	v := &jurisdictionsPage{basePage: basePage{Title: "Jurisdictions", Staff: staff, CSRF: se.CSRF},
		Pauses: inForce, History: history, Kinds: dueprocess.RequestKinds}
	switch r.URL.Query().Get("done") {
	case "paused":
		v.Flash = "Paused. Every open request in scope is now paused, and new ones arrive paused."
	case "resumed":
		v.Flash = "Resumed. The requests it held are back where the pause found them; those that arrived paused were evaluated as new."
	}
	return v, nil
}

func (s *Server) jurisdictionsPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	v, err := s.jurisdictionsView(r, se, staff)
	if err != nil {
		return err
	}
	s.render(w, r, "jurisdictions", v)
	return nil
}

// jurisdictionAction runs a pause or resume from the console: fn makes
// the one store call.
func (s *Server) jurisdictionAction(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff, done string, fn func() error) error {
	err := allow(staff, dueprocess.PermJurisdictionPause)
	if err == nil {
		err = fn()
	}
	if err == nil {
		http.Redirect(w, r, "/console/jurisdictions?done="+done, http.StatusSeeOther)
		return nil
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Internal || k == dueprocess.Unavailable {
		return err
	}
	v, verr := s.jurisdictionsView(r, se, staff)
	if verr != nil {
		return verr
	}
	v.refuse(err)
	s.render(w, r, "jurisdictions", v)
	return nil
}

func (s *Server) consolePause(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	in := dueprocess.NewPause{Jurisdiction: r.PostFormValue("code"), Reason: r.PostFormValue("reason"),
		Kinds: r.PostForm["kinds"], Routes: r.PostForm["routes"], ExceptEmergency: r.PostFormValue("except_emergency") == "true"}
	return s.jurisdictionAction(w, r, se, staff, "paused", func() error {
		p, err := in.Check()
		if err != nil {
			return err
		}
		p.StartedBy = dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
		_, err = s.db.Pause(r.Context(), p)
		return err
	})
}

func (s *Server) consoleResume(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.jurisdictionAction(w, r, se, staff, "resumed", func() error {
		code, err := dueprocess.ParseJurisdiction(r.PathValue("code"))
		if err != nil {
			return err
		}
		reason, err := dueprocess.CheckReason(r.PostFormValue("reason"))
		if err != nil {
			return err
		}
		_, _, err = s.db.Resume(r.Context(), code, reason, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}, s.decide)
		return err
	})
}

func (s *Server) staffPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.renderStaff(w, r, se, staff, nil, "", 0)
}

// staffPage lists the staff, with the form that adds one.
type staffPage struct {
	basePage
	Members []*dueprocess.Staff
	Roles   []dueprocess.Role
	Form    map[string]string
}

func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff, form map[string]string, msg string, status int) error {
	if err := allow(staff, dueprocess.PermStaffManage); err != nil {
		return err
	}
	members, err := s.db.StaffMembers(r.Context())
	if err != nil {
		return err
	}
	v := &staffPage{basePage: basePage{Title: "Staff", Staff: staff, CSRF: se.CSRF, Error: msg, Status: status},
		Members: members, Roles: dueprocess.Roles, Form: form}
	switch r.URL.Query().Get("done") {
	case "added":
		v.Flash = "Added. They set up an authenticator app at their first sign-in."
	case "disabled":
		v.Flash = "Disabled: their sessions are ended and their tokens revoked."
	}
	s.render(w, r, "staff", v)
	return nil
}

// addStaff creates a staff member with roles and an initial password.
func (s *Server) addStaff(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermStaffManage); err != nil {
		return err
	}
	form := map[string]string{"name": r.PostFormValue("name"), "email": r.PostFormValue("email")}
	m := &dueprocess.Staff{Name: strings.TrimSpace(form["name"]), Email: strings.ToLower(strings.TrimSpace(form["email"]))}
	for _, role := range r.PostForm["roles"] {
		m.Roles = append(m.Roles, dueprocess.Role(role))
	}
	password := r.PostFormValue("password")
	err := m.Check()
	if err == nil {
		err = auth.CheckPasswordStrength(password, m.Email)
	}
	var hash string
	if err == nil {
		err = s.hash(w, r, func() { hash = auth.HashPassword(password) })
	}
	if err == nil {
		me := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
		err = s.db.AddStaff(r.Context(), m, hash, me)
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		msg := dueprocess.ErrorMessage(err)
		if f := dueprocess.ErrorField(err); f != "" {
			msg = f + ": " + msg
		}
		return s.renderStaff(w, r, se, staff, form, msg, statusOf[k])
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/staff?done=added", http.StatusSeeOther)
	return nil
}

// disableStaff stops a staff member from signing in: for those who may
// manage staff, and never oneself, so that the last admin cannot lock
// everyone out by mistake.
func (s *Server) disableStaff(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermStaffManage); err != nil {
		return err
	}
	id := r.PathValue("id")
	var err error = dueprocess.Errorf(dueprocess.Conflict, "you cannot disable yourself; ask another admin")
	if id != staff.ID {
		err = s.db.DisableStaff(r.Context(), id, dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID})
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Conflict || k == dueprocess.NotFound {
		return s.renderStaff(w, r, se, staff, nil, dueprocess.ErrorMessage(err), statusOf[k])
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/staff?done=disabled", http.StatusSeeOther)
	return nil
}
