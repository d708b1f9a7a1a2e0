package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

func jurisdictionCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "jurisdiction", args, map[string]func(context.Context, *cli, []string) error{
		"pause": jurisdictionPause, "resume": jurisdictionResume, "show": jurisdictionShow, "list": jurisdictionList,
	}, "pause|resume|show|list")
}

// parseOne parses args that hold one positional argument, before or after
// the flags, as in "jurisdiction pause HK --reason …".
func parseOne(fs *flag.FlagSet, args []string, what string) (string, error) {
	var arg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		arg, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return "", err
		}
		return "", usageError{err.Error()}
	}
	rest := fs.Args()
	if arg == "" && len(rest) > 0 {
		arg, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		fs.Usage()
		return "", usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	if arg == "" {
		fs.Usage()
		return "", usageError{"missing " + what}
	}
	return arg, nil
}

// operator is the actor recorded for changes made from the command line:
// the system, with the name of the account that ran the command, since
// whoever can run it can also read the database directly.
func (c *cli) operator() dueprocess.Actor {
	return dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "cli:" + c.setting("USER", "unknown")}
}

func jurisdictionPause(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("jurisdiction pause", "jurisdiction pause CODE --reason TEXT [--kinds KIND,…] [--routes ROUTE,…] [--except-emergency] [--since DATE]",
		"Pauses a jurisdiction: every unfinished request in scope moves to paused, and new\n"+
			"ones arrive paused, until \"jurisdiction resume\". Running servers apply it to the\n"+
			"next request they receive. Requests out of scope (e.g. content restriction when\n"+
			"only data requests are paused) flow on. Prints the pause's id.")
	var in dueprocess.NewPause
	var kinds, routes listFlag
	fs.StringVar(&in.Reason, "reason", "", "why, for the record and the public report (required)")
	fs.Var(&kinds, "kinds", "request kinds held: user_data, preservation, emergency, content_restriction (default all)")
	fs.Var(&routes, "routes", "routes held: direct, mlat (default both)")
	fs.BoolVar(&in.ExceptEmergency, "except-emergency", false, "let emergency requests through to review")
	since := fs.String("since", "", "record a pause that began before dueprocess was in use: its start, YYYY-MM-DD")
	dsn := c.dbFlag(fs)
	code, err := parseOne(fs, args, "jurisdiction code (e.g. HK)")
	if err != nil {
		return err
	}
	in.Jurisdiction, in.Kinds, in.Routes = code, kinds, routes
	p, err := in.Check()
	if err != nil {
		return flagError(err, "kinds", "routes")
	}
	p.StartedBy = c.operator()
	if *since != "" {
		d, err := dueprocess.ParseDate(*since)
		if err != nil || d.After(time.Now()) {
			return usageError{fmt.Sprintf("--since: %q is not a past date such as 2020-07-01", *since)}
		}
		p.StartedAt = d.Time
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var moved []string
	err = db.Transact(ctx, func(tx *store.Tx) (err error) {
		moved, err = tx.Pause(ctx, p)
		return err
	})
	if err != nil {
		return err
	}
	noun := "open requests"
	if len(moved) == 1 {
		noun = "open request"
	}
	c.say("paused %s (%s): %d %s moved to paused", p.Jurisdiction, p.Scope.Describe(), len(moved), noun)
	fmt.Fprintln(c.stdout, p.ID)
	return nil
}

func jurisdictionResume(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("jurisdiction resume", "jurisdiction resume CODE --reason TEXT [--policy FILE]",
		"Ends the pause in force in a jurisdiction. Each request it held that no other pause\n"+
			"covers returns to the status the pause found it in (approved stays approved,\n"+
			"escalated stays escalated), unless the policy has become stricter for it; one that\n"+
			"arrived paused is evaluated as new and normally goes to in_review.")
	reason := fs.String("reason", "", "why, for the record and the public report (required)")
	dsn := c.dbFlag(fs)
	policyPath := c.policyFlag(fs)
	code, err := parseOne(fs, args, "jurisdiction code (e.g. HK)")
	if err != nil {
		return err
	}
	if code, err = dueprocess.ParseJurisdiction(code); err != nil {
		return err
	}
	why, err := dueprocess.CheckReason(*reason)
	if err != nil {
		return flagError(err)
	}
	decide, err := c.decider(*policyPath)
	if err != nil {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var ended *dueprocess.Pause
	var moved []string
	err = db.Transact(ctx, func(tx *store.Tx) (err error) {
		ended, moved, err = tx.Resume(ctx, code, why, c.operator(), decide)
		return err
	})
	if err != nil {
		return err
	}
	c.say("resumed %s after %s: %d paused requests released", code,
		ended.EndedAt.Sub(ended.StartedAt).Round(time.Second), len(moved))
	fmt.Fprintln(c.stdout, ended.ID)
	return nil
}

func jurisdictionShow(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("jurisdiction show", "jurisdiction show CODE [--json]",
		"Shows whether a jurisdiction is paused, and its pause history (with its\nsubdivisions' for a country).")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	dsn := c.dbFlag(fs)
	code, err := parseOne(fs, args, "jurisdiction code (e.g. HK)")
	if err != nil {
		return err
	}
	if code, err = dueprocess.ParseJurisdiction(code); err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	history, err := db.Pauses(ctx, code)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeIndented(c, map[string]any{"code": code, "history": history})
	}
	state := "not paused"
	for _, p := range history {
		if p.Jurisdiction == code && p.EndedAt == nil {
			state = fmt.Sprintf("paused since %s (%s): %s", p.StartedAt.Format(time.RFC3339), p.Scope.Describe(), p.Reason)
		}
	}
	fmt.Fprintf(c.stdout, "%s (%s): %s\n", code, dueprocess.Countries[dueprocess.Country(code)], state)
	if len(history) > 0 {
		fmt.Fprintln(c.stdout)
		printPauses(c, history)
	}
	return nil
}

func jurisdictionList(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("jurisdiction list", "jurisdiction list [--all] [--json]", "Lists the pauses in force, or with --all every pause ever made.")
	all := fs.Bool("all", false, "list ended pauses too")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var list []dueprocess.Pause
	if *all {
		list, err = db.Pauses(ctx, "")
	} else {
		list, err = db.PausesInForce(ctx)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeIndented(c, list)
	}
	printPauses(c, list)
	return nil
}

func printPauses(c *cli, list []dueprocess.Pause) {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJURISDICTION\tFROM\tUNTIL\tSCOPE\tBY\tREASON")
	for _, p := range list {
		until := "in force"
		if p.EndedAt != nil {
			until = p.EndedAt.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Jurisdiction, p.StartedAt.Format(time.DateOnly), until,
			p.Scope.Describe(), actorName(p.StartedBy), p.Reason)
	}
	tw.Flush()
}

func actorName(a dueprocess.Actor) string {
	if a.ID == "" {
		return string(a.Type)
	}
	return string(a.Type) + ":" + a.ID
}

func writeIndented(c *cli, v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
