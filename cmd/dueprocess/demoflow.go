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
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/blob"
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

func (p *demoPlayer) post(who, path, body string) error {
	return p.call(who, "POST", path, "application/json", body, nil)
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
	return m.ID, p.post("admin", "/api/v1/requests/"+m.ID+"/assign", fmt.Sprintf(`{"staff_id": %q}`, p.reviewerID))
}

// demoCase is one of the demo's open cases.
type demoCase struct {
	ID, What string
}

// playDemo plays the demo's cases into db, ending at now, with the
// agencies' officials officials (by country) and the staff staff (by
// role). It returns the cases in the order they were received.
func playDemo(ctx context.Context, db *store.DB, blobs *blob.Store, decide store.Decider, checkpoints *audit.Checkpointer, officials map[string]*dueprocess.Official,
	staff map[dueprocess.Role]*dueprocess.Staff, now time.Time) ([]demoCase, error) {
	clock := &demoClock{t: now.AddDate(0, 0, -21)}
	saved := db.Now
	db.Now = clock.now
	defer func() { db.Now = saved }()
	p := &demoPlayer{clock: clock, start: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -21), tokens: map[string]string{}}
	p.reviewerID = staff[dueprocess.RoleReviewer].ID
	p.h = web.New(web.Config{DB: db, Blobs: blobs, Decide: decide, Checkpoints: checkpoints, Now: clock.now})
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
	cases, err := p.play(staff)
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

