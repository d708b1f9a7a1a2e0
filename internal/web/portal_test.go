package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

const officialPassword = "a long and honest official password"

// agencies registers the Hong Kong Police Force (police.gov.hk) and the
// Bundeskriminalamt (bka.bund.de) and returns their ids.
func agencies(t *testing.T, db *store.DB) (hk, de string) {
	t.Helper()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		a := &dueprocess.Agency{Name: "Hong Kong Police Force", Jurisdiction: "HK", Kind: dueprocess.AgencyPolice, Domains: []string{"police.gov.hk"}}
		b := &dueprocess.Agency{Name: "Bundeskriminalamt", Jurisdiction: "DE", Kind: dueprocess.AgencyPolice, Domains: []string{"bka.bund.de"}}
		if err := tx.CreateAgency(ctx, a, dueprocess.System); err != nil {
			return err
		}
		hk = a.ID
		if err := tx.CreateAgency(ctx, b, dueprocess.System); err != nil {
			return err
		}
		de = b.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hk, de
}

var inviteLink = regexp.MustCompile(`<code id="invite-link">([^<]+)</code>`)

// invite has staff browser b invite an official and returns the path of
// the link shown once on the page.
func (b *browser) invite(agencyID, email, name string) string {
	b.t.Helper()
	csrf := b.form("/console/officials")
	status, _, page := b.post("/console/officials/invite", url.Values{"csrf": {csrf}, "agency_id": {agencyID}, "email": {email}, "name": {name}})
	m := inviteLink.FindStringSubmatch(page)
	if status != 200 || m == nil {
		b.t.Fatalf("invite %s: %d\n%s", email, status, page)
	}
	u, err := url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	return u.RequestURI()
}

var totpKey = regexp.MustCompile(`<figcaption>Cannot scan\? Enter this key by hand: <code>([A-Z2-7]+)</code>`)

// join follows a link, sets the password, and enrols TOTP; it returns the
// TOTP secret.
func (b *browser) join(link string) string {
	b.t.Helper()
	csrf := b.form(link)
	token := strings.TrimPrefix(link, "/portal/join?token=")
	if status, loc, _ := b.post("/portal/join", url.Values{"csrf": {csrf}, "token": {token}, "password": {officialPassword}}); status != 303 || loc != "/portal/enrol" {
		b.t.Fatalf("join: %d to %q, want the enrolment", status, loc)
	}
	return b.enrol()
}

// enrol enrols TOTP at /portal/enrol and returns the secret.
func (b *browser) enrol() string {
	b.t.Helper()
	_, _, page := b.get("/portal/enrol")
	m := totpKey.FindStringSubmatch(page)
	csrf := csrfField.FindStringSubmatch(page)
	if m == nil || csrf == nil {
		b.t.Fatalf("enrolment page:\n%.800s", page)
	}
	code, _ := totp.GenerateCode(m[1], b.now())
	if status, loc, _ := b.post("/portal/enrol", url.Values{"csrf": {csrf[1]}, "code": {code}}); status != 303 || loc != "/portal" {
		b.t.Fatalf("enrol: %d to %q", status, loc)
	}
	return m[1]
}

// signInOfficial signs b in to the portal with the password and a code.
func (b *browser) signInOfficial(email, secret string) {
	b.t.Helper()
	b.wait(31e9)
	csrf := b.form("/portal/signin")
	if status, loc, _ := b.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {email}, "password": {officialPassword}}); status != 303 || loc != "/portal/totp" {
		b.t.Fatalf("portal sign-in of %s: %d to %q", email, status, loc)
	}
	csrf = b.form("/portal/totp")
	code, _ := totp.GenerateCode(secret, b.now())
	if status, loc, _ := b.post("/portal/totp", url.Values{"csrf": {csrf}, "code": {code}}); status != 303 || loc != "/portal" {
		b.t.Fatalf("portal code of %s: %d to %q", email, status, loc)
	}
}

// postMultipart posts a multipart form with an optional file.
func (b *browser) postMultipart(path string, fields url.Values, file []byte) (int, string, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range fields[k] {
			mw.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "order.pdf")
		fw.Write(file)
	}
	mw.Close()
	resp, err := b.client.Post(b.url+path, mw.FormDataContentType(), &buf)
	return b.read(resp, err)
}

