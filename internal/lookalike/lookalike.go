// Package lookalike tells whether an e-mail domain is one of an agency's
// verified domains, or made to look like one: the trick behind forged
// requests sent from "po1ice.gov.example" or from a domain spelt with a
// Cyrillic letter. It is pure: no I/O.
package lookalike

import (
	"strings"

	"github.com/mtibben/confusables"
	"golang.org/x/net/idna"
)

// MaxDistance is the largest edit distance, between the skeletons of two
// domains, at which one is taken for a look-alike of the other.
const MaxDistance = 2

// Result is what Check finds about a domain.
type Result struct {
	Listed    bool   // the domain is one of the list, or below one
	Lookalike string // the listed domain it resembles, when not listed
}

// Check compares domain with the listed domains. A domain is listed when
// it equals one or is a subdomain of one. Otherwise it is a look-alike of
// a listed domain d when, compared label for label with d (the domain's
// last labels, as many as d has), their Unicode TR39 skeletons are equal
// or within MaxDistance edits, or when it contains d followed by more
// labels ("police.gov.hk.example.net").
func Check(domain string, listed []string) Result {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	for _, d := range listed {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return Result{Listed: true}
		}
	}
	sender := skeleton(domain)
	for _, d := range listed {
		if strings.HasPrefix(domain, d+".") || strings.Contains(domain, "."+d+".") {
			return Result{Lookalike: d}
		}
		want := skeleton(d)
		tail := lastLabels(sender, strings.Count(want, ".")+1)
		if tail == want || distance(tail, want) <= MaxDistance || distance(sender, want) <= MaxDistance {
			return Result{Lookalike: d}
		}
	}
	return Result{}
}

// skeleton is the TR39 skeleton of a domain's Unicode form: the string
// that every confusable spelling of it shares ("pοlice" with a Greek
// omicron, "po1ice" and "police" alike), in lower case.
func skeleton(domain string) string {
	if u, err := idna.ToUnicode(domain); err == nil {
		domain = u
	}
	return strings.ToLower(confusables.Skeleton(strings.ToLower(domain)))
}

func lastLabels(domain string, n int) string {
	labels := strings.Split(domain, ".")
	if len(labels) <= n {
		return domain
	}
	return strings.Join(labels[len(labels)-n:], ".")
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