// play runs the steps of every case, in the order of the clock.
func (p *demoPlayer) play(staff map[dueprocess.Role]*dueprocess.Staff) ([]demoCase, error) {
	var cases []demoCase
	var err error
	add := func(id, what string) { cases = append(cases, demoCase{id, what}) }
	step := func(f func() error) {
		if err == nil {
			err = f()
		}
	}
	var disclosed, preserved, narrowing, epoc, withheld, content, escalated, awaiting, approved, open string
	r := "/api/v1/requests/"
	bodies := demoBodiesAt(p.start.AddDate(0, 0, 21))

	p.at(0, 9, 12)
	step(func() (e error) { disclosed, e = p.submit("US", bodies["disclosed"]); return })
	p.at(1, 10, 40)
	step(func() error {
		return p.post("reviewer", r+disclosed+"/review", `{"decision": "approve", "note": "A subpoena reaches subscriber records; nothing more is asked."}`)
	})
	p.at(1, 15, 5)
	step(func() error {
		return p.post("approver", r+disclosed+"/approve", `{"note": "Checked the subpoena and the account named."}`)
	})
	p.at(2, 9, 30)
	step(func() (e error) { preserved, e = p.submit("DE", bodies["preservation"]); return })
	p.at(4, 14, 20)
	step(func() (e error) { narrowing, e = p.submit("US", bodies["narrowing"]); return })
	p.at(5, 10, 0)
	step(func() error {
		return p.post("reviewer", r+narrowing+"/review", `{"decision": "request_narrowing", "note": "Eleven months of IP logs for three accounts is more than the order's offence needs: please name the weeks concerned."}`)
	})
	p.at(6, 8, 50)
	step(func() (e error) { epoc, e = p.submit("DE", bodies["epoc"]); return })
	p.at(8, 16, 30)
	step(func() (e error) { withheld, e = p.submit("US", bodies["withheld"]); return })
	p.at(9, 9, 45)
	step(func() error {
		return p.post("reviewer", r+withheld+"/review", `{"decision": "approve", "note": "The court order covers subscriber records and IP logs for the dates given."}`)
	})
	p.at(9, 14, 10)
	step(func() error {
		return p.post("approver", r+withheld+"/approve", `{"note": "Agreed; the non-disclosure order runs six months."}`)
	})
	p.at(10, 10, 5)
	step(func() error { return p.callback(withheld, "US", staff[dueprocess.RoleReviewer]) })
	p.at(10, 10, 20)
	step(func() error {
		return p.call("reviewer", "POST", r+withheld+"/files?category=subscriber&name=subscriber.csv", "text/csv", "username,email,created_at\nnightowl,nightowl@example.net,2019-08-02\n", nil)
	})
	p.at(10, 11, 0)
	step(func() error { return p.post("reviewer", r+withheld+"/release", "") })
	p.at(11, 13, 25)
	step(func() (e error) { content, e = p.submit("GB", bodies["content"]); return })
	p.at(12, 10, 30)
	step(func() error {
		return p.post("reviewer", r+content+"/items/actions", `{"items": [0], "action": "restrict_in_jurisdiction", "reason": "The High Court found the post defamatory."}`)
	})
	// Released within the package's lifetime, so that it can still be
	// downloaded at /portal.
	p.at(12, 15, 5)
	step(func() error { return p.callback(disclosed, "US", staff[dueprocess.RoleReviewer]) })
	p.at(12, 15, 20)
	step(func() error {
		return p.call("reviewer", "POST", r+disclosed+"/files?category=subscriber&name=subscriber.csv", "text/csv", "username,email,created_at\nbluejay42,bluejay42@example.org,2021-03-14\n", nil)
	})
	p.at(12, 16, 0)
	var released struct {
		Passphrase string `json:"passphrase"`
	}
	step(func() error { return p.call("reviewer", "POST", r+disclosed+"/release", "", "", &released) })
	p.at(13, 9, 5)
	step(func() (e error) { escalated, e = p.submit("IN", bodies["escalated"]); return })
	p.at(15, 11, 40)
	step(func() (e error) { awaiting, e = p.submit("US", bodies["awaiting"]); return })
	p.at(16, 9, 55)
	step(func() error {
		return p.post("reviewer", r+awaiting+"/review", `{"decision": "approve", "note": "The warrant names the account and the content sought."}`)
	})
	p.at(17, 10, 10)
	step(func() (e error) { approved, e = p.submit("US", bodies["approved"]); return })
	p.at(18, 9, 20)
	step(func() error {
		return p.post("reviewer", r+approved+"/review", `{"decision": "approve", "note": "A subpoena reaches subscriber records."}`)
	})
	p.at(18, 14, 45)
	step(func() error {
		return p.post("approver", r+approved+"/approve", `{"note": "Checked; ready to collect."}`)
	})
	p.at(19, 10, 0)
	step(func() error {
		return p.call("reviewer", "POST", r+approved+"/files?category=subscriber&name=subscriber.csv", "text/csv", "username,email,created_at\nriverstone,riverstone@example.com,2022-11-30\n", nil)
	})
	p.at(20, 8, 35)
	step(func() (e error) { open, e = p.submit("US", bodies["open"]); return })
	if err != nil {
		return nil, err
	}
	// The official has no age key, so the package is sealed with a
	// one-time passphrase that staff would read out on the telephone.
	add(disclosed, "disclosed, its package ready to download at /portal; its passphrase: "+released.Passphrase)
	add(preserved, "preservation request, with its holds")
	add(narrowing, "waiting for the agency to narrow it (the official replies at /portal)")
	add(epoc, "EU e-Evidence production order (EPOC), in review")
	add(withheld, "disclosed; the user notice is withheld by a non-disclosure order")
	add(content, "content demand with items, one action waiting for an approver's confirmation")
	add(escalated, "escalated to the human-rights officer")
	add(awaiting, "proposal awaiting a second person's approval (four eyes)")
	add(approved, "approved, a file gathered, ready to release")
	add(open, "new, in review")
	return cases, nil
}

// callback records a confirmed callback to the registry's number of the
// agency of official code, as staff member s.
func (p *demoPlayer) callback(id, code string, s *dueprocess.Staff) error {
	body := fmt.Sprintf(`{"dialled": %q, "called_at": %q, "reached": "the duty officer", "outcome": "confirmed"}`,
		demoPhone(code), p.clock.now().Format(time.RFC3339))
	return p.post("reviewer", "/api/v1/requests/"+id+"/callback", body)
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
