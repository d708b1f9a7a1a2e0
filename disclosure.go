package dueprocess

import (
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// Disclosure: what is gathered for an approved request, the package that
// seals it for the requesting official, and the answer the agency reads.
// See docs/disclosure.md.

// Limits and defaults of disclosure.
const (
	// MaxGatheredFileSize is the largest file one category and target may
	// yield, by hand or through a connector.
	MaxGatheredFileSize = 64 << 20
	// MaxPackageSize is the largest sealed package.
	MaxPackageSize = 512 << 20
	// PackageLifetime is how long a released package may be downloaded
	// before its ciphertext is deleted (the manifest is kept).
	PackageLifetime = 14 * 24 * time.Hour
)

// Event types of disclosure in a request's history.
const (
	EventDataGathered      = "data_gathered"
	EventPackageReleased   = "package_released"
	EventPackageDownloaded = "package_downloaded"
)

// Sources of a gathered file.
const (
	SourceManual    = "manual"    // added by hand by an assigned staff member
	SourceConnector = "connector" // gathered by a configured connector
)

// GatheredFile is one file gathered for a request's answer, or, with
// NoData set, the record that gathering found nothing for its category
// and target.
type GatheredFile struct {
	ID        string       `json:"id"`
	RequestID string       `json:"request_id"`
	Category  DataCategory `json:"category"`
	// Target is the target the file is about; nil for a manual file,
	// which may be about several.
	Target *Target   `json:"target,omitempty"`
	Name   string    `json:"name,omitempty"`
	Rows   int       `json:"rows"`
	Bytes  int64     `json:"bytes"`
	SHA256 string    `json:"sha256,omitempty"`
	NoData bool      `json:"no_data,omitempty"`
	Source string    `json:"source"`
	By     Actor     `json:"gathered_by"`
	At     time.Time `json:"gathered_at"`
	// PackageID is the package the file was sealed in; empty until then.
	// Once sealed, its plaintext is deleted.
	PackageID string `json:"package_id,omitempty"`
}

// Package is a released, encrypted disclosure package. Its ciphertext is
// deleted once downloaded or when it expires; the manifest is kept.
type Package struct {
	ID               string `json:"id"`
	RequestID        string `json:"request_id"`
	ManifestSHA256   string `json:"manifest_sha256"`
	CiphertextSHA256 string `json:"sha256"`
	Bytes            int64  `json:"bytes"`
	Files            int    `json:"files"`
	// Encryption is EncryptedToRecipient or EncryptedToPassphrase.
	Encryption     string     `json:"encryption"`
	CreatedBy      Actor      `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	DownloadedAt   *time.Time `json:"downloaded_at,omitempty"`
	DownloadedBy   string     `json:"downloaded_by,omitempty"`
	DownloadedFrom string     `json:"downloaded_from,omitempty"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	Manifest       []byte     `json:"-"`
}

// How a package is encrypted.
const (
	EncryptedToRecipient  = "age_recipient" // the official's registered age key
	EncryptedToPassphrase = "passphrase"    // a one-time passphrase given out of band
)

// CheckFileName checks the name of a file added by hand: a plain name (no
// directory), visible characters only, at most 100 characters, which the
// package keeps as it is.
func CheckFileName(name string) (string, error) {
	switch {
	case name == "":
		return "", FieldError("name", "is required: the file's name in the package, such as subscriber.csv")
	case !utf8.ValidString(name):
		return "", FieldError("name", "is not valid UTF-8")
	case utf8.RuneCountInString(name) > 100:
		return "", FieldError("name", "is longer than 100 characters")
	case strings.ContainsAny(name, `/\:*?"<>|`) || name != path.Clean(name) || strings.HasPrefix(name, "."):
		return "", FieldError("name", "must be a plain file name, without a directory, a leading dot or any of / \\ : * ? \" < > |")
	case name == "manifest.json":
		return "", FieldError("name", "manifest.json is the package's own manifest")
	}
	if strings.TrimSpace(name) != name {
		return "", FieldError("name", "begins or ends with a space")
	}
	return name, CheckIdentifier("name", name)
}

// CheckCategory returns the data category named c, or a field error.
func CheckCategory(field, c string) (DataCategory, error) {
	for _, k := range DataCategories {
		if string(k) == c {
			return k, nil
		}
	}
	return "", FieldError(field, "%q is not a data category (%s)", c, list(DataCategories))
}

// Answer outcomes of a category in the agency's answer.
const (
	AnswerProduced = "produced" // data was produced in the package
	AnswerRefused  = "refused"  // it was not disclosed, for the reason given
	AnswerNotHeld  = "not_held" // we hold no such data on the targets
	AnswerPending  = "pending"  // approved, not yet released
)

// CategoryAnswer says what became of one requested data category.
type CategoryAnswer struct {
	Category DataCategory `json:"category"`
	Outcome  string       `json:"outcome"`
	Reason   string       `json:"reason,omitempty"`
}

// PackageLink is how an official finds their package.
type PackageLink struct {
	URL       string    `json:"url"`
	SHA256    string    `json:"sha256"`
	Bytes     int64     `json:"bytes"`
	ExpiresAt time.Time `json:"expires_at"`
	// Encryption says how to open it: to the official's age key, or to a
	// passphrase given out of band.
	Encryption   string     `json:"encryption"`
	DownloadedAt *time.Time `json:"downloaded_at,omitempty"`
}

// Response is the agency's answer to its request.
type Response struct {
	RequestID  string           `json:"request_id"`
	Status     Status           `json:"status"`
	Outcome    string           `json:"outcome"`
	Message    string           `json:"message"`
	Categories []CategoryAnswer `json:"categories"`
	// Narrowing is what the reviewer asked to narrow, when they did.
	Narrowing string       `json:"narrowing,omitempty"`
	Package   *PackageLink `json:"package,omitempty"`
}

// outcomeWords says in words fit to send what each status means to the
// agency.
var outcomeWords = map[Status][2]string{
	StatusDisclosed:          {"disclosed", "Data was produced in an encrypted package; download it once before it expires."},
	StatusClosed:             {"closed", "The request is closed."},
	StatusNoData:             {"no_data", "We hold no data on the accounts named for the categories asked for."},
	StatusRejected:           {"rejected", "The request was reviewed and rejected; no data will be produced."},
	StatusRefused:            {"refused", "The request was refused under our policy; no data will be produced."},
	StatusWithdrawn:          {"withdrawn", "The request was withdrawn."},
	StatusNarrowingRequested: {"narrowing_requested", "We ask you to narrow the request before we can answer it."},
	StatusApproved:           {"approved", "The request was approved; the data is being prepared."},
	StatusPartiallyApproved:  {"partially_approved", "The request was approved in part; the data is being prepared."},
	StatusPaused:             {"pending", "The request is on hold under our policy."},
}

// Describe fills in the response's outcome and message for status s.
func (r *Response) Describe(s Status) {
	r.Status = s
	w, ok := outcomeWords[s]
	if !ok {
		w = [2]string{"pending", "The request is being reviewed."}
	}
	r.Outcome, r.Message = w[0], w[1]
}

// RefusalReason words a policy's verdict on a category for the agency.
func RefusalReason(v Verdict) string {
	if v.Reason != "" {
		return v.Reason
	}
	if v.Rule != "" {
		return fmt.Sprintf("our policy does not allow it for this request (rule %s)", v.Rule)
	}
	return "our policy does not allow it for this request"
}
