package web

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/disclose"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console's side of disclosure, on the request page: what was
// gathered, the forms to add a file by hand, to collect from the
// connectors and to release, and the package with its download. Each form
// makes the same call as its API route (disclosure.go), for staff on the
// case who hold the permission.

// shownFile is a gathered file as the request page shows it.
type shownFile struct {
	dueprocess.GatheredFile
	ByName string
}

// shownPackage is the released package as the request page shows it.
type shownPackage struct {
	*dueprocess.Package
	ByName, DownloadedByName string
}

// disclosureView fills in what was gathered and the package, for staff on
// the case of an approved or answered request.
func (v *requestPage) disclosureView(r *http.Request, s *Server, names *people) error {
	if v.Request.Withheld != "" {
		return nil
	}
	switch v.Request.Status {
	case dueprocess.StatusApproved, dueprocess.StatusPartiallyApproved:
		v.Gathering = true
	case dueprocess.StatusDisclosed, dueprocess.StatusNoData, dueprocess.StatusClosed:
	default:
		return nil
	}
	files, err := s.db.Gathered(r.Context(), v.Request.ID)
	if err != nil {
		return err
	}
	for _, f := range files {
		v.Gathered = append(v.Gathered, shownFile{GatheredFile: f, ByName: names.name(f.By)})
	}
	pkg, err := s.db.Package(r.Context(), v.Request.ID)
	if errors.Is(err, dueprocess.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v.Package = &shownPackage{Package: pkg, ByName: names.name(pkg.CreatedBy)}
	if pkg.DownloadedBy != "" {
		v.Package.DownloadedByName = names.name(dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: pkg.DownloadedBy})
	}
	return nil
}

// onCaseFor loads request id for staff on its case (as caseFor does for
// the API): staff off the case are refused.
func (s *Server) onCaseFor(r *http.Request, staff *dueprocess.Staff, id string) (visible, error) {
	req, err := s.visibleRequest(r, &dueprocess.Principal{Staff: staff}, id)
	if err != nil {
		return visible{}, err
	}
	return req, onCase(req)
}

// consoleAddFile adds a file gathered by hand, from a multipart form:
// its category, its name in the package (the uploaded file's name when
// left empty) and the file.
func (s *Server) consoleAddFile(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	return s.act(w, r, se, staff, dueprocess.PermRequestGather, func(id string) error {
		req, err := s.onCaseFor(r, staff, id)
		if err != nil {
			return err
		}
		cat, err := dueprocess.CheckCategory("category", r.PostFormValue("category"))
		if err != nil {
			return err
		}
		f, fh, err := r.FormFile("file")
		if err != nil {
			return dueprocess.FieldError("file", "choose the file to add")
		}
		defer f.Close()
		name, err := dueprocess.CheckFileName(cmp.Or(r.PostFormValue("name"), fh.Filename))
		if err != nil {
			return err
		}
		_, err = s.disclose.AddFile(r.Context(), req.ID, cat, name, f, (&dueprocess.Principal{Staff: staff}).Actor())
		return err
	})
}

// consoleCollect runs the connectors for the approved categories.
func (s *Server) consoleCollect(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.act(w, r, se, staff, dueprocess.PermRequestGather, func(id string) error {
		req, err := s.onCaseFor(r, staff, id)
		if err != nil {
			return err
		}
		_, err = s.disclose.Collect(r.Context(), req.ID, (&dueprocess.Principal{Staff: staff}).Actor())
		return err
	})
}

// consoleRelease seals and releases the package. A one-time passphrase
// (when the official has no age key) is shown once, on the page that
// answers the release, which is not cached; it is kept nowhere.
func (s *Server) consoleRelease(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	id := r.PathValue("id")
	var passphrase string
	err := allow(staff, dueprocess.PermRequestRelease)
	if err == nil {
		var req visible
		if req, err = s.onCaseFor(r, staff, id); err == nil {
			var rel *disclose.Released
			if rel, err = s.releasePackage(r, req.Request, (&dueprocess.Principal{Staff: staff}).Actor()); err == nil {
				passphrase = rel.Passphrase
			}
		}
	}
	if err != nil {
		return s.refuseOnPage(w, r, se, staff, id, err)
	}
	if passphrase == "" {
		http.Redirect(w, r, "/console/requests/"+id+"?done=released", http.StatusSeeOther)
		return nil
	}
	v, err := s.requestView(r, se, staff, id)
	if err != nil {
		return err
	}
	v.Passphrase = passphrase
	v.Flash = "Released. The official has no age key, so the package is encrypted with the one-time passphrase below."
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "request", v)
	return nil
}
