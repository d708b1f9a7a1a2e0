package seal_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/seal"
)

func file(name string, cat dueprocess.DataCategory, content string) seal.File {
	return seal.File{
		ManifestFile: seal.ManifestFile{Name: name, Category: cat, Rows: strings.Count(content, "\n") - 1,
			Bytes: int64(len(content)), SHA256: seal.SHA256([]byte(content))},
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil },
	}
}

func manifest() seal.Manifest {
	m := seal.Manifest{RequestID: "DP-2026-000001", Agency: "Bundeskriminalamt", PolicyHash: "sha256:abc",
		ApprovedBy: []string{"st_1", "st_2"}, CreatedAt: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC),
		NoData: []seal.NoData{{Category: dueprocess.CategoryIPLogs}}}
	m.LegalProcess.Type, m.LegalProcess.Reference = dueprocess.ProcessCourtOrder, "AZ 123/26"
	return m
}

// TestSealRoundTrip seals two files to an X25519 key, opens the package
// with the identity, and finds the manifest's hashes matching the files.
func TestSealRoundTrip(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	a := "id,username\n1,alice\n"
	b := "at,ip\n2026-01-02T00:00:00Z,192.0.2.1\n2026-01-03T00:00:00Z,192.0.2.2\n"
	var buf bytes.Buffer
	raw, err := seal.Seal(&buf, manifest(), []seal.File{file("subscriber.csv", dueprocess.CategorySubscriber, a),
		file("ip_logs.csv", dueprocess.CategoryIPLogs, b)}, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("alice")) {
		t.Fatal("the package holds the plaintext")
	}
	o, err := seal.Open(bytes.NewReader(buf.Bytes()), id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(o.ManifestRaw, raw) {
		t.Errorf("the manifest in the package differs from the one Seal returned")
	}
	if got := string(o.Files["subscriber.csv"]); got != a {
		t.Errorf("subscriber.csv = %q, want %q", got, a)
	}
	for _, f := range o.Manifest.Files {
		if seal.SHA256(o.Files[f.Name]) != f.SHA256 || int64(len(o.Files[f.Name])) != f.Bytes {
			t.Errorf("%s: the manifest's hash or size does not match the file", f.Name)
		}
	}
	if o.Manifest.Files[1].Rows != 2 || o.Manifest.LegalProcess.Reference != "AZ 123/26" || len(o.Manifest.NoData) != 1 {
		t.Errorf("manifest = %+v", o.Manifest)
	}
	// Another key cannot open it.
	other, _ := age.GenerateX25519Identity()
	if _, err := seal.Open(bytes.NewReader(buf.Bytes()), other); err == nil {
		t.Error("another key opened the package")
	}
}

// TestSealPassphrase seals to a one-time passphrase and opens with it.
func TestSealPassphrase(t *testing.T) {
	pass, r, err := seal.NewPassphrase()
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.ReplaceAll(pass, "-", "")) != 32 {
		t.Errorf("passphrase %q: want 32 characters of base32 (160 bits)", pass)
	}
	if p2, _, _ := seal.NewPassphrase(); p2 == pass {
		t.Error("two passphrases are the same")
	}
	var buf bytes.Buffer
	if _, err := seal.Seal(&buf, manifest(), []seal.File{file("a.csv", dueprocess.CategorySubscriber, "x\n1\n")}, r); err != nil {
		t.Fatal(err)
	}
	id, _ := age.NewScryptIdentity(pass)
	o, err := seal.Open(bytes.NewReader(buf.Bytes()), id)
	if err != nil {
		t.Fatal(err)
	}
	if string(o.Files["a.csv"]) != "x\n1\n" {
		t.Errorf("a.csv = %q", o.Files["a.csv"])
	}
	wrong, _ := age.NewScryptIdentity("not-the-passphrase")
	if _, err := seal.Open(bytes.NewReader(buf.Bytes()), wrong); err == nil {
		t.Error("a wrong passphrase opened the package")
	}
}

// TestSealRefusesAChangedFile: a file whose bytes are not those recorded
// fails the seal, so the manifest never lies about the package.
func TestSealRefusesAChangedFile(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	for name, f := range map[string]seal.File{
		"other bytes": func() seal.File {
			f := file("a.csv", dueprocess.CategorySubscriber, "x\n1\n")
			f.Open = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x\n2\n")), nil }
			return f
		}(),
		"longer": func() seal.File {
			f := file("a.csv", dueprocess.CategorySubscriber, "x\n1\n")
			f.Open = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x\n1\n2\n")), nil }
			return f
		}(),
	} {
		if _, err := seal.Seal(io.Discard, manifest(), []seal.File{f}, id.Recipient()); err == nil {
			t.Errorf("%s: sealed a file that does not match its manifest entry", name)
		}
	}
}

func TestParseRecipient(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	if _, err := seal.ParseRecipient(id.Recipient().String()); err != nil {
		t.Errorf("a real recipient: %v", err)
	}
	for _, bad := range []string{"", "age1", "ssh-ed25519 AAAA", id.String()} {
		if _, err := seal.ParseRecipient(bad); dueprocess.ErrorKind(err) != dueprocess.Invalid {
			t.Errorf("ParseRecipient(%q) = %v, want an Invalid error", bad, err)
		}
	}
}
