package gather_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/gather"
)

// The window of the tests: January 2026, [from, to).
var (
	from = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
)

// fixtures are two local accounts, alice and bob, and a remote account
// also named alice, each with rows inside and outside January 2026; the
// rows at the window's two edges show that it is [from, to).
const fixtures = `
INSERT INTO accounts (id, username, domain, display_name, created_at, updated_at) VALUES
  (1, 'alice', NULL, 'Alice', '2025-03-01 10:00:00', '2025-03-01 10:00:00'),
  (2, 'bob', NULL, 'Bob', '2025-04-01 10:00:00', '2025-04-01 10:00:00'),
  (3, 'alice', 'remote.example', 'Other Alice', '2025-05-01 10:00:00', '2025-05-01 10:00:00');
INSERT INTO users (id, account_id, email, created_at, updated_at, confirmed_at, sign_up_ip) VALUES
  (11, 1, 'alice@example.org', '2025-03-01 10:00:00', '2025-03-01 10:00:00', '2025-03-01 10:05:00', '198.51.100.1'),
  (12, 2, 'bob@example.org', '2025-04-01 10:00:00', '2025-04-01 10:00:00', NULL, '198.51.100.2');
INSERT INTO login_activities (id, user_id, authentication_method, success, ip, user_agent, created_at) VALUES
  (1, 11, 'password', TRUE, '192.0.2.1', 'Firefox', '2025-12-31 23:59:59'),
  (2, 11, 'password', TRUE, '192.0.2.10', 'Firefox', '2026-01-01 00:00:00'),
  (3, 11, 'password', FALSE, '192.0.2.11', 'curl, "quoted"', '2026-01-10 08:00:00'),
  (4, 11, 'password', TRUE, '192.0.2.2', 'Firefox', '2026-02-01 00:00:00'),
  (5, 12, 'password', TRUE, '203.0.113.5', 'Safari', '2026-01-15 12:00:00');
INSERT INTO statuses (id, account_id, text, created_at, updated_at, visibility, language) VALUES
  (101, 1, 'hello, "world"', '2026-01-05 09:30:00', '2026-01-05 09:30:00', 0, 'en'),
  (102, 1, 'last summer', '2025-06-01 12:00:00', '2025-06-01 12:00:00', 0, 'en'),
  (201, 2, 'bob was here', '2026-01-20 18:00:00', '2026-01-20 18:00:00', 2, 'en'),
  (301, 3, 'remote alice', '2026-01-06 10:00:00', '2026-01-06 10:00:00', 0, 'en');
INSERT INTO media_attachments (id, status_id, account_id, file_file_name, created_at) VALUES
  (1001, 101, 1, 'cat.jpg', '2026-01-05 09:29:00');
`

var (
	alice = dueprocess.Target{Type: dueprocess.TargetUsername, Value: "@alice"}
	bob   = dueprocess.Target{Type: dueprocess.TargetAccountID, Value: "2"}
)

// gatherCSV runs Gather and parses the file it writes.
func gatherCSV(t *testing.T, s *gather.Set, c dueprocess.DataCategory, tg dueprocess.Target) [][]string {
	t.Helper()
	var buf bytes.Buffer
	n, err := s.Gather(context.Background(), c, tg, from, to, &buf)
	if err != nil {
		t.Fatalf("gather %s for %v: %v", c, tg, err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the %s file is not CSV: %v\n%s", c, err, buf.String())
	}
	if len(records) == 0 {
		t.Fatalf("the %s file has no header", c)
	}
	if got := len(records) - 1; got != n {
		t.Errorf("gather %s: rows = %d, but the file has %d", c, n, got)
	}
	return records
}

// column returns the named column of a file's records, without the header.
func column(t *testing.T, records [][]string, name string) []string {
	t.Helper()
	i := slices.Index(records[0], name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, records[0])
	}
	var out []string
	for _, r := range records[1:] {
		out = append(out, r[i])
	}
	return out
}

