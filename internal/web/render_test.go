package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/report/published"
	"github.com/dueprocess/dueprocess/internal/store"
)

// samplePages returns every page of the console and the public site with
// realistic data, as staff member staff sees it, keyed by template name.
func samplePages(staff *dueprocess.Staff) map[string]pageData {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	date := func(s string) dueprocess.Date {
		d, err := dueprocess.ParseDate(s)
		if err != nil {
			panic(err)
		}
		return d
	}
	ended := at.Add(72 * time.Hour)
	pause := dueprocess.Pause{ID: "pa_1", Jurisdiction: "HK", Reason: "National Security Law: human-rights due diligence",
		Scope: dueprocess.PauseScope{Kinds: []dueprocess.RequestKind{dueprocess.KindUserData}}, StartedAt: at,
		StartedBy: dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_ada"}}
	resumed := pause
	resumed.EndedAt, resumed.EndReason = &ended, "assessment complete"
	req := &dueprocess.Request{ID: "DP-2026-000042", Status: dueprocess.StatusAwaitingApproval, AgencyID: "ag_hkpf", Kind: dueprocess.KindUserData,
		Jurisdiction: "HK", LegalProcess: dueprocess.LegalProcess{Type: dueprocess.ProcessCourtOrder, Reference: "HKPF-2026-0113", IssuedBy: "Hong Kong Police Force", IssuedOn: date("2026-03-01")},
		Offence:        &dueprocess.Offence{Category: "fraud", Description: "an investment scam"},
		Targets:        []dueprocess.Target{{Type: dueprocess.TargetUsername, Value: "demosisto"}},
		DataCategories: []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs},
		DateRange:      &dueprocess.DateRange{From: date("2026-01-01"), To: date("2026-03-01")},
		Nondisclosure:  &dueprocess.Nondisclosure{Until: date("2026-12-31")},
		Deadline:       date("2026-04-01"), ReceivedAt: at,
		Decision: &dueprocess.Decision{Outcome: dueprocess.OutcomeReview, Policy: "sha256:dfc0",
			Categories: map[dueprocess.DataCategory]dueprocess.Verdict{dueprocess.CategorySubscriber: {Allowed: true, Rule: "ladder.subscriber"}},
			Reasons:    []dueprocess.Reason{{Rule: "default.review", Outcome: dueprocess.OutcomeReview, Text: "No rule holds this request back."}}},
		Documents: []dueprocess.Document{{ID: "doc_1", RequestID: "DP-2026-000042", SHA256: "9f86d081", Size: 2000, Filename: "order.pdf"}},
	}
	req.Channel = dueprocess.ChannelFax
	req.Sender = &dueprocess.Sender{Name: "Inspector Chan", Email: "chan@po1ice.gov.hk", Phone: "+852 5555 0100", VerifiedHow: "the fax header", EnteredBy: "st_ida"}
	req.Signals = []dueprocess.Signal{{Code: dueprocess.SignalDomainLookalike, Text: "The sender's domain po1ice.gov.hk looks like police.gov.hk."}}
	req.Flag = "Inspector Chan is suspended: a failed callback"
	agency := &dueprocess.Agency{ID: "ag_hkpf", Name: "Hong Kong Police Force", Jurisdiction: "HK", Kind: dueprocess.AgencyPolice,
		Domains: []string{"police.gov.hk"}, CallbackPhone: "+852 2860 2000", SupervisorContact: "Supt Lee", CreatedAt: at}
	suspended := *agency
	suspended.ID, suspended.SuspendedAt, suspended.SuspendedReason = "ag_x", &at, "a hijacked mail server"
	inspector := &dueprocess.Official{ID: "of_chan", AgencyID: "ag_hkpf", Email: "chan@police.gov.hk", Name: "Inspector Chan", CreatedAt: at}
	base := func(title string) basePage {
		return basePage{Title: title, Staff: staff, CSRF: "csrf-token", Flash: "Recorded.",
			Alerts: []dueprocess.Alert{{ID: "al_1", At: at, Kind: dueprocess.AlertForgery, RequestID: req.ID, Text: "Request DP-2026-000042 was refused as suspected forgery."}}}
	}
	official := func(title string) basePage {
		return basePage{Title: title, Base: "/portal", CSRF: "csrf-token", Flash: "Recorded.",
			Official: &dueprocess.Official{ID: "of_chan", Name: "Officer Chan", Email: "chan@police.gov.hk"},
			Agency:   &dueprocess.Agency{ID: "ag_hkpf", Name: "Hong Kong Police Force", Jurisdiction: "HK"}}
	}
	withAttestation := *req
	withAttestation.Attestation = &dueprocess.Attestation{Text: dueprocess.AttestationText, OfficialID: "of_chan", At: at}
	submit := &submitPage{basePage: official("New request"), Form: map[string][]string{"kind": {"user_data"}, "target_type": {"username"},
		"target_value": {"demosisto"}, "data_categories": {"subscriber"}}, Targets: []int{0, 1}, Kinds: dueprocess.RequestKinds,
		Processes: dueprocess.LegalProcessTypes, Categories: dueprocess.DataCategories, TargetTypes: dueprocess.TargetTypes,
		Harms: dueprocess.Harms, Attestation: dueprocess.AttestationText}
	pct, hours, fast := 46.0, 151.5, 7.25
	n := int64(241)
	row := report.Row{Jurisdiction: "HK", Name: "Hong Kong", UserData: report.Figures{Requests: 241, Accounts: 300, SomeData: 111, PercentSomeData: &pct},
		NationalSecurity: &report.Bands{Width: 250, Requests: "0-249", Accounts: "0-249"}}
	epoc := *req
	epoc.LegalProcess = dueprocess.LegalProcess{Type: dueprocess.ProcessEPOC, Reference: "276 Js 1234/26", IssuedBy: "Staatsanwaltschaft Berlin", IssuedOn: date("2026-11-20"),
		RegimeFields: dueprocess.RegimeFields{IssuingState: "DE", IssuingAuthorityType: dueprocess.AuthorityProsecutor,
			ValidatedBy:        &dueprocess.Validation{Name: "Amtsgericht Tiergarten", Type: dueprocess.AuthorityCourt, Reference: "352 Gs 77/26"},
			EnforcingAuthority: &dueprocess.EnforcingAuthority{State: "IE", Name: "An Garda Síochána", Notified: true}}}
	answer := dueprocess.CannotComply{RequestID: req.ID, Seq: 1, Kind: dueprocess.AnswerCannotComply,
		Grounds:      []dueprocess.Ground{dueprocess.GroundThirdCountryConflict},
		ThirdCountry: &dueprocess.ThirdCountryConflict{Country: "US", Law: "18 U.S.C. 2702", Explanation: "Content of a US person's account may not be disclosed to a foreign government."},
		Preserved:    &dueprocess.Preserved{Categories: []dueprocess.DataCategory{dueprocess.CategoryContent}, Until: date("2027-01-19")},
		At:           at, By: dueprocess.Actor{Type: dueprocess.ActorStaff, ID: "st_rae"}}
	return map[string]pageData{
		"annex3": &annex3Page{basePage: basePage{Title: "Annex III: " + req.ID}, Request: &epoc, Answer: answer,
			Grounds: dueprocess.Grounds, Text: dueprocess.GroundText},
		"error":       &basePage{Title: "request DP-2026-000099 not found", Status: 404},
		"signin":      &formPage{basePage: basePage{Title: "Sign in", CSRF: "csrf-token", Error: "The e-mail address or the password is wrong."}, Form: map[string]string{"email": "rae@example.com"}},
		"totp":        &secondStepPage{basePage: basePage{Title: "Authentication code", CSRF: "csrf-token"}, TOTP: true, Passkey: true},
		"enrol":       &enrolPage{basePage: basePage{Title: "Set up your authenticator app", CSRF: "csrf-token"}, QR: "data:image/png;base64,iVBORw0KGgo=", Secret: "JBSWY3DPEHPK3PXP"},
		"portal_home": &portalHomePage{basePage: official("Requests"), Rows: []portalRow{{Request: req, By: "Officer Chan", Mine: true, Due: "due-soon"}}},
		"portal_request": &portalRequestPage{basePage: official(req.ID), Request: &withAttestation, By: "Officer Chan", Mine: true, MaxShares: 5,
			Events:     []dueprocess.Event{{Seq: 1, RequestID: req.ID, At: at, Actor: dueprocess.Actor{Type: dueprocess.ActorOfficial, ID: "of_chan"}, Type: "received"}},
			Shares:     []dueprocess.Official{{ID: "of_lee", Name: "Inspector Lee", Email: "lee@police.gov.hk"}},
			Colleagues: []dueprocess.Official{{ID: "of_wong", Name: "Sergeant Wong", Email: "wong@police.gov.hk"}},
			Answer: &dueprocess.Response{RequestID: req.ID, Status: dueprocess.StatusDisclosed, Outcome: "disclosed", Message: "Data was produced.",
				Categories: []dueprocess.CategoryAnswer{{Category: dueprocess.CategorySubscriber, Outcome: dueprocess.AnswerProduced},
					{Category: dueprocess.CategoryContent, Outcome: dueprocess.AnswerRefused, Reason: "content needs a search warrant"}},
				Package: &dueprocess.PackageLink{SHA256: strings.Repeat("ab", 32), Bytes: 5832, ExpiresAt: at, Encryption: dueprocess.EncryptedToRecipient}},
			Holds: []*dueprocess.Hold{{ID: "hd_1", RequestID: req.ID, Target: dueprocess.Target{Type: dueprocess.TargetUsername, Value: "demosisto"},
				Status: dueprocess.HoldActive, CreatedAt: at, ExpiresAt: at, ExtensionDays: 90}},
			MayExtend: true},
		"portal_submit":   submit,
		"portal_security": &securityPage{basePage: official("Sign-in security"), TOTP: true, Passkeys: 1, Offered: true},
		"portal_tokens": &tokensPage{basePage: official("API tokens"), Tokens: []dueprocess.Token{{ID: "tk_1", Label: "case system", CreatedAt: at},
			{ID: "tk_2", CreatedAt: at, RevokedAt: &ended}}},
		"portal_join": &joinPage{basePage: basePage{Title: "Create your portal account", Base: "/portal", CSRF: "csrf-token"}, Token: "link-secret",
			Link: &store.Link{Purpose: dueprocess.LinkInvite, Email: "chan@police.gov.hk", Name: "Officer Chan"}},
		"portal_register":   &formPage{basePage: basePage{Title: "Register", Base: "/portal", CSRF: "csrf-token"}, Form: map[string]string{"email": "chan@police.gov.hk"}},
		"portal_registered": &basePage{Title: "Check your e-mail", Base: "/portal"},
		"portal_waiting":    &basePage{Title: "Your account waits for approval", Base: "/portal"},
		"officials": &officialsPage{basePage: base("Officials"), Link: "https://dp.example.com/portal/join?token=x",
			Officials: []store.AccountRow{{Official: dueprocess.Official{ID: "of_chan", Name: "Officer Chan", Email: "chan@police.gov.hk"}, Agency: "Hong Kong Police Force"}},
			Agencies:  []*dueprocess.Agency{{ID: "ag_hkpf", Name: "Hong Kong Police Force", Jurisdiction: "HK", Domains: []string{"police.gov.hk"}}},
			Form:      map[string]string{}},
		"setup": &formPage{basePage: basePage{Title: "Create the first administrator", CSRF: "csrf-token"}, Form: map[string]string{"token": "setup-token"}},
		"home": &queuePage{basePage: base("Queue"), Filter: dueprocess.RequestFilter{Status: dueprocess.StatusInReview},
			Statuses: dueprocess.Statuses, Kinds: dueprocess.RequestKinds, Rows: []queueRow{{Request: req, Due: "due-soon"}},
			Sorts: queueSorts, Sort: "received", Page: 2, Prev: "/console?status=in_review", Next: "/console?page=3&status=in_review"},
		"request": &requestPage{basePage: base(req.ID), Request: req, ReviewDecisions: dueprocess.ReviewDecisions,
			Allowed: req.Decision.Allowed(), Proposal: "Rae proposed to approve (subscriber) on 2 March 2026, 09:30 UTC: As the order allows.",
			Assignees: []string{"Rae"},
			Timeline:  []timelineItem{{Index: 7, Time: at, Who: "Rae", Text: "Rae proposed: approve (subscriber)."}},
			Gathering: true, Passphrase: "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345-6789",
			Gathered: []shownFile{{GatheredFile: dueprocess.GatheredFile{ID: "gf_1", Category: dueprocess.CategorySubscriber, Name: "subscriber.csv", Rows: 1, Bytes: 40,
				SHA256: strings.Repeat("cd", 32), Source: dueprocess.SourceManual, At: at}, ByName: "Rae"},
				{GatheredFile: dueprocess.GatheredFile{ID: "gf_2", Category: dueprocess.CategoryIPLogs, NoData: true, Source: dueprocess.SourceConnector,
					Target: &dueprocess.Target{Type: dueprocess.TargetUsername, Value: "demosisto"}, At: at}, ByName: "Rae"}},
			Package: &shownPackage{Package: &dueprocess.Package{ID: "pk_1", ManifestSHA256: strings.Repeat("ef", 32), CiphertextSHA256: strings.Repeat("ab", 32),
				Bytes: 5832, Files: 1, Encryption: dueprocess.EncryptedToPassphrase, CreatedAt: at, ExpiresAt: at, DownloadedAt: &at, DownloadedFrom: "192.0.2.7"},
				ByName: "Rae", DownloadedByName: "Officer Chan (Hong Kong Police Force)"},
			Liftable: true, Notices: []dueprocess.Notice{
				{ID: "ntc_1", Target: dueprocess.Target{Type: dueprocess.TargetEmail, Value: "someone@example.org"}, Address: "someone@example.org",
					Reason: dueprocess.NoticeReleased, Language: "en", Status: dueprocess.NoticeSent, SentAt: &at, HeldBy: dueprocess.HeldByNondisclosure},
				{ID: "ntc_2", Target: dueprocess.Target{Type: dueprocess.TargetUsername, Value: "demosisto"}, Address: "demo@example.net",
					Reason: dueprocess.NoticeReleased, Language: "en", Status: dueprocess.NoticeWithheld, Why: "a non-disclosure order without an end date is in force"},
				{ID: "ntc_3", Target: dueprocess.Target{Type: dueprocess.TargetPhone, Value: "+85255550000"},
					Reason: dueprocess.NoticeReleased, Language: "en", Status: dueprocess.NoticeUndeliverable, Why: "no e-mail address"},
				{ID: "ntc_4", Target: dueprocess.Target{Type: dueprocess.TargetAccountID, Value: "1001"}, Address: "a@example.net",
					Reason: dueprocess.NoticeReleased, Language: "en", Status: dueprocess.NoticeDelayed, ReleaseAt: &at, Why: "an emergency disclosure"},
			},
			Agency: agency, Official: inspector, Unreleased: "request DP-2026-000042 cannot be released until a callback confirms it",
			Callbacks: []dueprocess.Callback{{ID: "cb_1", Dialled: "+852 2860 2000", CalledAt: at, Reached: "Sgt Wong", Outcome: dueprocess.CallbackConfirmed}}},
		"newrequest": &intakePage{basePage: base("New request"), Agencies: []*dueprocess.Agency{agency, &suspended}, Channels: dueprocess.PaperChannels,
			Kinds: dueprocess.RequestKinds, Processes: dueprocess.LegalProcessTypes, Categories: dueprocess.DataCategories, Harms: dueprocess.Harms,
			Form: map[string][]string{"agency_id": {"ag_hkpf"}, "channel": {"fax"}, "sender_name": {"Inspector Chan"}}},
		"agencies": &agenciesPage{basePage: base("Agencies"), Agencies: []*dueprocess.Agency{agency, &suspended}},
		"proof": &proofPage{basePage: base("Audit entry 7"), Index: 7, Entry: `{"index":7}`, Time: "2 March 2026, 09:30:00 UTC", Action: "request.reviewed",
			Leaf: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", Size: 52, Root: "c2lnbmVk", Checkpoint: "example.com/log\n52\nc2lnbmVk\n",
			Proof: []string{"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="}, Verified: true},
		"jurisdictions": &jurisdictionsPage{basePage: base("Jurisdictions"), Pauses: []dueprocess.Pause{pause},
			History: []dueprocess.Pause{pause, resumed}, Kinds: dueprocess.RequestKinds},
		"holds": &holdsPage{basePage: base("Holds"), Now: at, Request: "DP-2026-000041", Statuses: dueprocess.HoldStatuses, Next: "hd_3", Holds: []shownHold{
			{Hold: &dueprocess.Hold{ID: "hd_1", RequestID: "DP-2026-000041", Target: dueprocess.Target{Type: dueprocess.TargetUsername, Value: "demosisto"},
				Status: dueprocess.HoldActive, CreatedAt: at, ExpiresAt: at.Add(5 * 24 * time.Hour), ExtensionDays: 90}},
			{Hold: &dueprocess.Hold{ID: "hd_2", RequestID: "DP-2026-000040", Target: dueprocess.Target{Type: dueprocess.TargetEmail},
				Status: dueprocess.HoldSuperseded, CreatedAt: at, ExpiresAt: at, LinkedRequests: []string{"DP-2026-000042"}, ExtendedAt: &at},
				Withheld: "the target is shown only to staff assigned to request DP-2026-000040, and to admins"},
			{Hold: &dueprocess.Hold{ID: "hd_3", RequestID: "DP-2026-000039", Target: dueprocess.Target{Type: dueprocess.TargetPhone, Value: "+852 5555 0100"},
				Status: dueprocess.HoldReleased, CreatedAt: at, ExpiresAt: at, EndedAt: &at, EndReason: "the agency withdrew it"}}}},
		"staff": &staffPage{basePage: base("Staff"), Members: []*dueprocess.Staff{staff, {ID: "st_rae", Name: "Rae", Email: "rae@example.com",
			Roles: dueprocess.Roles[:2], CreatedAt: at}}, Roles: dueprocess.Roles, Form: map[string]string{"name": "Ann"}},
		"outbox": &outboxPage{basePage: base("Outbox"), Statuses: []dueprocess.MailStatus{dueprocess.MailQueued, dueprocess.MailSent, dueprocess.MailFailed},
			Counts: map[dueprocess.MailStatus]int64{dueprocess.MailQueued: 1, dueprocess.MailSent: 1},
			Messages: []dueprocess.OutboxMessage{
				{ID: "mail_1", Mail: dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "A request for your data", RequestID: req.ID},
					Status: dueprocess.MailQueued, CreatedAt: at, Attempts: 2, NextAttemptAt: at.Add(4 * time.Minute), LastError: "451 try again later"},
				{ID: "mail_2", Mail: dueprocess.Mail{Kind: dueprocess.MailDeadlineReminder, To: "rae@example.com", Subject: "Due tomorrow"},
					Status: dueprocess.MailSent, CreatedAt: at, Attempts: 1, SentAt: &at}}},
		"demands": &archivePage{basePage: basePage{Title: "Archive of content demands"}, Reasons: dueprocess.RemovalReasons, Page: 2,
			Jurisdiction: "HK", Reason: "national_security", Query: "NSL", Prev: "/transparency/demands?page=1", Next: "/transparency/demands?page=3",
			Demands: []archivedDemand{{ID: "DP-2026-000042", Jurisdiction: "HK", Requester: "Police", Reason: "National Security",
				Authority: "Hong Kong Police Force", Process: "other HKPF-NSL-2026-7", Received: "2026-03-02", More: 3,
				Items: []archivedItem{{Index: 0, URL: "https://video.example/watch?v=a1", Ground: "NSL art. 23", Quoted: true, Action: "no_action",
					ActionReason: "political criticism", Entry: 12, Proof: "/api/v1/audit/proof/inclusion?index=12&size=20"}, {Index: 1, ContentID: "post:9", Ground: "NSL", Entry: -1}}}}},
		"transparency": &transparencyPage{basePage: basePage{Title: "Transparency report 2026-H1"},
			Report: &report.Report{Period: "2026-H1", Start: date("2026-01-01"), End: date("2026-06-30"), Rows: []report.Row{row}, Total: row,
				Regimes: report.Regimes{EU: []report.RegimeRow{{Regime: dueprocess.ProcessEPOC, IssuingState: "DE", Name: "Germany",
					Figures: report.Figures{Requests: 12, Accounts: 14, SomeData: 9, PercentSomeData: &pct}, Refused: 2, Answered: 11, MedianHoursToAnswer: &hours}},
					UKDAA: report.RegimeRow{Regime: dueprocess.ProcessUKDAA, IssuingState: "GB", Name: "United Kingdom", MedianHoursToAnswer: &fast}, Extraterritorial: 3},
				Pauses: []dueprocess.Pause{resumed}, Checkpoint: report.Checkpoint{Size: 52, Root: "c2lnbmVk", Text: "example.com/log\n52\nc2lnbmVk\n"}},
			ReportRows: []report.Row{row}, Periods: []string{"2025-H2", "2026-H1"}, Jurisdiction: "HK",
			Trend: "<svg></svg>", Bars: "<svg></svg>",
			Content: contentSection{Chart: "<svg></svg>",
				ByRequester: []report.RemovalRow{{Requester: "police", Requests: 2, Items: 5,
					ByAction: map[dueprocess.ItemAction]int64{dueprocess.ItemNoAction: 4, dueprocess.ItemRestrict: 1}}},
				ByReason: []report.ReasonRow{{Reason: dueprocess.ReasonNationalSecurity, Total: 2, Items: 5, Restricted: 1}}},
			Peers: []published.Figure{{Company: "meta", Period: "2026-H1", Jurisdiction: "HK", LegalProcess: "all", Requests: &n, PercentSomeData: &pct}}},
	}
}

