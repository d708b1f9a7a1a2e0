package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
)

// The console's New request form: a demand that arrived by e-mail, fax,
// post or in person, entered by an intake clerk on behalf of a registered
// agency and the official it names. It goes through the same checks
// (dueprocess.NewRequest.Check), the same store operation (store.DB.Submit)
// and so the same policy, signals and audit as one sent through the API.

// intakePage is the New request form, with what was typed when a refusal
// shows it again.
type intakePage struct {
	basePage
	Agencies   []*dueprocess.Agency
	Channels   []dueprocess.Channel
	Kinds      []dueprocess.RequestKind
	Processes  []dueprocess.LegalProcessType
	Categories []dueprocess.DataCategory
	Harms      []dueprocess.Harm
	Form       url.Values
}

func (s *Server) intakeView(r *http.Request, se *store.Session, staff *dueprocess.Staff, form url.Values) (*intakePage, error) {
	agencies, err := s.db.Agencies(r.Context())
	if err != nil {
		return nil, err
	}
	if form == nil {
		form = url.Values{}
	}
	return &intakePage{basePage: basePage{Title: "New request", Staff: staff, CSRF: se.CSRF}, Agencies: agencies,
		Channels: dueprocess.PaperChannels, Kinds: dueprocess.RequestKinds, Processes: dueprocess.LegalProcessTypes,
		Categories: dueprocess.DataCategories, Harms: dueprocess.Harms, Form: form}, nil
}

func (s *Server) intakeFormPage(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermRequestIntake); err != nil {
		return err
	}
	v, err := s.intakeView(r, se, staff, nil)
	if err != nil {
		return err
	}
	s.render(w, r, "newrequest", v)
	return nil
}

// consoleIntake takes in the form: the request, the sender as the demand
// names them, the channel, how the sender was checked, and the document.
// A refusal shows the form again with what was typed and the field at
// fault; nothing is stored.
func (s *Server) consoleIntake(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermRequestIntake); err != nil {
		return err
	}
	id, err := s.intake(r, staff)
	if err == nil {
		http.Redirect(w, r, "/console/requests/"+id+"?done=entered", http.StatusSeeOther)
		return nil
	}
	if k := dueprocess.ErrorKind(err); k == dueprocess.Internal || k == dueprocess.Unavailable {
		return err
	}
	v, verr := s.intakeView(r, se, staff, r.PostForm)
	if verr != nil {
		return verr
	}
	v.refuse(err)
	s.render(w, r, "newrequest", v)
	return nil
}

// intake checks the posted form and makes the one store call.
func (s *Server) intake(r *http.Request, staff *dueprocess.Staff) (string, error) {
	f := r.PostForm
	req, err := formRequest(f)
	if err != nil {
		return "", err
	}
	sender := &dueprocess.Sender{Name: f.Get("sender_name"), Email: f.Get("sender_email"), Phone: f.Get("sender_phone"),
		VerifiedHow: f.Get("verified_how"), EnteredBy: staff.ID}
	channel, err := dueprocess.CheckPaperIntake(f.Get("channel"), sender)
	if err != nil {
		return "", err
	}
	if req.AgencyID = f.Get("agency_id"); req.AgencyID == "" {
		return "", dueprocess.FieldError("agency_id", "is required: the registered agency the demand comes from")
	}
	by := dueprocess.Actor{Type: dueprocess.ActorStaff, ID: staff.ID}
	doc, err := s.intakeDocument(r, by)
	if err != nil {
		return "", err
	}
	var docs []dueprocess.Document
	if doc != nil {
		docs = append(docs, *doc)
	}
	done, err := s.db.Submit(r.Context(), store.Submission{Request: req, By: by, Decide: s.decide,
		Origin: store.Origin{Channel: channel, Sender: sender}, Documents: docs,
		Answer: func(*dueprocess.Request) ([]byte, error) { return nil, nil }})
	if err != nil {
		return "", err
	}
	return done.ID, nil
}

// intakeDocument stores the uploaded PDF, if any, as the API does.
func (s *Server) intakeDocument(r *http.Request, by dueprocess.Actor) (*dueprocess.Document, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 || s.blobs == nil {
		return nil, nil
	}
	fh := r.MultipartForm.File["file"][0]
	if fh.Size == 0 {
		return nil, nil
	}
	name, err := cleanFilename(fh.Filename)
	if err != nil {
		return nil, err
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	ref, err := s.blobs.Put(r.Context(), file, dueprocess.MaxDocumentSize, blob.CheckPDF)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &dueprocess.Error{Kind: dueprocess.TooLarge, Field: "file", Message: fmt.Sprintf("the file is larger than %d bytes", dueprocess.MaxDocumentSize)}
	}
	if err != nil {
		return nil, err
	}
	return &dueprocess.Document{SHA256: ref.SHA256, Size: ref.Size, ContentType: "application/pdf", Filename: name, UploadedBy: by}, nil
}

// formRequest turns the form's fields into the JSON of the API, so that
// the one check of the API (NewRequest.Check) names the same fields.
func formRequest(f url.Values) (*dueprocess.Request, error) {
	in := map[string]any{"kind": f.Get("kind"), "jurisdiction": f.Get("jurisdiction"), "deadline": f.Get("deadline"),
		"data_categories": append([]string{}, f["data_categories"]...),
		"legal_process": map[string]string{"type": f.Get("process_type"), "reference": f.Get("process_reference"),
			"issued_by": f.Get("process_issued_by"), "issued_on": f.Get("process_issued_on")}}
	if c := f.Get("offence_category"); c != "" {
		in["offence"] = map[string]string{"category": c, "description": f.Get("offence_description")}
	}
	var targets []map[string]string
	for i, line := range strings.Split(f.Get("targets"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		typ, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, dueprocess.FieldError(fmt.Sprintf("targets[%d]", i), "%q is not \"type: value\", such as \"username: demosisto\"", line)
		}
		targets = append(targets, map[string]string{"type": strings.TrimSpace(typ), "value": strings.TrimSpace(value)})
	}
	in["targets"] = targets
	if from, to := f.Get("date_from"), f.Get("date_to"); from != "" || to != "" {
		in["date_range"] = map[string]string{"from": from, "to": to}
	}
	if f.Get("nondisclosure") != "" {
		in["nondisclosure"] = map[string]string{"until": f.Get("nondisclosure_until")}
	}
	if h := f.Get("emergency_harm"); h != "" {
		in["emergency"] = map[string]string{"harm": h, "justification": f.Get("emergency_justification")}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	return checkRequestBody(body)
}