// portalForm is a complete submission form for a Hong Kong request.
func portalForm(csrf string) url.Values {
	return url.Values{"csrf": {csrf}, "idempotency_key": {"form-1"}, "kind": {"user_data"}, "jurisdiction": {"HK"},
		"process_type": {"court_order"}, "process_reference": {"HKPF-2026-0113"}, "process_issued_by": {"Eastern Magistrates' Court"},
		"process_issued_on": {"2026-03-01"}, "offence_category": {"fraud"}, "offence_description": {"an investment scam"},
		"target_type": {"username", "email"}, "target_value": {"scammer42", ""}, "data_categories": {"subscriber", "ip_logs"},
		"date_from": {"2026-01-01"}, "date_to": {"2026-03-01"}, "nondisclosure": {"yes"}, "nondisclosure_until": {"2026-12-31"},
		"deadline": {"2026-12-01"}, "attest": {"yes"}}
}

// TestPortalInvitedOfficialSubmits: an admin invites an official, who sets
// a password from the single-use link, enrols TOTP and submits a request
// with a PDF and the attestation through the form; the form's faults name
// the field and store nothing, and a second click is the same request.
func TestPortalInvitedOfficialSubmits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		link := ada.invite(hk, "chan@police.gov.hk", "Officer Chan")
		if status, _, page := ada.post("/console/officials/invite", url.Values{"csrf": {ada.form("/console/officials")}, "agency_id": {hk},
			"email": {"chan@example.org"}, "name": {"Impostor"}}); status != 400 || !strings.Contains(page, "verified domains") {
			t.Errorf("inviting an address off the agency's domains: %d %s", status, errorText.FindString(page))
		}

		chan_ := newBrowser(t, db)
		csrf := chan_.form(link)
		token := strings.TrimPrefix(link, "/portal/join?token=")
		if status, _, page := chan_.post("/portal/join", url.Values{"csrf": {csrf}, "token": {token}, "password": {"short"}}); status != 400 || !strings.Contains(page, "password") {
			t.Errorf("a short password: %d %s", status, errorText.FindString(page))
		}
		chan_.join(link)
		if status, _, _ := chan_.get(link); status != 404 {
			t.Errorf("the link used a second time: %d, want 404", status)
		}

		csrf = chan_.form("/portal/new")
		for _, c := range []struct {
			change   func(url.Values)
			file     []byte
			status   int
			fragment string
		}{
			{func(f url.Values) { delete(f, "attest") }, pdf(3000), 400, "attestation"},
			{func(f url.Values) { f.Set("jurisdiction", "DE") }, pdf(3000), 400, "jurisdiction"},
			{func(f url.Values) { f.Set("process_reference", "") }, pdf(3000), 400, "legal_process.reference"},
			{func(f url.Values) { f["target_value"] = []string{"", ""} }, pdf(3000), 400, "targets"},
			{func(url.Values) {}, []byte("not a pdf at all"), 400, "PDF"},
		} {
			form := portalForm(csrf)
			c.change(form)
			status, _, page := chan_.postMultipart("/portal/requests", form, c.file)
			if status != c.status || !strings.Contains(errorText.FindString(page), c.fragment) {
				t.Errorf("%s: %d %q, want %d naming %s", c.fragment, status, errorText.FindString(page), c.status, c.fragment)
			}
		}
		if status, _, page := chan_.postMultipart("/portal/requests", portalForm(csrf), pdf(dueprocess.MaxDocumentSize+2<<20)); status != 413 || !strings.Contains(page, "larger") {
			t.Errorf("a file over the limit: %d, want 413", status)
		}
		if list, _ := db.AgencyRequests(ctx, hk, 10); len(list) != 0 {
			t.Fatalf("refused forms stored %d requests", len(list))
		}

		status, loc, _ := chan_.postMultipart("/portal/requests", portalForm(csrf), pdf(3000))
		if status != 303 || !strings.HasPrefix(loc, "/portal/requests/DP-") {
			t.Fatalf("submit: %d to %q", status, loc)
		}
		again, loc2, _ := chan_.postMultipart("/portal/requests", portalForm(csrf), pdf(3000))
		if again != 303 || loc2 != loc {
			t.Errorf("the same form again: %d to %q, want the first request %q", again, loc2, loc)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")
		list, _ := db.AgencyRequests(ctx, hk, 10)
		if len(list) != 1 {
			t.Fatalf("%d requests stored, want 1", len(list))
		}
		req, err := db.Request(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if req.Attestation == nil || req.Attestation.Text != dueprocess.AttestationText || len(req.Documents) != 1 || len(req.Targets) != 1 ||
			req.Nondisclosure == nil || req.Offence == nil || req.DateRange == nil || req.Deadline.String() != "2026-12-01" {
			t.Errorf("the stored request lacks what the form sent: %+v", req)
		}
		if !auditHas(t, db, dueprocess.ActionRequestCreated, "request:"+id, `"attestation"`) {
			t.Errorf("the request's audit entry does not hold the attestation")
		}
		_, _, page := chan_.get(loc)
		if !strings.Contains(page, "order.pdf") || !strings.Contains(page, "official capacity") || !strings.Contains(page, "scammer42") {
			t.Errorf("the request's page:\n%.2000s", page)
		}
		if _, _, page := chan_.get("/portal"); !strings.Contains(page, id) || !strings.Contains(page, "2026-12-01") {
			t.Errorf("the list does not show the request with its deadline:\n%.1500s", page)
		}
	})
}