func renderPage(t *testing.T, name string, v pageData) string {
	t.Helper()
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		t.Fatalf("page %s: %v", name, err)
	}
	return buf.String()
}

// TestEveryPageRenders renders every template with realistic data in its
// own page struct, as a member holding every role and as one holding a
// single role, and checks that the forms shown follow the permission
// table: a page asks .May, never a role.
func TestEveryPageRenders(t *testing.T) {
	all := &dueprocess.Staff{ID: "st_ada", Name: "Ada", Email: "ada@example.com", Roles: dueprocess.Roles}
	reviewer := &dueprocess.Staff{ID: "st_rae", Name: "Rae", Email: "rae@example.com", Roles: []dueprocess.Role{dueprocess.RoleReviewer}}
	auditor := &dueprocess.Staff{ID: "st_aud", Name: "Aud", Email: "aud@example.com", Roles: []dueprocess.Role{dueprocess.RoleAuditor}}
	for _, staff := range []*dueprocess.Staff{all, reviewer, auditor} {
		samples := samplePages(staff)
		for name := range pages {
			v, ok := samples[name]
			if !ok {
				t.Errorf("template %s has no sample page in this test", name)
				continue
			}
			out := renderPage(t, name, v)
			if !strings.Contains(out, "<title>"+v.base().Title) {
				t.Errorf("page %s as %s does not carry its title %q", name, staff.Name, v.base().Title)
			}
		}
		for name := range samples {
			if _, ok := pages[name]; !ok {
				t.Errorf("sample page %s has no template", name)
			}
		}
		request := renderPage(t, "request", samples["request"])
		jurisdictions := renderPage(t, "jurisdictions", samples["jurisdictions"])
		officials := renderPage(t, "officials", samples["officials"])
		for _, c := range []struct {
			page, fragment string
			perm           dueprocess.Permission
		}{
			{request, `action="/console/requests/DP-2026-000042/approve"`, dueprocess.PermRequestApprove},
			{request, "Rae proposed to approve", dueprocess.PermRequestApprove},
			{request, `action="/console/requests/DP-2026-000042/send-back"`, dueprocess.PermRequestApprove},
			{request, `action="/console/requests/DP-2026-000042/files"`, dueprocess.PermRequestGather},
			{request, `action="/console/requests/DP-2026-000042/collect"`, dueprocess.PermRequestGather},
			{request, `action="/console/requests/DP-2026-000042/release"`, dueprocess.PermRequestRelease},
			{request, `action="/console/requests/DP-2026-000042/lift-nondisclosure"`, dueprocess.PermNoticeLift},
			{jurisdictions, `action="/console/jurisdictions/pause"`, dueprocess.PermJurisdictionPause},
			{jurisdictions, `action="/console/jurisdictions/HK/resume"`, dueprocess.PermJurisdictionPause},
			{request, `href="/console/staff"`, dueprocess.PermStaffManage},
			{request, `action="/console/requests/DP-2026-000042/callback"`, dueprocess.PermRequestCallback},
			{request, `action="/console/officials/of_chan/suspend"`, dueprocess.PermRegistryManage},
			{request, `href="/console/requests/new"`, dueprocess.PermRequestIntake},
			{request, `href="/console/agencies"`, dueprocess.PermRegistryManage},
			{request, "po1ice.gov.hk looks like", dueprocess.PermRequestRead},
			{jurisdictions, `href="/console/staff"`, dueprocess.PermStaffManage},
			{request, `href="/console/officials"`, dueprocess.PermOfficialInvite},
			{officials, `action="/console/agencies/ag_hkpf/domains"`, dueprocess.PermAgencyManage},
			{officials, `action="/console/officials/of_chan/approve"`, dueprocess.PermOfficialApprove},
		} {
			if got, want := strings.Contains(c.page, c.fragment), staff.May(c.perm); got != want {
				t.Errorf("as %s (may %s: %v): the page shows %s: %v", staff.Name, c.perm, want, c.fragment, got)
			}
		}
		// The review form waits for the status in_review.
		if strings.Contains(request, `action="/console/requests/DP-2026-000042/review"`) {
			t.Errorf("as %s: the review form shows on a request awaiting approval", staff.Name)
		}
	}
}

