package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
)

// addDocument attaches the legal document to a request: a PDF, checked by
// its content rather than its name, of at most MaxDocumentSize bytes. The
// body is either the PDF itself (Content-Type: application/pdf, the name in
// ?filename=) or a multipart form with the file in the field "file".
func (s *Server) addDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	// The request is found first, so that an official of another agency
	// gets the same 404 as for a missing one.
	if err := allow(p, dueprocess.PermDocumentAdd); err != nil {
		return err
	}
	// Room for the multipart framing around a file of the largest size.
	body := http.MaxBytesReader(w, r.Body, dueprocess.MaxDocumentSize+64<<10)
	file, name, err := uploadedFile(r, body)
	if err != nil {
		return err
	}
	ref, err := s.blobs.Put(r.Context(), file, dueprocess.MaxDocumentSize, blob.CheckPDF)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &dueprocess.Error{Kind: dueprocess.TooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than %d bytes", dueprocess.MaxDocumentSize)}
	}
	if err != nil {
		return err
	}
	doc := &dueprocess.Document{RequestID: req.ID, SHA256: ref.SHA256, Size: ref.Size, ContentType: "application/pdf", Filename: name, UploadedBy: p.Actor()}
	if err := s.db.Transact(r.Context(), func(tx *store.Tx) error { return tx.AddDocument(r.Context(), doc) }); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requests/"+req.ID+"/documents/"+doc.ID)
	writeJSON(w, http.StatusCreated, doc)
	return nil
}

// uploadedFile finds the file in a raw or multipart upload.
func uploadedFile(r *http.Request, body io.Reader) (io.Reader, string, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, "", &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Content-Type", Message: "must be application/pdf or multipart/form-data"}
	}
	switch mt {
	case "multipart/form-data":
		mr, err := multipartReader(body, params["boundary"])
		if err != nil {
			return nil, "", err
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil, "", dueprocess.FieldError("file", "is required: the form has no part named \"file\"")
			}
			if err != nil {
				return nil, "", dueprocess.Errorf(dueprocess.Invalid, "the multipart body is malformed: %v", err)
			}
			if part.FormName() == "file" {
				name, err := cleanFilename(part.FileName())
				return part, name, err
			}
		}
	case "application/pdf", "application/octet-stream":
		name, err := cleanFilename(r.URL.Query().Get("filename"))
		return body, name, err
	}
	return nil, "", &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Content-Type", Message: fmt.Sprintf("must be application/pdf or multipart/form-data, not %q", mt)}
}

// cleanFilename keeps a display name only: no directories, no quotes, at
// most 200 characters. A name that is not UTF-8, or holds a control or an
// invisible format character, is refused, not cleaned: a right-to-left
// override shows "invoice\u202Efdp.exe" as "invoiceexe.pdf", and what staff
// see must be what was sent.
func cleanFilename(name string) (string, error) {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if !utf8.ValidString(name) {
		return "", dueprocess.FieldError("filename", "is not valid UTF-8")
	}
	if err := dueprocess.CheckIdentifier("filename", name); err != nil {
		return "", err
	}
	name = strings.ReplaceAll(name, `"`, "")
	if name == "." || name == "/" || name == "" {
		name = "document.pdf"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name, nil
}

// getDocument returns a document's content to whoever may see its request.
func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	return s.sendDocument(w, r, p)
}

// consoleDocument is getDocument for the console's signed-in staff, whose
// browser carries a session rather than a token.
func (s *Server) consoleDocument(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	return s.sendDocument(w, r, &dueprocess.Principal{Staff: staff})
}

// sendDocument sends a document of request {id} to p, if p may see it.
func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, p *dueprocess.Principal) error {
	req, err := s.visibleRequest(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := onCase(req); err != nil {
		return err
	}
	doc, err := s.db.Document(r.Context(), req.ID, r.PathValue("doc"))
	if err != nil {
		return err
	}
	if err := s.recordRead(r, p, dueprocess.ActionDocumentViewed, req.ID, map[string]any{"document_id": doc.ID}); err != nil {
		return err
	}
	rc, err := s.blobs.Get(r.Context(), doc.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", doc.ContentType)
	w.Header().Set("Content-Length", fmt.Sprint(doc.Size))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.Filename}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, rc)
	if err != nil {
		// The status is sent; all that is left is to log.
		s.log.Error("document download failed", "document", doc.ID, "err", err)
	}
	return nil
}
