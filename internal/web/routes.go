package web

import (
	"net/http"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// route is one entry of the routing table. Every route of the server is
// listed here, and the OpenAPI test checks that the document describes
// exactly these.
type route struct {
	method  string
	pattern string
	handler http.Handler
	api     bool // described in the OpenAPI document
}

func (s *Server) routes() []route {
	return []route{
		{"POST", "/api/v1/requests", s.api(s.createRequest), true},
		{"GET", "/api/v1/requests", s.api(s.listRequests), true},
		{"GET", "/api/v1/requests/{id}", s.api(s.getRequest), true},
		{"GET", "/api/v1/requests/{id}/events", s.api(s.listEvents), true},
		{"POST", "/api/v1/requests/{id}/documents", s.api(s.addDocument), true},
		{"GET", "/api/v1/requests/{id}/documents/{doc}", s.api(s.getDocument), true},
		{"POST", "/api/v1/requests/{id}/review", s.api(s.reviewRequest), true},
		{"POST", "/api/v1/requests/{id}/approve", s.api(s.approveRequest), true},
		{"POST", "/api/v1/requests/{id}/human-rights", s.api(s.assessHumanRights), true},
		{"POST", "/api/v1/requests/{id}/assign", s.api(s.assignRequest), true},
		{"POST", "/api/v1/requests/{id}/withdraw", s.api(s.withdrawRequest), true},
		{"POST", "/api/v1/requests/{id}/items/actions", s.api(s.decideItems), true},
		{"POST", "/api/v1/requests/{id}/items/confirm", s.api(s.confirmItems), true},
		{"GET", "/api/v1/actions", s.api(s.listActions), true},
		{"POST", "/api/v1/requests/{id}/files", s.api(s.addGatheredFile), true},
		{"POST", "/api/v1/requests/{id}/collect", s.api(s.collectRequest), true},
		{"POST", "/api/v1/requests/{id}/release", s.api(s.releaseRequest), true},
		{"GET", "/api/v1/requests/{id}/response", s.api(s.requestResponse), true},
		{"GET", "/api/v1/requests/{id}/package", s.api(s.downloadPackage), true},
		{"POST", "/api/v1/requests/{id}/escalate", s.api(s.escalateRequest), true},
		{"POST", "/api/v1/requests/{id}/send-back", s.api(s.sendBackRequest), true},
		{"POST", "/api/v1/requests/{id}/reply", s.api(s.replyRequest), true},
		{"POST", "/api/v1/requests/{id}/close", s.api(s.closeRequest), true},
		{"POST", "/api/v1/requests/{id}/extend", s.api(s.extendHolds), true},
		{"GET", "/api/v1/holds", s.api(s.listHolds), true},
		{"GET", "/api/v1/holds/check", s.api(s.checkHold), true},
		{"POST", "/api/v1/holds/{id}/release", s.api(s.releaseHold), true},
		{"GET", "/api/v1/jurisdictions", s.api(s.listPauses), true},
		{"GET", "/api/v1/jurisdictions/{code}", s.api(s.getJurisdiction), true},
		{"POST", "/api/v1/jurisdictions/{code}/pause", s.api(s.pauseJurisdiction), true},
		{"POST", "/api/v1/jurisdictions/{code}/resume", s.api(s.resumeJurisdiction), true},
		{"GET", "/api/v1/audit/checkpoint", s.api(s.auditCheckpoint), true},
		{"GET", "/api/v1/audit/key", s.api(s.auditKey), true},
		{"GET", "/api/v1/audit/entries/{index}", s.api(s.auditEntry), true},
		{"GET", "/api/v1/audit/proof/inclusion", s.api(s.auditInclusion), true},
		{"GET", "/api/v1/audit/proof/consistency", s.api(s.auditConsistency), true},
		{"GET", "/api/v1/openapi.json", http.HandlerFunc(serveOpenAPI), true},
		{"GET", "/healthz", s.api(s.healthz), true},
		{"GET", "/metrics", s.metricsHandler(), false},
		{"GET", "/static/", s.staticHandler(), false},
		{"GET", "/console", s.signedIn(s.home), false},
		{"GET", "/console/signin", s.page(s.signinPage(console)), false},
		{"POST", "/console/signin", s.page(s.signin(console)), false},
		{"GET", "/console/totp", s.page(s.totpPage(console)), false},
		{"POST", "/console/totp", s.page(s.totp(console)), false},
		{"GET", "/console/enrol", s.page(s.enrolPage(console)), false},
		{"POST", "/console/enrol", s.page(s.enrol(console)), false},
		{"POST", "/console/signout", s.signedIn(func(w http.ResponseWriter, r *http.Request, se *store.Session, _ *dueprocess.Staff) error {
			return s.signout(console, se, w, r)
		}), false},
		{"POST", "/console/signout-everywhere", s.signedIn(func(w http.ResponseWriter, r *http.Request, se *store.Session, _ *dueprocess.Staff) error {
			return s.signoutEverywhere(console, se, w, r)
		}), false},
		{"GET", "/console/requests/{id}", s.signedIn(s.requestPage), false},
		{"POST", "/console/requests/{id}/review", s.signedIn(s.consoleReview), false},
		{"POST", "/console/requests/{id}/approve", s.signedIn(s.consoleApprove), false},
		{"POST", "/console/requests/{id}/human-rights", s.signedIn(s.consoleAssess), false},
		{"POST", "/console/requests/{id}/assign", s.signedIn(s.consoleAssign), false},
		{"POST", "/console/requests/{id}/items", s.signedIn(s.consoleItems), false},
		{"POST", "/console/requests/{id}/items/confirm", s.signedIn(s.consoleConfirmItems), false},
		{"POST", "/console/requests/{id}/escalate", s.signedIn(s.consoleEscalate), false},
		{"POST", "/console/requests/{id}/send-back", s.signedIn(s.consoleSendBack), false},
		{"POST", "/console/requests/{id}/close", s.signedIn(s.consoleClose), false},
		{"POST", "/console/requests/{id}/files", s.signedInUpTo(dueprocess.MaxGatheredFileSize+1<<20, s.consoleAddFile), false},
		{"POST", "/console/requests/{id}/collect", s.signedIn(s.consoleCollect), false},
		{"POST", "/console/requests/{id}/release", s.signedIn(s.consoleRelease), false},
		{"GET", "/console/requests/{id}/documents/{doc}", s.signedIn(s.consoleDocument), false},
		{"GET", "/console/audit/{index}", s.signedIn(s.consoleProof), false},
		{"GET", "/console/jurisdictions", s.signedIn(s.jurisdictionsPage), false},
		{"GET", "/console/holds", s.signedIn(s.holdsPage), false},
		{"POST", "/console/jurisdictions/pause", s.signedIn(s.consolePause), false},
		{"POST", "/console/jurisdictions/{code}/resume", s.signedIn(s.consoleResume), false},
		{"GET", "/console/staff", s.signedIn(s.staffPage), false},
		{"POST", "/console/staff", s.signedIn(s.addStaff), false},
		{"POST", "/console/staff/{id}/disable", s.signedIn(s.disableStaff), false},
		{"GET", "/console/outbox", s.signedIn(s.outboxPage), false},
		{"GET", "/console/officials", s.signedIn(s.officialsPage), false},
		{"POST", "/console/officials/invite", s.signedIn(s.inviteOfficial), false},
		{"POST", "/console/officials/{id}/approve", s.signedIn(s.approveOfficial), false},
		{"POST", "/console/agencies/{id}/domains", s.signedIn(s.setDomains), false},
		{"GET", "/portal", s.portalForm(s.portalHome), false},
		{"GET", "/portal/signin", s.page(s.signinPage(portal)), false},
		{"POST", "/portal/signin", s.page(s.signin(portal)), false},
		{"GET", "/portal/totp", s.page(s.totpPage(portal)), false},
		{"POST", "/portal/totp", s.page(s.totp(portal)), false},
		{"GET", "/portal/enrol", s.page(s.enrolPage(portal)), false},
		{"POST", "/portal/enrol", s.page(s.enrol(portal)), false},
		{"POST", "/portal/passkey/register/begin", s.api(s.passkeyRegisterBegin), false},
		{"POST", "/portal/passkey/register/finish", s.api(s.passkeyRegisterFinish), false},
		{"POST", "/portal/passkey/login/begin", s.api(s.passkeyLoginBegin), false},
		{"POST", "/portal/passkey/login/finish", s.api(s.passkeyLoginFinish), false},
		{"POST", "/portal/signout", s.portalForm(func(w http.ResponseWriter, r *http.Request, c *portalCaller) error {
			return s.signout(portal, c.se, w, r)
		}), false},
		{"GET", "/portal/join", s.page(s.joinPage), false},
		{"POST", "/portal/join", s.page(s.join), false},
		{"GET", "/portal/register", s.page(s.registerPage), false},
		{"POST", "/portal/register", s.page(s.register), false},
		{"GET", "/portal/new", s.portalForm(s.portalNew), false},
		{"POST", "/portal/requests", s.signedInOfficial(dueprocess.MaxDocumentSize+1<<20, s.portalSubmit), false},
		{"GET", "/portal/requests/{id}", s.portalForm(s.portalRequest), false},
		{"POST", "/portal/requests/{id}/withdraw", s.portalForm(s.portalWithdraw), false},
		{"POST", "/portal/requests/{id}/share", s.portalForm(s.portalShare), false},
		{"POST", "/portal/requests/{id}/package", s.portalForm(s.portalDownload), false},
		{"POST", "/portal/requests/{id}/reply", s.portalForm(s.portalReply), false},
		{"POST", "/portal/requests/{id}/extend", s.portalForm(s.portalExtend), false},
		{"POST", "/portal/security/age", s.portalForm(s.portalSetAgeKey), false},
		{"GET", "/portal/tokens", s.portalForm(s.portalTokens), false},
		{"GET", "/portal/security", s.portalForm(s.portalSecurity), false},
		{"POST", "/portal/tokens/{id}/revoke", s.portalForm(s.portalRevokeToken), false},
		{"GET", "/console/setup", s.page(s.setupPage), false},
		{"GET", "/transparency", s.page(s.transparency), false},
		{"GET", "/transparency/{file}", s.api(s.transparencyFile), false},
		{"POST", "/console/setup", s.page(s.setup), false},
		{"", "/", s.api(s.notFound), false},
	}
}
