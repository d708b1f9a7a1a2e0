package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dueprocess/dueprocess"
)

// This file keeps disclosure: the files gathered for an approved request,
// the package they are sealed into, its one download and its deletion.
// Files and packages are written to the blob store before these
// operations record them (internal/disclose), so a record never points to
// a blob that is not there.

// SetAgeRecipient registers (or, with "", removes) the age key an
// official's packages are encrypted to. The caller has parsed it.
func (tx *Tx) SetAgeRecipient(ctx context.Context, officialID, recipient string, by dueprocess.Actor) error {
	res, err := tx.exec(ctx, `UPDATE officials SET age_recipient = $1 WHERE id = $2`, textOrNil(recipient), officialID)
	if err != nil {
		return fmt.Errorf("set age recipient: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return dueprocess.Errorf(dueprocess.NotFound, "official %s not found", officialID)
	}
	return tx.Record(ctx, by, dueprocess.ActionRecipientSet, "official:"+officialID, map[string]any{"age_recipient": recipient})
}

// Approval is the four-eyes approval a request's disclosure rests on: the
// proposal and the confirmation by another staff member.
type Approval struct {
	Proposal, Confirmation dueprocess.Review
}

// approval returns the latest confirmed approval of a request, checking
// that two different people made it. A request without one is a Conflict.
func (db *DB) approval(ctx context.Context, q querier, requestID string) (*Approval, error) {
	list, err := db.reviews(ctx, q, requestID)
	if err != nil {
		return nil, err
	}
	// Steps made in one transaction share its time, and then their order
	// in the list is by id, at random: the proposal confirmed is the
	// latest made no later than the confirmation.
	var confirmation, proposal *dueprocess.Review
	for i := range list {
		if list[i].Kind == dueprocess.ReviewKindApproval {
			confirmation = &list[i]
		}
	}
	for i := range list {
		if confirmation != nil && list[i].Kind == dueprocess.ReviewKindProposal && !list[i].At.After(confirmation.At) {
			proposal = &list[i]
		}
	}
	if confirmation == nil || proposal == nil || proposal.StaffID == confirmation.StaffID {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s has no approval by two different staff members (four eyes); nothing may be released", requestID)
	}
	return &Approval{Proposal: *proposal, Confirmation: *confirmation}, nil
}

// Approval returns the approval a request's disclosure rests on, with the
// categories it allows (Confirmation.Categories).
func (db *DB) Approval(ctx context.Context, requestID string) (*Approval, error) {
	return db.approval(ctx, db.sql, requestID)
}

// approvedForGathering checks, inside the transaction, that request r may
// gather or release, and returns the categories its approval allows.
func (tx *Tx) approvedForGathering(ctx context.Context, r *dueprocess.Request) (*Approval, error) {
	if r.Status != dueprocess.StatusApproved && r.Status != dueprocess.StatusPartiallyApproved {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "%s is %s; only an approved or partially approved request can be gathered for or released", r.ID, r.Status)
	}
	return tx.db.approval(ctx, tx.tx, r.ID)
}

// AddGathered records files already written to the blob store (or, with
// NoData, that nothing was held) for an approved request. A file of a
// category the approval does not allow is a Conflict naming it, and
// nothing is recorded. A connector's result for a category and target
// already gathered is left out, so that running collect twice gathers
// once; the files recorded are returned.
func (tx *Tx) AddGathered(ctx context.Context, requestID string, files []dueprocess.GatheredFile, by dueprocess.Actor) ([]dueprocess.GatheredFile, error) {
	r, err := tx.lockRequest(ctx, requestID)
	if err != nil {
		return nil, err
	}
	ap, err := tx.approvedForGathering(ctx, r)
	if err != nil {
		return nil, err
	}
	have, err := tx.db.gathered(ctx, tx.tx, r.ID)
	if err != nil {
		return nil, err
	}
	var added []dueprocess.GatheredFile
	var entries []map[string]any
	for _, f := range files {
		if !slices.Contains(ap.Confirmation.Categories, f.Category) {
			return nil, dueprocess.Errorf(dueprocess.Conflict, "%s was not approved for %s (approved: %s); it cannot be gathered", f.Category, r.ID, joinList(ap.Confirmation.Categories))
		}
		if f.Source == dueprocess.SourceConnector && gatheredAlready(have, f) {
			continue
		}
		if err := tx.insertGathered(ctx, r.ID, &f, by); err != nil {
			return nil, err
		}
		added = append(added, f)
		// The log keeps facts, never target identifiers.
		entries = append(entries, map[string]any{"id": f.ID, "category": f.Category, "name": f.Name, "rows": f.Rows,
			"bytes": f.Bytes, "sha256": f.SHA256, "no_data": f.NoData, "source": f.Source})
	}
	if len(added) == 0 {
		return added, nil
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: r.ID, Actor: by, Type: dueprocess.EventDataGathered,
		Detail: fmt.Sprintf("%d files or no-data records gathered", len(added))}); err != nil {
		return nil, err
	}
	return added, tx.Record(ctx, by, dueprocess.ActionDataGathered, "request:"+r.ID, map[string]any{"files": entries})
}

