package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/web"
)

// The demo's open cases: a dozen requests taken part of the way through
// their lives, so that a visitor finds one at every step and can take it
// further. Every step is a call to the real API, handled in this process
// by the same handlers and store operations a served request meets, so the
// audit log holds each one as it would in production; only the clock is
// the demo's, moved forward between steps so that the timelines read as
// days of work.

// demoClock is the store's and the server's clock while the demo plays
// its cases.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *demoClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// demoPlayer calls the API in process as the demo's people.
type demoPlayer struct {
	h     http.Handler
	clock *demoClock
	start time.Time
	// tokens of the demo's actors, revoked when the cases are played.
	tokens   map[string]string
	tokenIDs []string
	// reviewerID is the staff member put on every case.
	reviewerID string
	// ids are the cases' request ids by name; bodies what their officials
	// file; passphrase the disclosed package's.
	ids, bodies map[string]string
	passphrase  string
}

// at moves the clock to day days after the start, at hh:mm.
func (p *demoPlayer) at(day, hh, mm int) {
	p.clock.set(p.start.AddDate(0, 0, day).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute))
}

// call sends body as who to method path and decodes the answer into out.
func (p *demoPlayer) call(who, method, path, contentType, body string, out any) error {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+p.tokens[who])
	if body != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	if w.Code >= 300 {
		return fmt.Errorf("demo: %s %s as %s: %d %s", method, path, who, w.Code, strings.TrimSpace(w.Body.String()))
	}
	if out != nil {
		return json.Unmarshal(w.Body.Bytes(), out)
	}
	return nil
}

// submit files a request as official who and returns its id; 35 minutes
// later the administrator puts the reviewer on its case.
func (p *demoPlayer) submit(who, body string) (string, error) {
	var m struct {
		ID string `json:"id"`
	}
	if err := p.call(who, "POST", "/api/v1/requests", "application/json", body, &m); err != nil {
		return "", err
	}
	p.clock.set(p.clock.now().Add(35 * time.Minute))
	return m.ID, p.call("admin", "POST", "/api/v1/requests/"+m.ID+"/assign", "application/json", fmt.Sprintf(`{"staff_id": %q}`, p.reviewerID), nil)
}

// demoCase is one of the demo's open cases.
type demoCase struct {
	ID, What string
}

// playDemo plays the demo's cases into db, ending at now, with the
// agencies' officials officials (by country) and the staff staff (by
// role). It returns the cases in the order they were received.
func playDemo(ctx context.Context, db *store.DB, cfg web.Config, officials map[string]*dueprocess.Official,
	staff map[dueprocess.Role]*dueprocess.Staff, now time.Time) ([]demoCase, error) {
	clock := &demoClock{t: now.AddDate(0, 0, -21)}
	saved := db.Now
	db.Now = clock.now
	defer func() { db.Now = saved }()
	p := &demoPlayer{clock: clock, start: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -21), tokens: map[string]string{}}
	p.reviewerID = staff[dueprocess.RoleReviewer].ID
	cfg.Now = clock.now
	p.h = web.New(cfg)
	p.at(0, 8, 0)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		p.tokenIDs = p.tokenIDs[:0]
		issue := func(name string, t *dueprocess.Token) error {
			tok, err := auth.IssueToken(ctx, tx, t, demoActor)
			p.tokens[name], p.tokenIDs = tok, append(p.tokenIDs, t.ID)
			return err
		}
		for code, o := range officials {
			if err := issue(code, &dueprocess.Token{OfficialID: o.ID}); err != nil {
				return err
			}
		}
		for role, s := range staff {
			if err := issue(string(role), &dueprocess.Token{StaffID: s.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cases, err := p.play()
	if err != nil {
		return nil, err
	}
	// The demo's own tokens end with the play: nobody signs in with them.
	p.clock.set(now)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for _, id := range p.tokenIDs {
			if err := tx.RevokeToken(ctx, id, demoActor); err != nil {
				return err
			}
		}
		return nil
	})
	return cases, err
}

// demoStep is one step of the demo's cases, at hh:mm on day day of the
// three weeks.
type demoStep struct {
	day, hh, mm int
	do          func() error
}

