package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/store"
)

// formTargets is how many target rows the submission form offers; more
// targets go through the API.
const formTargets = 5

// submitPage is the portal's form for a new request: every field of the
// API (dueprocess.NewRequest), the legal document, and the attestation.
type submitPage struct {
	basePage
	Form        url.Values
	Targets     []int
	Kinds       []dueprocess.RequestKind
	Processes   []dueprocess.LegalProcessType
	Categories  []dueprocess.DataCategory
	TargetTypes []dueprocess.TargetType
	Harms       []dueprocess.Harm
	Attestation string
}

// Has reports whether the form's field holds value, for checkboxes and
// selections shown again.
func (p *submitPage) Has(field, value string) bool {
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

// Target returns the value of target row i's field ("target_type" or
// "target_value").
func (p *submitPage) Target(field string, i int) string {
	if vs := p.Form[field]; i < len(vs) {
		return vs[i]
	}
	return ""
}

func (s *Server) submitForm(c *portalCaller, form url.Values) *submitPage {
	if form == nil {
		form = url.Values{"jurisdiction": {c.p.Agency.Jurisdiction}, "idempotency_key": {randomToken()}}
	}
	targets := make([]int, formTargets)
	for i := range targets {
		targets[i] = i
	}
	return &submitPage{basePage: c.base("New request"), Form: form, Targets: targets, Kinds: dueprocess.RequestKinds,
		Processes: dueprocess.LegalProcessTypes, Categories: dueprocess.DataCategories, TargetTypes: dueprocess.TargetTypes,
		Harms: dueprocess.Harms, Attestation: dueprocess.AttestationText}
}

func (s *Server) portalNew(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	if err := allow(c.p, dueprocess.PermRequestSubmit); err != nil {
		return err
	}
	s.render(w, r, "portal_submit", s.submitForm(c, nil))
	return nil
}

// newRequestFromForm builds the API's NewRequest from the form, so that a
// request from the portal passes exactly the checks of one from the API.
// A group of optional fields left empty is left out, as in JSON.
func newRequestFromForm(f url.Values) *dueprocess.NewRequest {
	n := &dueprocess.NewRequest{Kind: f.Get("kind"), Jurisdiction: f.Get("jurisdiction"), Deadline: f.Get("deadline"),
		DataCategories: f["data_categories"]}
	n.LegalProcess = &dueprocess.NewLegalProcess{Type: f.Get("process_type"), Reference: f.Get("process_reference"),
		IssuedBy: f.Get("process_issued_by"), IssuedOn: f.Get("process_issued_on")}
	if f.Get("offence_category") != "" || f.Get("offence_description") != "" {
		n.Offence = &struct {
			Category    string `json:"category"`
			Description string `json:"description"`
		}{f.Get("offence_category"), f.Get("offence_description")}
	}
	types, values := f["target_type"], f["target_value"]
	for i := range values {
		if strings.TrimSpace(values[i]) == "" || i >= len(types) {
			continue
		}
		n.Targets = append(n.Targets, dueprocess.NewTarget{Type: types[i], Value: values[i]})
	}
	if f.Get("date_from") != "" || f.Get("date_to") != "" {
		n.DateRange = &struct {
			From string `json:"from"`
			To   string `json:"to"`
		}{f.Get("date_from"), f.Get("date_to")}
	}
	if f.Get("nondisclosure") == "yes" {
		n.Nondisclosure = &struct {
			Until string `json:"until"`
		}{f.Get("nondisclosure_until")}
	}
	if f.Get("emergency_harm") != "" || f.Get("emergency_justification") != "" {
		n.Emergency = &struct {
			Harm          string `json:"harm"`
			Justification string `json:"justification"`
		}{f.Get("emergency_harm"), f.Get("emergency_justification")}
	}
	return n
}

// portalSubmit takes in a request from the portal's form: the same checks
// as POST /api/v1/requests, the same store operation (db.Submit), the
// legal document attached in the same transaction, and the official's
// attestation kept with the request and in its audit entry. The form's
// hidden idempotency key makes a second click the same request.
func (s *Server) portalSubmit(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
	if err := allow(c.p, dueprocess.PermRequestSubmit); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		return dueprocess.Errorf(dueprocess.Invalid, "the form must be sent as multipart/form-data")
	}
	defer r.MultipartForm.RemoveAll()
	form := url.Values(r.MultipartForm.Value)
	again := func(err error) error {
		v := s.submitForm(c, form)
		v.refuse(err)
		s.render(w, r, "portal_submit", v)
		return nil
	}
	req, err := newRequestFromForm(form).Check()
	if err != nil {
		return again(err)
	}
	if !jurisdictionOf(c.p.Agency, req.Jurisdiction) {
		return again(dueprocess.FieldError("jurisdiction", "%s is not the jurisdiction of %s (%s)", req.Jurisdiction, c.p.Agency.Name, c.p.Agency.Jurisdiction))
	}
	if r.MultipartForm.Value["attest"] == nil || r.MultipartForm.Value["attest"][0] != "yes" {
		return again(dueprocess.FieldError("attestation", "must be affirmed: tick the box to state that you act in your official capacity"))
	}
	docs, sum, err := s.formDocuments(r, c, r.MultipartForm.File["file"])
	if err != nil {
		return again(err)
	}
	req.AgencyID, req.OfficialID = c.p.Agency.ID, c.p.Official.ID
	req.Attestation = &dueprocess.Attestation{Text: dueprocess.AttestationText, OfficialID: c.p.Official.ID, Address: clientAddr(r), At: s.now().UTC()}
	body, err := json.Marshal(newRequestFromForm(form))
	if err != nil {
		return err
	}
	hash := sha256.Sum256(append(body, sum...))
	done, err := s.db.Submit(r.Context(), store.Submission{
		Request: req, By: c.p.Actor(), Decide: s.decide, Documents: docs,
		Principal: c.p.Official.ID, Key: "portal:" + form.Get("idempotency_key"), BodyHash: hex.EncodeToString(hash[:]),
		Answer: func(stored *dueprocess.Request) ([]byte, error) { return []byte(stored.ID), nil },
	})
	if k := dueprocess.ErrorKind(err); k == dueprocess.Invalid || k == dueprocess.Conflict {
		return again(err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/portal/requests/"+done.ID+"?done=submitted", http.StatusSeeOther)
	return nil
}

// formDocuments stores the uploaded PDF, if any, checked by its content as
// the API checks it, and returns the document to attach and its hash.
func (s *Server) formDocuments(r *http.Request, c *portalCaller, files []*multipart.FileHeader) ([]dueprocess.Document, string, error) {
	if len(files) == 0 || files[0].Size == 0 {
		return nil, "", nil
	}
	if len(files) > 1 {
		return nil, "", dueprocess.FieldError("file", "send one PDF; attach more later through the API")
	}
	name, err := cleanFilename(files[0].Filename)
	if err != nil {
		return nil, "", err
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	ref, err := s.blobs.Put(r.Context(), f, dueprocess.MaxDocumentSize, blob.CheckPDF)
	if err != nil {
		return nil, "", err
	}
	return []dueprocess.Document{{SHA256: ref.SHA256, Size: ref.Size, ContentType: "application/pdf", Filename: name, UploadedBy: c.p.Actor()}}, ref.SHA256, nil
}
