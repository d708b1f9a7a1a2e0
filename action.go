package dueprocess

// Actions recorded in the audit log. Every change to stored state, and
// every read of a request by staff, appends one entry with one of these
// actions in the same transaction as the change; the store's tests
// perform each action and fail if one leaves no entry.
const (
	ActionAgencyCreated       = "agency.created"
	ActionOfficialCreated     = "official.created"
	ActionStaffCreated        = "staff.created"
	ActionTokenIssued         = "token.issued"
	ActionTokenRevoked        = "token.revoked"
	ActionRequestCreated      = "request.created"
	ActionRequestDecided      = "request.decided"
	ActionRequestStatus       = "request.status_changed"
	ActionRequestViewed       = "request.viewed"
	ActionRequestsListed      = "request.listed"
	ActionDocumentAdded       = "document.added"
	ActionDocumentViewed      = "document.viewed"
	ActionJurisdictionPaused  = "jurisdiction.paused"
	ActionJurisdictionResumed = "jurisdiction.resumed"
	ActionPeersImported       = "peers.imported"
	ActionSignin              = "signin"
	ActionSigninFailed        = "signin.failed"
	ActionSignout             = "signout"
	ActionPasswordSet         = "staff.password_set"
	ActionTOTPEnrolled        = "staff.totp_enrolled"
	ActionRequestReviewed     = "request.reviewed"
	ActionRequestApproved     = "request.approved"
	ActionHumanRightsAssessed = "request.human_rights_assessed"
	ActionRequestAssigned     = "request.assigned"
	ActionRequestsImported    = "requests.imported"
	ActionStaffDisabled       = "staff.disabled"
	ActionRecipientSet        = "official.age_recipient_set"
	ActionDataGathered        = "request.data_gathered"
	ActionPackageReleased     = "request.released"
	ActionPackageDownloaded   = "package.downloaded"
	ActionPackageDeleted      = "package.deleted"
	ActionCallbackRecorded    = "request.callback_recorded"
	ActionRequestForged       = "request.refused_as_forged"
	ActionAgencySuspended     = "agency.suspended"
	ActionAgencyReinstated    = "agency.reinstated"
	ActionAgencyContactSet    = "agency.contact_set"
	ActionOfficialSuspended   = "official.suspended"
	ActionOfficialReinstated  = "official.reinstated"
	ActionAlertDismissed      = "alert.dismissed"
	ActionAgencyKeySet        = "agency.key_set"
	ActionRequestNarrowed     = "request.narrowed"
	ActionHoldsPlaced         = "hold.placed"
	ActionHoldsLinked         = "hold.linked"
	ActionHoldUnlinked        = "hold.unlinked"
	ActionHoldsExtended       = "hold.extended"
	ActionHoldReleased        = "hold.released"
	ActionHoldExpired         = "hold.expired"
	ActionHoldReminderDue     = "hold.reminder_due"
	ActionHoldsListed         = "hold.listed"
	ActionMailQueued          = "mail.queued"
	ActionMailSent            = "mail.sent"
	ActionMailDeferred        = "mail.deferred"
	ActionMailFailed          = "mail.failed"
	ActionDeadlineReminded    = "request.deadline_reminded"
	ActionItemsDecided        = "request.items_decided"
	ActionItemsConfirmed      = "request.items_confirmed"
	ActionActionsDelivered    = "actions.delivered"
	ActionNoticesPlanned      = "notice.planned"
	ActionNoticeReleased      = "notice.released"
	ActionNoticeResolved      = "notice.resolved"
	ActionNondisclosureLifted = "notice.nondisclosure_lifted"
	ActionAgencyDomainsSet    = "agency.domains_set"
	ActionOfficialInvited     = "official.invited"
	ActionOfficialRegistered  = "official.registered"
	ActionOfficialJoined      = "official.joined"
	ActionOfficialApproved    = "official.approved"
	ActionPasskeyAdded        = "official.passkey_added"
	ActionRequestShared       = "request.shared"
	ActionRequestCannotComply = "request.cannot_comply"
	ActionEnforcingObjection  = "request.enforcing_objection"
	ActionValidationRecorded  = "request.validation_recorded"
	ActionValidationReminded  = "request.validation_reminded"
	ActionValidationLapsed    = "request.validation_lapsed"
)

// Actions lists every action the audit log records.
var Actions = []string{
	ActionAgencyCreated, ActionOfficialCreated, ActionStaffCreated, ActionTokenIssued, ActionTokenRevoked,
	ActionRequestCreated, ActionRequestDecided, ActionRequestStatus, ActionRequestViewed, ActionRequestsListed,
	ActionDocumentAdded, ActionDocumentViewed, ActionJurisdictionPaused, ActionJurisdictionResumed,
	ActionPeersImported, ActionSignin, ActionSigninFailed, ActionSignout, ActionPasswordSet, ActionTOTPEnrolled,
	ActionRequestReviewed, ActionRequestApproved, ActionHumanRightsAssessed, ActionRequestAssigned,
	ActionRequestsImported, ActionStaffDisabled,
	ActionRecipientSet, ActionDataGathered, ActionPackageReleased, ActionPackageDownloaded, ActionPackageDeleted,
	ActionRequestsImported, ActionStaffDisabled, ActionRequestNarrowed,
	ActionHoldsPlaced, ActionHoldsLinked, ActionHoldUnlinked, ActionHoldsExtended, ActionHoldReleased, ActionHoldExpired,
	ActionHoldReminderDue, ActionHoldsListed,
	ActionMailQueued, ActionMailSent, ActionMailDeferred, ActionMailFailed, ActionDeadlineReminded,
	ActionCallbackRecorded, ActionRequestForged,
	ActionAgencySuspended, ActionAgencyReinstated, ActionAgencyContactSet, ActionOfficialSuspended,
	ActionOfficialReinstated, ActionAlertDismissed, ActionAgencyKeySet,
	ActionItemsDecided, ActionItemsConfirmed, ActionActionsDelivered,
	ActionNoticesPlanned, ActionNoticeResolved, ActionNoticeReleased, ActionNondisclosureLifted,
	ActionAgencyDomainsSet, ActionOfficialInvited, ActionOfficialRegistered, ActionOfficialJoined,
	ActionOfficialApproved, ActionPasskeyAdded, ActionRequestShared,
	ActionRequestCannotComply, ActionEnforcingObjection,
	ActionValidationRecorded, ActionValidationReminded, ActionValidationLapsed,
}
