package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
)

// DefaultOrigin names the audit log when its key is created, unless
// --audit-origin says otherwise. C2SP asks for a schema-less URL unique to
// the log; set your own domain before the first start, since the name is
// part of the key and never changes after.
const DefaultOrigin = "dueprocess.localhost/audit"

// originFlag adds --audit-origin to a command.
func (c *cli) originFlag(fs *flag.FlagSet) *string {
	return fs.String("audit-origin", c.setting("DUEPROCESS_AUDIT_ORIGIN", DefaultOrigin),
		"the audit log's name, used when its signing key is first created, e.g. example.com/dueprocess (env DUEPROCESS_AUDIT_ORIGIN)")
}

// auditKeys loads the checkpoint signing key from the data directory,
// creating it on first use. The log's origin is the key's name.
func auditKeys(dataDir, origin string) (note.Signer, note.Verifier, string, error) {
	signer, verifier, vkey, err := audit.LoadOrCreateKey(dataDir, origin)
	if err != nil {
		return nil, nil, "", fmt.Errorf("audit key: %w", err)
	}
	return signer, verifier, vkey, nil
}

func auditCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "audit", args, map[string]func(context.Context, *cli, []string) error{
		"key": auditKeyCmd, "checkpoint": auditCheckpointCmd, "show": auditShow, "proof": auditProof, "verify": auditVerify,
	}, "key|checkpoint|show|proof|verify")
}

// auditFlags are what every audit subcommand takes.
func (c *cli) auditFlags(fs *flag.FlagSet) (dsn, data, origin *string) {
	return c.dbFlag(fs), c.dataFlag(fs), c.originFlag(fs)
}

func auditKeyCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit key", "audit key [--data DIR]",
		"Prints the verifier key of the audit log's checkpoints, creating the signing key\n"+
			"(DIR/audit.key, mode 0600) if there is none. Publish the verifier key: with it,\n"+
			"anyone can check the log's checkpoints.")
	_, data, origin := c.auditFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	_, _, vkey, err := auditKeys(*data, *origin)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, vkey)
	return nil
}

func (c *cli) openAudit(ctx context.Context, dsn, data, origin string) (*store.DB, *audit.Checkpointer, note.Verifier, error) {
	signer, verifier, _, err := auditKeys(data, origin)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := c.openDB(ctx, dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	return db, &audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: signer.Name()}, verifier, nil
}

func auditCheckpointCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit checkpoint", "audit checkpoint [--db DSN] [--data DIR]",
		"Signs and stores a checkpoint of the log as it is now (unless the latest one\nalready covers every entry), and prints it.")
	dsn, data, origin := c.auditFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, cp, _, err := c.openAudit(ctx, *dsn, *data, *origin)
	if err != nil {
		return err
	}
	defer db.Close()
	_, text, err := cp.Latest(ctx)
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(text)
	return err
}

func auditShow(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit show", "audit show INDEX [--raw]",
		"Shows audit entry INDEX (from 0), indented, with its leaf hash; --raw prints the\nexact stored bytes, whose tlog.RecordHash is the leaf.")
	raw := fs.Bool("raw", false, "print the exact stored bytes")
	dsn := c.dbFlag(fs)
	arg, err := parseOne(fs, args, "entry index")
	if err != nil {
		return err
	}
	index, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || index < 0 {
		return usageError{fmt.Sprintf("%q is not an entry index (0, 1, 2, …)", arg)}
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	data, err := db.AuditLog().Entry(ctx, index)
	if err != nil {
		return err
	}
	if *raw {
		_, err := fmt.Fprintf(c.stdout, "%s\n", data)
		return err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("entry %d is not JSON: %w", index, err)
	}
	if err := writeIndented(c, v); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "leaf: %s\n", tlog.RecordHash(data))
	return nil
}

