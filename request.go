package dueprocess

import "time"

// RequestKind says what a government demand asks for.
type RequestKind string

const (
	KindUserData           RequestKind = "user_data"           // disclose data about accounts
	KindPreservation       RequestKind = "preservation"        // freeze data pending formal process
	KindEmergency          RequestKind = "emergency"           // disclose at once to prevent death or serious injury
	KindContentRestriction RequestKind = "content_restriction" // remove or restrict content
)

// RequestKinds lists every kind, in the order used in documents and reports.
var RequestKinds = []RequestKind{KindUserData, KindPreservation, KindEmergency, KindContentRestriction}

// LegalProcessType is the kind of legal instrument behind a request.
type LegalProcessType string

const (
	ProcessSubpoena      LegalProcessType = "subpoena"
	ProcessCourtOrder    LegalProcessType = "court_order"
	ProcessSearchWarrant LegalProcessType = "search_warrant"
	ProcessMLAT          LegalProcessType = "mlat"
	ProcessEmergency     LegalProcessType = "emergency"
	ProcessOther         LegalProcessType = "other"
	// ProcessNationalSecurity is a US national-security demand: a FISA
	// order or a National Security Letter. The law lets providers publish
	// these only in bands, never as exact counts, and reports do so.
	ProcessNationalSecurity LegalProcessType = "national_security"
)

// LegalProcessTypes lists every legal process type.
var LegalProcessTypes = []LegalProcessType{ProcessSubpoena, ProcessCourtOrder, ProcessSearchWarrant, ProcessMLAT, ProcessEmergency, ProcessOther, ProcessNationalSecurity,
	ProcessEPOC, ProcessEPOCPR, ProcessDSAOrder, ProcessUKDAA}

// DataCategory is a class of user data that a request may ask for. The
// categories differ in how much legal process they need: subscriber records
// least, location and content most.
type DataCategory string

const (
	CategorySubscriber DataCategory = "subscriber"
	CategoryIPLogs     DataCategory = "ip_logs"
	CategoryMetadata   DataCategory = "metadata"
	CategoryLocation   DataCategory = "location"
	CategoryContent    DataCategory = "content"
)

// DataCategories lists every category, from least to most sensitive.
var DataCategories = []DataCategory{CategorySubscriber, CategoryIPLogs, CategoryMetadata, CategoryLocation, CategoryContent}

// TargetType says how a request identifies an account or an item.
type TargetType string

const (
	TargetAccountID TargetType = "account_id"
	TargetUsername  TargetType = "username"
	TargetEmail     TargetType = "email"
	TargetPhone     TargetType = "phone"
	TargetURL       TargetType = "url"
)

// TargetTypes lists every target type.
var TargetTypes = []TargetType{TargetAccountID, TargetUsername, TargetEmail, TargetPhone, TargetURL}

// Harm is the imminent harm an emergency request claims.
type Harm string

const (
	HarmDeath         Harm = "death"
	HarmSeriousInjury Harm = "serious_injury"
)

// Harms lists every harm an emergency request may claim.
var Harms = []Harm{HarmDeath, HarmSeriousInjury}

// Status is where a request stands in its lifecycle (see docs/workflow.md).
type Status string

const (
	StatusReceived           Status = "received"
	StatusInReview           Status = "in_review"
	StatusPaused             Status = "paused"
	StatusEscalated          Status = "escalated"
	StatusRefused            Status = "refused"
	StatusNarrowingRequested Status = "narrowing_requested"
	StatusAwaitingApproval   Status = "awaiting_approval"
	StatusApproved           Status = "approved"
	StatusPartiallyApproved  Status = "partially_approved"
	StatusRejected           Status = "rejected"
	StatusNoData             Status = "no_data"
	StatusDisclosed          Status = "disclosed"
	StatusClosed             Status = "closed"
	StatusWithdrawn          Status = "withdrawn"
)

// Statuses lists every status.
var Statuses = []Status{
	StatusReceived, StatusInReview, StatusPaused, StatusEscalated, StatusRefused,
	StatusNarrowingRequested, StatusAwaitingApproval, StatusApproved, StatusPartiallyApproved,
	StatusRejected, StatusNoData, StatusDisclosed, StatusClosed, StatusWithdrawn,
}

// Limits on what one request may carry.
const (
	MaxTargets      = 500
	MaxTextLength   = 4000 // descriptions and justifications
	MaxShortLength  = 200  // references, names and target values
	MaxRequestBody  = 1 << 20
	MaxDocumentSize = 20 << 20
)

// LegalProcess is the legal instrument a request rests on.
type LegalProcess struct {
	Type      LegalProcessType `json:"type"`
	Reference string           `json:"reference"`
	IssuedBy  string           `json:"issued_by"`
	IssuedOn  Date             `json:"issued_on"`
	// RegimeFields are the fields of the EU, DSA and UK–US regimes,
	// given beside the others in JSON.
	RegimeFields
}

// Offence is the crime the requester alleges.
type Offence struct {
	Category    string `json:"category"`
	Description string `json:"description,omitempty"`
}

// Target names one account or item a request is about.
type Target struct {
	Type  TargetType `json:"type"`
	Value string     `json:"value"`
	// Country is the account holder's home country as the platform knows
	// it (ISO 3166-1 alpha-2), if it does: a demand about a user living
	// outside the requesting country is extraterritorial.
	Country string `json:"country,omitempty"`
}

