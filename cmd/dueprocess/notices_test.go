package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// noticeRequest names a username the platform knows (alice), an e-mail
// address, and a username it does not know; a court's order forbids
// telling them until 2026-06-30.
const noticeRequest = `{"kind": "user_data", "jurisdiction": "HK",
 "legal_process": {"type": "court_order", "reference": "HCMP 77/2026", "issued_by": "High Court", "issued_on": "2026-03-01"},
 "targets": [{"type": "username", "value": "alice"}, {"type": "email", "value": "carol@example.org"}, {"type": "username", "value": "nobody"}],
 "data_categories": ["subscriber"],
 "nondisclosure": {"until": "2026-06-30"}}`

// release does what the release of a package does (branch disclose), from
// a second handle on the server's database: it moves the request to
// disclosed and plans its notices in one transaction, leaving the
// addresses to the server's notice loop, which asks the connectors. The
// clock stands at 2026-03-02, while the order is in force.
func release(t *testing.T, dsn, id, policyPath string) []dueprocess.Notice {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	pol, err := loadPolicy(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	np := pol.Notice()
	r, err := db.Request(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	next := map[dueprocess.Status]dueprocess.Status{dueprocess.StatusEscalated: dueprocess.StatusInReview, dueprocess.StatusPaused: dueprocess.StatusInReview,
		dueprocess.StatusInReview: dueprocess.StatusAwaitingApproval, dueprocess.StatusAwaitingApproval: dueprocess.StatusApproved,
		dueprocess.StatusApproved: dueprocess.StatusDisclosed}
	var list []dueprocess.Notice
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for s := r.Status; s != dueprocess.StatusDisclosed; s = next[s] {
			if err := tx.SetStatus(ctx, id, next[s], dueprocess.System, "test"); err != nil {
				return err
			}
		}
		list, err = tx.PlanNotices(ctx, id, dueprocess.NoticeReleased, store.NoticePlan{Policy: np})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestUserNoticeByMail walks the whole way: an official submits a request
// under a non-disclosure order; it is released while the order is in
// force; the running server's notice loop asks the platform's contact
// query (the example Mastodon connectors, on a SQLite file) for the
// usernames' addresses (one has none: undeliverable); the order has ended
// by the server's clock, so the loop queues the e-mail target's notice,
// withheld when it was planned, and alice's, resolved after the order's
// end, goes out at once; the mail loop sends each once, in German as the policy file says, over SMTP; the API
// and the transparency report show it.
func TestUserNoticeByMail(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			smtp := mailtest.Start(t)
			platform := platformDB(t)
			pdb, err := sql.Open("sqlite", platform)
			if err != nil {
				t.Fatal(err)
			}
			_, err = pdb.Exec(`INSERT INTO users (id, account_id, email, created_at, updated_at, confirmed_at)
				VALUES (1, 1, 'alice@mail.example', '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`)
			pdb.Close()
			if err != nil {
				t.Fatal(err)
			}
			connectors := exampleConnectors(t, platform)
			policyPath := writeFile(t, "policy.yaml", strings.Replace(string(policy.DefaultYAML), "  language: en", "  language: de", 1))
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(),
				"DUEPROCESS_SMTP": smtp.URL() + "?tls=none", "DUEPROCESS_MAIL_FROM": "dueprocess@example.org", "DUEPROCESS_MAIL_EVERY": "100ms",
				"DUEPROCESS_POLICY": policyPath, "DUEPROCESS_CONNECTORS": connectors}
			_, token := registerOfficial(t, vars)
			admin, err := cmd(t, vars, "staff", "add", "--email", "ada@example.com", "--name", "Ada", "--role", "admin")
			if err != nil {
				t.Fatal(err)
			}
			url, stop := serve(t, vars)
			defer stop()
			st, m := post(t, url+"/api/v1/requests", token, noticeRequest)
			if st != 201 {
				t.Fatalf("submit: %d %v", st, m)
			}
			id := m["id"].(string)
			planned := release(t, vars["DUEPROCESS_DB"], id, policyPath)
			byTarget := map[string]dueprocess.Notice{}
			for _, n := range planned {
				byTarget[n.Target.Value] = n
			}
			if byTarget["alice"].Status != dueprocess.NoticeUnresolved || byTarget["nobody"].Status != dueprocess.NoticeUnresolved ||
				byTarget["carol@example.org"].Status != dueprocess.NoticeWithheld {
				t.Fatalf("planned %+v", planned)
			}

			deadline := time.Now().Add(15 * time.Second)
			for len(smtp.Messages()) < 3 && time.Now().Before(deadline) { // two notices, and the official's answer.ready
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond) // five more rounds of the loops
			got, answers := map[string]int{}, map[string]int{}
			for _, msg := range smtp.Messages() {
				if msg.Header.Get("X-Dueprocess-Kind") == dueprocess.MailAnswerReady {
					answers[msg.To[0]]++ // the official is told the answer is ready (docs/mail.md)
					continue
				}
				got[msg.To[0]]++
				body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(msg.Body)))
				subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
				if msg.Header.Get("X-Dueprocess-Kind") != "user.notice" || msg.Header.Get("X-Dueprocess-Request") != id ||
					subject != "Eine Behörde hat Daten zu Ihrem Konto angefordert" ||
					!strings.Contains(string(body), "ein Gerichtsbeschluss, Aktenzeichen HCMP 77/2026, erlassen von High Court") ||
					!strings.Contains(string(body), "Hong Kong Police Force") {
					t.Errorf("notice to %v: subject %q, headers %v\n%s", msg.To, subject, msg.Header, body)
				}
			}
			if len(got) != 2 || got["alice@mail.example"] != 1 || got["carol@example.org"] != 1 {
				t.Fatalf("the SMTP server received %v, want one notice each to alice@mail.example and carol@example.org", got)
			}
			if len(answers) != 1 {
				t.Errorf("answer.ready messages: %v, want one, to the official", answers)
			}

			var notices struct{ Notices []dueprocess.Notice }
			deadline = time.Now().Add(5 * time.Second)
			for {
				if notices.Notices != nil {
					time.Sleep(50 * time.Millisecond)
				}
				st, m := get(t, url+"/api/v1/requests/"+id+"/notices", admin)
				b, _ := json.Marshal(m)
				if st != 200 || json.Unmarshal(b, &notices) != nil {
					t.Fatalf("notices: %d %s", st, b)
				}
				sent := 0
				for _, n := range notices.Notices {
					if n.Status == dueprocess.NoticeSent {
						sent++
					}
				}
				if sent == 2 || time.Now().After(deadline) {
					break
				}
			}
			for _, n := range notices.Notices {
				if want := map[string]string{"alice": "alice@mail.example", "carol@example.org": "carol@example.org"}[n.Target.Value]; n.Address != want {
					t.Errorf("notice to %s went to %q, want %q", n.Target.Value, n.Address, want)
				}
			}
			st, body := getText(t, url+"/transparency/"+dueprocess.HalfYear(time.Now())+".json")
			if st != 200 || !strings.Contains(body, `"user_notice": {
      "sent": 2,
      "withheld": 1,
      "delayed": 0,
      "undeliverable": 1
    }`) {
				t.Errorf("report: %d, notices %+v\n%.3000s", st, notices.Notices, body)
			}
		})
	}
}
