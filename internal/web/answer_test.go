package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/blob"
	"github.com/dueprocess/dueprocess/internal/mail"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
	"github.com/dueprocess/dueprocess/internal/web"
)

var passphraseText = regexp.MustCompile(`<section class="passphrase" id="passphrase">[\s\S]*?<p><code>([^<]+)</code></p>`)

// submitted has official browser b submit the portal's Hong Kong court
// order (subscriber records and IP logs) and returns its id.
func (b *browser) submitted() string {
	b.t.Helper()
	csrf := b.form("/portal/new")
	_, loc, _ := b.postMultipart("/portal/requests", portalForm(csrf), nil)
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")
	if id == "" || strings.Contains(id, "/") {
		b.t.Fatalf("submission went to %q", loc)
	}
	return id
}

// TestConsoleAndPortalDisclosure is the answer as its users meet it: a
// reviewer on the case adds a file by hand in the console and releases
// it, and sees the one-time passphrase once, on that answer only; the
// official is mailed that the answer is ready (no target in the mail),
// reads it in the portal and downloads the package once, and the console
// then shows who downloaded it and from where. A colleague the request is
// not shared with is refused the download.
func TestConsoleAndPortalDisclosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		blobs, err := blob.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		shared := func(c *web.Config) { c.Blobs = blobs } // the console's server and the portal's keep the same files
		ada := newBrowser(t, db, shared)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db, shared)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		wong := newBrowser(t, db, shared)
		wong.join(ada.invite(hk, "wong@police.gov.hk", "Officer Wong"))
		id := chan_.submitted()

		raeID, raeSecret := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		annID, _ := staffMember(t, db, "ann@example.com", dueprocess.RoleApprover)
		rae, _ := db.Staff(ctx, raeID)
		ann, _ := db.Staff(ctx, annID)
		if _, err := db.Propose(ctx, id, rae, &dueprocess.NewProposal{Decision: "partially_approve", Categories: []string{"subscriber"}, Note: "subscriber only"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Approve(ctx, id, ann, "four eyes"); err != nil {
			t.Fatal(err)
		}
		console := newBrowser(t, db, shared)
		console.signIn("rae@example.com", raeSecret)
		page := "/console/requests/" + id
		csrf := console.form(page)
		if status, _, body := console.post(page+"/release", url.Values{"csrf": {csrf}}); status != 403 {
			t.Errorf("a release by a reviewer off the case: %d %s", status, errorText.FindString(body))
		}
		if err = db.Assign(ctx, id, raeID, dueprocess.System); err != nil {
			t.Fatal(err)
		}
		if _, _, body := console.get(page); !strings.Contains(body, "Add a file gathered by hand") || !strings.Contains(body, "Release the package") {
			t.Fatalf("the request page of an approved request offers no gathering or release:\n%.3000s", body)
		}
		file := []byte("account,email\nscammer42,s@example.org\n")
		if status, _, body := console.postMultipart(page+"/files", url.Values{"csrf": {csrf}, "category": {"ip_logs"}, "name": {"ip.csv"}}, file); status != 409 || !strings.Contains(body, "ip_logs") {
			t.Errorf("adding a category not approved: %d %s, want 409 naming ip_logs", status, errorText.FindString(body))
		}
		if status, loc, body := console.postMultipart(page+"/files", url.Values{"csrf": {"stale"}, "category": {"subscriber"}}, file); status != 403 {
			t.Errorf("a file form without the CSRF token: %d to %q %s", status, loc, errorText.FindString(body))
		}
		if status, loc, body := console.postMultipart(page+"/files", url.Values{"csrf": {csrf}, "category": {"subscriber"}, "name": {"subscriber.csv"}}, file); status != 303 {
			t.Fatalf("adding a file: %d to %q %s", status, loc, errorText.FindString(body))
		}
		sum := sha256.Sum256(file)
		if _, _, body := console.get(page); !strings.Contains(body, "subscriber.csv") || !strings.Contains(body, hex.EncodeToString(sum[:])) {
			t.Errorf("the page does not show the file gathered with its sha256")
		}

		// The release answers with the passphrase, once, not cached.
		resp, err := console.client.PostForm(console.url+page+"/release", url.Values{"csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := passphraseText.FindSubmatch(b)
		if resp.StatusCode != 200 || m == nil || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("release: %d, Cache-Control %q, passphrase shown %v\n%s", resp.StatusCode, resp.Header.Get("Cache-Control"), m != nil, errorText.Find(b))
		}
		passphrase := string(m[1])
		if r, _ := db.Request(ctx, id); r.Status != dueprocess.StatusDisclosed {
			t.Errorf("after the console's release the request is %s, want disclosed", r.Status)
		}
		if _, _, body := console.get(page); strings.Contains(body, passphrase) || !strings.Contains(body, "not yet") {
			t.Errorf("the page shows the passphrase again, or the package as downloaded")
		}

		// The official is told, without the target.
		mails, _ := db.Outbox(ctx, store.OutboxFilter{RequestID: id})
		if len(mails) != 1 || mails[0].Kind != dueprocess.MailAnswerReady || mails[0].To != "chan@police.gov.hk" || strings.Contains(mails[0].Body, "scammer42") ||
			!strings.Contains(mails[0].Body, "/portal/requests/"+id) {
			t.Errorf("mail after the release: %+v", mails)
		}
		// … and it reaches them, through the SMTP loop.
		srv := mailtest.Start(t)
		cfg, err := mail.ParseConfig(srv.URL(), "dueprocess@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if err := (&mail.Deliverer{Outbox: db, Sender: mail.NewSender(cfg), Now: db.Now}).Run(ctx); err != nil {
			t.Fatal(err)
		}
		var answers []string
		for _, m := range srv.Messages() { // the invitations went too
			if m.Header.Get("X-Dueprocess-Kind") == dueprocess.MailAnswerReady {
				answers = append(answers, m.To[0]+"\n"+m.Body)
			}
		}
		if len(answers) != 1 || !strings.HasPrefix(answers[0], "chan@police.gov.hk\n") || !strings.Contains(answers[0], "/portal/requests/"+id) ||
			strings.Contains(answers[0], "scammer42") {
			t.Errorf("the SMTP server received these answer.ready messages: %q", answers)
		}
		// The portal: the answer, the once-only download.
		_, _, body := chan_.get("/portal/requests/" + id)
		for _, want := range []string{"Our answer", "can be downloaded once", `id="download"`, "subscriber", "ip_logs"} {
			if !strings.Contains(body, want) {
				t.Errorf("the portal's request page lacks %q", want)
			}
		}
		pcsrf := chan_.form("/portal/requests/" + id)
		wcsrf := wong.form("/portal")
		if status, _, _ := wong.post("/portal/requests/"+id+"/package", url.Values{"csrf": {wcsrf}}); status != 403 {
			t.Errorf("a colleague it is not shared with downloads: %d, want 403", status)
		}
		resp, err = chan_.client.PostForm(chan_.url+"/portal/requests/"+id+"/package", url.Values{"csrf": {pcsrf}})
		if err != nil {
			t.Fatal(err)
		}
		pkg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := sha256.Sum256(pkg)
		if resp.StatusCode != 200 || resp.Header.Get("X-Package-SHA256") != hex.EncodeToString(got[:]) {
			t.Fatalf("download: %d, %d bytes, sha256 header %q %s", resp.StatusCode, len(pkg), resp.Header.Get("X-Package-SHA256"), errorText.Find(pkg))
		}
		id2, err := age.NewScryptIdentity(passphrase)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := seal.Open(strings.NewReader(string(pkg)), id2)
		if err != nil {
			t.Fatalf("the package does not open with the passphrase shown: %v", err)
		}
		if len(opened.Files) != 1 {
			t.Errorf("package files: %d, want 1", len(opened.Files))
		}
		if status, _, body := chan_.post("/portal/requests/"+id+"/package", url.Values{"csrf": {pcsrf}}); status != 410 || !strings.Contains(body, "only once") {
			t.Errorf("a second download: %d %s, want 410", status, errorText.FindString(body))
		}
		if _, _, body := chan_.get("/portal/requests/" + id); strings.Contains(body, `id="download"`) || !strings.Contains(body, "can no longer be downloaded") {
			t.Errorf("after the download the portal still offers it")
		}
		if _, _, body := console.get(page); !strings.Contains(body, "by Officer Chan (Hong Kong Police Force) from") {
			t.Errorf("the console does not say who downloaded the package:\n%.200s", regexp.MustCompile(`<dt>Downloaded</dt><dd>[^<]*`).FindString(body))
		}
	})
}