// DateRange is the period of data a request asks for; both ends inclusive.
type DateRange struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Nondisclosure is a court's order not to tell the affected users. A zero
// Until means the order has no end date.
type Nondisclosure struct {
	Until Date `json:"until"`
}

// EmergencyClaim is what an emergency request claims to justify disclosure
// without legal process.
type EmergencyClaim struct {
	Harm          Harm   `json:"harm"`
	Justification string `json:"justification"`
}

// Request is a government demand as stored. Its ID reads like
// "DP-2026-000042": the year received and a sequence number.
type Request struct {
	ID             string          `json:"id"`
	Status         Status          `json:"status"`
	AgencyID       string          `json:"agency_id"`
	OfficialID     string          `json:"official_id"`
	Kind           RequestKind     `json:"kind"`
	Jurisdiction   string          `json:"jurisdiction"`
	LegalProcess   LegalProcess    `json:"legal_process"`
	Offence        *Offence        `json:"offence,omitempty"`
	Targets        []Target        `json:"targets"`
	DataCategories []DataCategory  `json:"data_categories"`
	DateRange      *DateRange      `json:"date_range,omitempty"`
	Nondisclosure  *Nondisclosure  `json:"nondisclosure,omitempty"`
	Emergency      *EmergencyClaim `json:"emergency,omitempty"`
	Deadline       Date            `json:"deadline"`
	// DueAt is when an answer is due: the end of Deadline's day, or the
	// policy's time for requests of its kind, jurisdiction and legal
	// process, counted from ReceivedAt. Set at intake.
	DueAt      time.Time  `json:"due_at"`
	Decision   *Decision  `json:"decision,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Documents  []Document `json:"documents"`
	// RequesterType, Reason and Items are set on content-restriction
	// demands only (content.go).
	RequesterType RequesterType `json:"requester_type,omitempty"`
	Reason        RemovalReason `json:"reason,omitempty"`
	Items         []Item        `json:"items,omitempty"`
	// Attestation is the official's affirmation of official capacity,
	// made with a request submitted through the portal.
	Attestation *Attestation `json:"attestation,omitempty"`
	// Channel is how the request arrived; Sender, for one entered by
	// staff from paper, who it says sent it.
	Channel Channel `json:"channel,omitempty"`
	Sender  *Sender `json:"sender,omitempty"`
	// SignedBy names the agency's key that signed the request, when it
	// came with a valid signature (docs/verification.md).
	SignedBy string `json:"signed_by,omitempty"`
	// Signals, Flag and Forged are for staff only (see Request.ForOfficial):
	// the reasons to doubt the sender, why the request is flagged (its
	// official or agency was suspended), and that it was refused as
	// suspected forgery.
	Signals []Signal   `json:"signals,omitempty"`
	Flag    string     `json:"flag,omitempty"`
	Forged  *time.Time `json:"forged_at,omitempty"`
	// Withheld says why targets and documents are left out: staff see them
	// only on a case assigned to them (admins always).
	Withheld string `json:"withheld,omitempty"`
	// IdentificationOnly says that ip_logs are asked for only to identify
	// the user, which the e-Evidence Regulation treats apart from traffic
	// data (Article 3(10)).
	IdentificationOnly bool `json:"identification_only,omitempty"`
}

// CaseBound is the Withheld text of a request shown to staff who are not
// on its case.
const CaseBound = "targets and documents are shown only to staff assigned to this request, and to admins"

// Redact removes what only a request's assigned staff may see.
func (r *Request) Redact() {
	r.Targets, r.Documents, r.Withheld = []Target{}, []Document{}, CaseBound
}

// ForOfficial removes what only staff may see: the signals and flags
// that say why the sender is doubted would tell a forger what to fix.
func (r *Request) ForOfficial() {
	r.Signals, r.Flag, r.Forged, r.Sender = nil, "", nil, nil
}

// Document is a file attached to a request, usually the legal instrument.
// Files are stored by the sha256 of their content.
type Document struct {
	ID          string    `json:"id"`
	RequestID   string    `json:"request_id"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Filename    string    `json:"filename"`
	UploadedBy  Actor     `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Event is one entry in a request's append-only history.
type Event struct {
	Seq       int64     `json:"seq"`
	RequestID string    `json:"request_id"`
	At        time.Time `json:"at"`
	Actor     Actor     `json:"actor"`
	Type      string    `json:"type"`
	Detail    string    `json:"detail,omitempty"`
}

// Event types recorded in a request's history.
const (
	EventReceived      = "received"
	EventDocumentAdded = "document_added"
	EventStatusChanged = "status_changed"
	EventNarrowed      = "narrowed" // the agency narrowed what the request asks for
)

// RequestFilter selects requests for a listing. Zero fields match anything.
type RequestFilter struct {
	Status       Status
	Jurisdiction string
	Kind         RequestKind
	AgencyID     string
	DueBy        Date   // unfinished requests whose deadline is on or before this date
	Overdue      bool   // unfinished requests whose due_at has passed
	ByDue        bool   // soonest due first, rather than in id order (After is then ignored)
	After        string // a request ID: list those that come after it
	Limit        int
	// Sort orders the listing: "" by id, "received" or "-received" by the
	// time received, "deadline" soonest first (none last), "status" by
	// status; ties by id. With a sort, pages are taken by Offset, not After.
	Sort   string
	Offset int
}
