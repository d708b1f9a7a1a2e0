package dueprocess

import (
	"fmt"
	"slices"
	"strings"
)

// Permission names one thing a caller may do, such as approving a
// request. Who holds each permission is said once, in grants below, and
// docs/roles.md shows the same table to people (a test keeps the two
// alike). Every check in the API, the console and its pages asks May;
// none names a role. A new route adds a permission here and nowhere else.
//
// A permission is about the kind of action. Rules about one object (an
// official acts only on their own agency's requests; staff see a
// request's targets only on a case assigned to them; nobody approves
// their own proposal) stay in code beside the check, where the object is
// at hand.
type Permission string

const (
	PermRequestSubmit     Permission = "request.submit"
	PermRequestRead       Permission = "request.read"
	PermRequestTargets    Permission = "request.targets"
	PermRequestList       Permission = "request.list"
	PermDocumentAdd       Permission = "document.add"
	PermRequestReview     Permission = "request.review"
	PermRequestApprove    Permission = "request.approve"
	PermRequestAssess     Permission = "request.assess"
	PermRequestAssign     Permission = "request.assign"
	PermRequestWithdraw   Permission = "request.withdraw"
	PermRequestReply      Permission = "request.reply"
	PermRequestClose      Permission = "request.close"
	PermRequestCannot     Permission = "request.cannot_comply"
	PermRequestObjection  Permission = "request.enforcing_objection"
	PermRequestValidation Permission = "request.validation"
	PermJurisdictionPause Permission = "jurisdiction.pause"
	PermStaffManage       Permission = "staff.manage"
	PermAuditRead         Permission = "audit.read"
	PermRequestGather     Permission = "request.gather"
	PermRequestRelease    Permission = "request.release"
	PermRequestResponse   Permission = "request.response"
	PermRequestIntake     Permission = "request.intake"
	PermRequestCallback   Permission = "request.callback"
	PermRegistryManage    Permission = "registry.manage"
	PermHoldList          Permission = "hold.list"
	PermHoldRelease       Permission = "hold.release"
	PermHoldExtend        Permission = "hold.extend"
	PermHoldCheck         Permission = "hold.check"
	PermConsoleUse        Permission = "console.use"
	PermOutboxRead        Permission = "outbox.read"
	PermItemsDecide       Permission = "items.decide"
	PermItemsConfirm      Permission = "items.confirm"
	PermActionsPoll       Permission = "actions.poll"
	PermNoticeLift        Permission = "notice.lift"
	PermOfficialInvite    Permission = "official.invite"
	PermOfficialApprove   Permission = "official.approve"
	PermAgencyManage      Permission = "agency.manage"
	PermRequestShare      Permission = "request.share"
	PermTokenRevoke       Permission = "token.revoke"
	PermOwnAgeKey         Permission = "official.age_key"
)

// grant says who holds a permission: the staff roles that hold it, and
// whether officials hold it (always for their own agency only; the code
// beside the check makes sure of that).
type grant struct {
	what      string // what the permission lets one do, for refusals
	roles     []Role
	officials bool
}

// everyRole is every role of a person on the staff: what all staff may
// do. The platform role is a machine's, the platform's deletion job,
// which may check holds and do nothing else, so it is left out.
var everyRole = slices.DeleteFunc(slices.Clone(Roles), func(r Role) bool { return r == RolePlatform })