// TestPortalReplyExtendAndAgeKey: the official is mailed when asked to
// narrow, replies in the portal (a widening reply is refused naming the
// field, a colleague it is not shared with is refused), extends a
// preservation request's holds once, and sets their own age key, which
// is checked.
func TestPortalReplyExtendAndAgeKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hk, _ := agencies(t, db)
		ada := newBrowser(t, db)
		_, adaSecret := staffMember(t, db, "ada@example.com", dueprocess.RoleAdmin)
		ada.signIn("ada@example.com", adaSecret)
		chan_ := newBrowser(t, db)
		chan_.join(ada.invite(hk, "chan@police.gov.hk", "Officer Chan"))
		wong := newBrowser(t, db)
		wong.join(ada.invite(hk, "wong@police.gov.hk", "Officer Wong"))
		id := chan_.submitted()
		raeID, _ := staffMember(t, db, "rae@example.com", dueprocess.RoleReviewer)
		rae, _ := db.Staff(ctx, raeID)
		if _, err := db.Propose(ctx, id, rae, &dueprocess.NewProposal{Decision: "request_narrowing", Note: "name fewer categories"}); err != nil {
			t.Fatal(err)
		}
		mails, _ := db.Outbox(ctx, store.OutboxFilter{RequestID: id})
		if len(mails) != 1 || mails[0].Kind != dueprocess.MailNarrowingAsked || mails[0].To != "chan@police.gov.hk" || strings.Contains(mails[0].Body, "scammer42") {
			t.Errorf("mail after asking to narrow: %+v", mails)
		}
		page := "/portal/requests/" + id
		_, _, body := chan_.get(page)
		if !strings.Contains(body, "Reply to the request to narrow") || !strings.Contains(body, "name fewer categories") {
			t.Fatalf("the portal offers no reply, or hides what was asked")
		}
		csrf := chan_.form(page)
		reply := func(b *browser, csrf string, cats ...string) (int, string) {
			status, _, body := b.post(page+"/reply", url.Values{"csrf": {csrf}, "note": {"subscriber records only"},
				"targets_shown": {"1"}, "target": {"0"}, "categories_shown": {"1"}, "data_category": cats})
			return status, body
		}
		if status, _ := reply(wong, wong.form("/portal"), "subscriber"); status != 403 {
			t.Errorf("a reply by a colleague it is not shared with: %d, want 403", status)
		}
		if status, body := reply(chan_, csrf, "subscriber", "content"); status != 400 || !strings.Contains(body, "widens") {
			t.Errorf("a widening reply: %d %s, want 400", status, errorText.FindString(body))
		}
		if status, body := reply(chan_, csrf, "subscriber"); status != 303 {
			t.Fatalf("reply: %d %s", status, errorText.FindString(body))
		}
		if r, _ := db.Request(ctx, id); r.Status != dueprocess.StatusInReview || len(r.DataCategories) != 1 || r.DataCategories[0] != dueprocess.CategorySubscriber {
			t.Errorf("after the reply: %s %v, want in_review with subscriber only", r.Status, r.DataCategories)
		}

		// A preservation request's holds, extended once.
		form := portalForm(csrf)
		form.Set("kind", "preservation")
		form.Set("idempotency_key", "form-preserve")
		_, loc, _ := chan_.postMultipart("/portal/requests", form, nil)
		pid := strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=submitted")
		if _, _, body := chan_.get("/portal/requests/" + pid); !strings.Contains(body, "Extend the holds (once)") {
			t.Fatalf("a preservation request's page offers no extension (%s):\n%.2000s", loc, body)
		}
		if status, loc, body := chan_.post("/portal/requests/"+pid+"/extend", url.Values{"csrf": {csrf}}); status != 303 {
			t.Fatalf("extend: %d to %q %s", status, loc, errorText.FindString(body))
		}
		if status, _, body := chan_.post("/portal/requests/"+pid+"/extend", url.Values{"csrf": {csrf}}); status != 409 {
			t.Errorf("a second extension: %d %s, want 409", status, errorText.FindString(body))
		}
		if _, _, body := chan_.get("/portal/requests/" + pid); strings.Contains(body, "Extend the holds (once)") || !strings.Contains(body, "(extended)") {
			t.Errorf("after the extension the page still offers it, or does not say so")
		}

		// The official's own age key.
		if status, _, body := chan_.post("/portal/security/age", url.Values{"csrf": {csrf}, "age_recipient": {"age1notakey"}}); status != 400 || !strings.Contains(body, "age public key") {
			t.Errorf("a bad age key: %d %s, want 400", status, errorText.FindString(body))
		}
		key, _ := age.GenerateX25519Identity()
		if status, loc, _ := chan_.post("/portal/security/age", url.Values{"csrf": {csrf}, "age_recipient": {" " + key.Recipient().String() + " "}}); status != 303 || loc != "/portal/security?done=age" {
			t.Errorf("setting the age key: %d to %q", status, loc)
		}
		me, _ := db.OfficialByEmail(ctx, "chan@police.gov.hk")
		if o, _ := db.Official(ctx, me.ID); o.AgeRecipient != key.Recipient().String() {
			t.Errorf("the official's age key is %q, want %q", o.AgeRecipient, key.Recipient())
		}
		if _, _, body := chan_.get("/portal/security"); !strings.Contains(body, key.Recipient().String()) {
			t.Errorf("the security page does not show the key")
		}
	})
}