func gatheredAlready(have []dueprocess.GatheredFile, f dueprocess.GatheredFile) bool {
	for _, h := range have {
		if h.Source == dueprocess.SourceConnector && h.Category == f.Category && h.Target != nil && f.Target != nil && *h.Target == *f.Target {
			return true
		}
	}
	return false
}

func (tx *Tx) insertGathered(ctx context.Context, requestID string, f *dueprocess.GatheredFile, by dueprocess.Actor) error {
	f.ID, f.RequestID, f.By, f.At, f.PackageID = newID("gf"), requestID, by, tx.now, ""
	var ttype, tvalue, blob any
	if f.Target != nil {
		ttype, tvalue = string(f.Target.Type), f.Target.Value
	}
	if !f.NoData {
		blob = f.SHA256
	}
	_, err := tx.exec(ctx, `INSERT INTO gathered_files (id, request_id, category, target_type, target_value, name, row_count, bytes, sha256,
		blob_sha256, no_data, source, gathered_by_type, gathered_by_id, gathered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		f.ID, requestID, string(f.Category), ttype, tvalue, textOrNil(f.Name), f.Rows, f.Bytes, textOrNil(f.SHA256),
		blob, f.NoData, f.Source, string(by.Type), by.ID, tx.db.ts(tx.now))
	if dueprocess.ErrorKind(err) == dueprocess.Conflict {
		return &dueprocess.Error{Kind: dueprocess.Conflict, Field: "name", Message: fmt.Sprintf("a file named %q was already gathered for %s", f.Name, requestID)}
	}
	if err != nil {
		return fmt.Errorf("record gathered file: %w", err)
	}
	return nil
}

// Gathered returns what was gathered for a request, oldest first.
func (db *DB) Gathered(ctx context.Context, requestID string) ([]dueprocess.GatheredFile, error) {
	return db.gathered(ctx, db.sql, requestID)
}

func (db *DB) gathered(ctx context.Context, q querier, requestID string) ([]dueprocess.GatheredFile, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, request_id, category, target_type, target_value, name, row_count, bytes, sha256,
		no_data, source, gathered_by_type, gathered_by_id, gathered_at, package_id
		FROM gathered_files WHERE request_id = $1 ORDER BY gathered_at, id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	list := []dueprocess.GatheredFile{}
	for rows.Next() {
		var f dueprocess.GatheredFile
		var cat, ttype, tvalue, byType string
		if err := rows.Scan(&f.ID, &f.RequestID, &cat, nullString{&ttype}, nullString{&tvalue}, nullString{&f.Name}, &f.Rows, &f.Bytes,
			nullString{&f.SHA256}, &f.NoData, &f.Source, &byType, &f.By.ID, timeCol{&f.At}, nullString{&f.PackageID}); err != nil {
			return nil, mapError(err)
		}
		f.Category, f.By.Type = dueprocess.DataCategory(cat), dueprocess.ActorType(byType)
		if ttype != "" {
			f.Target = &dueprocess.Target{Type: dueprocess.TargetType(ttype), Value: tvalue}
		}
		list = append(list, f)
	}
	return list, mapError(rows.Err())
}

// BlobInUse reports whether any record still refers to the blob stored
// under sum: a document, a gathered file not yet sealed, or a package not
// yet deleted. Blobs are shared by content, so only a blob in use by
// nothing may be deleted.
func (db *DB) BlobInUse(ctx context.Context, sum string) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM documents WHERE sha256 = $1) +
		(SELECT COUNT(*) FROM gathered_files WHERE blob_sha256 = $1) +
		(SELECT COUNT(*) FROM packages WHERE blob_sha256 = $1)`, sum).Scan(&n)
	return n > 0, mapError(err)
}