// auditHas reports whether the log holds an entry with action on object
// whose body contains fragment.
func auditHas(t *testing.T, db *store.DB, action, object, fragment string) bool {
	t.Helper()
	log := db.AuditLog()
	size, err := log.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	err = log.Entries(ctx, 0, size, func(_ int64, data []byte) error {
		en, err := audit.Decode(data)
		if err == nil && en.Action == action && en.Object == object && strings.Contains(string(en.Body), fragment) {
			found = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestPortalAndConsoleSessionsStayApart: an official's session never opens
// the console and a staff member's never opens the portal, even with the
// cookie's secret moved to the other realm's cookie.
func TestPortalAndConsoleSessionsStayApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))

		if status, loc, _ := chan_.get("/console"); status != 303 || loc != "/console/signin" {
			t.Errorf("an official at /console: %d to %q", status, loc)
		}
		if status, loc, _ := ada.get("/portal"); status != 303 || loc != "/portal/signin" {
			t.Errorf("staff at /portal: %d to %q", status, loc)
		}
		swap := func(from *browser, name, as string) *http.Response {
			u, _ := url.Parse(from.url)
			var value string
			for _, c := range from.client.Jar.Cookies(u) {
				if c.Name == name {
					value = c.Value
				}
			}
			if value == "" {
				t.Fatalf("no %s cookie", name)
			}
			req, _ := http.NewRequest("GET", from.url+map[string]string{"dp_session": "/console", "dp_portal": "/portal"}[as], nil)
			req.AddCookie(&http.Cookie{Name: as, Value: value})
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		if resp := swap(chan_, "dp_portal", "dp_session"); resp.StatusCode != 303 || resp.Header.Get("Location") != "/console/signin" {
			t.Errorf("an official's secret in the console's cookie: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := swap(ada, "dp_session", "dp_portal"); resp.StatusCode != 303 || resp.Header.Get("Location") != "/portal/signin" {
			t.Errorf("a staff member's secret in the portal's cookie: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Each sign-in page knows only its own accounts.
		b := newBrowser(t, db)
		csrf := b.form("/console/signin")
		if status, _, _ := b.post("/console/signin", url.Values{"csrf": {csrf}, "email": {"chan@police.gov.hk"}, "password": {officialPassword}}); status != 401 {
			t.Errorf("an official at the console's sign-in: %d, want 401", status)
		}
		if status, _, _ := b.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {"ada@example.com"}, "password": {adminPassword}}); status != 401 {
			t.Errorf("staff at the portal's sign-in: %d, want 401", status)
		}
	})
}

// TestPortalSelfRegistration: an official registers with an address on
// an agency's verified domain, follows the mailed link, and waits for
// staff approval before the first sign-in; an address off every domain
// gets the same answer and no link.
func TestPortalSelfRegistration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		agencies(t, db)
		lee := newBrowser(t, db)
		var mu sync.Mutex
		var mails []*web.LinkMail
		lee.server.SetLinkMail(func(m *web.LinkMail) { mu.Lock(); mails = append(mails, m); mu.Unlock() })
		csrf := lee.form("/portal/register")
		_, _, off := lee.post("/portal/register", url.Values{"csrf": {csrf}, "name": {"Lee"}, "email": {"lee@police.gov.hk.evil.example"}})
		status, _, on := lee.post("/portal/register", url.Values{"csrf": {csrf}, "name": {"Inspector Lee"}, "email": {"lee@police.gov.hk"}})
		if status != 200 || on != off {
			t.Errorf("registration answers differ for an address on and off the domains: %d", status)
		}
		_, _, noName1 := lee.post("/portal/register", url.Values{"csrf": {csrf}, "name": {""}, "email": {"x@police.gov.hk"}})
		_, _, noName2 := lee.post("/portal/register", url.Values{"csrf": {csrf}, "name": {""}, "email": {"x@unregistered.example"}})
		if errorText.FindString(noName1) == "" || errorText.FindString(noName1) != errorText.FindString(noName2) {
			t.Errorf("a form without a name says %q at a registered domain and %q elsewhere; want one refusal", errorText.FindString(noName1), errorText.FindString(noName2))
		}
		if len(mails) != 1 || mails[0].To != "lee@police.gov.hk" || mails[0].Purpose != dueprocess.LinkRegister {
			t.Fatalf("links mailed: %+v", mails)
		}
		u, _ := url.Parse(mails[0].URL)
		link := u.RequestURI()
		csrf = lee.form(link)
		token := strings.TrimPrefix(link, "/portal/join?token=")
		status, _, page := lee.post("/portal/join", url.Values{"csrf": {csrf}, "token": {token}, "password": {officialPassword}})
		if status != 200 || !strings.Contains(page, "waits for approval") {
			t.Fatalf("joining from a registration: %d\n%.500s", status, page)
		}
		csrf = lee.form("/portal/signin")
		if status, _, page := lee.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {"lee@police.gov.hk"}, "password": {officialPassword}}); status != 403 || !strings.Contains(page, "approval") {
			t.Errorf("signing in before approval: %d %s", status, errorText.FindString(page))
		}

		ivy := newBrowser(t, db)
		_, ivySecret := staffMember(t, db, "ivy@example.com", dueprocess.RoleIntake)
		ivy.signIn("ivy@example.com", ivySecret)
		_, _, page = ivy.get("/console/officials")
		approve := regexpFind(t, page, `action="(/console/officials/[^"]+/approve)"`)
		if status, _, _ := ivy.post(approve, url.Values{"csrf": {ivy.form("/console/officials")}}); status != 303 {
			t.Fatalf("approval: %d", status)
		}
		if status, _, _ := ivy.post(approve, url.Values{"csrf": {ivy.form("/console/officials")}}); status != 409 {
			t.Errorf("a second approval: %d, want 409", status)
		}
		if status, loc, _ := lee.post("/portal/signin", url.Values{"csrf": {csrf}, "email": {"lee@police.gov.hk"}, "password": {officialPassword}}); status != 303 || loc != "/portal/enrol" {
			t.Errorf("the first sign-in after approval: %d to %q, want the enrolment", status, loc)
		}
		lee.enrol()
	})
}