// play runs the steps of every case, in the order of the clock, and
// returns the cases in the order they were received.
func (p *demoPlayer) play() ([]demoCase, error) {
	p.ids, p.bodies = map[string]string{}, demoBodiesAt(p.start.AddDate(0, 0, 21))
	steps := []demoStep{
		{0, 9, 12, p.file("disclosed", "US")},
		{1, 10, 40, p.review("disclosed", "approve", "A subpoena reaches subscriber records; nothing more is asked.")},
		{1, 15, 5, p.approve("disclosed", "Checked the subpoena and the account named.")},
		{2, 9, 30, p.file("preservation", "DE")},
		{4, 14, 20, p.file("narrowing", "US")},
		{5, 10, 0, p.review("narrowing", "request_narrowing", "Eleven months of IP logs for three accounts is more than the order's offence needs: please name the weeks concerned.")},
		{6, 8, 50, p.file("epoc", "DE")},
		{8, 16, 30, p.file("withheld", "US")},
		{9, 9, 45, p.review("withheld", "approve", "The court order covers subscriber records and IP logs for the dates given.")},
		{9, 14, 10, p.approve("withheld", "Agreed; the non-disclosure order runs six months.")},
		{10, 10, 5, p.callback("withheld", "US")},
		{10, 10, 20, p.post("reviewer", "withheld", "/collect", "")},
		{10, 11, 0, p.release("withheld")},
		{11, 13, 25, p.file("content", "GB")},
		{12, 10, 30, p.post("reviewer", "content", "/items/actions", `{"items": [0], "action": "restrict_in_jurisdiction", "reason": "The High Court found the post defamatory."}`)},
		// Released within the package's lifetime, so that the official
		// can still download it at /portal.
		{12, 15, 5, p.callback("disclosed", "US")},
		{12, 15, 20, p.post("reviewer", "disclosed", "/collect", "")},
		{12, 16, 0, p.release("disclosed")},
		{13, 9, 5, p.file("escalated", "IN")},
		{15, 11, 40, p.file("awaiting", "US")},
		{16, 9, 55, p.review("awaiting", "approve", "The warrant names the account and the content sought.")},
		{17, 10, 10, p.file("approved", "US")},
		{18, 9, 20, p.review("approved", "approve", "A subpoena reaches subscriber records.")},
		{18, 14, 45, p.approve("approved", "Checked; ready to collect.")},
		{20, 8, 35, p.file("open", "US")},
	}
	for _, s := range steps {
		p.at(s.day, s.hh, s.mm)
		if err := s.do(); err != nil {
			return nil, err
		}
	}
	var cases []demoCase
	for _, c := range demoCaseList {
		what := c.what
		if c.name == "disclosed" {
			// The official has no age key, so the package is sealed with
			// a one-time passphrase that staff would read out on the
			// telephone.
			what += "; its passphrase: " + p.passphrase
		}
		cases = append(cases, demoCase{p.ids[c.name], what})
	}
	return cases, nil
}

// demoCaseList names the demo's cases in the order they are received.
var demoCaseList = []struct{ name, what string }{
	{"disclosed", "disclosed, its package ready to download at /portal"},
	{"preservation", "preservation request, with its holds"},
	{"narrowing", "waiting for the agency to narrow it (the official replies at /portal)"},
	{"epoc", "EU e-Evidence production order (EPOC), in review"},
	{"withheld", "disclosed; the user notice is withheld by a non-disclosure order"},
	{"content", "content demand with items, one action waiting for an approver's confirmation"},
	{"escalated", "escalated to the human-rights officer"},
	{"awaiting", "proposal awaiting a second person's approval (four eyes)"},
	{"approved", "approved, ready to collect from the demo platform and release"},
	{"open", "new, in review"},
}

// file submits case name as the official of country code.
func (p *demoPlayer) file(name, code string) func() error {
	return func() error {
		id, err := p.submit(code, p.bodies[name])
		p.ids[name] = id
		return err
	}
}

// post sends body as who to the case name's path.
func (p *demoPlayer) post(who, name, path, body string) func() error {
	return func() error {
		return p.call(who, "POST", "/api/v1/requests/"+p.ids[name]+path, "application/json", body, nil)
	}
}

// review is the reviewer's decision on case name.
func (p *demoPlayer) review(name, decision, note string) func() error {
	return p.post("reviewer", name, "/review", fmt.Sprintf(`{"decision": %q, "note": %q}`, decision, note))
}

// approve is the approver's confirmation of the proposal on case name.
func (p *demoPlayer) approve(name, note string) func() error {
	return p.post("approver", name, "/approve", fmt.Sprintf(`{"note": %q}`, note))
}

// release seals and releases case name's package, keeping the one-time
// passphrase the answer carries.
func (p *demoPlayer) release(name string) func() error {
	return func() error {
		var out struct {
			Passphrase string `json:"passphrase"`
		}
		err := p.call("reviewer", "POST", "/api/v1/requests/"+p.ids[name]+"/release", "", "", &out)
		if name == "disclosed" {
			p.passphrase = out.Passphrase
		}
		return err
	}
}

// callback records, as the reviewer, a confirmed callback to the
// registry's number of the agency of country code about case name.
func (p *demoPlayer) callback(name, code string) func() error {
	return func() error {
		body := fmt.Sprintf(`{"dialled": %q, "called_at": %q, "reached": "the duty officer", "outcome": "confirmed"}`,
			demoPhone(code), p.clock.now().Format(time.RFC3339))
		return p.post("reviewer", name, "/callback", body)()
	}
}

