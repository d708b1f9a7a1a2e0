// Package seal makes disclosure packages: a tar holding a manifest.json
// and the gathered files, encrypted with age to the requesting official's
// key or to a one-time passphrase. The manifest names every file with its
// category, rows, size and sha256, so that whoever opens the package can
// check each file against it, and the manifest's own hash, kept in the
// audit log, ties the package to the record of its release.
package seal

import (
	"archive/tar"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
)

// ManifestName is the manifest's name in the package; the files are under
// FilesDir.
const (
	ManifestName = "manifest.json"
	FilesDir     = "files/"
)

// Manifest describes a package.
type Manifest struct {
	RequestID    string `json:"request_id"`
	Agency       string `json:"agency"`
	AgencyID     string `json:"agency_id"`
	LegalProcess struct {
		Type      dueprocess.LegalProcessType `json:"type"`
		Reference string                      `json:"reference"`
	} `json:"legal_process"`
	DateRange  *dueprocess.DateRange `json:"date_range,omitempty"`
	Files      []ManifestFile        `json:"files"`
	NoData     []NoData              `json:"no_data"`
	ApprovedBy []string              `json:"approved_by"` // the staff who proposed and confirmed the approval
	PolicyHash string                `json:"policy_hash"`
	CreatedAt  time.Time             `json:"created_at"`
}

// ManifestFile is one file of the package.
type ManifestFile struct {
	Name     string                  `json:"name"` // under files/ in the tar
	Category dueprocess.DataCategory `json:"category"`
	Target   *dueprocess.Target      `json:"target,omitempty"`
	Rows     int                     `json:"rows"`
	Bytes    int64                   `json:"bytes"`
	SHA256   string                  `json:"sha256"`
}

// NoData is a category (and target) for which no data is held.
type NoData struct {
	Category dueprocess.DataCategory `json:"category"`
	Target   *dueprocess.Target      `json:"target,omitempty"`
}

// File is a file to seal: what the manifest says of it, and how to read it.
type File struct {
	ManifestFile
	Open func() (io.ReadCloser, error)
}

// Seal writes to w the package of files described by m, encrypted to r,
// and returns the manifest as written into it. Each file is checked
// against its stated size and sha256 as it is copied: a file that does not
// match fails the seal, so the manifest never describes other bytes than
// the package holds.
func Seal(w io.Writer, m Manifest, files []File, r age.Recipient) ([]byte, error) {
	m.Files = make([]ManifestFile, len(files))
	for i, f := range files {
		m.Files[i] = f.ManifestFile
	}
	if m.NoData == nil {
		m.NoData = []NoData{}
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	manifest = append(manifest, '\n')
	enc, err := age.Encrypt(w, r)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	tw := tar.NewWriter(enc)
	if err := tw.WriteHeader(header(ManifestName, int64(len(manifest)), m.CreatedAt)); err != nil {
		return nil, err
	}
	if _, err := tw.Write(manifest); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := writeFile(tw, f, m.CreatedAt); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return manifest, nil
}

func header(name string, size int64, at time.Time) *tar.Header {
	return &tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: at.UTC(), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
}

func writeFile(tw *tar.Writer, f File, at time.Time) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("seal %s: %w", f.Name, err)
	}
	defer rc.Close()
	if err := tw.WriteHeader(header(FilesDir+f.Name, f.Bytes, at)); err != nil {
		return fmt.Errorf("seal %s: %w", f.Name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(rc, f.Bytes+1))
	if err != nil && !errors.Is(err, tar.ErrWriteTooLong) {
		return fmt.Errorf("seal %s: %w", f.Name, err)
	}
	if n != f.Bytes || err != nil {
		return fmt.Errorf("seal %s: it holds other than the %d bytes recorded", f.Name, f.Bytes)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("seal %s: its sha256 is %s, not the %s recorded", f.Name, got, f.SHA256)
	}
	return nil
}

// ParseRecipient checks an official's age recipient ("age1…").
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, dueprocess.FieldError("age_recipient", "is not an age public key (age1…): %v", err)
	}
	return r, nil
}

// NewPassphrase returns a strong one-time passphrase (160 random bits, in
// eight groups of four letters and digits) and the scrypt recipient that
// encrypts to it.
func NewPassphrase() (string, age.Recipient, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:i+4])
	}
	pass := strings.Join(groups, "-")
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return "", nil, err
	}
	return pass, r, nil
}

// Opened is a decrypted package.
type Opened struct {
	Manifest    Manifest
	ManifestRaw []byte
	Files       map[string][]byte // by name, without files/
}

// Open decrypts and reads a package with id, checking every file against
// the manifest: each listed file present with its size and sha256, and no
// file the manifest does not list.
func Open(r io.Reader, id age.Identity) (*Opened, error) {
	dec, err := age.Decrypt(r, id)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(dec)
	out := &Opened{Files: map[string][]byte{}}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(tr, dueprocess.MaxPackageSize))
		if err != nil {
			return nil, err
		}
		switch {
		case h.Name == ManifestName:
			out.ManifestRaw = b
		case strings.HasPrefix(h.Name, FilesDir):
			out.Files[strings.TrimPrefix(h.Name, FilesDir)] = b
		default:
			return nil, fmt.Errorf("open package: unexpected entry %q", h.Name)
		}
	}
	if out.ManifestRaw == nil {
		return nil, fmt.Errorf("open package: no %s", ManifestName)
	}
	if err := json.Unmarshal(out.ManifestRaw, &out.Manifest); err != nil {
		return nil, fmt.Errorf("open package: %s: %w", ManifestName, err)
	}
	return out, out.check()
}

func (o *Opened) check() error {
	if len(o.Files) != len(o.Manifest.Files) {
		return fmt.Errorf("open package: %d files, the manifest lists %d", len(o.Files), len(o.Manifest.Files))
	}
	for _, f := range o.Manifest.Files {
		b, ok := o.Files[f.Name]
		if !ok {
			return fmt.Errorf("open package: %s is in the manifest but not in the package", f.Name)
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			return fmt.Errorf("open package: %s does not match its manifest entry", f.Name)
		}
	}
	return nil
}

// SHA256 returns the hex sha256 of b.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
