package web

import (
	"net/http"
	"strconv"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
)

// The audit log's public face: checkpoints, proofs and the verifier key
// for anyone; the entries themselves for auditors and admins. An auditor
// can check any entry with nothing but golang.org/x/mod/sumdb/tlog and
// note (see docs/audit.md).

func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request) error {
	_, text, err := s.checkpoints.Latest(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(text)
	return nil
}

func (s *Server) auditKey(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(s.verifierKey + "\n"))
	return nil
}

// queryInt reads a whole-number query parameter; def is used when it is
// absent, and a negative def makes it required.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		if def < 0 {
			return 0, dueprocess.FieldError(name, "is required")
		}
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, dueprocess.FieldError(name, "%q is not a whole number", v)
	}
	return n, nil
}

// entryIndex reads the index of an audit entry from a path.
func entryIndex(s string) (int64, error) {
	index, err := strconv.ParseInt(s, 10, 64)
	if err != nil || index < 0 {
		return 0, dueprocess.FieldError("index", "%q is not an entry index (0, 1, 2, …)", s)
	}
	return index, nil
}

// treeSize checks that a tree size asked for exists: proofs are served for
// any size up to the committed log's, since GET /api/v1/audit/checkpoint
// signs one of the current size on demand.
func (s *Server) treeSize(r *http.Request, field string, n int64) error {
	size, err := s.db.AuditLog().Size(r.Context())
	if err != nil {
		return err
	}
	if n > size {
		return dueprocess.FieldError(field, "tree size %d is beyond the log, which has %d entries", n, size)
	}
	return nil
}

func (s *Server) auditEntry(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.need(r, dueprocess.PermAuditRead); err != nil {
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
	// The exact stored bytes: their tlog.RecordHash is the leaf.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
	return nil
}

func (s *Server) auditInclusion(w http.ResponseWriter, r *http.Request) error {
	index, err := queryInt(r, "index", -1)
	if err != nil {
		return err
	}
	size, err := queryInt(r, "size", -1)
	if err != nil {
		return err
	}
	if err := s.treeSize(r, "size", size); err != nil {
		return err
	}
	proof, err := audit.InclusionProof(r.Context(), s.db.AuditLog(), index, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"index": index, "size": size, "proof": audit.EncodeHashes(proof)})
	return nil
}

func (s *Server) auditConsistency(w http.ResponseWriter, r *http.Request) error {
	old, err := queryInt(r, "old", -1)
	if err != nil {
		return err
	}
	newSize, err := queryInt(r, "new", -1)
	if err != nil {
		return err
	}
	if err := s.treeSize(r, "new", newSize); err != nil {
		return err
	}
	proof, err := audit.ConsistencyProof(r.Context(), s.db.AuditLog(), old, newSize)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"old": old, "new": newSize, "proof": audit.EncodeHashes(proof)})
	return nil
}
