package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/policy"
	"github.com/dueprocess/dueprocess/internal/store"
)

// maxPolicyFile bounds a policy file: a real one is a few kilobytes.
const maxPolicyFile = 1 << 20

// policyFlag adds --policy to a command.
func (c *cli) policyFlag(fs *flag.FlagSet) *string {
	return fs.String("policy", c.getenv("DUEPROCESS_POLICY"), "policy file (YAML); empty means the built-in default (env DUEPROCESS_POLICY)")
}

// loadPolicy reads and checks the policy file at path, or returns the
// built-in default for an empty path. A broken file is an error that names
// the line and what is wrong.
func loadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return policy.Default(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if len(data) > maxPolicyFile {
		return nil, dueprocess.Errorf(dueprocess.TooLarge, "policy file %s is over %d bytes", path, maxPolicyFile)
	}
	return policy.Parse(path, data)
}

// decider binds the policy at path for the store.
func (c *cli) decider(path string) (store.Decider, error) {
	p, err := loadPolicy(path)
	if err != nil {
		return nil, err
	}
	return bindPolicy(p), nil
}

// bindPolicy is the store's Decider for p.
func bindPolicy(p *policy.Policy) store.Decider {
	return func(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
		return policy.Evaluate(r, p, pauses)
	}
}

func policyCmd(ctx context.Context, c *cli, args []string) error {
	return subcommand(ctx, c, "policy", args, map[string]func(context.Context, *cli, []string) error{
		"show-default": policyShowDefault, "check": policyCheck, "simulate": policySimulate,
	}, "show-default|check|simulate")
}

func policyShowDefault(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("policy show-default", "policy show-default",
		"Prints the built-in policy, a commented YAML file to start your own from:\n  dueprocess policy show-default > policy.yaml")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := c.stdout.Write(policy.DefaultYAML)
	return err
}

func policyCheck(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("policy check", "policy check FILE",
		"Checks a policy file: YAML form, every name, every CEL rule compiled. Errors name\nthe line. Prints the policy's hash, which decisions made under it carry.")
	path, err := parseOne(fs, args, "policy file")
	if err != nil {
		return err
	}
	p, err := loadPolicy(path)
	if err != nil {
		return err
	}
	c.say("%s is a valid policy", path)
	fmt.Fprintln(c.stdout, p.Hash())
	return nil
}

// change is one stored request whose outcome a draft policy would change.
type change struct {
	req       *dueprocess.Request
	from, to  dueprocess.Decision
	fromLabel string // "stored" or "current policy"
}

