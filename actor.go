package dueprocess

import "time"

// AgencyKind says what sort of body an agency is.
type AgencyKind string

const (
	AgencyPolice       AgencyKind = "police"
	AgencyProsecutor   AgencyKind = "prosecutor"
	AgencyCourt        AgencyKind = "court"
	AgencyIntelligence AgencyKind = "intelligence"
	AgencyRegulator    AgencyKind = "regulator"
	AgencyOther        AgencyKind = "other"
)

// AgencyKinds lists every agency kind.
var AgencyKinds = []AgencyKind{AgencyPolice, AgencyProsecutor, AgencyCourt, AgencyIntelligence, AgencyRegulator, AgencyOther}

// Agency is a registered government body whose officials may submit
// requests. Its domains and callback phone come from our own registry and
// are what verification relies on, never what a request says.
type Agency struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Jurisdiction  string     `json:"jurisdiction"`
	Kind          AgencyKind `json:"kind"`
	Domains       []string   `json:"domains"`
	CallbackPhone string     `json:"callback_phone,omitempty"`
	// SupervisorContact is whom to call above the official: a name and a
	// number, from our registry.
	SupervisorContact string `json:"supervisor_contact,omitempty"`
	// SigningKey is the agency's Ed25519 public key as a note verifier
	// key ("name+hash+key"), if it signs its requests.
	SigningKey      string     `json:"signing_key,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	SuspendedAt     *time.Time `json:"suspended_at,omitempty"`
	SuspendedReason string     `json:"suspended_reason,omitempty"`
}

// Official is a person at an agency who submits requests.
type Official struct {
	ID       string `json:"id"`
	AgencyID string `json:"agency_id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	// AgeRecipient is the official's age public key ("age1…"), to which
	// disclosure packages are encrypted; empty when none is registered,
	// and then a package is encrypted to a one-time passphrase.
	AgeRecipient string    `json:"age_recipient,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// SuspendedAt is set while the official is suspended: no token of
	// theirs works and none of their requests may be released.
	SuspendedAt     *time.Time `json:"suspended_at,omitempty"`
	SuspendedReason string     `json:"suspended_reason,omitempty"`
}

// Role is what a staff member may do. A staff member holds one or more.
type Role string

const (
	RoleIntake      Role = "intake"
	RoleReviewer    Role = "reviewer"
	RoleApprover    Role = "approver"
	RoleHumanRights Role = "human_rights"
	RoleAdmin       Role = "admin"
	RoleAuditor     Role = "auditor" // read-only
	// RolePlatform is the platform's own deletion job, not a person: it
	// may ask whether an account is held, and nothing else.
	RolePlatform Role = "platform"
)

// Roles lists every role.
var Roles = []Role{RoleIntake, RoleReviewer, RoleApprover, RoleHumanRights, RoleAdmin, RoleAuditor, RolePlatform}

// Staff is a member of the service's own team.
type Staff struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []Role    `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled,omitempty"` // may no longer sign in or use tokens
}

// HasRole reports whether s holds role r. Permission checks ask May
// instead, so that which role may do what is said only in permission.go.
func (s *Staff) HasRole(r Role) bool {
	for _, have := range s.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// ActorType says who did something.
type ActorType string

const (
	ActorOfficial ActorType = "official"
	ActorStaff    ActorType = "staff"
	ActorSystem   ActorType = "system" // the server itself, or the command line
)

// Actor names who performed an action, for histories and audit entries.
type Actor struct {
	Type ActorType `json:"type"`
	ID   string    `json:"id,omitempty"`
}

// System is the actor for work done by the server or from the command line.
var System = Actor{Type: ActorSystem}

// Principal is an authenticated caller: exactly one of Official or Staff is
// set. For an official, Agency is the agency they belong to.
type Principal struct {
	Official *Official
	Agency   *Agency
	Staff    *Staff
	TokenID  string
}

// Actor returns the actor to record for p.
func (p *Principal) Actor() Actor {
	switch {
	case p.Official != nil:
		return Actor{Type: ActorOfficial, ID: p.Official.ID}
	case p.Staff != nil:
		return Actor{Type: ActorStaff, ID: p.Staff.ID}
	}
	return System
}

// Token is an API credential. Only its hash is stored; the secret is shown
// once, when it is issued.
type Token struct {
	ID         string     `json:"id"`
	OfficialID string     `json:"official_id,omitempty"`
	StaffID    string     `json:"staff_id,omitempty"`
	Label      string     `json:"label,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}