// grants is the one place where roles meet permissions.
var grants = map[Permission]grant{
	PermRequestSubmit:     {what: "submit a request", officials: true},
	PermRequestRead:       {what: "read a request", roles: everyRole, officials: true},
	PermRequestTargets:    {what: "see the targets and documents of a request not assigned to them", roles: []Role{RoleAdmin}, officials: true},
	PermRequestList:       {what: "list requests; officials read their own by id", roles: everyRole},
	PermDocumentAdd:       {what: "attach a document", roles: []Role{RoleIntake, RoleAdmin}, officials: true},
	PermRequestReview:     {what: "review a request", roles: []Role{RoleReviewer}},
	PermRequestApprove:    {what: "approve a request", roles: []Role{RoleApprover}},
	PermRequestAssess:     {what: "assess a request's human-rights impact", roles: []Role{RoleHumanRights}},
	PermRequestAssign:     {what: "assign a request", roles: []Role{RoleReviewer, RoleAdmin}},
	PermRequestWithdraw:   {what: "withdraw a request", officials: true},
	PermRequestReply:      {what: "answer a request to narrow", officials: true},
	PermRequestClose:      {what: "close a finished request", roles: []Role{RoleReviewer, RoleApprover, RoleAdmin}},
	PermRequestCannot:     {what: "answer that an e-Evidence order cannot be executed, or ask for clarification", roles: []Role{RoleReviewer, RoleApprover}},
	PermRequestObjection:  {what: "record an enforcing authority's objection to a European Production Order", roles: []Role{RoleReviewer, RoleApprover}},
	PermRequestValidation: {what: "record the validation of an emergency e-Evidence order", roles: []Role{RoleReviewer, RoleApprover}},
	PermJurisdictionPause: {what: "pause or resume a jurisdiction", roles: []Role{RoleAdmin}},
	PermStaffManage:       {what: "add or disable staff", roles: []Role{RoleAdmin}},
	PermAuditRead:         {what: "read audit entries", roles: []Role{RoleAuditor, RoleAdmin}},
	PermRequestGather:     {what: "gather the approved data of a request assigned to them", roles: []Role{RoleReviewer, RoleApprover}},
	PermRequestRelease:    {what: "release the disclosure package of a request assigned to them", roles: []Role{RoleReviewer, RoleApprover}},
	PermRequestResponse:   {what: "read the answer to a request and download its package", officials: true},
	PermRequestIntake:     {what: "enter a demand that arrived by e-mail, fax, post or in person", roles: []Role{RoleIntake}},
	PermRequestCallback:   {what: "record a callback to an agency", roles: []Role{RoleIntake, RoleReviewer, RoleAdmin}},
	PermRegistryManage:    {what: "set agencies' contacts, suspend and reinstate agencies and officials, and dismiss alerts", roles: []Role{RoleAdmin}},
	PermHoldList:          {what: "list preservation holds", roles: everyRole},
	PermHoldRelease:       {what: "release a preservation hold early", roles: []Role{RoleApprover, RoleAdmin}},
	PermHoldExtend:        {what: "extend a preservation request's holds", officials: true},
	PermHoldCheck:         {what: "check whether an account is held", roles: []Role{RolePlatform}},
	PermConsoleUse:        {what: "use the console", roles: everyRole},
	PermOutboxRead:        {what: "see the mail outbox", roles: []Role{RoleAdmin}},
	PermItemsDecide:       {what: "act on the items of a content demand", roles: []Role{RoleReviewer}},
	PermItemsConfirm:      {what: "confirm a restriction of content another staff member proposed", roles: []Role{RoleApprover}},
	PermActionsPoll:       {what: "poll the content actions to apply", roles: []Role{RolePlatform}},
	PermNoticeLift:        {what: "lift a non-disclosure order without an end date, so that user notices go out", roles: []Role{RoleApprover}},
	PermOfficialInvite:    {what: "invite an official to the portal", roles: []Role{RoleIntake, RoleAdmin}},
	PermOfficialApprove:   {what: "approve an official's self-registration", roles: []Role{RoleIntake, RoleAdmin}},
	PermAgencyManage:      {what: "set an agency's verified e-mail domains", roles: []Role{RoleAdmin}},
	PermRequestShare:      {what: "share a request with colleagues of the same agency", officials: true},
	PermTokenRevoke:       {what: "revoke their own API tokens", officials: true},
	PermOwnAgeKey:         {what: "set their own age key for packages", officials: true},
}

// FirstRole is the role of the first staff member, made from the one-time
// setup link: the one who adds everyone else. A database with nobody in
// this role gets a setup link.
const FirstRole = RoleAdmin

// Permissions lists every permission.
func Permissions() []Permission {
	out := make([]Permission, 0, len(grants))
	for p := range grants {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Known reports whether p is a permission of the table; a page asking
// about a misspelt one is a bug, not a refusal.
func (p Permission) Known() bool {
	_, ok := grants[p]
	return ok
}

// Roles returns the staff roles that hold p.
func (p Permission) Roles() []Role {
	return append([]Role(nil), grants[p].roles...)
}

// Officials reports whether officials hold p, for their own agency.
func (p Permission) Officials() bool { return grants[p].officials }

// Refused is the error for a caller who does not hold p. It names who
// does, so that the answer says whom to ask.
func (p Permission) Refused() *Error {
	g, ok := grants[p]
	if !ok {
		return Errorf(Internal, "no such permission %q", p)
	}
	var who []string
	if g.officials {
		who = append(who, "officials of the requesting agency")
	}
	switch {
	case len(g.roles) == len(everyRole) && !slices.Contains(g.roles, RolePlatform):
		who = append(who, "staff")
	case len(g.roles) > 0:
		names := make([]string, len(g.roles))
		for i, r := range g.roles {
			names[i] = string(r)
		}
		who = append(who, fmt.Sprintf("staff with the %s role", joinOr(names)))
	}
	if len(who) == 0 {
		return Errorf(Forbidden, "nobody may %s", g.what)
	}
	return Errorf(Forbidden, "only %s may %s", strings.Join(who, " and "), g.what)
}

func joinOr(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// May reports whether staff member s holds permission p through one of
// their roles. A disabled member holds none.
func (s *Staff) May(p Permission) bool {
	if s == nil || s.Disabled {
		return false
	}
	for _, r := range grants[p].roles {
		if s.HasRole(r) {
			return true
		}
	}
	return false
}

// May reports whether caller c holds permission p: a staff member through
// their roles, an official through the table's official column. For an
// official it is the kind of action only; that the request is their own
// agency's is for the caller of May to check.
func (c *Principal) May(p Permission) bool {
	switch {
	case c == nil:
		return false
	case c.Staff != nil:
		return c.Staff.May(p)
	case c.Official != nil:
		return c.Agency != nil && grants[p].officials
	}
	return false
}
