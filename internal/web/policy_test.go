package web_test

import (
	"testing"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
)

// defaultPolicy decides with the built-in policy, as a server started with
// no --policy does.
func defaultPolicy(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
	return policy.Evaluate(r, policy.Default(), pauses)
}

// checkpointer signs the test database's checkpoints with a key made for
// the test, and returns the verifier key too.
func checkpointer(t testing.TB, db *store.DB) (*audit.Checkpointer, string) {
	t.Helper()
	signer, _, vkey, err := audit.CreateKey(t.TempDir(), "dueprocess.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	return &audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: "dueprocess.test/audit"}, vkey
}