// TestPortalShares: a request is shared with up to five colleagues of the
// same agency, even when many shares arrive at once; a sixth is refused
// with a clear error, and an official of another agency is refused.
func TestPortalShares(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, de := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		var colleagues []string
		err := db.Transact(ctx, func(tx *store.Tx) error {
			colleagues = colleagues[:0]
			for i := range 8 {
				o := &dueprocess.Official{AgencyID: hk, Email: fmt.Sprintf("colleague%d@police.gov.hk", i), Name: fmt.Sprintf("Colleague %d", i)}
				if err := tx.CreateOfficial(ctx, o, dueprocess.System); err != nil {
					return err
				}
				colleagues = append(colleagues, o.ID)
			}
			return tx.CreateOfficial(ctx, &dueprocess.Official{AgencyID: de, Email: "fremd@bka.bund.de", Name: "Fremd"}, dueprocess.System)
		})
		if err != nil {
			t.Fatal(err)
		}
		foreign, _ := db.OfficialByEmail(ctx, "fremd@bka.bund.de")
		csrf := chan_.form("/portal/new")
		_, loc, _ := chan_.postMultipart("/portal/requests", portalForm(csrf), nil)
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")

		if status, _, page := chan_.post("/portal/requests/"+id+"/share", url.Values{"csrf": {csrf}, "official_id": {foreign.ID}}); status != 400 || !strings.Contains(page, "same agency") {
			t.Errorf("sharing with another agency's official: %d %s", status, errorText.FindString(page))
		}
		forms := make([]url.Values, len(colleagues))
		for i, c := range colleagues {
			forms[i] = url.Values{"csrf": {csrf}, "official_id": {c}}
		}
		shared, refused := 0, 0
		for _, a := range chan_.postAll("/portal/requests/"+id+"/share", forms) {
			switch {
			case a.status == 303:
				shared++
			case a.status == 409 && strings.Contains(a.body, "the most allowed"):
				refused++
			default:
				t.Errorf("a share: %d %.200s", a.status, errorText.FindString(a.body))
			}
		}
		if list, _ := db.Shares(ctx, id); shared != dueprocess.MaxShares || refused != len(colleagues)-shared || len(list) != dueprocess.MaxShares {
			t.Errorf("%d shared and %d refused of %d at once, %d stored; want exactly %d shared", shared, refused, len(colleagues), len(list), dueprocess.MaxShares)
		}
		if _, _, page := chan_.get("/portal/requests/" + id); !strings.Contains(page, "the most allowed") {
			t.Errorf("the page of a request shared five times still offers to share it")
		}
	})
}

