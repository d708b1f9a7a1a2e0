package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// TestKillWhileSendingMail queues 300 messages, lets "dueprocess serve"
// send them, kills it with SIGKILL while the SMTP server holds the 100th
// (received, not yet answered, so never marked sent), starts it again and
// waits for the outbox to empty: every message arrives, and a Message-ID
// that arrives twice arrives as the same message, byte for byte.
func TestKillWhileSendingMail(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes")
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			smtp := mailtest.Start(t)
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(),
				"DUEPROCESS_SMTP": smtp.URL(), "DUEPROCESS_MAIL_FROM": "dueprocess@example.org",
				"DUEPROCESS_MAIL_EVERY": "100ms", "DUEPROCESS_MAIL_LEASE": "2s"}
			db, err := store.Open(ctx, vars["DUEPROCESS_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const n = 300
			err = db.Transact(ctx, func(tx *store.Tx) error {
				for i := range n {
					m := &dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "user" + strconv.Itoa(i) + "@example.org",
						Subject: "Notice " + strconv.Itoa(i), Body: "A request named your account.\n"}
					if _, err := tx.QueueMail(ctx, m); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			var mu sync.Mutex
			var killed bool
			first, _ := startProcess(t, vars)
			smtp.OnData(func(m mailtest.Message) {
				mu.Lock()
				defer mu.Unlock()
				if !killed && len(smtp.Messages()) >= 100 {
					killed = true
					first.Process.Signal(syscall.SIGKILL)
					first.Wait()
				}
			})
			deadline := time.Now().Add(10 * time.Second)
			for mu.Lock(); !killed && time.Now().Before(deadline); mu.Lock() {
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
			mu.Unlock()
			if !killed {
				t.Fatalf("the server sent %d messages in 10s and was not killed", len(smtp.Messages()))
			}
			sentBefore, _ := db.OutboxCounts(ctx)
			startProcess(t, vars)
			deadline = time.Now().Add(30 * time.Second)
			var counts map[dueprocess.MailStatus]int64
			for time.Now().Before(deadline) {
				if counts, err = db.OutboxCounts(ctx); err == nil && counts[dueprocess.MailSent] == n {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if counts[dueprocess.MailSent] != n {
				t.Fatalf("outbox after the restart: %v; want %d sent", counts, n)
			}

			byID := map[string][][]byte{}
			for _, m := range smtp.Messages() {
				id := m.Header.Get("Message-Id")
				byID[id] = append(byID[id], m.Data)
			}
			if len(byID) != n {
				t.Errorf("%d distinct Message-IDs received, want %d", len(byID), n)
			}
			again := 0
			for id, copies := range byID {
				for _, c := range copies[1:] {
					again++
					if !bytes.Equal(c, copies[0]) {
						t.Errorf("%s arrived as two different messages:\n%s\n---\n%s", id, copies[0], c)
					}
				}
			}
			// The one message the server held when the sender died is the
			// only one it can have sent without marking.
			if again > 1 {
				t.Errorf("%d messages sent again, want at most 1", again)
			}
			t.Logf("sent before the kill: %d marked, %d received; sent again after the restart: %d", sentBefore[dueprocess.MailSent], 100, again)
		})
	}
}

// TestServeRefusesBadMailSettings: a wrong SMTP setting stops serve before
// it opens the database, and the message never shows the password.
func TestServeRefusesBadMailSettings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"DUEPROCESS_SMTP": "smtp://dp:s3cret@mail.example.org:99999", "DUEPROCESS_MAIL_FROM": "dp@example.org"}, "port"},
		{map[string]string{"DUEPROCESS_SMTP": "smtp://dp:s3cret@mail.example.org"}, "DUEPROCESS_MAIL_FROM is needed"},
		{map[string]string{"DUEPROCESS_SMTP": "imap://dp:s3cret@mail.example.org", "DUEPROCESS_MAIL_FROM": "dp@example.org"}, "not smtp or smtps"},
		{map[string]string{"DUEPROCESS_MAIL_EVERY": "soon"}, "DUEPROCESS_MAIL_EVERY"},
		{map[string]string{"DUEPROCESS_REMIND_BEFORE": "-1h"}, "DUEPROCESS_REMIND_BEFORE"},
		{map[string]string{"DUEPROCESS_ACTIONS_WEBHOOK": "https://platform.example/hook?key=s3cret"}, "DUEPROCESS_ACTIONS_WEBHOOK_SECRET"},
		{map[string]string{"DUEPROCESS_ACTIONS_WEBHOOK": "ftp://dp:s3cret@platform.example/hook", "DUEPROCESS_ACTIONS_WEBHOOK_SECRET": "a long enough secret"}, "not an http or https URL"},
		{map[string]string{"DUEPROCESS_ACTIONS_WEBHOOK": "https://platform.example/hook", "DUEPROCESS_ACTIONS_WEBHOOK_SECRET": "short"}, "at least 16 characters"},
	} {
		tc.vars["DUEPROCESS_DB"] = filepath.Join(dir, "dueprocess.db")
		tc.vars["DUEPROCESS_DATA"] = filepath.Join(dir, "data")
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return tc.vars[k] }, strings.NewReader(""), io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.vars, err, tc.want)
		}
		if strings.Contains(fmt.Sprint(err)+stderr.String(), "s3cret") {
			t.Errorf("%v: the password is shown: %v %s", tc.vars, err, stderr.String())
		}
		if _, err := os.Stat(tc.vars["DUEPROCESS_DB"]); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: serve created the database before refusing", tc.vars)
		}
	}
}

