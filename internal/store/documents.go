package store

import (
	"context"
	"fmt"

	"github.com/dueprocess/dueprocess"
)

// AddDocument records a document already written to blob storage, and the
// event in the request's history.
func (tx *Tx) AddDocument(ctx context.Context, d *dueprocess.Document) error {
	d.ID = newID("doc")
	d.UploadedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO documents (id, request_id, sha256, size, content_type, filename, uploaded_by_type, uploaded_by_id, uploaded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		d.ID, d.RequestID, d.SHA256, d.Size, d.ContentType, d.Filename, string(d.UploadedBy.Type), d.UploadedBy.ID, tx.db.ts(d.UploadedAt)); err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE requests SET updated_at = $1 WHERE id = $2`, tx.db.ts(tx.now), d.RequestID); err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	if err := tx.AddEvent(ctx, &dueprocess.Event{RequestID: d.RequestID, Actor: d.UploadedBy, Type: dueprocess.EventDocumentAdded,
		Detail: fmt.Sprintf("%s sha256:%s (%d bytes)", d.ID, d.SHA256, d.Size)}); err != nil {
		return err
	}
	return tx.Record(ctx, d.UploadedBy, dueprocess.ActionDocumentAdded, "request:"+d.RequestID, map[string]any{
		"document_id": d.ID, "sha256": d.SHA256, "size": d.Size, "content_type": d.ContentType})
}

// Document returns one document of a request.
func (db *DB) Document(ctx context.Context, requestID, id string) (*dueprocess.Document, error) {
	docs, err := db.documents(ctx, db.sql, requestID)
	if err != nil {
		return nil, err
	}
	for i := range docs {
		if docs[i].ID == id {
			return &docs[i], nil
		}
	}
	return nil, dueprocess.Errorf(dueprocess.NotFound, "document %s not found", id)
}

func (db *DB) documents(ctx context.Context, q querier, requestID string) ([]dueprocess.Document, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, request_id, sha256, size, content_type, filename, uploaded_by_type, uploaded_by_id, uploaded_at
		FROM documents WHERE request_id = $1 ORDER BY uploaded_at, id`, requestID)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	docs := []dueprocess.Document{}
	for rows.Next() {
		var d dueprocess.Document
		var byType string
		if err := rows.Scan(&d.ID, &d.RequestID, &d.SHA256, &d.Size, &d.ContentType, &d.Filename, &byType, &d.UploadedBy.ID, timeCol{&d.UploadedAt}); err != nil {
			return nil, mapError(err)
		}
		d.UploadedBy.Type = dueprocess.ActorType(byType)
		docs = append(docs, d)
	}
	return docs, mapError(rows.Err())
}