// Release is a package sealed and written to the blob store, to record.
type Release struct {
	RequestID string
	// Files are the ids of the gathered files sealed in it; none when
	// gathering found no data held for every approved category, and then
	// there is no package and the request is answered no_data.
	Files    []string
	Package  *dueprocess.Package
	Manifest []byte
	// Notices says whom to tell and how (see Tx.PlanNotices); the users
	// concerned are told of a release with data, not of a no_data answer.
	Notices NoticePlan
}

// Release records a package's release: it checks, inside the transaction,
// that the request is approved by four eyes and not held by a pause, and
// that the files sealed are exactly those gathered and not yet sealed; it
// records the package, marks the files sealed (their plaintext is then no
// longer referred to), moves the request to disclosed (or no_data) and
// appends the audit entry with the manifest's and the ciphertext's
// sha256. It returns the addresses of the sealed files' plaintext, for the
// caller to delete once committed.
func (tx *Tx) Release(ctx context.Context, rel Release, by dueprocess.Actor, decide Decider) ([]string, error) {
	r, err := tx.lockRequest(ctx, rel.RequestID)
	if err != nil {
		return nil, err
	}
	// Nothing leaves for a sender we could not verify: an emergency
	// without a confirmed callback, a suspended agency or official, a
	// suspected forgery (docs/verification.md).
	if err := tx.CheckReleasable(ctx, r.ID); err != nil {
		return nil, err
	}
	if err := tx.checkEnforcingWait(r); err != nil {
		return nil, err
	}
	if _, err := tx.approvedForGathering(ctx, r); err != nil {
		return nil, err
	}
	if err := tx.checkNotPaused(ctx, r, decide); err != nil {
		return nil, err
	}
	files, err := tx.db.gathered(ctx, tx.tx, r.ID)
	if err != nil {
		return nil, err
	}
	var unsealed []string
	noData := 0
	for _, f := range files {
		switch {
		case f.NoData:
			noData++
		case f.PackageID == "":
			unsealed = append(unsealed, f.ID)
		}
	}
	want := slices.Sorted(slices.Values(rel.Files))
	if slices.Sort(unsealed); !slices.Equal(unsealed, want) {
		return nil, dueprocess.Errorf(dueprocess.Conflict, "the files gathered for %s changed while its package was sealed; release it again", r.ID)
	}
	if len(want) == 0 {
		if noData == 0 {
			return nil, dueprocess.Errorf(dueprocess.Conflict, "nothing was gathered for %s: add files or run collect before releasing", r.ID)
		}
		if err := tx.Record(ctx, by, dueprocess.ActionPackageReleased, "request:"+r.ID, map[string]any{"files": 0, "no_data": noData}); err != nil {
			return nil, err
		}
		return nil, tx.SetStatus(ctx, r.ID, dueprocess.StatusNoData, by, "released: no data held for any approved category")
	}
	return tx.recordPackage(ctx, r.ID, rel, by)
}