// TestPortalWithdrawAndTokens: the official withdraws their request, sees
// their API tokens and revokes one, which stops working at once; another
// official's token is not found.
func TestPortalWithdrawAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		me, _ := db.OfficialByEmail(ctx, "chan@police.gov.hk")
		var mine, theirs string
		var mineID, theirsID string
		err := db.Transact(ctx, func(tx *store.Tx) error {
			other := &dueprocess.Official{AgencyID: hk, Email: "wong@police.gov.hk", Name: "Wong"}
			if err := tx.CreateOfficial(ctx, other, dueprocess.System); err != nil {
				return err
			}
			t1 := &dueprocess.Token{OfficialID: me.ID, Label: "case system"}
			t2 := &dueprocess.Token{OfficialID: other.ID}
			var err error
			if mine, err = auth.IssueToken(ctx, tx, t1, dueprocess.System); err != nil {
				return err
			}
			theirs, err = auth.IssueToken(ctx, tx, t2, dueprocess.System)
			mineID, theirsID = t1.ID, t2.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = theirs
		csrf := chan_.form("/portal/tokens")
		if _, _, page := chan_.get("/portal/tokens"); !strings.Contains(page, mineID) || strings.Contains(page, theirsID) {
			t.Errorf("the tokens page shows another's token or not one's own:\n%.1000s", page)
		}
		if status, _, _ := chan_.post("/portal/tokens/"+theirsID+"/revoke", url.Values{"csrf": {csrf}}); status != 404 {
			t.Errorf("revoking a colleague's token: %d, want 404", status)
		}
		if status, loc, _ := chan_.post("/portal/tokens/"+mineID+"/revoke", url.Values{"csrf": {csrf}}); status != 303 || loc != "/portal/tokens?done=revoked" {
			t.Errorf("revoking one's own token: %d to %q", status, loc)
		}
		if _, err := db.PrincipalByTokenHash(ctx, auth.HashToken(mine)); err == nil {
			t.Errorf("the revoked token still authenticates")
		}
		if status, _, _ := chan_.post("/portal/tokens/"+mineID+"/revoke", url.Values{"csrf": {"not-the-token"}}); status != 403 {
			t.Errorf("a form without the session's CSRF token: %d, want 403", status)
		}

		_, loc, _ := chan_.postMultipart("/portal/requests", portalForm(csrf), nil)
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")
		if status, _, page := chan_.post("/portal/requests/"+id+"/withdraw", url.Values{"csrf": {csrf}}); status != 400 {
			t.Errorf("withdrawing without a reason: %d %s", status, errorText.FindString(page))
		}
		if status, loc, _ := chan_.post("/portal/requests/"+id+"/withdraw", url.Values{"csrf": {csrf}, "reason": {"the suspect was charged"}}); status != 303 || loc != "/portal?done=withdrawn" {
			t.Fatalf("withdraw: %d to %q", status, loc)
		}
		if req, _ := db.Request(ctx, id); req.Status != dueprocess.StatusWithdrawn {
			t.Errorf("after withdrawal the request is %s", req.Status)
		}
		if status, _, page := chan_.post("/portal/requests/"+id+"/withdraw", url.Values{"csrf": {csrf}, "reason": {"again"}}); status != 409 {
			t.Errorf("withdrawing twice: %d %s", status, errorText.FindString(page))
		}
	})
}

