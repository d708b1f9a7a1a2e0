package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/disclose"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The disclosure routes: gathering by hand and by connector, the release
// of the package, and the agency's side: its answer and the one download.
// See docs/disclosure.md.

// transferTime is how long the upload of a gathered file, or the one
// download of a package, may take.
const transferTime = time.Hour

// caseFor loads request id for a staff member who holds perm and is on its
// case: staff off the case are refused (403), as for its documents.
func (s *Server) caseFor(r *http.Request, perm dueprocess.Permission) (*dueprocess.Principal, visible, error) {
	p, err := s.need(r, perm)
	if err != nil {
		return nil, visible{}, err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return nil, visible{}, err
	}
	return p, req, onCase(req)
}

// addGatheredFile adds a file gathered by hand: the body is the file,
// ?category= its data category, which the approval must allow, and
// ?name= its name in the package.
func (s *Server) addGatheredFile(w http.ResponseWriter, r *http.Request) error {
	p, req, err := s.caseFor(r, dueprocess.PermRequestGather)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cat, err := dueprocess.CheckCategory("category", q.Get("category"))
	if err != nil {
		return err
	}
	name, err := dueprocess.CheckFileName(q.Get("name"))
	if err != nil {
		return err
	}
	// The server's read timeout is set for documents of 20 MB; a gathered
	// file may be larger. (A network deadline, not business time: the
	// real clock.)
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(transferTime))
	body := http.MaxBytesReader(w, r.Body, dueprocess.MaxGatheredFileSize+1)
	f, err := s.disclose.AddFile(r.Context(), req.ID, cat, name, body, p.Actor())
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &dueprocess.Error{Kind: dueprocess.TooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than %d bytes", dueprocess.MaxGatheredFileSize)}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

// collectRequest runs the connectors for the approved categories.
func (s *Server) collectRequest(w http.ResponseWriter, r *http.Request) error {
	p, req, err := s.caseFor(r, dueprocess.PermRequestGather)
	if err != nil {
		return err
	}
	out, err := s.disclose.Collect(r.Context(), req.ID, p.Actor())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// releaseRequest seals and releases the package. When the official has no
// age key the answer carries the one-time passphrase, once: it is neither
// stored nor logged, and the answer must not be cached.
func (s *Server) releaseRequest(w http.ResponseWriter, r *http.Request) error {
	p, req, err := s.caseFor(r, dueprocess.PermRequestRelease)
	if err != nil {
		return err
	}
	out, err := s.releasePackage(r, req.Request, p.Actor())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// releasePackage releases req, for the API and the console alike. The users
// concerned are told of the release (docs/notice.md). Their addresses
// are looked up now, outside the transaction; if the platform's contact
// query fails, the notice loop looks them up later rather than holding
// the release back.
func (s *Server) releasePackage(r *http.Request, req *dueprocess.Request, by dueprocess.Actor) (*disclose.Released, error) {
	plan, err := s.noticePlan(r.Context(), req)
	if err != nil {
		s.log.Warn("release: user notices' addresses left to the notice loop", "request", req.ID, "err", err)
		plan = store.NoticePlan{Policy: s.notice}
	}
	return s.disclose.Release(r.Context(), req.ID, by, plan)
}

// requestResponse is the agency's answer to its request.
func (s *Server) requestResponse(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestResponse)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := s.disclose.Response(r.Context(), req.Request)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// downloadPackage hands the package to an official of the requesting
// agency, once: the claim commits before the first byte is sent, and every
// later download answers 410. The ciphertext is deleted once sent.
func (s *Server) downloadPackage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.need(r, dueprocess.PermRequestResponse)
	if err != nil {
		return err
	}
	if p.Agency == nil {
		return requestNotFound(r.PathValue("id"))
	}
	pkg, rc, err := s.disclose.Download(r.Context(), r.PathValue("id"), p.Agency.ID, p.Actor(), clientAddr(r))
	if err != nil {
		return err
	}
	s.sendPackage(w, r, pkg, rc, p.Actor())
	return nil
}

// sendPackage streams a package whose one download was just claimed, then
// deletes its ciphertext. The API's download and the portal's share it.
func (s *Server) sendPackage(w http.ResponseWriter, r *http.Request, pkg *dueprocess.Package, rc io.ReadCloser, by dueprocess.Actor) {
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(pkg.Bytes))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": pkg.RequestID + ".tar.age"}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Package-SHA256", pkg.CiphertextSHA256)
	// The download is claimed and will not be offered again: give it
	// longer than the server's write timeout, which is set for documents.
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTime))
	if _, err := io.Copy(w, rc); err != nil {
		// The status is sent and the one download claimed; the retention
		// loop deletes the ciphertext all the same.
		s.log.Error("package download failed", "package", pkg.ID, "err", err)
		return
	}
	if err := s.disclose.Discard(context.WithoutCancel(r.Context()), pkg, by); err != nil {
		s.log.Error("could not delete a downloaded package; the retention loop will", "package", pkg.ID, "err", err)
	}
}
