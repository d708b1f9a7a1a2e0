package disclose

import (
	"context"
	"io"
	"slices"

	"filippo.io/age"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Released is the answer to a release.
type Released struct {
	RequestID string              `json:"request_id"`
	Status    dueprocess.Status   `json:"status"`
	Package   *dueprocess.Package `json:"package,omitempty"`
	// Passphrase opens the package when the official has no age key
	// registered. It is shown here once, for delivery out of band, and
	// is kept nowhere.
	Passphrase string `json:"passphrase,omitempty"`
}

// Release seals what was gathered for an approved request into a package
// encrypted to the requesting official (their age key, or a one-time
// passphrase returned once), stores it, and records the release; the
// request becomes disclosed and the plaintext of the files is deleted.
// When gathering found no data held for every approved category, there is
// nothing to seal: the request becomes no_data. The store checks four
// eyes, pauses, and that the files sealed are still those gathered, in the
// transaction that records the release.
func (s *Service) Release(ctx context.Context, requestID string, by dueprocess.Actor, notices store.NoticePlan) (*Released, error) {
	r, ap, err := s.checkGathering(ctx, requestID)
	if err != nil {
		return nil, err
	}
	gathered, err := s.DB.Gathered(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var files []dueprocess.GatheredFile
	m := seal.Manifest{RequestID: r.ID, AgencyID: r.AgencyID, DateRange: r.DateRange, CreatedAt: s.DB.Now().UTC(),
		ApprovedBy: []string{ap.Proposal.StaffID, ap.Confirmation.StaffID}}
	for _, f := range gathered {
		switch {
		case f.NoData:
			m.NoData = append(m.NoData, seal.NoData{Category: f.Category, Target: f.Target})
		case f.PackageID == "":
			files = append(files, f)
		}
	}
	// An approved category nothing was gathered for is, once released,
	// one for which no data is held: the manifest says so.
	for _, c := range ap.Confirmation.Categories {
		if !slices.ContainsFunc(gathered, func(f dueprocess.GatheredFile) bool { return f.Category == c }) {
			m.NoData = append(m.NoData, seal.NoData{Category: c})
		}
	}
	out := &Released{RequestID: r.ID}
	rel := store.Release{RequestID: r.ID, Notices: notices}
	if len(files) > 0 {
		if out.Passphrase, err = s.seal(ctx, r, m, files, &rel); err != nil {
			return nil, err
		}
	}
	var plain []string
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		plain, err = tx.Release(ctx, rel, by, s.Decide)
		return err
	})
	if err != nil {
		if rel.Package != nil {
			s.forget(ctx, rel.Package.CiphertextSHA256)
		}
		return nil, err
	}
	s.forget(ctx, plain...)
	out.Package = rel.Package
	out.Status = dueprocess.StatusNoData
	if rel.Package != nil {
		out.Status = dueprocess.StatusDisclosed
	}
	return out, nil
}

// seal writes the package of files to the blob store and fills in rel. It
// returns the passphrase the package is encrypted to, when the official
// has no age key.
func (s *Service) seal(ctx context.Context, r *dueprocess.Request, m seal.Manifest, files []dueprocess.GatheredFile, rel *store.Release) (string, error) {
	agency, err := s.DB.Agency(ctx, r.AgencyID)
	if err != nil {
		return "", err
	}
	official, err := s.DB.Official(ctx, r.OfficialID)
	if err != nil {
		return "", err
	}
	m.Agency, m.LegalProcess.Type, m.LegalProcess.Reference = agency.Name, r.LegalProcess.Type, r.LegalProcess.Reference
	if r.Decision != nil {
		m.PolicyHash = r.Decision.Policy
	}
	var recipient age.Recipient
	var pass string
	encryption := dueprocess.EncryptedToRecipient
	if official.AgeRecipient != "" {
		if recipient, err = seal.ParseRecipient(official.AgeRecipient); err != nil {
			return "", err
		}
	} else {
		encryption = dueprocess.EncryptedToPassphrase
		if pass, recipient, err = seal.NewPassphrase(); err != nil {
			return "", err
		}
	}
	toSeal := make([]seal.File, len(files))
	for i, f := range files {
		toSeal[i] = seal.File{
			ManifestFile: seal.ManifestFile{Name: f.Name, Category: f.Category, Target: f.Target, Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256},
			Open:         func() (io.ReadCloser, error) { return s.Blobs.Get(ctx, f.SHA256) },
		}
		rel.Files = append(rel.Files, f.ID)
	}
	// The package streams from the sealer into the blob store.
	pr, pw := io.Pipe()
	var manifest []byte
	go func() {
		var err error
		manifest, err = seal.Seal(pw, m, toSeal, recipient)
		pw.CloseWithError(err)
	}()
	ref, err := s.Blobs.Put(ctx, pr, dueprocess.MaxPackageSize, nil)
	pr.CloseWithError(err) // let the sealer stop if the store gave up
	if err != nil {
		return "", err
	}
	rel.Manifest = manifest
	rel.Package = &dueprocess.Package{ManifestSHA256: seal.SHA256(manifest), CiphertextSHA256: ref.SHA256, Bytes: ref.Size,
		Encryption: encryption, ExpiresAt: s.DB.Now().Add(s.lifetime())}
	return pass, nil
}
