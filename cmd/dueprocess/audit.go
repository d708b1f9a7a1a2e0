package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/audit"
	"github.com/dueprocess/dueprocess/internal/store"
)

// DefaultOrigin names the audit log when its key is created, unless
// --audit-origin says otherwise. C2SP asks for a schema-less URL unique to
// the log; set your own domain before the first start, since the name is
// part of the key and never changes after.
const DefaultOrigin = "dueprocess.localhost/audit"

// originFlag adds --audit-origin to a command that may create the key.
func (c *cli) originFlag(fs *flag.FlagSet) *string {
	return fs.String("audit-origin", c.setting("DUEPROCESS_AUDIT_ORIGIN", DefaultOrigin),
		"the audit log's name, used only when its signing key is created, e.g. example.com/dueprocess (env DUEPROCESS_AUDIT_ORIGIN)")
}

// keyAdvice ends every message about a missing or wrong audit key: the
// usual cause is a command run in another folder than the server's.
const keyAdvice = "run this command in the folder of the server or pass --data DIR"

// keyPath names the key file in data as the operator should see it: in
// full, since the usual mistake is being in the wrong folder.
func keyPath(data string) string {
	path := filepath.Join(data, audit.KeyFile)
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// logKey returns the key that signed the log's latest checkpoint, as
// "name+hash", or "" if the log has no checkpoint yet.
func logKey(ctx context.Context, db *store.DB) (string, error) {
	_, text, err := db.AuditLog().LatestCheckpoint(ctx)
	if errors.Is(err, dueprocess.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return audit.CheckpointKey(text)
}

// signingKey loads the audit key in data for a command that signs
// checkpoints of db's log. It never creates a key: only the server's first
// start and "audit key init" do. It refuses a key that did not sign the
// log's latest checkpoint, since one checkpoint signed by a stray key makes
// the log fail verification for good. A missing key is an error that
// matches os.ErrNotExist.
func signingKey(ctx context.Context, db *store.DB, data string) (note.Signer, note.Verifier, string, error) {
	want, err := logKey(ctx, db)
	if err != nil {
		return nil, nil, "", err
	}
	signer, verifier, vkey, err := audit.LoadKey(data)
	switch {
	case errors.Is(err, os.ErrNotExist) && want != "":
		return nil, nil, "", fmt.Errorf("this log's checkpoints are signed by key %q, and there is no audit key at %s; %s: %w",
			want, keyPath(data), keyAdvice, os.ErrNotExist)
	case errors.Is(err, os.ErrNotExist):
		return nil, nil, "", fmt.Errorf("there is no audit key at %s; %s, or create the log's key with \"dueprocess audit key init\": %w",
			keyPath(data), keyAdvice, os.ErrNotExist)
	case err != nil:
		return nil, nil, "", err
	}
	if have := audit.KeyID(signer.Name(), signer.KeyHash()); want != "" && have != want {
		return nil, nil, "", fmt.Errorf("this log's checkpoints are signed by key %q; the key in %s is %q; %s",
			want, keyPath(data), have, keyAdvice)
	}
	return signer, verifier, vkey, nil
}

func auditCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "audit", args, map[string]func(context.Context, *cli, []string) error{
		"key": auditKeyCmd, "checkpoint": auditCheckpointCmd, "show": auditShow, "proof": auditProof, "verify": auditVerify,
	}, "key|checkpoint|show|proof|verify")
}

// auditFlags are what every audit subcommand that reads the key takes.
func (c *cli) auditFlags(fs *flag.FlagSet) (dsn, data *string) {
	return c.dbFlag(fs), c.dataFlag(fs)
}

func auditKeyCmd(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "init" {
		return auditKeyInit(ctx, c, args[1:])
	}
	fs := c.newFlags("audit key", "audit key [--db DSN] [--data DIR]   |   audit key init …",
		"Prints the verifier key of the audit log's checkpoints, from the signing key in\n"+
			"DIR/audit.key, after checking that it is the key that signed the log's latest\n"+
			"checkpoint. Publish the verifier key: with it, anyone can check the log's\n"+
			"checkpoints. It never creates a key: the server creates one on its first start,\n"+
			"and \"audit key init\" creates one beforehand.")
	dsn, data := c.auditFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, _, vkey, err := signingKey(ctx, db, *data)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, vkey)
	return nil
}