func policySimulate(ctx context.Context, c *cli, args []string) error {
	fs := c.newFlags("policy simulate", "policy simulate FILE [--policy CURRENT] [--all]",
		"Replays every stored request against a draft policy, with the pauses that were in\n"+
			"force when each arrived, and shows which outcomes or allowed data categories would\n"+
			"change: a table of the changes, then counts by jurisdiction and outcome. Requests\n"+
			"decided before the policy engine existed are compared with the current policy.\n"+
			"Nothing is written.")
	dsn := c.dbFlag(fs)
	current := c.policyFlag(fs)
	all := fs.Bool("all", false, "list every request, not only those that change")
	path, err := parseOne(fs, args, "draft policy file")
	if err != nil {
		return err
	}
	draft, err := loadPolicy(path)
	if err != nil {
		return err
	}
	now, err := loadPolicy(*current)
	if err != nil {
		return err
	}
	db, err := c.openExisting(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	pauses, err := db.Pauses(ctx, "")
	if err != nil {
		return err
	}

	sim, err := simulate(ctx, db, draft, now, pauses, *all)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Draft %s (%s) against %d stored requests\n\n", path, draft.Hash(), sim.total)
	sim.printChanges(c.stdout)
	fmt.Fprintln(c.stdout, "\nBy jurisdiction and draft outcome:")
	changed := sim.printCounts(c.stdout)
	fmt.Fprintf(c.stdout, "\n%d of %d requests would change.\n", changed, sim.total)
	return nil
}

// simKey is a cell of the simulation's summary.
type simKey struct {
	jurisdiction string
	outcome      dueprocess.Outcome
}

// simulation is what replaying the stored requests against a draft found.
type simulation struct {
	total   int
	changes []change          // those that change, or every one with --all
	counts  map[simKey][2]int // requests, of which changed
}

// simulate replays every stored request against draft; a request decided
// before the policy engine existed is compared with now.
func simulate(ctx context.Context, db *store.DB, draft, now *policy.Policy, pauses []dueprocess.Pause, all bool) (*simulation, error) {
	sim := &simulation{counts: map[simKey][2]int{}}
	err := eachRequest(ctx, db, func(r *dueprocess.Request) error {
		sim.total++
		ch := change{req: r, to: policy.Evaluate(r, draft, pauses), fromLabel: "stored"}
		if r.Decision != nil {
			ch.from = *r.Decision
		} else {
			ch.from, ch.fromLabel = policy.Evaluate(r, now, pauses), "current policy"
		}
		differs := ch.from.Outcome != ch.to.Outcome || !slices.Equal(ch.from.Allowed(), ch.to.Allowed())
		k := simKey{r.Jurisdiction, ch.to.Outcome}
		n := sim.counts[k]
		n[0]++
		if differs {
			n[1]++
		}
		sim.counts[k] = n
		if differs || all {
			sim.changes = append(sim.changes, ch)
		}
		return nil
	})
	return sim, err
}

// printChanges writes the table of requests whose outcome or allowed
// categories would change.
func (sim *simulation) printChanges(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tJURISDICTION\tKIND\tPROCESS\tNOW\tDRAFT\tALLOWED NOW\tALLOWED DRAFT\tDRAFT RULES")
	for _, ch := range sim.changes {
		rules := make([]string, 0, len(ch.to.Reasons))
		for _, r := range ch.to.Reasons {
			if r.Outcome == ch.to.Outcome {
				rules = append(rules, r.Rule)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ch.req.ID, ch.req.Jurisdiction, ch.req.Kind, ch.req.LegalProcess.Type,
			ch.from.Outcome, ch.to.Outcome, categories(ch.from.Allowed()), categories(ch.to.Allowed()), strings.Join(rules, ","))
	}
	tw.Flush()
}

// printCounts writes the counts by jurisdiction and draft outcome, the
// most severe outcome first, and returns how many requests would change.
func (sim *simulation) printCounts(w io.Writer) (changed int) {
	keys := make([]simKey, 0, len(sim.counts))
	for k := range sim.counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b simKey) int {
		if c := strings.Compare(a.jurisdiction, b.jurisdiction); c != 0 {
			return c
		}
		return b.outcome.Severity() - a.outcome.Severity()
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "JURISDICTION\tOUTCOME\tREQUESTS\tCHANGED\t")
	for _, k := range keys {
		n := sim.counts[k]
		changed += n[1]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t\n", k.jurisdiction, k.outcome, n[0], n[1])
	}
	tw.Flush()
	return changed
}

func categories(cs []dueprocess.DataCategory) string {
	if len(cs) == 0 {
		return "-"
	}
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// eachRequest calls fn for every stored request, in id order, a page at a
// time.
func eachRequest(ctx context.Context, db *store.DB, fn func(*dueprocess.Request) error) error {
	f := dueprocess.RequestFilter{Limit: store.MaxPage}
	for {
		list, err := db.Requests(ctx, f)
		if err != nil {
			return err
		}
		// A listing carries no targets, which rules about their number
		// and home countries need.
		ids := make([]string, len(list))
		for i, r := range list {
			ids[i] = r.ID
		}
		targets, err := db.TargetsOf(ctx, ids)
		if err != nil {
			return err
		}
		for _, r := range list {
			r.Targets = targets[r.ID]
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(list) < f.Limit {
			return nil
		}
		f.After = list[len(list)-1].ID
	}
}