func TestExampleProfile(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		s := p.set(t, p.profile(t))

		ip := gatherCSV(t, s, dueprocess.CategoryIPLogs, alice)
		if got, want := column(t, ip, "ip"), []string{"192.0.2.10", "192.0.2.11"}; !slices.Equal(got, want) {
			t.Errorf("alice's ip_logs in January: got %v, want %v (only rows inside [from, to), only alice's)", got, want)
		}
		if got, want := column(t, ip, "created_at"), []string{"2026-01-01T00:00:00Z", "2026-01-10T08:00:00Z"}; !slices.Equal(got, want) {
			t.Errorf("times: got %v, want %v (RFC 3339 UTC)", got, want)
		}
		if got, want := column(t, ip, "user_agent")[1], `curl, "quoted"`; got != want {
			t.Errorf("user_agent: got %q, want %q", got, want)
		}

		content := gatherCSV(t, s, dueprocess.CategoryContent, dueprocess.Target{Type: dueprocess.TargetAccountID, Value: "1"})
		if got, want := column(t, content, "text"), []string{`hello, "world"`}; !slices.Equal(got, want) {
			t.Errorf("alice's content: got %v, want %v", got, want)
		}
		if got, want := column(t, content, "attachments"), []string{"1"}; !slices.Equal(got, want) {
			t.Errorf("attachments: got %v, want %v", got, want)
		}

		meta := gatherCSV(t, s, dueprocess.CategoryMetadata, dueprocess.Target{Type: dueprocess.TargetEmail, Value: "ALICE@example.org"})
		if got, want := column(t, meta, "status_id"), []string{"101"}; !slices.Equal(got, want) {
			t.Errorf("alice's metadata by e-mail: got %v, want %v", got, want)
		}
		if slices.Contains(meta[0], "text") {
			t.Errorf("metadata carries the posts' text: %v", meta[0])
		}

		sub := gatherCSV(t, s, dueprocess.CategorySubscriber, alice)
		if got, want := column(t, sub, "email"), []string{"alice@example.org"}; !slices.Equal(got, want) {
			t.Errorf("alice's subscriber record: got %v, want %v (not the remote alice)", got, want)
		}
		if got, want := column(t, sub, "suspended_at"), []string{""}; !slices.Equal(got, want) {
			t.Errorf("NULL: got %q, want %q", got, want)
		}

		// Each category's file holds that category's columns only.
		headers := map[dueprocess.DataCategory][]string{
			dueprocess.CategorySubscriber: {"account_id", "username", "display_name", "account_created_at", "suspended_at", "email",
				"signed_up_at", "sign_up_ip", "confirmed_at", "last_sign_in_at", "locale", "disabled"},
			dueprocess.CategoryIPLogs:   {"created_at", "ip", "success", "authentication_method", "failure_reason", "user_agent"},
			dueprocess.CategoryMetadata: {"status_id", "created_at", "edited_at", "deleted_at", "visibility", "in_reply_to_id", "reblog_of_id", "language", "uri"},
			dueprocess.CategoryContent:  {"status_id", "created_at", "deleted_at", "spoiler_text", "text", "attachments"},
		}
		for c, want := range headers {
			if got := gatherCSV(t, s, c, alice)[0]; !slices.Equal(got, want) {
				t.Errorf("%s header: got %v, want %v", c, got, want)
			}
		}

		bobs := gatherCSV(t, s, dueprocess.CategoryContent, bob)
		if got, want := column(t, bobs, "text"), []string{"bob was here"}; !slices.Equal(got, want) {
			t.Errorf("bob's content: got %v, want %v", got, want)
		}
	})
}

func TestNoDataHeld(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		s := p.set(t, p.profile(t))
		phone := dueprocess.Target{Type: dueprocess.TargetPhone, Value: "+15555550100"}
		for _, c := range s.Categories() {
			records := gatherCSV(t, s, c, phone)
			if len(records) != 1 {
				t.Errorf("%s for a phone number: got %d rows, want none", c, len(records)-1)
			}
		}
		// Bob posted nothing in December 2025: a window with no rows.
		var buf bytes.Buffer
		n, err := s.Gather(context.Background(), dueprocess.CategoryContent, bob,
			time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), from, &buf)
		if err != nil || n != 0 {
			t.Errorf("bob's December content: %d rows, %v; want 0 rows", n, err)
		}
		if !strings.HasPrefix(buf.String(), "status_id,") {
			t.Errorf("an empty file still has its header; got %q", buf.String())
		}
	})
}

func TestCategoryNotConfigured(t *testing.T) {
	p := newSQLite(t)
	s := p.set(t, p.profile(t))
	if s.Has(dueprocess.CategoryLocation) {
		t.Error("Has(location) = true; the example profile has no location query")
	}
	for _, c := range []dueprocess.DataCategory{dueprocess.CategorySubscriber, dueprocess.CategoryIPLogs, dueprocess.CategoryMetadata, dueprocess.CategoryContent} {
		if !s.Has(c) {
			t.Errorf("Has(%s) = false", c)
		}
	}
	var buf bytes.Buffer
	_, err := s.Gather(context.Background(), dueprocess.CategoryLocation, alice, from, to, &buf)
	if !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("gather location: got %v, want a not-found error", err)
	}
	if got, want := s.Undated(), []dueprocess.DataCategory{dueprocess.CategorySubscriber}; !slices.Equal(got, want) {
		t.Errorf("Undated() = %v, want %v", got, want)
	}
}

func TestBadWindow(t *testing.T) {
	p := newSQLite(t)
	s := p.set(t, p.profile(t))
	for _, w := range [][2]time.Time{{}, {from, time.Time{}}, {time.Time{}, to}, {to, from}, {from, from}} {
		_, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, alice, w[0], w[1], &bytes.Buffer{})
		if !errors.Is(err, dueprocess.ErrInvalid) {
			t.Errorf("window %v: got %v, want an invalid error", w, err)
		}
	}
}

func TestContact(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		s := p.set(t, p.profile(t))
		for _, c := range []struct {
			target dueprocess.Target
			want   string
		}{
			{alice, "alice@example.org"},
			{dueprocess.Target{Type: dueprocess.TargetAccountID, Value: "1"}, "alice@example.org"},
			{bob, ""}, // bob never confirmed his address
			{dueprocess.Target{Type: dueprocess.TargetUsername, Value: "nobody"}, ""},
		} {
			got, err := s.Contact(context.Background(), c.target)
			if err != nil || got != c.want {
				t.Errorf("Contact(%v) = %q, %v; want %q", c.target, got, err, c.want)
			}
		}
	})
}

