package dueprocess

import (
	"strings"
	"time"
)

// AttestationText is what an official affirms with every request submitted
// through the portal. The words are stored with the request, so that a
// later change of wording does not change what was affirmed.
const AttestationText = "I am acting in my official capacity for the agency named, the information in this request is true, " +
	"and I understand that a false statement in it is an offence."

// Attestation is an official's affirmation of official capacity, made at
// the submission of a request and kept with it.
type Attestation struct {
	Text       string    `json:"text"`
	OfficialID string    `json:"official_id"`
	Address    string    `json:"address,omitempty"`
	At         time.Time `json:"at"`
}

// MaxShares is how many colleagues of the same agency a request may be
// shared with.
const MaxShares = 5

// Link purposes: an invitation from staff, or the check of the e-mail
// address of an official who registered themself.
const (
	LinkInvite   = "invite"
	LinkRegister = "register"
)

// AgencyForEmail returns the agency among agencies whose verified domains
// hold the address email (exactly, or as a subdomain), and false if none
// or more than one does: an address must name one agency beyond doubt.
func AgencyForEmail(agencies []*Agency, email string) (*Agency, bool) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil, false
	}
	domain := strings.ToLower(email[at+1:])
	var found *Agency
	for _, a := range agencies {
		for _, d := range a.Domains {
			if domain == d || strings.HasSuffix(domain, "."+d) {
				if found != nil && found.ID != a.ID {
					return nil, false
				}
				found = a
			}
		}
	}
	return found, found != nil
}