// TestPortalSigninThrottleHoldsUnderConcurrency posts 20 passwords for one
// official at once, one of them right: at most the limit of wrong ones is
// checked, counted against the official's own key.
func TestPortalSigninThrottleHoldsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		b := newBrowser(t, db, func(c *web.Config) { c.PasswordHashes, c.PasswordHashWait = 6, time.Minute })
		err := db.Transact(ctx, func(tx *store.Tx) error {
			_, err := tx.InviteOfficial(ctx, &dueprocess.Official{AgencyID: hk, Email: "chan@police.gov.hk", Name: "Chan"}, auth.HashToken("s"), time.Hour, dueprocess.System)
			if err != nil {
				return err
			}
			_, err = tx.Join(ctx, auth.HashToken("s"), "Chan", auth.HashPassword(officialPassword))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		hashes, _ := countHashes(b)
		csrf := b.form("/portal/signin")
		forms := make([]url.Values, 20)
		for i := range forms {
			pw := fmt.Sprintf("wrong password number %d", i)
			if i == 7 {
				pw = officialPassword
			}
			forms[i] = url.Values{"csrf": {csrf}, "email": {"chan@police.gov.hk"}, "password": {pw}}
		}
		wrong := 0
		for i, a := range b.postAll("/portal/signin", forms) {
			switch {
			case i == 7 && a.status == 303, a.status == 429:
			case a.status == 401:
				wrong++
			default:
				t.Errorf("post %d: %d", i, a.status)
			}
		}
		if wrong > 5 || hashes() > 6 {
			t.Errorf("%d wrong passwords checked and %d hashed; the limit is 5", wrong, hashes())
		}
		if n, _ := db.SigninFailures(ctx, "official:chan@police.gov.hk", time.Now().Add(-time.Hour)); n != wrong {
			t.Errorf("failures counted against the official: %d, want %d", n, wrong)
		}
	})
}

// portalMatrix is every portal route: "official" needs a signed-in
// official; "public" needs none (sign-in, links, registration);
// "ceremony" is a passkey step, which answers JSON.
var portalMatrix = map[string]string{
	"GET /portal": "official", "GET /portal/new": "official", "POST /portal/requests": "official",
	"GET /portal/requests/{id}": "official", "POST /portal/requests/{id}/withdraw": "official",
	"GET /portal/requests/{id}/annex-iii": "official",
	"POST /portal/requests/{id}/share":    "official", "GET /portal/tokens": "official",
	"POST /portal/requests/{id}/package": "official", "POST /portal/requests/{id}/reply": "official",
	"POST /portal/requests/{id}/extend": "official", "POST /portal/security/age": "official",
	"POST /portal/tokens/{id}/revoke": "official", "POST /portal/signout": "official", "GET /portal/security": "official",
	"GET /portal/signin": "public", "POST /portal/signin": "public", "GET /portal/totp": "public", "POST /portal/totp": "public",
	"GET /portal/enrol": "public", "POST /portal/enrol": "public", "GET /portal/join": "public", "POST /portal/join": "public",
	"GET /portal/register": "public", "POST /portal/register": "public",
	"POST /portal/passkey/register/begin": "ceremony", "POST /portal/passkey/register/finish": "ceremony",
	"POST /portal/passkey/login/begin": "ceremony", "POST /portal/passkey/login/finish": "ceremony",
}