// TestDeadlineReminderByMail walks the whole way: an official submits a
// request whose deadline has passed, an admin assigns it, and the
// running server mails the assigned reviewer one reminder over SMTP.
func TestDeadlineReminderByMail(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			smtp := mailtest.Start(t)
			vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, d), "DUEPROCESS_DATA": t.TempDir(),
				"DUEPROCESS_SMTP": smtp.URL() + "?tls=none", "DUEPROCESS_MAIL_FROM": "dueprocess@example.org", "DUEPROCESS_MAIL_EVERY": "100ms"}
			_, token := registerOfficial(t, vars)
			admin, err := cmd(t, vars, "staff", "add", "--email", "ada@example.com", "--name", "Ada", "--role", "admin")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cmd(t, vars, "staff", "add", "--email", "rev@example.com", "--name", "Rev", "--role", "reviewer"); err != nil {
				t.Fatal(err)
			}
			url, stop := serve(t, vars)
			defer stop()
			st, m := post(t, url+"/api/v1/requests", token, walkthroughRequest) // due 2026-04-01: overdue
			if st != 201 || m["due_at"] != "2026-04-01T23:59:59Z" {
				t.Fatalf("submit: %d, due_at %v", st, m["due_at"])
			}
			id := m["id"].(string)
			db, err := store.Open(context.Background(), vars["DUEPROCESS_DB"])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			members, err := db.StaffMembers(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var rev string
			for _, s := range members {
				if s.Email == "rev@example.com" {
					rev = s.ID
				}
			}
			if st, m := post(t, url+"/api/v1/requests/"+id+"/assign", admin, `{"staff_id": "`+rev+`"}`); st != 200 {
				t.Fatalf("assign: %d %v", st, m)
			}
			deadline := time.Now().Add(10 * time.Second)
			for len(smtp.Messages()) == 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond) // five more rounds of both loops
			got := smtp.Messages()
			if len(got) != 1 {
				t.Fatalf("the SMTP server received %d messages, want one reminder", len(got))
			}
			r := got[0]
			if r.Header.Get("X-Dueprocess-Kind") != "deadline.reminder" || r.Header.Get("X-Dueprocess-Request") != id ||
				len(r.To) != 1 || r.To[0] != "rev@example.com" || r.Header.Get("Subject") != id+" is overdue" {
				t.Errorf("reminder: to %v, headers %v", r.To, r.Header)
			}
			st, metrics := getText(t, url+"/metrics")
			if st != 200 || !strings.Contains(metrics, "dueprocess_requests_overdue 1\n") || !strings.Contains(metrics, `dueprocess_outbox_messages{status="sent"} 1`) {
				t.Errorf("metrics: %d\n%s", st, metrics)
			}
		})
	}
}

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