func auditKeyInit(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit key init", "audit key init [--db DSN] [--data DIR] [--audit-origin NAME]",
		"Creates the audit log's signing key in DIR/audit.key (mode 0600), named NAME, and\n"+
			"prints its verifier key. Use it to choose the log's name before the server's\n"+
			"first start, or to make the one key that several servers share. It refuses if\n"+
			"DIR holds a key already, or if the log has checkpoints: they are signed by\n"+
			"another key, which must be copied from the server's data directory instead.")
	dsn, data := c.auditFlags(fs)
	origin := c.originFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, _, _, err := audit.LoadKey(*data); err == nil {
		return fmt.Errorf("there is an audit key at %s already; it was not replaced", keyPath(*data))
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	want, err := logKey(ctx, db)
	if err != nil {
		return err
	}
	if want != "" {
		return fmt.Errorf("this log's checkpoints are signed by key %q; a new key could not sign after them: copy that key's audit.key from the server's data directory into %s instead",
			want, *data)
	}
	_, _, vkey, err := audit.CreateKey(*data, *origin)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("there is an audit key at %s already; it was not replaced", keyPath(*data))
	}
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	c.say("created the audit key at %s", keyPath(*data))
	fmt.Fprintln(c.stdout, vkey)
	return nil
}

// openAudit opens the database and a Checkpointer that signs with the key
// in data. The key must be there and be the log's (see signingKey).
func (c *cli) openAudit(ctx context.Context, dsn, data string) (*store.DB, *audit.Checkpointer, error) {
	db, err := c.openExisting(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	signer, _, _, err := signingKey(ctx, db, data)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, &audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: signer.Name()}, nil
}

func auditCheckpointCmd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("audit checkpoint", "audit checkpoint [--db DSN] [--data DIR]",
		"Signs and stores a checkpoint of the log as it is now (unless the latest one\n"+
			"already covers every entry), and prints it. It signs only with the key that\n"+
			"signed the log's latest checkpoint, from DIR/audit.key; run it in the server's\n"+
			"folder, or pass the server's --data.")
	dsn, data := c.auditFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, cp, err := c.openAudit(ctx, *dsn, *data)
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
	db, err := c.openExisting(ctx, *dsn)
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
			"default to the size of the latest checkpoint, which is signed first if the log\n"+
			"has grown and the log's key is in DIR/audit.key; without the key, the latest\n"+
			"stored checkpoint's size.")
	index := fs.Int64("index", -1, "the entry (inclusion)")
	size := fs.Int64("size", 0, "the tree size (inclusion); default the latest checkpoint's")
	old := fs.Int64("old", 0, "the older tree size (consistency)")
	newSize := fs.Int64("new", 0, "the newer tree size (consistency); default the latest checkpoint's")
	dsn, data := c.auditFlags(fs)
	kind, err := parseOne(fs, args, "proof kind (inclusion or consistency)")
	if err != nil {
		return err
	}
	if kind != "inclusion" && kind != "consistency" {
		return usageError{fmt.Sprintf("unknown proof %q (want inclusion or consistency)", kind)}
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	latest := func() (int64, error) {
		signer, _, _, err := signingKey(ctx, db, *data)
		if errors.Is(err, os.ErrNotExist) {
			// A proof against a stored checkpoint is as good; only a new
			// checkpoint needs the key.
			size, _, err := db.AuditLog().LatestCheckpoint(ctx)
			return size, err
		}
		if err != nil {
			return 0, err
		}
		size, _, err := (&audit.Checkpointer{Store: db.AuditLog(), Signer: signer, Origin: signer.Name()}).Latest(ctx)
		return size, err
	}
	var hashes []tlog.Hash
	if kind == "inclusion" {
		if *size == 0 {
			if *size, err = latest(); err != nil {
				return err
			}
		}
		hashes, err = audit.InclusionProof(ctx, db.AuditLog(), *index, *size)
	} else {
		if *newSize == 0 {
			if *newSize, err = latest(); err != nil {
				return err
			}
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
			"By default the key in DIR/audit.key is used (it is never created); --key\n"+
			"checks against a verifier key you hold instead.")
	dsn, data := c.auditFlags(fs)
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
	} else if _, verifier, _, err = audit.LoadKey(*data); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("there is no audit key at %s; %s, or pass --key VERIFIER-KEY", keyPath(*data), keyAdvice)
	} else if err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
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
