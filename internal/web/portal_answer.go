package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The portal's side of the answer: what the request's page shows of it
// (the same answer as GET /api/v1/requests/{id}/response), the one
// download of the package, the reply to a request to narrow, and the one
// extension of a preservation request's holds. Each action is for the
// officials who may act on the request (store.DB.MayActOn), and goes
// through the same store operation as its API route.

// portalAnswer fills in the answer and the holds of a request's page.
func (s *Server) portalAnswer(ctx context.Context, v *portalRequestPage) error {
	answer, err := s.disclose.Response(ctx, v.Request)
	if err != nil {
		return err
	}
	v.Answer = answer
	if v.Request.Kind == dueprocess.KindPreservation {
		holds, err := s.db.Holds(ctx, dueprocess.HoldFilter{RequestID: v.Request.ID, Limit: 100})
		if err != nil {
			return err
		}
		v.Holds = holds
		for _, h := range holds {
			if h.Status.InForce() && h.ExtendedAt == nil && h.ExtensionDays > 0 {
				v.MayExtend = true
			}
		}
	}
	return nil
}

// portalDownload hands the package to an official who may act on the
// request, once, with the same claim as the API's GET …/package: a second
// download is refused as gone. It is a form's POST, with its CSRF token,
// since it spends the one download.
func (s *Server) portalDownload(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.actOn(r, c, dueprocess.PermRequestResponse)
	if err != nil {
		return err
	}
	pkg, rc, err := s.disclose.Download(r.Context(), req.ID, c.p.Agency.ID, c.p.Actor(), clientAddr(r))
	if k := dueprocess.ErrorKind(err); k == dueprocess.Gone || k == dueprocess.Conflict {
		return s.showPortalRequest(w, r, c, req.ID, err)
	}
	if err != nil {
		return err
	}
	s.sendPackage(w, r, pkg, rc, c.p.Actor())
	return nil
}

// portalReply answers a request to narrow: a note, and optionally the
// targets, categories and date range kept, checked as the API's reply is.
func (s *Server) portalReply(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.actOn(r, c, dueprocess.PermRequestReply)
	if err != nil {
		return err
	}
	in, err := replyForm(r, req)
	if err == nil {
		_, err = s.db.Reply(r.Context(), req.ID, in, c.p.Actor(), s.decide)
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return s.showPortalRequest(w, r, c, req.ID, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/requests/"+req.ID+"?done=replied", http.StatusSeeOther)
	return nil
}

// replyForm reads the reply form into the API's NewReply: targets are
// kept by their index in the request, categories by name; a list the form
// showed and left whole, or a date range left as it was, narrows nothing.
func replyForm(r *http.Request, req *dueprocess.Request) (*dueprocess.NewReply, error) {
	in := &dueprocess.NewReply{Note: r.PostFormValue("note")}
	if r.PostFormValue("targets_shown") != "" {
		kept := r.PostForm["target"]
		in.Targets = make([]struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		}, 0, len(kept))
		for _, k := range kept {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(req.Targets) {
				return nil, dueprocess.FieldError("targets", "%q is not one of the request's targets", k)
			}
			in.Targets = append(in.Targets, struct {
				Type  string `json:"type"`
				Value string `json:"value"`
			}{string(req.Targets[i].Type), req.Targets[i].Value})
		}
	}
	if r.PostFormValue("categories_shown") != "" {
		in.DataCategories = append([]string{}, r.PostForm["data_category"]...)
	}
	from, to := r.PostFormValue("date_from"), r.PostFormValue("date_to")
	if from != "" || to != "" {
		in.DateRange = &struct {
			From string `json:"from"`
			To   string `json:"to"`
		}{from, to}
	}
	return in, nil
}

// portalExtend extends a preservation request's holds, once.
func (s *Server) portalExtend(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	req, err := s.actOn(r, c, dueprocess.PermHoldExtend)
	if err != nil {
		return err
	}
	_, err = s.db.ExtendHolds(r.Context(), req.ID, c.p.Agency.ID, c.p.Actor())
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return s.showPortalRequest(w, r, c, req.ID, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/requests/"+req.ID+"?done=extended", http.StatusSeeOther)
	return nil
}

// portalSetAgeKey sets (or, empty, removes) the signed-in official's own
// age public key, to which their packages are then encrypted.
func (s *Server) portalSetAgeKey(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	if err := allow(c.p, dueprocess.PermOwnAgeKey); err != nil {
		return err
	}
	key := r.PostFormValue("age_recipient")
	var err error
	if key != "" {
		rcp, perr := seal.ParseRecipient(key)
		if err = perr; err == nil {
			key = rcp.String()
		}
	}
	if err == nil {
		err = s.db.Transact(r.Context(), func(tx *store.Tx) error {
			return tx.SetAgeRecipient(r.Context(), c.p.Official.ID, key, c.p.Actor())
		})
	}
	if dueprocess.ErrorKind(err) == dueprocess.Invalid {
		c.p.Official.AgeRecipient = key
		return s.showSecurity(w, r, c, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/security?done=age", http.StatusSeeOther)
	return nil
}
