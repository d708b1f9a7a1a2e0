package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/auth"
	"github.com/dueprocess/dueprocess/internal/seal"
	"github.com/dueprocess/dueprocess/internal/store"
)

// subcommand dispatches "agency add" and the like.
func subcommand(ctx context.Context, c *cli, group string, args []string, subs map[string]func(context.Context, *cli, []string) error, names string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(c.stderr, "Usage: dueprocess %s <%s> [flags]\nRun \"dueprocess %s <subcommand> --help\" for its flags.\n", group, names, group)
		if len(args) == 0 {
			return usageError{fmt.Sprintf("%s needs a subcommand (%s)", group, names)}
		}
		return nil
	}
	fn, ok := subs[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown subcommand %q of %s (%s)", args[0], group, names)}
	}
	return fn(ctx, c, args[1:])
}

// listFlag collects a flag that may be repeated or given comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func agencyCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "agency", args, map[string]func(context.Context, *cli, []string) error{
		"add": agencyAdd, "list": agencyList, "domains": agencyDomains, "set-contact": agencySetContact, "set-key": agencySetKey,
		"suspend": agencySuspend, "reinstate": agencyReinstate,
	}, "add|list|domains|set-contact|set-key|suspend|reinstate")
}

func agencyAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("agency add", "agency add --name NAME --jurisdiction CODE --kind KIND --domain DOMAIN [--callback-phone PHONE]",
		"Registers an agency and prints its id. Its verified e-mail domains and callback\nnumber are what verification relies on later, never what a request says.")
	var a dueprocess.Agency
	var domains listFlag
	fs.StringVar(&a.Name, "name", "", "the agency's name, e.g. \"Hong Kong Police Force\"")
	fs.StringVar(&a.Jurisdiction, "jurisdiction", "", "ISO 3166-1 alpha-2 code, optionally with a subdivision (HK, US-CA)")
	kind := fs.String("kind", "", "police, prosecutor, court, intelligence, regulator or other")
	fs.Var(&domains, "domain", "a verified e-mail domain of the agency (repeat, or separate with commas)")
	fs.StringVar(&a.CallbackPhone, "callback-phone", "", "the number staff call back to verify a request, from your own research")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a.Kind, a.Domains = dueprocess.AgencyKind(*kind), domains
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateAgency(ctx, &a, c.operator()) }); err != nil {
		return flagError(err)
	}
	c.say("registered agency %q (%s, %s)", a.Name, a.Jurisdiction, a.Kind)
	fmt.Fprintln(c.stdout, a.ID)
	return nil
}

func agencyList(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("agency list", "agency list [--json]", "Lists the registered agencies.")
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
	list, err := db.Agencies(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []*dueprocess.Agency{}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJURISDICTION\tKIND\tNAME\tDOMAINS")
	for _, a := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.Jurisdiction, a.Kind, a.Name, strings.Join(a.Domains, ","))
	}
	return tw.Flush()
}

func officialCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "official", args, map[string]func(context.Context, *cli, []string) error{
		"add": officialAdd, "set-age-recipient": officialSetAgeRecipient, "suspend": officialSuspend, "reinstate": officialReinstate,
	}, "add|set-age-recipient|suspend|reinstate")
}

func officialAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("official add", "official add --agency ID --email ADDRESS --name NAME [--age-recipient age1…]",
		"Adds an official to an agency and prints their API token, which is shown only\nonce. The address must be at one of the agency's verified domains.\n"+
			"Disclosure packages are encrypted to the official's age key (--age-recipient, the\npublic key printed by age-keygen); without one, each package is encrypted to a\none-time passphrase shown once to the staff member who releases it.")
	var o dueprocess.Official
	fs.StringVar(&o.AgencyID, "agency", "", "the agency's id (from \"dueprocess agency add\" or \"agency list\")")
	fs.StringVar(&o.Email, "email", "", "the official's e-mail address")
	fs.StringVar(&o.Name, "name", "", "the official's name")
	fs.StringVar(&o.AgeRecipient, "age-recipient", "", "the official's age public key (age1…), to which disclosure packages are encrypted")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if o.AgencyID == "" {
		return usageError{"--agency is required"}
	}
	if o.AgeRecipient != "" {
		if _, err := seal.ParseRecipient(o.AgeRecipient); err != nil {
			return flagError(err)
		}
	}
	// An official belongs to an agency that exists, so the database must
	// exist already.
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := agencyExists(ctx, db, o.AgencyID); err != nil {
		return err
	}
	var secret string
	err = db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOfficial(ctx, &o, c.operator()); err != nil {
			return err
		}
		var err error
		secret, err = auth.IssueToken(ctx, tx, &dueprocess.Token{OfficialID: o.ID, Label: "created by dueprocess official add"}, c.operator())
		return err
	})
	if err != nil {
		return flagError(err)
	}
	c.say("added official %s <%s> as %s; the token below is shown only once", o.Name, o.Email, o.ID)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func officialSetAgeRecipient(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("official set-age-recipient", "official set-age-recipient --official ID --age-recipient (age1… | none)",
		"Registers the age public key (printed by age-keygen) that the official's disclosure\npackages are encrypted to, replacing any before; \"none\" removes it, and packages\nare then encrypted to a one-time passphrase. Packages released already keep\ntheir encryption.")
	id := fs.String("official", "", "the official's id")
	recipient := fs.String("age-recipient", "", "the official's age public key (age1…), or none")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *id == "":
		return usageError{"--official is required"}
	case *recipient == "":
		return usageError{"--age-recipient is required: an age public key (age1…), or none to remove it"}
	case *recipient == "none":
		*recipient = ""
	default:
		if _, err := seal.ParseRecipient(*recipient); err != nil {
			return flagError(err)
		}
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetAgeRecipient(ctx, *id, *recipient, c.operator()) }); err != nil {
		return err
	}
	if *recipient == "" {
		c.say("official %s has no age key now: packages to them are encrypted to a one-time passphrase", *id)
	} else {
		c.say("packages to official %s are encrypted to %s from now on", *id, *recipient)
	}
	return nil
}

// agencyExists explains an --agency that names no agency: people often
// pass the agency's name where its id belongs.
func agencyExists(ctx context.Context, db *store.DB, id string) error {
	_, err := db.Agency(ctx, id)
	if !errors.Is(err, dueprocess.ErrNotFound) {
		return err
	}
	msg := fmt.Sprintf("--agency: there is no agency with the id %q; --agency takes the id that \"dueprocess agency add\" printed "+
		"(\"dueprocess agency list\" shows every agency with its id)", id)
	if agencies, lerr := db.Agencies(ctx); lerr == nil {
		for _, a := range agencies {
			if strings.EqualFold(strings.TrimSpace(a.Name), strings.TrimSpace(id)) {
				msg += fmt.Sprintf("; the agency named %q has the id %s", a.Name, a.ID)
				break
			}
		}
	}
	return usageError{msg}
}

func staffCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "staff", args, map[string]func(context.Context, *cli, []string) error{
		"add": staffAdd, "password": staffPassword,
	}, "add|password")
}

func staffAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("staff add", "staff add --email ADDRESS --name NAME --role ROLE[,ROLE…]",
		"Adds a staff member and prints an API token for them (for automation and\nscripts), shown only once. Roles: intake, reviewer, approver, human_rights,\nadmin, auditor, and platform: the platform's deletion job, whose token may ask\nGET /api/v1/holds/check before deleting an account and do nothing else\n(docs/holds.md).")
	var s dueprocess.Staff
	var roles listFlag
	fs.StringVar(&s.Email, "email", "", "the staff member's e-mail address")
	fs.StringVar(&s.Name, "name", "", "the staff member's name")
	fs.Var(&roles, "role", "a role (repeat, or separate with commas)")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, r := range roles {
		s.Roles = append(s.Roles, dueprocess.Role(r))
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var secret string
	err = db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, &s, c.operator()); err != nil {
			return err
		}
		var err error
		secret, err = auth.IssueToken(ctx, tx, &dueprocess.Token{StaffID: s.ID, Label: "created by dueprocess staff add"}, c.operator())
		return err
	})
	if err != nil {
		return flagError(err)
	}
	c.say("added staff member %s <%s> (%s) as %s; the token below is shown only once", s.Name, s.Email, roles.String(), s.ID)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func staffPassword(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("staff password", "staff password --email ADDRESS < password.txt",
		"Sets a staff member's console password, read from the first line of standard\n"+
			"input (at least 12 characters), and signs them out everywhere. At their next\n"+
			"sign-in they set up an authenticator app if they have none.")
	email := fs.String("email", "", "the staff member's e-mail address")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	line, err := bufio.NewReader(io.LimitReader(c.stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	if err := auth.CheckPasswordStrength(password, *email); err != nil {
		return usageError{"the password on standard input " + dueprocess.ErrorMessage(err)}
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := db.CredentialsByEmail(ctx, *email)
	if err != nil {
		return err
	}
	hash := auth.HashPassword(password)
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetPassword(ctx, creds.Staff.ID, hash, c.operator()) }); err != nil {
		return err
	}
	c.say("set the password of %s <%s>", creds.Staff.Name, creds.Staff.Email)
	return nil
}

// flagError names the flag behind a field error, for the command line:
// "domains[1]" is --domain, "callback_phone" --callback-phone. A list field
// whose flag keeps its plural, such as --kinds, is named in plurals.
func flagError(err error, plurals ...string) error {
	var e *dueprocess.Error
	if f := dueprocess.ErrorField(err); f != "" && errors.As(err, &e) {
		f, index, _ := strings.Cut(f, "[")
		if !slices.Contains(plurals, f) {
			f = strings.TrimSuffix(f, "s")
		}
		flag := "--" + strings.ReplaceAll(f, "_", "-")
		if index != "" {
			flag += " (item " + strings.TrimSuffix(index, "]") + ")"
		}
		return usageError{fmt.Sprintf("%s: %s", flag, e.Message)}
	}
	return err
}

func tokenCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "token", args, map[string]func(context.Context, *cli, []string) error{
		"issue": tokenIssue, "revoke": tokenRevoke,
	}, "issue|revoke")
}

func tokenIssue(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("token issue", "token issue (--official ID | --staff ID) [--label TEXT]",
		"Issues a new API token for an existing official or staff member, for instance\nwhen one was lost, and prints it; it is shown only once.")
	var t dueprocess.Token
	fs.StringVar(&t.OfficialID, "official", "", "the official's id")
	fs.StringVar(&t.StaffID, "staff", "", "the staff member's id")
	fs.StringVar(&t.Label, "label", "issued by dueprocess token issue", "a note to tell tokens apart")
	dsn := c.dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if t.OfficialID != "" {
		if _, err := db.Official(ctx, t.OfficialID); err != nil {
			return err
		}
	}
	if t.StaffID != "" {
		if _, err := db.Staff(ctx, t.StaffID); err != nil {
			return err
		}
	}
	var secret string
	err = db.Transact(ctx, func(tx *store.Tx) (err error) {
		secret, err = auth.IssueToken(ctx, tx, &t, c.operator())
		return err
	})
	if err != nil {
		return err
	}
	c.say("issued token %s; the token below is shown only once", t.ID)
	fmt.Fprintln(c.stdout, secret)
	return nil
}

func tokenRevoke(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("token revoke", "token revoke ID",
		"Revokes an API token at once, in every server sharing the database.")
	dsn := c.dbFlag(fs)
	id, err := parseOne(fs, args, "token id (tk_…)")
	if err != nil {
		return err
	}
	db, err := c.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id, c.operator()) }); err != nil {
		return err
	}
	c.say("revoked token %s", id)
	return nil
}
