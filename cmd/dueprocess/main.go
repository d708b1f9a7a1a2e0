// Command dueprocess receives, verifies, reviews and answers government
// demands for user data and content restriction. Run "dueprocess help".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			fmt.Fprintln(os.Stderr, "dueprocess:", err)
			os.Exit(2)
		}
		// The operator at the command line needs the cause too, so the
		// whole error is shown, not only its safe message.
		fmt.Fprintln(os.Stderr, "dueprocess:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in how a command was called; it exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// env is how commands read DUEPROCESS_* settings; tests pass their own.
type env func(string) string

// command is one subcommand: its name, a one-line summary for the help,
// and what it does.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

// cli carries what every command needs: settings and where to write.
type cli struct {
	getenv env
	stdin  io.Reader
	stdout io.Writer // results only: ids and tokens, so scripts can capture them
	stderr io.Writer // messages for people
}

func commands() []command {
	return []command{
		{"serve", "run the server (API, pages, background work)", serveCmd},
		{"demo", "fill a new database with a generated history and serve it", demoCmd},
		{"migrate", "bring the database schema up to date", migrateCmd},
		{"agency", "register and list agencies (add, list)", agencyCmd},
		{"official", "add officials of an agency and issue their tokens, register their age keys (add, set-age-recipient)", officialCmd},
		{"staff", "add staff members, issue their tokens, set passwords (add, password)", staffCmd},
		{"token", "issue and revoke API tokens (issue, revoke)", tokenCmd},
		{"jurisdiction", "pause and resume a jurisdiction, show pauses (pause, resume, show, list)", jurisdictionCmd},
		{"import", "import request history (requests) or other companies' figures (published)", importCmd},
		{"report", "print a half-year's transparency report, or peers' figures (report peers)", reportCmd},
		{"backup", "write a consistent copy of the SQLite database while the server runs", backupCmd},
		{"audit", "the audit log: key (init), checkpoint, show, proof, verify", auditCmd},
		{"policy", "print, check and simulate policy files (show-default, check, simulate)", policyCmd},
		{"connectors", "check a connectors file against the platform's databases (check)", connectorsCmd},
	}
}

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		c.usage()
		return usageError{"no command given"}
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		c.usage()
		return nil
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd.run(ctx, c, args[1:])
		}
	}
	c.usage()
	return usageError{fmt.Sprintf("unknown command %q", name)}
}

func (c *cli) usage() {
	fmt.Fprintln(c.stderr, `dueprocess receives, verifies, reviews and answers government demands for user data.

Usage: dueprocess <command> [flags]

Commands:`)
	for _, cmd := range commands() {
		fmt.Fprintf(c.stderr, "  %-13s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(c.stderr, `
Run "dueprocess <command> --help" for a command's flags.
Settings come from flags or the environment: DUEPROCESS_DB (a SQLite file
or a postgres:// URL; default ./dueprocess.db), DUEPROCESS_ADDR (default
127.0.0.1:8080), DUEPROCESS_DATA (default ./dueprocess-data; it holds the
audit key, which only serve's first start and "audit key init" create, and
the blob key), DUEPROCESS_BLOBS (where documents are kept: db, fs or
fs:DIR; default db with PostgreSQL, fs with SQLite), DUEPROCESS_POLICY
(a policy file; default the built-in policy, which "dueprocess policy
show-default" prints) and DUEPROCESS_CONNECTORS (a connectors file, the
queries that gather approved data from the platform's databases; default
none).`)
}

// newFlags returns a flag set for a command whose usage line is usage.
func (c *cli) newFlags(name, usage, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: dueprocess %s\n\n%s\n\nFlags:\n", usage, about)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag mistakes into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

// setting returns the environment variable's value, or def.
func (c *cli) setting(name, def string) string {
	if v := c.getenv(name); v != "" {
		return v
	}
	return def
}