func (tx *Tx) recordPackage(ctx context.Context, requestID string, rel Release, by dueprocess.Actor) ([]string, error) {
	p := rel.Package
	p.ID, p.RequestID, p.CreatedBy, p.CreatedAt, p.Files = newID("pk"), requestID, by, tx.now, len(rel.Files)
	if _, err := tx.exec(ctx, `INSERT INTO packages (id, request_id, manifest, manifest_sha256, ciphertext_sha256, bytes, files, encryption,
		blob_sha256, created_by_type, created_by_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		p.ID, requestID, string(rel.Manifest), p.ManifestSHA256, p.CiphertextSHA256, p.Bytes, p.Files, p.Encryption,
		p.CiphertextSHA256, string(by.Type), by.ID, tx.db.ts(p.CreatedAt), tx.db.ts(p.ExpiresAt)); err != nil {
		return nil, fmt.Errorf("record package: %w", err)
	}
	var plain []string
	for _, id := range rel.Files {
		var sum string
		if err := tx.queryRow(ctx, `SELECT blob_sha256 FROM gathered_files WHERE id = $1`, id).Scan(nullString{&sum}); err != nil {
			return nil, notFound(err, "gathered file "+id)
		}
		if _, err := tx.exec(ctx, `UPDATE gathered_files SET package_id = $1, blob_sha256 = NULL WHERE id = $2`, p.ID, id); err != nil {
			return nil, fmt.Errorf("seal gathered file: %w", err)
		}
		plain = append(plain, sum)
	}
	if err := tx.Record(ctx, by, dueprocess.ActionPackageReleased, "request:"+requestID, map[string]any{
		"package_id": p.ID, "manifest_sha256": p.ManifestSHA256, "sha256": p.CiphertextSHA256, "bytes": p.Bytes,
		"files": p.Files, "encryption": p.Encryption, "expires_at": p.ExpiresAt}); err != nil {
		return nil, err
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: requestID, Actor: by, Type: dueprocess.EventPackageReleased,
		Detail: fmt.Sprintf("%s: %d files, manifest sha256:%s, package sha256:%s (%d bytes)", p.ID, p.Files, p.ManifestSHA256, p.CiphertextSHA256, p.Bytes)}); err != nil {
		return nil, err
	}
	if err := tx.SetStatus(ctx, requestID, dueprocess.StatusDisclosed, by, "package "+p.ID+" released"); err != nil {
		return nil, err
	}
	if _, err := tx.PlanNotices(ctx, requestID, dueprocess.NoticeReleased, rel.Notices); err != nil {
		return nil, err
	}
	return plain, nil
}

// checkNotPaused refuses a request that a pause in force covers, whether
// recorded in the database or stated in the policy file (decide).
func (tx *Tx) checkNotPaused(ctx context.Context, r *dueprocess.Request, decide Decider) error {
	pauses, err := tx.PausesInForce(ctx)
	if err != nil {
		return err
	}
	for _, p := range pauses {
		if p.InForce(tx.now) && p.Covers(r) {
			return dueprocess.Errorf(dueprocess.Conflict, "%s is in %s, where a pause is in force (%s); nothing may be released", r.ID, p.Jurisdiction, p.Reason)
		}
	}
	if decide != nil && decide(r, pauses).Outcome == dueprocess.OutcomePause {
		return dueprocess.Errorf(dueprocess.Conflict, "%s is held by a pause of the policy; nothing may be released", r.ID)
	}
	return nil
}

const packageColumns = `p.id, p.request_id, p.manifest, p.manifest_sha256, p.ciphertext_sha256, p.bytes, p.files, p.encryption,
	p.created_by_type, p.created_by_id, p.created_at, p.expires_at, p.downloaded_at, p.downloaded_by, p.downloaded_from, p.deleted_at`

func scanPackage(row interface{ Scan(...any) error }) (*dueprocess.Package, error) {
	p := &dueprocess.Package{}
	var manifest, byType, by, from string
	err := row.Scan(&p.ID, &p.RequestID, &manifest, &p.ManifestSHA256, &p.CiphertextSHA256, &p.Bytes, &p.Files, &p.Encryption,
		&byType, &p.CreatedBy.ID, timeCol{&p.CreatedAt}, timeCol{&p.ExpiresAt}, nullTimeCol{&p.DownloadedAt},
		nullString{&by}, nullString{&from}, nullTimeCol{&p.DeletedAt})
	if err != nil {
		return nil, err
	}
	p.Manifest, p.CreatedBy.Type, p.DownloadedBy, p.DownloadedFrom = []byte(manifest), dueprocess.ActorType(byType), by, from
	return p, nil
}

// Package returns a request's package.
func (db *DB) Package(ctx context.Context, requestID string) (*dueprocess.Package, error) {
	p, err := scanPackage(db.sql.QueryRowContext(ctx, `SELECT `+packageColumns+` FROM packages p WHERE p.request_id = $1`, requestID))
	if err != nil {
		return nil, notFound(err, "the package of "+requestID)
	}
	return p, nil
}

// ClaimPackage claims the one download of a request's package for an
// official of agencyID, from address from, and records it. The claim
// commits before a byte is sent, so of any number of downloads at once
// exactly one is let through; every other is Gone, as is a package
// expired or deleted. Another agency's request is not found, as a missing
// one. It returns the package, whose ciphertext the caller then streams.
func (tx *Tx) ClaimPackage(ctx context.Context, requestID, agencyID string, official dueprocess.Actor, from string) (*dueprocess.Package, error) {
	if agencyID == "" {
		return nil, dueprocess.Errorf(dueprocess.NotFound, "request %s not found", requestID)
	}
	p, err := scanPackage(tx.queryRow(ctx, `SELECT `+packageColumns+` FROM packages p JOIN requests r ON r.id = p.request_id
		WHERE p.request_id = $1 AND r.agency_id = $2`, requestID, agencyID))
	if err != nil {
		return nil, notFound(err, "a package for request "+requestID)
	}
	switch {
	case p.DownloadedAt != nil:
		return nil, dueprocess.Errorf(dueprocess.Gone, "the package of %s was downloaded on %s; it can be downloaded only once", requestID, p.DownloadedAt.Format(time.RFC3339))
	case p.DeletedAt != nil, !tx.now.Before(p.ExpiresAt):
		return nil, dueprocess.Errorf(dueprocess.Gone, "the package of %s expired on %s and was deleted", requestID, p.ExpiresAt.Format(time.RFC3339))
	}
	res, err := tx.exec(ctx, `UPDATE packages SET downloaded_at = $1, downloaded_by = $2, downloaded_from = $3
		WHERE id = $4 AND downloaded_at IS NULL AND deleted_at IS NULL`, tx.db.ts(tx.now), official.ID, from, p.ID)
	if err != nil {
		return nil, fmt.Errorf("claim package: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, dueprocess.Errorf(dueprocess.Gone, "the package of %s was downloaded already; it can be downloaded only once", requestID)
	}
	now := tx.now
	p.DownloadedAt, p.DownloadedBy, p.DownloadedFrom = &now, official.ID, from
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: requestID, Actor: official, Type: dueprocess.EventPackageDownloaded,
		Detail: fmt.Sprintf("%s downloaded from %s", p.ID, from)}); err != nil {
		return nil, err
	}
	return p, tx.Record(ctx, official, dueprocess.ActionPackageDownloaded, "request:"+requestID, map[string]any{
		"package_id": p.ID, "sha256": p.CiphertextSHA256, "from": from})
}

// PackagesToDelete returns the packages whose ciphertext is still kept
// but is due for deletion: downloaded, or expired by now.
func (db *DB) PackagesToDelete(ctx context.Context, now time.Time) ([]*dueprocess.Package, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+packageColumns+` FROM packages p
		WHERE p.deleted_at IS NULL AND (p.downloaded_at IS NOT NULL OR p.expires_at <= $1) ORDER BY p.expires_at, p.id`, db.ts(now))
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var list []*dueprocess.Package
	for rows.Next() {
		p, err := scanPackage(rows)
		if err != nil {
			return nil, mapError(err)
		}
		list = append(list, p)
	}
	return list, mapError(rows.Err())
}

// PackageDeleted records that a package's ciphertext was deleted (the
// manifest is kept), after its download or on expiry. It is called after
// the blob is gone; recording it twice does nothing.
func (tx *Tx) PackageDeleted(ctx context.Context, packageID string, by dueprocess.Actor) error {
	var requestID, why string
	var downloaded *time.Time
	if err := tx.queryRow(ctx, `SELECT request_id, downloaded_at FROM packages WHERE id = $1`, packageID).Scan(&requestID, nullTimeCol{&downloaded}); err != nil {
		return notFound(err, "package "+packageID)
	}
	res, err := tx.exec(ctx, `UPDATE packages SET deleted_at = $1, blob_sha256 = NULL WHERE id = $2 AND deleted_at IS NULL`, tx.db.ts(tx.now), packageID)
	if err != nil {
		return fmt.Errorf("package deleted: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	why = "expired"
	if downloaded != nil {
		why = "downloaded"
	}
	return tx.Record(ctx, by, dueprocess.ActionPackageDeleted, "request:"+requestID, map[string]any{"package_id": packageID, "why": why})
}

// checkEnforcingWait holds back the traffic or content data of a European
// Production Order whose issuing authority notified an enforcing
// authority: that authority has EnforcingWait from receipt to raise a
// ground for refusal (Article 10(2) of Regulation (EU) 2023/1543), and the
// data go only once it has passed. An emergency order is not held back
// (Article 10(4) lets the authority object afterwards).
func (tx *Tx) checkEnforcingWait(r *dueprocess.Request) error {
	if !r.AwaitsEnforcingAuthority() || r.Kind == dueprocess.KindEmergency {
		return nil
	}
	until := r.ReceivedAt.Add(dueprocess.EnforcingWait)
	if tx.now.Before(until) {
		ea := r.LegalProcess.RegimeFields.EnforcingAuthority
		return dueprocess.Errorf(dueprocess.Conflict,
			"%s asks for traffic or content data and %s (%s) was notified: it has until %s UTC to raise a ground for refusal (Article 10(2) of the e-Evidence Regulation); release waits until then",
			r.ID, ea.Name, ea.State, until.UTC().Format("2 January 2006 15:04"))
	}
	return nil
}
