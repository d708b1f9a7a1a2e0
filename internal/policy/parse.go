package policy

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// Routes a jurisdiction may take.
const (
	RouteDirect   = "direct"    // agencies may send requests straight to us
	RouteMLATOnly = "mlat_only" // only through the mutual legal assistance treaty
	RouteRefuse   = "refuse"    // no request is answered
)

// Limits on a policy file. A policy is written by people and is a few
// kilobytes; the limits are far above any real one and keep a hostile or
// broken file from costing seconds of work. Without them a 500-byte rule of
// nested CEL lists took 1.7 s to check, since the CEL type checker's work
// grows with the cube of the nesting, and a deep YAML file grows the parser's
// stack with every level.
const (
	maxFileSize = 1 << 20 // bytes in the file
	maxDepth    = 32      // levels of YAML mappings and lists
	maxRules    = 250     // rules in the file, each of which costs up to milliseconds to compile
	maxWhen     = 4096    // bytes in one rule's CEL condition
	maxCELDepth = 24      // nesting of one CEL condition: brackets, calls, operators
)

// Parse reads and checks a policy file. name is the file's name, used in
// errors, which are Invalid and read "name:LINE: path: what is wrong".
func Parse(name string, data []byte) (*Policy, error) {
	d := &decoder{name: name}
	if len(data) > maxFileSize {
		// The line is the one the limit falls in, to show where the file
		// stops looking like a policy.
		line := 1 + bytes.Count(data[:maxFileSize], []byte("\n"))
		return nil, d.errorf(&yaml.Node{Line: line}, "", "the file is %d bytes; a policy file may have at most %d (1 MiB)", len(data), maxFileSize)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, d.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil, d.errorf(&yaml.Node{Line: 1}, "", "the file is empty; start from \"dueprocess policy show-default\"")
	}
	if err := d.shape(doc.Content[0], 1); err != nil {
		return nil, err
	}
	p := &Policy{name: name, hash: hashOf(data), jurisdictions: map[string]*jurisdiction{}, highRisk: map[string]bool{},
		emergencyHarms: []dueprocess.Harm{dueprocess.HarmDeath, dueprocess.HarmSeriousInjury}, needJustification: true,
		holds: holdPolicy{terms: dueprocess.DefaultHoldTerms}, notice: dueprocess.DefaultNoticePolicy, regimes: defaultRegimes()}
	if err := d.policy(doc.Content[0], p); err != nil {
		return nil, err
	}
	return p, nil
}

// shape refuses a tree deeper than maxDepth and any anchor or alias. A
// policy has no use for aliases, and refusing them means that no part of
// the file is ever read twice, so a small file of aliases to aliases (an
// "alias bomb") cannot stand for a huge one.
func (d *decoder) shape(n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return d.errorf(n, "", "the file nests more than %d levels deep", maxDepth)
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return d.errorf(n, "", "anchors and aliases (& and *) are not allowed in a policy file; write the value out")
	}
	for _, c := range n.Content {
		if err := d.shape(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// decoder walks the YAML tree, naming the line of anything wrong.
type decoder struct {
	name string
	key  *yaml.Node // the key of the value fields is handing out, for errors about the key itself
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &dueprocess.Error{Kind: dueprocess.Invalid, Message: fmt.Sprintf("%s:%d: %s", d.name, n.Line, msg)}
}

// yamlError turns the YAML library's "yaml: line 3: …" into our form.
func (d *decoder) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := "1"
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok {
			line, msg = n, tail
		}
	}
	return &dueprocess.Error{Kind: dueprocess.Invalid, Message: fmt.Sprintf("%s:%s: not valid YAML: %s", d.name, line, msg)}
}

