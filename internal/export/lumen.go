package export

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/dueprocess/dueprocess"
)

// Lumen is a content demand as a notice for the Lumen database, in the
// shape of Lumen's notice API ({"notice": {…}}).
type Lumen struct {
	Notice LumenNotice `json:"notice"`
}

// LumenNotice is the notice itself.
type LumenNotice struct {
	Type             string        `json:"type"` // GovernmentRequest or CourtOrder
	Title            string        `json:"title"`
	Subject          string        `json:"subject"`
	DateSent         string        `json:"date_sent,omitempty"`
	DateReceived     string        `json:"date_received"`
	JurisdictionList []string      `json:"jurisdiction_list"`
	LawsReferenced   []string      `json:"laws_referenced"`
	ActionTaken      string        `json:"action_taken"` // Yes, No, Partial or Unspecified
	Body             string        `json:"body"`
	Works            []LumenWork   `json:"works_attributes"`
	Entities         []LumenEntity `json:"entity_notice_roles_attributes"`
}

// LumenWork is one item: what it is, and the URL targeted.
type LumenWork struct {
	Description    string     `json:"description"`
	InfringingURLs []LumenURL `json:"infringing_urls_attributes"`
}

// LumenURL is one targeted URL.
type LumenURL struct {
	URL string `json:"url"`
}

// LumenEntity is the sender or the recipient of the notice.
type LumenEntity struct {
	Name   string     `json:"name"` // sender or recipient
	Entity LumenParty `json:"entity_attributes"`
}

// LumenParty names a party.
type LumenParty struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"` // government or organization
	CountryCode string `json:"country_code,omitempty"`
}

var (
	emails = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	phones = regexp.MustCompile(`\+?[0-9][0-9 ()./-]{5,}[0-9]`)
)

// Redact removes the personal data of private persons from free text:
// e-mail addresses and telephone numbers (a run of seven or more digits,
// with spaces, dots, dashes or brackets between).
func Redact(s string) string {
	s = emails.ReplaceAllString(s, "[e-mail redacted]")
	return phones.ReplaceAllStringFunc(s, func(m string) string {
		digits := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits < 7 {
			return m
		}
		return "[phone redacted]"
	})
}

// Redacted is the text that stands for a quote of the content: it may
// name or identify the person who wrote it.
const Redacted = "[quote redacted]"

// CourtOrder reports whether a demand is a court order in Lumen's sense.
func CourtOrder(r *dueprocess.Request) bool {
	return r.LegalProcess.Type == "court_order" ||
		r.RequesterType == "court_order_directed_at_us" || r.RequesterType == "court_order_directed_at_third_party"
}

// LumenOf returns r as a Lumen notice sent to recipient (the service's
// name). The sender is the authority that issued it (never the official
// who submitted it), quotes are withheld and e-mail addresses and
// telephone numbers in free text are redacted (Redact).
func LumenOf(r *dueprocess.Request, recipient string) Lumen {
	n := LumenNotice{
		Type: "GovernmentRequest", Title: "Government request to restrict content: " + r.Reason.Label(),
		Subject:          r.Reason.Label(),
		DateReceived:     r.ReceivedAt.UTC().Format(time.DateOnly),
		JurisdictionList: []string{r.Jurisdiction},
		LawsReferenced:   []string{},
		ActionTaken:      actionTaken(r.Items),
		Body: Redact("A " + r.RequesterType.Label() + " request (" + string(r.LegalProcess.Type) + ", reference " +
			r.LegalProcess.Reference + ") to restrict " + plural(len(r.Items), "item") + " on the ground of " + r.Reason.Label() + "."),
		Works: []LumenWork{},
		Entities: []LumenEntity{
			{Name: "sender", Entity: LumenParty{Name: Redact(r.LegalProcess.IssuedBy), Kind: "government", CountryCode: dueprocess.Country(r.Jurisdiction)}},
			{Name: "recipient", Entity: LumenParty{Name: recipient, Kind: "organization"}},
		},
	}
	if CourtOrder(r) {
		n.Type, n.Title = "CourtOrder", "Court order to restrict content: "+r.Reason.Label()
	}
	if !r.LegalProcess.IssuedOn.IsZero() {
		n.DateSent = r.LegalProcess.IssuedOn.String()
	}
	for _, it := range r.Items {
		if g := Redact(it.Ground); !slices.Contains(n.LawsReferenced, g) {
			n.LawsReferenced = append(n.LawsReferenced, g)
		}
		w := LumenWork{Description: Redact(itemText(it)), InfringingURLs: []LumenURL{}}
		if it.URL != "" {
			w.InfringingURLs = append(w.InfringingURLs, LumenURL{URL: it.URL})
		}
		n.Works = append(n.Works, w)
	}
	return Lumen{Notice: n}
}

// itemText describes an item for the public: its ground and what was done,
// the quote withheld.
func itemText(it dueprocess.Item) string {
	s := "Ground cited: " + it.Ground + "."
	if it.ContentID != "" {
		s = "Content " + it.ContentID + ". " + s
	}
	if it.Quote != "" {
		s += " Quote: " + Redacted + "."
	}
	if it.Action != "" {
		s += " Action: " + string(it.Action) + "."
	}
	return s
}

// actionTaken is Lumen's answer to "was action taken?": Yes if every item
// was restricted, Partial if some were, No if every item is decided and
// none was, Unspecified while some are undecided.
func actionTaken(items []dueprocess.Item) string {
	restricted, decided := 0, 0
	for _, it := range items {
		if it.Action != "" {
			decided++
		}
		if it.Action.Restricts() {
			restricted++
		}
	}
	switch {
	case restricted == len(items) && restricted > 0:
		return "Yes"
	case restricted > 0:
		return "Partial"
	case decided == len(items):
		return "No"
	}
	return "Unspecified"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

func itoa(n int) string { return fmt.Sprint(n) }
