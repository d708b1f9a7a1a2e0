package disclose

import (
	"context"
	"fmt"
	"io"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// Download claims the one download of a request's package for an official
// of agencyID, calling from address from, and returns the package and its
// ciphertext. The claim commits first (see store.Tx.ClaimPackage): of any
// number of downloads at once exactly one gets the package. The caller
// streams it and then calls Discard.
func (s *Service) Download(ctx context.Context, requestID, agencyID string, official dueprocess.Actor, from string) (*dueprocess.Package, io.ReadCloser, error) {
	var p *dueprocess.Package
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.ClaimPackage(ctx, requestID, agencyID, official, from)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.Blobs.Get(ctx, p.CiphertextSHA256)
	if err != nil {
		return nil, nil, fmt.Errorf("package %s: %w", p.ID, err)
	}
	return p, rc, nil
}

// Discard deletes a package's ciphertext and records it; the manifest is
// kept. A package's ciphertext is age's randomised output, so no other
// record can hold the same bytes: it is deleted without asking.
func (s *Service) Discard(ctx context.Context, p *dueprocess.Package, by dueprocess.Actor) error {
	if err := s.Blobs.Delete(ctx, p.CiphertextSHA256); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.PackageDeleted(ctx, p.ID, by) })
}

// Retention is the actor of deletions made by the retention loop.
var Retention = dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "retention"}

// Expire deletes the ciphertext of every package downloaded or past its
// expiry, and returns how many. Every server may run it: deleting twice is
// harmless, and the record is made once.
func (s *Service) Expire(ctx context.Context) (int, error) {
	list, err := s.DB.PackagesToDelete(ctx, s.DB.Now())
	if err != nil {
		return 0, err
	}
	for i, p := range list {
		if err := s.Discard(ctx, p, Retention); err != nil {
			return i, err
		}
	}
	return len(list), nil
}