// TestPortalRoleMatrix calls every portal page and form signed out, as
// staff, and as an official: only the official gets through.
func TestPortalRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		csrf := chan_.form("/portal")
		_, loc, _ := chan_.postMultipart("/portal/requests", portalForm(csrf), nil)
		id := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")

		served := 0
		for _, r := range ada.server.PageRoutes() {
			if _, p, _ := strings.Cut(r, " "); strings.HasPrefix(p, "/portal") {
				served++
				if _, ok := portalMatrix[r]; !ok {
					t.Errorf("portal route %s has no row in the portal matrix", r)
				}
			}
		}
		if served != len(portalMatrix) {
			t.Errorf("the portal matrix has %d rows for %d portal routes", len(portalMatrix), served)
		}
		routes := make([]string, 0, len(portalMatrix))
		for r, who := range portalMatrix {
			if who == "official" && r != "POST /portal/signout" {
				routes = append(routes, r)
			}
		}
		sort.Strings(routes)
		routes = append(routes, "POST /portal/signout")
		anonymous := newBrowser(t, db)
		for _, caller := range []*browser{anonymous, ada, chan_} {
			for _, route := range routes {
				method, p, _ := strings.Cut(route, " ")
				p = strings.NewReplacer("{id}", id).Replace(p)
				var status int
				if method == "GET" {
					status, loc, _ = caller.get(p)
				} else {
					status, loc, _ = caller.post(p, url.Values{"csrf": {csrf}})
				}
				switch {
				case caller != chan_:
					if status != 303 || loc != "/portal/signin" {
						t.Errorf("%s without an official's session: %d to %q, want the portal's sign-in", route, status, loc)
					}
				case status == 401 || status == 403 || (status == 303 && strings.HasPrefix(loc, "/portal/signin") && !strings.Contains(route, "signout")):
					t.Errorf("%s as the official: %d to %q, want to be let through", route, status, loc)
				}
			}
		}
		// A ceremony without a session is refused as JSON.
		resp, err := anonymous.client.Post(anonymous.url+"/portal/passkey/login/begin", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct{ Error struct{ Code string } }
		if json.Unmarshal(body, &e); resp.StatusCode != 404 && resp.StatusCode != 401 {
			t.Errorf("a passkey ceremony signed out: %d %s", resp.StatusCode, body)
		}
	})
}

// TestPortalLinksAndSessionsExpire: an invitation's link stops working
// after its lifetime, and an official's session ends after the idle and
// the absolute limits, as a staff member's does.
func TestPortalLinksAndSessionsExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		stale := ada.invite(hk, "stale@police.gov.hk", "Stale")

		chan_ := newBrowser(t, db) // its clock is the database's from here on
		chan_.wait(web.InviteLifetime + time.Minute)
		if status, _, page := chan_.get(stale); status != 404 || !strings.Contains(page, "expired") {
			t.Errorf("an invitation after its lifetime: %d", status)
		}
		// A fresh link, made on the moved clock, works.
		link := ada.invite(hk, "chan2@police.gov.hk", "Officer Chan")
		secret := chan_.join(link)
		if status, _, _ := chan_.get("/portal"); status != 200 {
			t.Fatalf("signed in: %d", status)
		}
		chan_.wait(31 * time.Minute)
		if status, loc, _ := chan_.get("/portal"); status != 303 || loc != "/portal/signin" {
			t.Errorf("after 31 idle minutes: %d to %q, want the sign-in", status, loc)
		}
		chan_.signInOfficial("chan2@police.gov.hk", secret)
		for range 25 { // used every half hour, never idle, for 12.5 hours
			chan_.wait(29 * time.Minute)
			if status, _, _ := chan_.get("/portal"); status != 200 {
				break
			}
		}
		if status, loc, _ := chan_.get("/portal"); status != 303 || loc != "/portal/signin" {
			t.Errorf("12 hours after sign-in: %d to %q, want the sign-in", status, loc)
		}
	})
}
