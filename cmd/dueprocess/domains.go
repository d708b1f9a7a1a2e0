package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/dueprocess/dueprocess/internal/store"
)

// agencyDomains replaces an agency's verified e-mail domains: those an
// official's address must be at, to be invited or to register in the
// portal.
func agencyDomains(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("agency domains", "agency domains ID --domain DOMAIN [--domain DOMAIN…]",
		"Sets the agency's verified e-mail domains, replacing those it had. Officials may\n"+
			"be invited to the portal, or register themselves, only with an address at one of\n"+
			"them (or a subdomain). Officials added before keep their accounts.")
	var domains listFlag
	fs.Var(&domains, "domain", "a verified e-mail domain of the agency (repeat, or separate with commas)")
	dsn := c.dbFlag(fs)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if err := parse(fs, args); err != nil {
			return err
		}
		return usageError{"agency domains needs the agency's id first"}
	}
	id := args[0]
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Transact(ctx, func(tx *store.Tx) error { return tx.SetAgencyDomains(ctx, id, domains, c.operator()) })
	if err != nil {
		return flagError(err)
	}
	c.say("agency %s: verified domains %s", id, strings.Join(domains, ", "))
	fmt.Fprintln(c.stdout, id)
	return nil
}
