package mail_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/mail"
	"github.com/dueprocess/dueprocess/internal/mail/mailtest"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

var ctx = context.Background()

func queue(t testing.TB, db *store.DB, n int, m dueprocess.Mail) []string {
	t.Helper()
	var ids []string
	err := db.Transact(ctx, func(tx *store.Tx) error {
		ids = ids[:0]
		for i := range n {
			mm := m
			if n > 1 {
				mm.Subject = m.Subject + " " + strconv.Itoa(i)
			}
			id, err := tx.QueueMail(ctx, &mm)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func deliverer(t testing.TB, db *store.DB, srv *mailtest.Server) *mail.Deliverer {
	t.Helper()
	cfg, err := mail.ParseConfig(srv.URL(), "Due Process <dueprocess@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Deliverer{Outbox: db, Sender: mail.NewSender(cfg), Now: func() time.Time { return db.Now() }}
}

func TestDeliverSendsWithStableHeaders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		ids := queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailAnswerReady, To: "officer@police.example",
			Subject: "Your answer to DP-2026-000001 is ready", Body: "Download it within 7 days.\n", RequestID: ""})
		if err := deliverer(t, db, srv).Run(ctx); err != nil {
			t.Fatal(err)
		}
		got := srv.Messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		m := got[0]
		for header, want := range map[string]string{
			"Message-Id":        "<" + ids[0] + "@example.org>",
			"Subject":           "Your answer to DP-2026-000001 is ready",
			"To":                "<officer@police.example>",
			"From":              `"Due Process" <dueprocess@example.org>`,
			"X-Dueprocess-Kind": dueprocess.MailAnswerReady,
		} {
			if g := m.Header.Get(header); g != want {
				t.Errorf("%s: %q, want %q", header, g, want)
			}
		}
		if m.From != "dueprocess@example.org" || len(m.To) != 1 || m.To[0] != "officer@police.example" {
			t.Errorf("envelope: from %q to %q", m.From, m.To)
		}
		if !strings.Contains(m.Body, "Download it within 7 days.") {
			t.Errorf("body: %q", m.Body)
		}
		list, err := db.Outbox(ctx, store.OutboxFilter{})
		if err != nil || len(list) != 1 || list[0].Status != dueprocess.MailSent || list[0].Attempts != 1 {
			t.Fatalf("outbox: %+v, %v; want one message sent after 1 attempt", list, err)
		}
		// Nothing left: a second pass sends nothing.
		if err := deliverer(t, db, srv).Run(ctx); err != nil || len(srv.Messages()) != 1 {
			t.Errorf("second pass: %v, %d messages", err, len(srv.Messages()))
		}
	})
}

func TestDeliverRetriesAfterTemporaryFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		srv := mailtest.Start(t)
		ids := queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "About your account", Body: "b"})
		d := deliverer(t, db, srv)

		srv.Reject(451, "try again later")
		for attempt := 1; attempt <= 2; attempt++ {
			if err := d.Run(ctx); err != nil {
				t.Fatal(err)
			}
			list, _ := db.Outbox(ctx, store.OutboxFilter{})
			m := list[0]
			if m.Status != dueprocess.MailQueued || m.Attempts != attempt || !strings.Contains(m.LastError, "451") ||
				!m.NextAttemptAt.Equal(now.Add(mail.RetryWait(attempt))) {
				t.Fatalf("after failed attempt %d: %+v; want queued, retry at %v", attempt, m, now.Add(mail.RetryWait(attempt)))
			}
			// Not due yet: a pass now sends nothing.
			if err := d.Run(ctx); err != nil {
				t.Fatal(err)
			}
			now = m.NextAttemptAt
		}
		srv.Reject(0, "")
		if err := d.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if got := srv.Messages(); len(got) != 1 || got[0].Header.Get("Message-Id") != "<"+ids[0]+"@example.org>" {
			t.Fatalf("after recovery the server has %d messages, want the one", len(got))
		}
		list, _ := db.Outbox(ctx, store.OutboxFilter{})
		if m := list[0]; m.Status != dueprocess.MailSent || m.Attempts != 3 || m.LastError != "" {
			t.Errorf("after recovery: %+v; want sent after 3 attempts", m)
		}
	})
}

func TestDeliverGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		srv := mailtest.Start(t)
		queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "s", Body: "b"})
		queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "bob@example.org", Subject: "s", Body: "b", NotBefore: now.Add(3 * mail.MaxRetryWait)})
		d := deliverer(t, db, srv)
		status := func() map[string]dueprocess.OutboxMessage {
			list, _ := db.Outbox(ctx, store.OutboxFilter{})
			out := map[string]dueprocess.OutboxMessage{}
			for _, m := range list {
				out[m.To] = m
			}
			return out
		}
		srv.Reject(451, "try again later")
		for range mail.MaxAttempts {
			if err := d.Run(ctx); err != nil {
				t.Fatal(err)
			}
			now = now.Add(mail.MaxRetryWait)
		}
		got := status()
		if a := got["alice@example.org"]; a.Status != dueprocess.MailFailed || a.Attempts != mail.MaxAttempts || !strings.Contains(a.LastError, "451") {
			t.Errorf("alice's after %d temporary failures: %+v; want failed", mail.MaxAttempts, a)
		}
		if b := got["bob@example.org"]; b.Status != dueprocess.MailQueued || b.Attempts != mail.MaxAttempts-3 {
			t.Errorf("bob's: %+v; want queued after %d attempts", b, mail.MaxAttempts-3)
		}
		srv.Reject(550, "no such user")
		if err := d.Run(ctx); err != nil {
			t.Fatal(err)
		}
		if b := status()["bob@example.org"]; b.Status != dueprocess.MailFailed || b.Attempts != mail.MaxAttempts-2 || !strings.Contains(b.LastError, "550") {
			t.Errorf("bob's after a permanent refusal: %+v; want failed at once", b)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("server kept %d messages, want 0", n)
		}
	})
}

// TestDeliverOneRefusalDoesNotStopTheBatch: a recipient refused for good
// fails its message at once; the messages before and after it in the
// same batch, on the same connection, are delivered.
func TestDeliverOneRefusalDoesNotStopTheBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		srv := mailtest.Start(t)
		srv.RefuseRecipient("gone@example.org", 550, "no such user")
		for _, to := range []string{"a@example.org", "gone@example.org", "b@example.org"} {
			queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: to, Subject: "s", Body: "b"})
		}
		if err := deliverer(t, db, srv).Run(ctx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range srv.Messages() {
			got = append(got, m.To...)
		}
		if strings.Join(got, " ") != "a@example.org b@example.org" {
			t.Errorf("delivered to %v, want a and b", got)
		}
		failed, _ := db.Outbox(ctx, store.OutboxFilter{Status: dueprocess.MailFailed})
		if len(failed) != 1 || failed[0].To != "gone@example.org" || failed[0].Attempts != 1 || !strings.Contains(failed[0].LastError, "550") {
			t.Errorf("failed: %+v; want gone@example.org's, after one attempt", failed)
		}
	})
}

// TestDeliverSignsIn: with a user and password in the URL, the sender
// signs in (AUTH PLAIN, asked for with ?auth=plain, which go-mail allows
// without TLS only to a server on this machine); with a wrong password the message is kept for
// a retry and the error names no password.
func TestDeliverSignsIn(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := mailtest.Start(t)
	srv.RequireAuth("dueprocess", "s3cret pass")
	queue(t, db, 1, dueprocess.Mail{Kind: dueprocess.MailUserNotice, To: "alice@example.org", Subject: "s", Body: "b"})
	send := func(password string) {
		t.Helper()
		cfg, err := mail.ParseConfig("smtp://dueprocess:"+url.PathEscape(password)+"@"+srv.Addr+"?auth=plain", "dp@example.org")
		if err != nil {
			t.Fatal(err)
		}
		d := &mail.Deliverer{Outbox: db, Sender: mail.NewSender(cfg), Now: func() time.Time { return db.Now() }}
		d.Run(ctx)
	}
	send("wrong")
	list, _ := db.Outbox(ctx, store.OutboxFilter{})
	if len(srv.Messages()) != 0 || list[0].Status != dueprocess.MailQueued || list[0].LastError == "" || strings.Contains(list[0].LastError, "wrong") {
		t.Fatalf("with a wrong password: %d delivered, %+v", len(srv.Messages()), list[0])
	}
	db.Now = func() time.Time { return time.Now().Add(time.Hour) }
	send("s3cret pass")
	if len(srv.Messages()) != 1 {
		t.Fatalf("signed in: %d delivered, want 1", len(srv.Messages()))
	}
}