// TestPageMayRefusesUnknownPermission: a template asking about a
// permission that does not exist fails, rather than hiding its form.
func TestPageMayRefusesUnknownPermission(t *testing.T) {
	b := &basePage{Staff: &dueprocess.Staff{Roles: dueprocess.Roles}}
	if ok, err := b.May("request.approve"); !ok || err != nil {
		t.Errorf("May(request.approve) with every role: %v, %v", ok, err)
	}
	if ok, err := b.May("request.aprove"); ok || err == nil {
		t.Errorf("May(request.aprove): %v, %v; want an error", ok, err)
	}
	if ok, err := (&basePage{}).May("request.read"); ok || err != nil {
		t.Errorf("May on a page nobody is signed in to: %v, %v", ok, err)
	}
}

// TestRequestPageShowsTheRegime renders a request of each regime with
// its fields, and its targets' home countries.
func TestRequestPageShowsTheRegime(t *testing.T) {
	staff := &dueprocess.Staff{ID: "st_ada", Name: "Ada", Email: "ada@example.com", Roles: dueprocess.Roles}
	samples := samplePages(staff)
	epoc := *samples["annex3"].(*annex3Page).Request
	epoc.Targets = []dueprocess.Target{{Type: dueprocess.TargetUsername, Value: "kontoinhaber", Country: "PL"}}
	epoc.IdentificationOnly = true
	daa := epoc
	daa.LegalProcess = dueprocess.LegalProcess{Type: dueprocess.ProcessUKDAA, Reference: "IPC-1", IssuedBy: "IPC",
		RegimeFields: dueprocess.RegimeFields{DesignatedAuthority: "Home Office", Certification: &dueprocess.DAACertification{NotUSPerson: true, NotInUS: true}}}
	dsa := epoc
	dsa.LegalProcess = dueprocess.LegalProcess{Type: dueprocess.ProcessDSAOrder, Reference: "ARCOM-1", IssuedBy: "Arcom",
		RegimeFields: dueprocess.RegimeFields{IssuingState: "FR", LegalBasis: "DSA Art. 10", Reasons: "threats", Redress: "tribunal", AnswerTo: "dsa@arcom.fr"}}
	for _, c := range []struct {
		req  dueprocess.Request
		want []string
	}{
		{epoc, []string{"Issuing state</dt><dd>DE, by a prosecutor", "Amtsgericht Tiergarten (court), 352 Gs 77/26", "An Garda Síochána (IE), notified", "only to identify the user", "lives in PL"}},
		{daa, []string{"Home Office; certified: not a US person"}},
		{dsa, []string{"Issuing state</dt><dd>FR</dd>", "DSA Art. 10", "dsa@arcom.fr"}},
	} {
		page := samples["request"].(*requestPage)
		v := *page
		v.Request = &c.req
		out := renderPage(t, "request", &v)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s page lacks %q", c.req.LegalProcess.Type, w)
			}
		}
	}
}