// demoBodiesAt returns the demo's requests as their officials file them,
// with dates about now.
func demoBodiesAt(now time.Time) map[string]string {
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	userData := func(process, ref, issuer, offence, target, cats, extra string) string {
		return fmt.Sprintf(`{"kind": "user_data", "jurisdiction": "US",
 "legal_process": {"type": %q, "reference": %q, "issued_by": %q, "issued_on": %q},
 "offence": {"category": %q},
 "targets": [{"type": "username", "value": %q}],
 "data_categories": [%s],
 "date_range": {"from": %q, "to": %q}%s}`, process, ref, issuer, day(-30), offence, target, cats, day(-400), day(-40), extra)
	}
	return map[string]string{
		"disclosed": userData("subpoena", "GJ-2026-0412", "Grand Jury, E.D. Va.", "fraud", "bluejay42", `"subscriber"`, ""),
		// An e-mail address, so that the notice has somewhere to go once
		// the order ends.
		"withheld": strings.Replace(userData("court_order", "2703d-26-118", "U.S. District Court, S.D.N.Y.", "harassment", "nightowl", `"subscriber", "ip_logs"`,
			fmt.Sprintf(`, "nondisclosure": {"until": %q}`, day(180))),
			`{"type": "username", "value": "nightowl"}`, `{"type": "email", "value": "nightowl@example.net"}`, 1),
		"awaiting": userData("search_warrant", "SW-26-0931", "U.S. District Court, N.D. Cal.", "child sexual abuse material", "pinecone", `"subscriber", "content"`,
			fmt.Sprintf(`, "deadline": %q`, day(9))),
		"approved": userData("subpoena", "GJ-2026-0588", "Grand Jury, D. Md.", "drug trafficking", "riverstone", `"subscriber"`, ""),
		"open":     userData("court_order", "2703d-26-131", "U.S. District Court, D. Mass.", "fraud", "copperkettle", `"subscriber", "ip_logs"`, ""),
		"preservation": `{"kind": "preservation", "jurisdiction": "DE",
 "legal_process": {"type": "court_order", "reference": "352 Gs 61/26", "issued_by": "Amtsgericht Tiergarten"},
 "offence": {"category": "fraud", "description": "phishing for bank credentials"},
 "targets": [{"type": "username", "value": "kontoinhaber"}, {"type": "username", "value": "bluejay42"}],
 "data_categories": ["subscriber", "ip_logs"]}`,
		"narrowing": `{"kind": "user_data", "jurisdiction": "US",
 "legal_process": {"type": "court_order", "reference": "2703d-26-097", "issued_by": "U.S. District Court, W.D. Wash."},
 "offence": {"category": "harassment", "description": "threats sent to a neighbour"},
 "targets": [{"type": "username", "value": "ravenfield"}, {"type": "username", "value": "ravenfield2"}, {"type": "username", "value": "ravenfield_3"}],
 "data_categories": ["subscriber", "ip_logs"],
 "date_range": {"from": "` + day(-330) + `", "to": "` + day(-20) + `"}}`,
		"epoc": `{"kind": "user_data", "jurisdiction": "DE",
 "legal_process": {"type": "epoc", "reference": "276 Js 1234/26", "issued_by": "Staatsanwaltschaft Berlin",
   "issued_on": "` + day(-16) + `", "issuing_state": "DE", "issuing_authority_type": "prosecutor",
   "validated_by": {"name": "Amtsgericht Tiergarten", "type": "court", "reference": "352 Gs 77/26"},
   "enforcing_authority": {"state": "IE", "name": "An Garda Síochána", "notified": true}},
 "offence": {"category": "fraud", "description": "phishing for bank credentials"},
 "targets": [{"type": "username", "value": "kontoinhaber", "country": "DE"}],
 "data_categories": ["subscriber", "metadata"]}`,
		"content": `{"kind": "content_restriction", "jurisdiction": "GB",
 "legal_process": {"type": "court_order", "reference": "QB-2026-001187", "issued_by": "High Court of Justice, King's Bench Division"},
 "requester_type": "police", "reason": "defamation",
 "items": [{"url": "https://social.example/@ravenfield/1131", "ground": "Defamation Act 2013", "quote": "the councillor took bribes"},
           {"url": "https://social.example/@ravenfield/1132", "ground": "Defamation Act 2013"},
           {"id": "post:9001", "ground": "Defamation Act 2013"}]}`,
		"escalated": `{"kind": "user_data", "jurisdiction": "IN",
 "legal_process": {"type": "other", "reference": "CBI-2026-00731", "issued_by": "Central Bureau of Investigation"},
 "offence": {"category": "sedition", "description": "posts criticising the farm laws"},
 "targets": [{"type": "username", "value": "kisanvoice"}],
 "data_categories": ["subscriber", "ip_logs"]}`,
	}
}
