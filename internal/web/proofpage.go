package web

import (
	"encoding/base64"
	"net/http"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
)

// proofPage shows that the audit log holds one entry: the entry's hash,
// the latest signed checkpoint, the inclusion proof from one to the other,
// and whether the proof checks, as tlog.CheckRecord checks it. The hashes
// and the proof are public (GET /api/v1/audit/proof/inclusion); the
// entry's own text only for those who may read the audit log.
type proofPage struct {
	basePage
	Index      int64
	Entry      string // the entry's canonical JSON, for audit readers
	Time       string
	Action     string
	Leaf       string
	Size       int64
	Root       string
	Checkpoint string
	Proof      []string
	Verified   bool
}

func (s *Server) consoleProof(w http.ResponseWriter, r *http.Request, se *store.Session, staff *dueprocess.Staff) error {
	if err := allow(staff, dueprocess.PermRequestRead); err != nil {
		return err
	}
	index, err := entryIndex(r.PathValue("index"))
	if err != nil {
		return err
	}
	data, err := s.db.AuditLog().Entry(r.Context(), index)
	if err != nil {
		return err
	}
	e, err := audit.Decode(data)
	if err != nil {
		return err
	}
	size, text, err := s.checkpoints.Latest(r.Context())
	if err != nil {
		return err
	}
	proof, err := audit.InclusionProof(r.Context(), s.db.AuditLog(), index, size)
	if err != nil {
		return err
	}
	root, err := audit.TreeHash(r.Context(), s.db.AuditLog(), size)
	if err != nil {
		return err
	}
	leaf := tlog.RecordHash(data)
	v := &proofPage{basePage: basePage{Title: "Audit entry " + r.PathValue("index"), Staff: staff, CSRF: se.CSRF},
		Index: index, Time: e.Time.Format("2 January 2006, 15:04:05 UTC"), Action: e.Action,
		Leaf: base64.StdEncoding.EncodeToString(leaf[:]), Size: size, Root: base64.StdEncoding.EncodeToString(root[:]),
		Checkpoint: string(text), Proof: audit.EncodeHashes(proof),
		Verified: tlog.CheckRecord(proof, size, root, index, leaf) == nil}
	if staff.May(dueprocess.PermAuditRead) {
		v.Entry = string(data)
	}
	s.render(w, r, "proof", v)
	return nil
}