// fields calls fn for each key of a mapping, refusing keys not in known
// and keys given twice.
func (d *decoder) fields(n *yaml.Node, path string, known []string, fn func(key string, v *yaml.Node, path string) error) error {
	if n.Kind != yaml.MappingNode {
		return d.errorf(n, path, "want a mapping of %s", strings.Join(known, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := k.Value
		if path != "" {
			sub = path + "." + k.Value
		}
		if known != nil && !slices.Contains(known, k.Value) {
			return d.errorf(k, sub, "unknown key (want %s)", strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return d.errorf(k, sub, "given twice")
		}
		seen[k.Value] = true
		d.key = k
		if err := fn(k.Value, v, sub); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) str(n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", d.errorf(n, path, "want text")
	}
	return strings.TrimSpace(n.Value), nil
}

func (d *decoder) text(n *yaml.Node, path string) (string, error) {
	s, err := d.str(n, path)
	if err == nil && s == "" {
		err = d.errorf(n, path, "is empty; say why, in a sentence people can read")
	}
	return s, err
}

func (d *decoder) boolean(n *yaml.Node, path string) (bool, error) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, d.errorf(n, path, "want true or false, not %q", n.Value)
	}
	return b, nil
}

func (d *decoder) count(n *yaml.Node, path string) (int, error) {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < 1 || v > 1_000_000 {
		return 0, d.errorf(n, path, "want a whole number from 1 to 1000000, not %q", n.Value)
	}
	return v, nil
}

func (d *decoder) seq(n *yaml.Node, path string, fn func(i int, v *yaml.Node, path string) error) error {
	if n.Kind != yaml.SequenceNode {
		return d.errorf(n, path, "want a list, such as [a, b]")
	}
	for i, v := range n.Content {
		if err := fn(i, v, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// enum reads one name from allowed.
func enum[T ~string](d *decoder, n *yaml.Node, path, what string, allowed []T) (T, error) {
	s, err := d.str(n, path)
	if err != nil {
		return "", err
	}
	for _, a := range allowed {
		if string(a) == s {
			return a, nil
		}
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", d.errorf(n, path, "unknown %s %q (want %s)", what, s, orList(names))
}

// enums reads a list of distinct names from allowed.
func enums[T ~string](d *decoder, n *yaml.Node, path, what string, allowed []T) ([]T, error) {
	var out []T
	err := d.seq(n, path, func(i int, v *yaml.Node, path string) error {
		x, err := enum(d, v, path, what, allowed)
		if err != nil {
			return err
		}
		if slices.Contains(out, x) {
			return d.errorf(v, path, "%q is listed twice", x)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (d *decoder) policy(n *yaml.Node, p *Policy) error {
	var version bool
	err := d.fields(n, "", []string{"version", "name", "ladder", "jurisdictions", "human_rights", "emergency", "overbreadth", "rules", "holds", "deadlines", "content", "notice", "regimes"},
		func(key string, v *yaml.Node, path string) error {
			switch key {
			case "version":
				if v.Value != "1" {
					return d.errorf(v, path, "unknown version %q; this dueprocess reads version 1", v.Value)
				}
				version = true
			case "name":
				s, err := d.str(v, path)
				p.title = s
				return err
			case "ladder":
				l, err := d.ladder(v, path)
				p.ladder = l
				return err
			case "jurisdictions":
				return d.jurisdictions(v, path, p)
			case "human_rights":
				return d.humanRights(v, path, p)
			case "emergency":
				return d.emergency(v, path, p)
			case "overbreadth":
				return d.fields(v, path, []string{"max_targets", "max_range_days"}, func(key string, v *yaml.Node, path string) (err error) {
					if key == "max_targets" {
						p.maxTargets, err = d.count(v, path)
					} else {
						p.maxRangeDays, err = d.count(v, path)
					}
					return err
				})
			case "rules":
				return d.rules(v, path, p)
			case "holds":
				return d.holds(v, path, p)
			case "regimes":
				return d.regimes(v, path, p)
			case "deadlines":
				return d.deadlines(v, path, p)
			case "content":
				return d.content(v, path, p)
			case "notice":
				return d.notice(v, path, p)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if !version {
		return d.errorf(n, "version", "is required: put \"version: 1\" at the top")
	}
	if len(p.ladder) == 0 {
		return d.errorf(n, "ladder", "is required: the least legal process for each data category")
	}
	for _, c := range dueprocess.DataCategories {
		if _, ok := p.ladder[c]; !ok {
			return d.errorf(n, "ladder", "has no step for %s; every data category needs one", c)
		}
	}
	p.fillHolds()
	p.precompute()
	return nil
}

// ladderProcesses are the process types a ladder step may require.
var ladderProcesses = []dueprocess.LegalProcessType{dueprocess.ProcessSubpoena, dueprocess.ProcessCourtOrder, dueprocess.ProcessSearchWarrant, dueprocess.ProcessMLAT}

func (d *decoder) ladder(n *yaml.Node, path string) (map[dueprocess.DataCategory]dueprocess.LegalProcessType, error) {
	l := map[dueprocess.DataCategory]dueprocess.LegalProcessType{}
	err := d.fields(n, path, nil, func(key string, v *yaml.Node, path string) error {
		c, err := enum(d, d.key, path, "data category", dueprocess.DataCategories)
		if err != nil {
			return err
		}
		l[c], err = enum(d, v, path, "legal process", ladderProcesses)
		return err
	})
	return l, err
}

func (d *decoder) jurisdictions(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, nil, func(key string, v *yaml.Node, path string) error {
		code := key
		if key != "default" {
			c, err := dueprocess.ParseJurisdiction(key)
			if err != nil || c != key {
				return d.errorf(d.key, path, "%q is not an ISO 3166 code in capitals, such as HK or US-CA (or \"default\")", key)
			}
		}
		j := &jurisdiction{code: code}
		p.jurisdictions[code] = j
		err := d.fields(v, path, []string{"route", "reason", "accept", "ladder", "high_risk", "note", "pauses"}, func(key string, v *yaml.Node, path string) (err error) {
			switch key {
			case "route":
				j.route, err = enum(d, v, path, "route", []string{RouteDirect, RouteMLATOnly, RouteRefuse})
			case "reason":
				j.reason, err = d.text(v, path)
			case "accept":
				j.accept, err = enums(d, v, path, "legal process", dueprocess.LegalProcessTypes)
			case "ladder":
				j.ladder, err = d.ladder(v, path)
			case "high_risk":
				var b bool
				b, err = d.boolean(v, path)
				j.highRisk = &b
				if b && code != "default" {
					p.highRisk[code] = true
				}
			case "note":
				j.note, err = d.str(v, path)
			case "pauses":
				err = d.seq(v, path, func(i int, v *yaml.Node, path string) error {
					fp, err := d.pause(v, path, code, i)
					j.pauses = append(j.pauses, fp)
					return err
				})
			}
			return err
		})
		if err == nil && j.route == RouteRefuse && j.reason == "" {
			return d.errorf(v, path+".reason", "is required with route refuse: it is what the requester is told")
		}
		return err
	})
}

func (d *decoder) pause(n *yaml.Node, path, code string, i int) (filePause, error) {
	fp := filePause{id: fmt.Sprintf("%s.%d", code, i+1)}
	p := &fp.pause
	p.ID, p.Jurisdiction, p.StartedBy = "policy:"+fp.id, code, dueprocess.Actor{Type: dueprocess.ActorSystem, ID: "policy"}
	if code == "default" {
		return fp, d.errorf(n, path, "a pause belongs to one jurisdiction, not to default")
	}
	var since bool
	err := d.fields(n, path, []string{"since", "until", "kinds", "routes", "except_emergency", "reason"}, func(key string, v *yaml.Node, path string) (err error) {
		switch key {
		case "since", "until":
			var t time.Time
			t, err = time.Parse(time.DateOnly, v.Value)
			if err != nil {
				return d.errorf(v, path, "want a date such as 2020-07-01, not %q", v.Value)
			}
			if key == "since" {
				p.StartedAt, since = t, true
			} else {
				p.EndedAt = &t
			}
		case "kinds":
			p.Scope.Kinds, err = enums(d, v, path, "request kind", dueprocess.RequestKinds)
		case "routes":
			p.Scope.Routes, err = enums(d, v, path, "route", dueprocess.Routes)
		case "except_emergency":
			p.Scope.ExceptEmergency, err = d.boolean(v, path)
		case "reason":
			p.Reason, err = d.text(v, path)
		}
		return err
	})
	switch {
	case err != nil:
	case !since:
		err = d.errorf(n, path+".since", "is required: the date the pause starts")
	case p.Reason == "":
		err = d.errorf(n, path+".reason", "is required: it is published in the transparency report")
	case p.EndedAt != nil && !p.EndedAt.After(p.StartedAt):
		err = d.errorf(n, path+".until", "is not after since")
	}
	return fp, err
}

// normalOffence folds an offence category for matching: lower case, words
// joined by underscores ("Collusion with foreign forces" matches
// collusion_with_foreign_forces).
func normalOffence(s string) string {
	if isNormal(s) {
		return s
	}
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
	return strings.Join(f, "_")
}

// isNormal reports whether s is already lower-case words joined by single
// underscores, so that the common case costs no allocation.
func isNormal(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' && s[i-1] != '_') {
			return false
		}
	}
	return true
}

func (d *decoder) humanRights(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"offences", "high_risk"}, func(key string, v *yaml.Node, path string) error {
		return d.seq(v, path, func(i int, v *yaml.Node, path string) error {
			s, err := d.str(v, path)
			if err != nil {
				return err
			}
			if key == "offences" {
				o := normalOffence(s)
				if o == "" {
					return d.errorf(v, path, "is empty")
				}
				if slices.Contains(p.offences, o) {
					return d.errorf(v, path, "%q is listed twice", s)
				}
				p.offences = append(p.offences, o)
				return nil
			}
			code, err := dueprocess.ParseJurisdiction(s)
			if err != nil || code != s {
				return d.errorf(v, path, "%q is not an ISO 3166 code in capitals, such as HK", s)
			}
			p.highRisk[code] = true
			return nil
		})
	})
}

func (d *decoder) emergency(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"harms", "require_justification", "unlocks"}, func(key string, v *yaml.Node, path string) (err error) {
		switch key {
		case "harms":
			p.emergencyHarms, err = enums(d, v, path, "harm", dueprocess.Harms)
			if err == nil && len(p.emergencyHarms) == 0 {
				err = d.errorf(v, path, "is empty: no emergency could ever be answered")
			}
		case "require_justification":
			p.needJustification, err = d.boolean(v, path)
		case "unlocks":
			p.emergencyUnlocks, err = enums(d, v, path, "data category", dueprocess.DataCategories)
		}
		return err
	})
}

func (d *decoder) rules(n *yaml.Node, path string, p *Policy) error {
	env, err := celEnv()
	if err != nil {
		return err
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) > maxRules {
		return d.errorf(n.Content[maxRules], fmt.Sprintf("%s[%d]", path, maxRules), "is one rule too many; a policy may have at most %d", maxRules)
	}
	return d.seq(n, path, func(i int, v *yaml.Node, path string) error {
		r := &rule{}
		var whenNode *yaml.Node
		err := d.fields(v, path, []string{"id", "when", "outcome", "reason", "deny"}, func(key string, v *yaml.Node, path string) (err error) {
			switch key {
			case "id":
				r.id, err = d.str(v, path)
				if err == nil && !validID(r.id) {
					err = d.errorf(v, path, "%q is not an id: use lower-case letters, digits, - and _", r.id)
				}
				for _, other := range p.rules {
					if err == nil && other.id == r.id {
						err = d.errorf(v, path, "id %q is used by another rule", r.id)
					}
				}
			case "when":
				r.when, err = d.text(v, path)
				whenNode = v
			case "outcome":
				r.outcome, err = enum(d, v, path, "outcome", dueprocess.Outcomes)
			case "reason":
				r.reason, err = d.text(v, path)
			case "deny":
				r.deny, err = enums(d, v, path, "data category", dueprocess.DataCategories)
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, f := range []struct{ name, v string }{{"id", r.id}, {"when", r.when}, {"outcome", string(r.outcome)}, {"reason", r.reason}} {
			if f.v == "" {
				return d.errorf(v, path+"."+f.name, "is required")
			}
		}
		if len(r.when) > maxWhen {
			return d.errorf(whenNode, path+".when", "is %d bytes long; a condition may have at most %d", len(r.when), maxWhen)
		}
		ast, iss := env.Compile(r.when)
		if iss.Err() != nil {
			return d.errorf(whenNode, path+".when", "does not compile: %s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
		}
		if ast.OutputType() != cel.BoolType {
			return d.errorf(whenNode, path+".when", "is of type %s; a rule's condition must be true or false", ast.OutputType())
		}
		if r.prg, err = env.Program(ast, cel.EvalOptions(cel.OptOptimize)); err != nil {
			return d.errorf(whenNode, path+".when", "cannot run: %v", err)
		}
		p.rules = append(p.rules, r)
		return nil
	})
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
