package audit

import (
	"context"
	"crypto/sha256"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// Run with: go test -run '^$' -bench . -benchmem ./internal/audit/

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	m := NewMemory()
	e := testEntry(1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Append(ctx, m, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	e := testEntry(1)
	data, _ := Encode(e)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data, _ := Encode(testEntry(1))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

const benchLogSize = 20000

// benchLog is a log of benchLogSize entries with a checkpoint every 1000,
// and the verifier of its checkpoints.
func benchLog(b *testing.B) (m *Memory, verifier note.Verifier, bytes int64) {
	signer, verifier := testKey(b)
	var sizes []int64
	for s := int64(1000); s <= benchLogSize; s += 1000 {
		sizes = append(sizes, s)
	}
	m = newLog(b, benchLogSize, signer, sizes...)
	for _, e := range m.entries {
		bytes += int64(len(e))
	}
	return m, verifier, bytes
}

// BenchmarkVerify measures Verify over a whole log; its MB/s counts the
// bytes of the entries, as BenchmarkSHA256 beside it does.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	m, verifier, n := benchLog(b)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Verify(ctx, m, verifier, testOrigin, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchLogSize)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkSHA256 hashes the same entries with plain SHA-256, one call
// per entry: the floor under any verification of these bytes.
func BenchmarkSHA256(b *testing.B) {
	m, _, n := benchLog(b)
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		for _, e := range m.entries {
			sha256.Sum256(e)
		}
	}
	b.ReportMetric(float64(benchLogSize)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