func auditProof(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit proof", "audit proof inclusion --index N [--size M] | audit proof consistency --old A [--new B]",
		"Prints a proof, one base64 hash per line in tlog's order: that entry N is in the\n"+
			"tree of M entries, or that the tree of B entries extends the tree of A. M and B\n"+
			"default to the size of the latest checkpoint, which is signed if needed.")
	index := fs.Int64("index", -1, "the entry (inclusion)")
	size := fs.Int64("size", 0, "the tree size (inclusion); default the latest checkpoint's")
	old := fs.Int64("old", 0, "the older tree size (consistency)")
	newSize := fs.Int64("new", 0, "the newer tree size (consistency); default the latest checkpoint's")
	dsn, data, origin := c.auditFlags(fs)
	kind, err := parseOne(fs, args, "proof kind (inclusion or consistency)")
	if err != nil {
		return err
	}
	if kind != "inclusion" && kind != "consistency" {
		return usageError{fmt.Sprintf("unknown proof %q (want inclusion or consistency)", kind)}
	}
	db, cp, _, err := c.openAudit(ctx, *dsn, *data, *origin)
	if err != nil {
		return err
	}
	defer db.Close()
	latest, _, err := cp.Latest(ctx)
	if err != nil {
		return err
	}
	var hashes []tlog.Hash
	if kind == "inclusion" {
		if *size == 0 {
			*size = latest
		}
		hashes, err = audit.InclusionProof(ctx, db.AuditLog(), *index, *size)
	} else {
		if *newSize == 0 {
			*newSize = latest
		}
		hashes, err = audit.ConsistencyProof(ctx, db.AuditLog(), *old, *newSize)
	}
	if err != nil {
		return flagError(err)
	}
	for _, h := range hashes {
		fmt.Fprintln(c.stdout, base64.StdEncoding.EncodeToString(h[:]))
	}
	return nil
}

func auditVerify(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit verify", "audit verify [--db DSN] [--data DIR] [--key VERIFIER-KEY]",
		"Recomputes every leaf and tree hash from the stored entries, checks every stored\n"+
			"checkpoint's signature and that each is consistent with the one before, and\n"+
			"prints a summary. Exits non-zero naming the first bad entry or checkpoint.\n"+
			"By default the key in the data directory is used; --key checks against a\n"+
			"verifier key you hold instead.")
	dsn, data, origin := c.auditFlags(fs)
	keyText := fs.String("key", "", "a verifier key (name+hash+base64) to check the checkpoints against")
	if err := parse(fs, args); err != nil {
		return err
	}
	var verifier note.Verifier
	var err error
	if *keyText != "" {
		if verifier, err = note.NewVerifier(*keyText); err != nil {
			return usageError{fmt.Sprintf("--key: %v", err)}
		}
	} else if _, verifier, _, err = auditKeys(*data, *origin); err != nil {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	progress := func(done, total int64) {
		// Only a log large enough to take a while gets a progress bar.
		if total >= 10_000 {
			c.progress("verifying", done, total)
		}
	}
	rep, err := audit.Verify(ctx, db.AuditLog(), verifier, verifier.Name(), progress)
	var bad *audit.VerifyError
	if errors.As(err, &bad) {
		return fmt.Errorf("the audit log does not verify: %w", err)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(c.stdout, "ok: %d entries (%d bytes), tree size %d, root %s\n", rep.Entries, rep.Bytes, rep.Size, rep.Root)
	fmt.Fprintf(c.stdout, "%d checkpoints checked (latest at size %d), signed by %s\n", rep.Checkpoints, rep.LastCheckpoint, verifier.Name())
	if rep.Newer > 0 {
		fmt.Fprintf(c.stdout, "%d checkpoints of entries appended during verification were left for next time\n", rep.Newer)
	}
	if rep.Size > rep.LastCheckpoint {
		fmt.Fprintf(c.stdout, "note: %d entries after the latest checkpoint are protected only once a checkpoint covers them (dueprocess audit checkpoint)\n",
			rep.Size-rep.LastCheckpoint)
	}
	c.say("verified in %s", elapsed.Round(time.Millisecond))
	return nil
}
