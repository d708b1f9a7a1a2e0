package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/gather"
)

// connectorsFlag adds --connectors to a command.
func (c *cli) connectorsFlag(fs *flag.FlagSet) *string {
	return fs.String("connectors", c.getenv("DUEPROCESS_CONNECTORS"),
		"connectors file (YAML): the platform's databases and a read-only query per data category, run to gather "+
			"approved data (docs/disclosure.md); empty means none, and data is added by hand (env DUEPROCESS_CONNECTORS)")
}

// loadConnectors reads the connectors file at path; an empty path means
// none, a nil Set that gathers nothing.
func loadConnectors(path string) (*gather.Set, error) {
	if path == "" {
		return nil, nil
	}
	return gather.Load(path)
}

func connectorsCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "connectors", args, map[string]func(context.Context, *cli, []string) error{
		"check": connectorsCheck,
	}, "check")
}

func connectorsCheck(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("connectors check", "connectors check FILE",
		"Checks a connectors file (docs/disclosure.md): its form, every source's URL and every\n"+
			"query's parameters; then connects to each source and runs each query once, read-only,\n"+
			"for a target that matches nothing, over the last 30 days. Prints one line per data\n"+
			"category and the contact query: ok, error (with the database's reason), or none when\n"+
			"no query is configured. A query that returns rows for that target is an error: it\n"+
			"does not filter by :target_value. Exits 1 when any query fails.")
	path, err := parseOne(fs, args, "connectors file")
	if err != nil {
		return err
	}
	set, err := gather.Load(path)
	if err != nil {
		return err
	}
	defer set.Close()
	var b [8]byte
	rand.Read(b[:])
	nobody := dueprocess.Target{Type: dueprocess.TargetUsername, Value: "dueprocess-check-" + hex.EncodeToString(b[:])}
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -30)

	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	failed, ran := 0, 0
	for _, cat := range dueprocess.DataCategories {
		if !set.Has(cat) {
			fmt.Fprintf(tw, "%s\tnone\tno query; data of this category is added by hand\n", cat)
			continue
		}
		ran++
		start := time.Now()
		n, err := set.Gather(ctx, cat, nobody, from, to, io.Discard)
		if !checkLine(tw, string(cat), n, err, time.Since(start)) {
			failed++
		}
	}
	if set.HasContact() {
		ran++
		start := time.Now()
		addr, err := set.Contact(ctx, nobody)
		n := 0
		if addr != "" {
			n = 1
		}
		if !checkLine(tw, "contact", n, err, time.Since(start)) {
			failed++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if undated := set.Undated(); len(undated) > 0 {
		names := make([]string, len(undated))
		for i, u := range undated {
			names[i] = string(u)
		}
		c.say("note: these queries do not use both :from and :to, so they gather every row of the target whatever the approved dates: %s",
			strings.Join(names, ", "))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d queries in %s failed", failed, ran, path)
	}
	c.say("%s: %d queries ran", set, ran)
	return nil
}

// checkLine writes one query's line and says whether it passed.
func checkLine(w io.Writer, name string, rows int, err error, took time.Duration) bool {
	switch {
	case err != nil:
		fmt.Fprintf(w, "%s\terror\t%v\n", name, err)
		return false
	case rows > 0:
		fmt.Fprintf(w, "%s\terror\t%d rows for a target that matches nothing: the query does not filter by :target_value\n", name, rows)
		return false
	}
	fmt.Fprintf(w, "%s\tok\t%s\n", name, took.Round(time.Millisecond))
	return true
}