func TestContactQueries(t *testing.T) {
	p := newSQLite(t)
	p.exec(t, fixtures)
	for _, c := range []struct {
		query, want string
		wantErr     bool
	}{
		{"SELECT 'Alice <alice@example.org>' AS email WHERE :target_value <> ''", "alice@example.org", false},
		{"SELECT email FROM users WHERE :target_value <> '' ORDER BY id DESC", "bob@example.org", false},
		{"SELECT NULL AS email WHERE :target_value <> ''", "", false},
		{"SELECT 'not an address' AS email WHERE :target_value <> ''", "", true},
	} {
		s := p.set(t, p.pointAt(t, []byte("sources:\n  app:\n    url: X\ncontact:\n  query: \""+c.query+"\"\n")))
		got, err := s.Contact(context.Background(), alice)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%s: Contact = %q, %v; want %q, error %v", c.query, got, err, c.want, c.wantErr)
		}
	}
}

func TestNilSet(t *testing.T) {
	var s *gather.Set
	if s.Has(dueprocess.CategorySubscriber) || s.HasContact() || len(s.Categories()) > 0 {
		t.Error("a nil Set has queries")
	}
	if _, err := s.Gather(context.Background(), dueprocess.CategorySubscriber, alice, from, to, &bytes.Buffer{}); !errors.Is(err, dueprocess.ErrNotFound) {
		t.Errorf("Gather on a nil Set: %v", err)
	}
	if got, err := s.Contact(context.Background(), alice); got != "" || err != nil {
		t.Errorf("Contact on a nil Set: %q, %v", got, err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
}

func TestContactNotConfigured(t *testing.T) {
	p := newSQLite(t)
	s := p.set(t, p.pointAt(t, []byte(`
sources:
  app:
    url: X
categories:
  subscriber:
    query: SELECT id FROM accounts WHERE username = :target_value
`)))
	if got, err := s.Contact(context.Background(), alice); got != "" || err != nil {
		t.Errorf("Contact without a contact query = %q, %v; want \"\", nil", got, err)
	}
}

// TestTargetIsBound shows that a target's value is bound, never written
// into the SQL: a value written to break out of a string matches nothing.
func TestTargetIsBound(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		s := p.set(t, p.profile(t))
		for _, v := range []string{"' OR '1'='1", "alice' --", "1 OR 1=1", "alice'); DELETE FROM statuses; --"} {
			for _, typ := range []dueprocess.TargetType{dueprocess.TargetUsername, dueprocess.TargetAccountID, dueprocess.TargetEmail} {
				records := gatherCSV(t, s, dueprocess.CategoryContent, dueprocess.Target{Type: typ, Value: v})
				if len(records) != 1 {
					t.Errorf("target %s %q: got %d rows, want none", typ, v, len(records)-1)
				}
			}
		}
		if got := p.count(t, "statuses"); got != 4 {
			t.Errorf("statuses: %d rows, want 4", got)
		}
	})
}

// TestConcurrentGathers runs many gathers at once on one Set, as
// concurrent collects do: each gets its own target's rows.
func TestConcurrentGathers(t *testing.T) {
	eachPlatform(t, func(t *testing.T, p platform) {
		p.exec(t, fixtures)
		s := p.set(t, p.profile(t))
		want := map[string]string{"1": "hello", "2": "bob was here"}
		errs := make(chan error, 40)
		for i := range 40 {
			go func() {
				id := strconv.Itoa(1 + i%2)
				var buf bytes.Buffer
				n, err := s.Gather(context.Background(), dueprocess.CategoryContent,
					dueprocess.Target{Type: dueprocess.TargetAccountID, Value: id}, from, to, &buf)
				switch {
				case err != nil:
				case n != 1 || !strings.Contains(buf.String(), want[id]):
					err = fmt.Errorf("account %s: %d rows: %s", id, n, buf.String())
				}
				errs <- err
			}()
		}
		for range 40 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}

// TestSQLiteURLs opens the same file by each form a SQLite source may take.
func TestSQLiteURLs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir #1")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := newSQLite(t)
	p.exec(t, fixtures)
	data, err := os.ReadFile(p.url)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "platform.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	escaped := strings.NewReplacer(" ", "%20", "#", "%23").Replace(path)
	for _, u := range []string{path, "platform.db", "file:platform.db", "file:" + escaped, "file://" + escaped + "?mode=ro&immutable=1"} {
		s := platform{url: u}.set(t, platform{url: u}.pointAt(t, oneQuery("", "SELECT id FROM accounts WHERE username = :target_value")))
		var buf bytes.Buffer
		if n, err := s.Gather(context.Background(), dueprocess.CategoryIPLogs, dueprocess.Target{Type: "username", Value: "alice"}, from, to, &buf); err != nil || n != 2 {
			t.Errorf("url %q: %d rows, %v; want 2", u, n, err)
		}
	}
}
