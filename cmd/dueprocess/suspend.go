package main

import (
	"context"
	"errors"
	"flag"
	"strings"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/store"
)

// agencySetContact sets an agency's callback number and supervisor in the
// registry: "dueprocess agency set-contact ID --callback-phone … --supervisor …".
func agencySetContact(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("agency set-contact", "agency set-contact ID --callback-phone PHONE [--supervisor-contact CONTACT]",
		"Sets the number staff call back to verify the agency's requests, and whom to\n"+
			"call above the official. Find both from your own research (the agency's\n"+
			"published switchboard), never from a request: a callback counts only to this\n"+
			"number.")
	phone := fs.String("callback-phone", "", "the agency's callback number, e.g. \"+852 2860 2000\"")
	supervisor := fs.String("supervisor-contact", "", "a supervisor's name and number, e.g. \"Supt Lee, +852 2860 2001\"")
	dsn := c.dbFlag(fs)
	id, err := parseWithID(fs, args, "the agency's id")
	if err != nil {
		return err
	}
	p, s, err := dueprocess.CheckAgencyContact(*phone, *supervisor)
	if err != nil {
		return flagError(err)
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetAgencyContact(ctx, id, p, s, c.operator()); err != nil {
		return err
	}
	c.say("set the callback number of %s to %s", id, p)
	return nil
}

// agencySetKey registers the key an agency signs its requests with.
func agencySetKey(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("agency set-key", "agency set-key ID --key VERIFIER-KEY",
		"Registers the Ed25519 public key the agency signs its requests with, as a note\n"+
			"verifier key (name+hash+key, from golang.org/x/mod/sumdb/note's GenerateKey).\n"+
			"A request with a valid Dueprocess-Signature header is then marked signed_by the\n"+
			"key's name. --key \"\" removes it.")
	key := fs.String("key", "", "the verifier key, e.g. police.gov.hk+1a2b3c4d+AQ…")
	dsn := c.dbFlag(fs)
	id, err := parseWithID(fs, args, "the agency's id")
	if err != nil {
		return err
	}
	vkey := ""
	if *key != "" {
		if vkey, err = auth.CheckSigningKey(*key); err != nil {
			return usageError{"--key: " + dueprocess.ErrorMessage(err)}
		}
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SetAgencyKey(ctx, id, vkey, c.operator()); err != nil {
		return err
	}
	c.say("set the signing key of %s", id)
	return nil
}

// suspendCmd makes "agency suspend|reinstate" and "official
// suspend|reinstate": each takes an id and a --reason.
func suspendCmd(what, verb, help string, do func(*store.DB, context.Context, string, string, dueprocess.Actor) error) func(context.Context, *cli, []string) error {
	return func(ctx context.Context, c *cli, args []string) error {
		fs := c.newFlags(what+" "+verb, what+" "+verb+" ID --reason TEXT", help)
		reason := fs.String("reason", "", "why, for the audit log (required)")
		dsn := c.dbFlag(fs)
		id, err := parseWithID(fs, args, "the "+what+"'s id")
		if err != nil {
			return err
		}
		r, err := dueprocess.CheckReason(*reason)
		if err != nil {
			return flagError(err)
		}
		db, err := c.openExisting(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := do(db, ctx, id, r, c.operator()); err != nil {
			return err
		}
		c.say("%s %s %s: %s", map[string]string{"suspend": "suspended", "reinstate": "reinstated"}[verb], what, id, r)
		return nil
	}
}

var (
	agencySuspend = suspendCmd("agency", "suspend", "Suspends an agency at once: every token of its officials is revoked, its open\n"+
		"requests are flagged, none can be released, and the administrators are alerted.", (*store.DB).SuspendAgency)
	agencyReinstate = suspendCmd("agency", "reinstate", "Lifts an agency's suspension, with the reason on record. Revoked tokens stay\n"+
		"revoked: issue new ones.", (*store.DB).ReinstateAgency)
	officialSuspend = suspendCmd("official", "suspend", "Suspends an official at once: every token of theirs is revoked, their open\n"+
		"requests are flagged, none can be released, and the administrators are alerted.", (*store.DB).SuspendOfficial)
	officialReinstate = suspendCmd("official", "reinstate", "Lifts an official's suspension, with the reason on record. Revoked tokens stay\n"+
		"revoked: issue new ones.", (*store.DB).ReinstateOfficial)
)

// parseWithID parses flags with one positional id, given before the
// flags or after them, and returns the id.
func parseWithID(fs *flag.FlagSet, args []string, what string) (string, error) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args[1:]); err != nil {
			return "", err
		}
		return args[0], nil
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", err
		}
		return "", usageError{err.Error()}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return "", usageError{what + " is required, once"}
	}
	return fs.Arg(0), nil
}
