package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dueprocess/dueprocess/docs/connectors"
)

// The demo's platform: a small SQLite database in the example Mastodon
// schema (docs/connectors), holding the accounts the demo's requests name,
// and a connectors file that reads it, so that "collect" gathers real rows
// and user notices find an address.

// demoUsers are the platform's accounts: username, e-mail address.
var demoUsers = [][2]string{
	{"bluejay42", "bluejay42@example.org"}, {"nightowl", "nightowl@example.net"},
	{"pinecone", "pinecone@example.com"}, {"riverstone", "riverstone@example.com"},
	{"copperkettle", "copperkettle@example.org"}, {"ravenfield", "ravenfield@example.net"},
	{"kontoinhaber", "kontoinhaber@example.de"}, {"kisanvoice", "kisanvoice@example.in"},
}

// demoPlatform writes the platform database and its connectors file into
// dir, with sign-ins and posts in the weeks before now, and returns the
// connectors file's path.
func demoPlatform(dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "platform.db")
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return "", err
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	ts := func(t time.Time) string { return t.UTC().Format(time.DateTime) }
	var b strings.Builder
	b.WriteString(connectors.Schema)
	for i, u := range demoUsers {
		id, joined := i+1, now.AddDate(-3, i, 0)
		fmt.Fprintf(&b, "INSERT INTO accounts (id, username, created_at, updated_at) VALUES (%d, '%s', '%s', '%s');\n", id, u[0], ts(joined), ts(joined))
		fmt.Fprintf(&b, "INSERT INTO users (id, account_id, email, created_at, updated_at, sign_up_ip) VALUES (%d, %d, '%s', '%s', '%s', '192.0.2.%d');\n",
			100+id, id, u[1], ts(joined), ts(joined), id)
		for k := range 4 {
			at := now.AddDate(0, -k*2, -id)
			fmt.Fprintf(&b, "INSERT INTO login_activities (id, user_id, success, ip, created_at) VALUES (%d, %d, TRUE, '198.51.100.%d', '%s');\n",
				id*10+k, 100+id, 10*k+id, ts(at))
			fmt.Fprintf(&b, "INSERT INTO statuses (id, account_id, text, created_at, updated_at) VALUES (%d, %d, 'Post %d of %s', '%s', '%s');\n",
				id*10+k, id, k+1, u[0], ts(at), ts(at))
		}
	}
	if _, err := db.Exec(b.String()); err != nil {
		return "", fmt.Errorf("demo platform: %w", err)
	}
	// The profile as published, pointed at this file.
	lines := strings.Split(connectors.Profile, "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "url:") {
			lines[i] = "    url: " + strconv.Quote(path)
		}
	}
	file := filepath.Join(dir, "connectors.yaml")
	return file, os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600)
}
