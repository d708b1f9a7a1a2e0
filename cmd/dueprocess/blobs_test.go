package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/store/storetest"
)

// testPDF is a small but complete PDF, different on every call site.
func testPDF(note string) []byte {
	return []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% " + note + "\n" +
		strings.Repeat("% padding\n", 5000) + "trailer\n%%EOF\n")
}

// copyKey copies a key file from one data folder to another, as the
// operator of several servers does before starting them.
func copyKey(t *testing.T, from, to, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(from, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Join(to, name)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTwoServersShareDocuments runs two servers, each with its own data
// folder, on one PostgreSQL database: a document uploaded through one is
// downloaded intact through the other. A third server with another blob
// key refuses to start, saying why.
func TestTwoServersShareDocuments(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	dataA, dataB, dataC := t.TempDir(), t.TempDir(), t.TempDir()
	varsA := map[string]string{"DUEPROCESS_DB": dsn, "DUEPROCESS_DATA": dataA}
	varsB := map[string]string{"DUEPROCESS_DB": dsn, "DUEPROCESS_DATA": dataB}
	_, token := registerOfficial(t, varsA)

	urlA, stopA := serve(t, varsA)
	defer stopA()
	copyKey(t, dataA, dataB, "blobs/blob.key")
	copyKey(t, dataA, dataB, "audit.key")
	urlB, stopB := serve(t, varsB)
	defer stopB()

	st, m := post(t, urlA+"/api/v1/requests", token, walkthroughRequest)
	if st != 201 {
		t.Fatalf("submit: %d %v", st, m)
	}
	id := m["id"].(string)
	file := testPDF("uploaded through server A")
	req, _ := http.NewRequest("POST", urlA+"/api/v1/requests/"+id+"/documents?filename=order.pdf", bytes.NewReader(file))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/pdf")
	st, m = send(t, req)
	if st != 201 {
		t.Fatalf("upload through A: %d %v", st, m)
	}
	docID := m["id"].(string)

	req, _ = http.NewRequest("GET", urlB+"/api/v1/requests/"+id+"/documents/"+docID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, file) {
		t.Fatalf("download through B: %d, %d bytes, %v; want 200 and the %d bytes uploaded through A\n%.300s", resp.StatusCode, len(got), err, len(file), got)
	}

	// Nothing of the document is on either server's disk: only the key.
	for _, data := range []string{dataA, dataB} {
		filepath.Walk(filepath.Join(data, "blobs"), func(path string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && fi.Name() != "blob.key" {
				t.Errorf("a blob on the local disk: %s", path)
			}
			return nil
		})
	}

	// A server whose blob key was not copied fails at start, clearly.
	copyKey(t, dataA, dataC, "audit.key")
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		return map[string]string{"DUEPROCESS_DB": dsn, "DUEPROCESS_DATA": dataC}[k]
	}, strings.NewReader(""), io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "same blob.key") {
		t.Errorf("serve with another blob key: %v, want a refusal naming blob.key\n%s", err, stderr.String())
	}
}

// TestServeBlobsFlag checks the choice of where documents are kept.
func TestServeBlobsFlag(t *testing.T) {
	vars := map[string]string{"DUEPROCESS_DB": storetest.DSN(t, store.SQLite), "DUEPROCESS_DATA": t.TempDir(), "DUEPROCESS_BLOBS": "s3://bucket"}
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }, strings.NewReader(""), io.Discard, io.Discard)
	if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), "--blobs") {
		t.Errorf("serve --blobs s3://bucket: %v, want a usage error naming --blobs", err)
	}
}
