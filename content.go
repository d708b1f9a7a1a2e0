package dueprocess

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// This file holds the vocabulary of content-restriction demands: who asks
// (requester types), why (reasons), the items asked about and what was
// done with each. The requester types and reasons are those Google
// publishes in its "Government requests to remove content" report, as
// snake_case values, so that our figures can be read beside Google's.

// RequesterType is who in a government sent a content-restriction demand.
type RequesterType string

// RequesterTypes lists every requester type, in the order of the lines
// of Google's published file: court orders first, then by label.
var RequesterTypes = []RequesterType{
	"court_order_directed_at_us", "court_order_directed_at_third_party",
	"consumer_protection_authority", "data_protection_authority", "government_officials",
	"information_and_communications_authority", "military", "other", "police",
	"suppression_orders",
}

// requesterLabels are the labels of Google's file. Google's own "Court
// Order Directed at Google" is ours "directed at us".
var requesterLabels = map[RequesterType]string{
	"court_order_directed_at_us":               "Court Order Directed at Google",
	"court_order_directed_at_third_party":      "Court Order Directed at 3rd Party",
	"police":                                   "Police",
	"government_officials":                     "Government Officials",
	"military":                                 "Military",
	"data_protection_authority":                "Data Protection Authority",
	"consumer_protection_authority":            "Consumer Protection Authority",
	"information_and_communications_authority": "Information and Communications Authority",
	"suppression_orders":                       "Suppression Orders",
	"other":                                    "Other",
}

// Label returns the requester type as Google's file names it.
func (t RequesterType) Label() string { return requesterLabels[t] }

// ParseRequesterLabel returns the requester type of a label in Google's
// file. Google's "Information and Communications Authority Under Federal
// Law 276-FZ" (Russia) counts as the information and communications
// authority.
func ParseRequesterLabel(label string) (RequesterType, bool) {
	label = strings.TrimSpace(label)
	if strings.HasPrefix(label, "Information and Communications Authority") {
		return "information_and_communications_authority", true
	}
	for t, l := range requesterLabels {
		if l == label {
			return t, true
		}
	}
	return "", false
}

// RemovalReason is the reason a content-restriction demand gives: the 22
// reasons of Google's detailed removals file.
type RemovalReason string

// Reasons a policy file names by value.
const (
	ReasonGovernmentCriticism RemovalReason = "government_criticism"
	ReasonNationalSecurity    RemovalReason = "national_security"
)

var reasonLabels = []string{
	"Adult Content", "Bullying/Harassment", "Business Complaints", "Copyright", "Defamation",
	"Drug Abuse", "Electoral Law", "Fraud", "Geographical Dispute", "Government Criticism",
	"Hate Speech", "Impersonation", "National Security", "Obscenity/Nudity", "Other",
	"Privacy and Security", "Reason Unspecified", "Regulated Goods and Services",
	"Religious Offense", "Suicide Promotion", "Trademark", "Violence",
}

// RemovalReasons lists every reason, in Google's alphabetical order.
var RemovalReasons = func() []RemovalReason {
	out := make([]RemovalReason, len(reasonLabels))
	for i, l := range reasonLabels {
		out[i] = RemovalReason(snake(l))
	}
	return out
}()

// Label returns the reason as Google's file names it.
func (r RemovalReason) Label() string {
	for i, v := range RemovalReasons {
		if v == r {
			return reasonLabels[i]
		}
	}
	return string(r)
}

// snake turns a label into its value: "Bullying/Harassment" into
// "bullying_harassment".
func snake(label string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	return b.String()
}

// ItemAction is what was done with one item of a content-restriction
// demand.
type ItemAction string

const (
	ItemNoAction          ItemAction = "no_action"
	ItemRestrict          ItemAction = "restrict_in_jurisdiction"     // geo-restricted in the requesting country
	ItemRemoveUnderPolicy ItemAction = "remove_globally_under_policy" // it breaks our own rules everywhere
	ItemNotFound          ItemAction = "content_not_found"
	ItemAlreadyRemoved    ItemAction = "already_removed"
	ItemNotEnoughInfo     ItemAction = "not_enough_information"
)

// ItemActions lists every item action.
var ItemActions = []ItemAction{ItemNoAction, ItemRestrict, ItemRemoveUnderPolicy, ItemNotFound, ItemAlreadyRemoved, ItemNotEnoughInfo}

// Restricts reports whether a changes what users can see: such an action
// takes effect only when a second staff member confirms it (four eyes).
func (a ItemAction) Restricts() bool { return a == ItemRestrict || a == ItemRemoveUnderPolicy }

// Limits of content-restriction demands. A demand with MaxItems items of
// the longest URL, ground and quote is far larger than MaxRequestBody, so
// a body of kind content_restriction may be up to MaxContentRequestBody.
const (
	MaxItems              = 10000
	MaxURLLength          = 2048
	MaxQuoteLength        = 1000
	MaxContentRequestBody = 16 << 20
)

// NewItem is one item of a submitted demand, before it is checked.
type NewItem struct {
	URL    string `json:"url"`
	ID     string `json:"id"`
	Ground string `json:"ground"`
	Quote  string `json:"quote"`
}

// Item is one piece of content a demand asks to restrict: a URL or a
// platform content id, the law or ground cited, an optional quote, and
// what was done with it.
type Item struct {
	Index     int    `json:"index"`
	URL       string `json:"url,omitempty"`
	ContentID string `json:"id,omitempty"`
	Ground    string `json:"ground"`
	Quote     string `json:"quote,omitempty"`
	// Action is the action in effect ("" while none is); Proposed an
	// action that restricts, waiting for a second staff member.
	Action   ItemAction    `json:"action,omitempty"`
	Reason   string        `json:"action_reason,omitempty"`
	Proposed *ItemDecision `json:"proposed,omitempty"`
}

// ItemDecision is one staff member's decision on an item.
type ItemDecision struct {
	Action  ItemAction `json:"action"`
	Reason  string     `json:"reason"`
	StaffID string     `json:"staff_id"`
	At      time.Time  `json:"at"`
}

// checkContent checks the items, requester type and reason of a
// content-restriction demand; other kinds must carry none.
func (n *NewRequest) checkContent(r *Request) error {
	var err error
	if r.Kind != KindContentRestriction {
		switch {
		case len(n.Items) > 0: // an empty list asks for nothing
			return FieldError("items", "is only for requests of kind content_restriction")
		case n.RequesterType != "":
			return FieldError("requester_type", "is only for requests of kind content_restriction")
		case n.Reason != "":
			return FieldError("reason", "is only for requests of kind content_restriction")
		}
		return nil
	}
	if r.RequesterType, err = oneOf("requester_type", n.RequesterType, RequesterTypes); err != nil {
		return err
	}
	if r.Reason, err = oneOf("reason", n.Reason, RemovalReasons); err != nil {
		return err
	}
	if len(n.Items) == 0 {
		return FieldError("items", "at least one item (a url or an id, and the ground cited) is required for a content_restriction request")
	}
	if len(n.Items) > MaxItems {
		return FieldError("items", "%d items given; at most %d are accepted in one request", len(n.Items), MaxItems)
	}
	r.Items = make([]Item, len(n.Items))
	seen := make(map[string]int, len(n.Items))
	for i, in := range n.Items {
		it, err := in.check(fmt.Sprintf("items[%d]", i))
		if err != nil {
			return err
		}
		key := it.URL + "\x00" + it.ContentID
		if j, dup := seen[key]; dup {
			return FieldError(fmt.Sprintf("items[%d]", i), "repeats items[%d]", j)
		}
		seen[key] = i
		it.Index = i
		r.Items[i] = it
	}
	return nil
}

func (in NewItem) check(field string) (Item, error) {
	var it Item
	var err error
	switch {
	case in.URL != "" && in.ID != "":
		return it, FieldError(field+".url", "give a url or an id, not both")
	case in.URL != "":
		if it.URL, err = identifier(field+".url", in.URL, MaxURLLength, true); err != nil {
			return it, err
		}
		u, perr := url.Parse(it.URL)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(it.URL, " \t\r\n") {
			return it, FieldError(field+".url", "%q is not an http or https URL", it.URL)
		}
	case in.ID != "":
		if it.ContentID, err = identifier(field+".id", in.ID, MaxShortLength, true); err != nil {
			return it, err
		}
	default:
		return it, FieldError(field+".url", "is required (or an id): which content the item is")
	}
	if it.Ground, err = text(field+".ground", in.Ground, MaxShortLength, true); err != nil {
		return it, err
	}
	if it.Quote, err = text(field+".quote", in.Quote, MaxQuoteLength, false); err != nil {
		return it, err
	}
	return it, nil
}

// NewItemActions is a staff member's decision on a selection of items, as
// submitted.
type NewItemActions struct {
	Items  []int  `json:"items"`
	Action string `json:"action"`
	Reason string `json:"reason"`
}

// Check validates a against the request's items and returns the indexes,
// the action and the reason.
func (a *NewItemActions) Check(r *Request) ([]int, ItemAction, string, error) {
	if len(a.Items) == 0 {
		return nil, "", "", FieldError("items", "name at least one item by its index")
	}
	seen := map[int]bool{}
	for i, ix := range a.Items {
		if ix < 0 || ix >= len(r.Items) {
			return nil, "", "", FieldError(fmt.Sprintf("items[%d]", i), "%d is not an item of %s, which has %d (0 to %d)", ix, r.ID, len(r.Items), len(r.Items)-1)
		}
		if seen[ix] {
			return nil, "", "", FieldError(fmt.Sprintf("items[%d]", i), "%d is listed twice", ix)
		}
		seen[ix] = true
	}
	action, err := oneOf("action", a.Action, ItemActions)
	if err != nil {
		return nil, "", "", err
	}
	reason, err := text("reason", a.Reason, MaxTextLength, true)
	if err != nil {
		return nil, "", "", err
	}
	return a.Items, action, reason, nil
}

// AppliedAction is one confirmed action on an item, as the platform
// polls for it: Seq orders them and is the cursor.
type AppliedAction struct {
	Seq          int64      `json:"seq"`
	RequestID    string     `json:"request_id"`
	Jurisdiction string     `json:"jurisdiction"`
	Item         int        `json:"item"`
	URL          string     `json:"url,omitempty"`
	ContentID    string     `json:"id,omitempty"`
	Action       ItemAction `json:"action"`
	ProposedBy   string     `json:"proposed_by"`
	ConfirmedBy  string     `json:"confirmed_by"`
	At           time.Time  `json:"at"`
}

// RemovalCount is one content demand's items by the action in effect on
// them ("" for none yet), as the removals report counts them.
type RemovalCount struct {
	RequestID     string
	Jurisdiction  string
	RequesterType RequesterType
	Reason        RemovalReason
	Items         map[ItemAction]int64
}

// PublishedRemoval is one line of the figures a company published about
// government requests to remove content: a summary line (by requester
// type, with the share of items by outcome) or a detailed one (by product
// and reason, Requester empty; on a summary line Product holds only what
// Google's requester label adds to ours, such as Russia's "Under Federal
// Law 276-FZ"). Percent holds the shares published, by
// the action that stands for each column; a column left empty is absent.
type PublishedRemoval struct {
	Company      string
	Period       string // "2020-H1"
	Jurisdiction string
	Requester    RequesterType
	Product      string
	Reason       RemovalReason
	Requests     int64
	Items        *int64
	Percent      map[ItemAction]int64
}

// RemovalReasonOf returns the reason of a label of Google's detailed
// file ("Bullying/Harassment"), or "" for none of the 22.
func RemovalReasonOf(label string) RemovalReason {
	for i, l := range reasonLabels {
		if strings.EqualFold(l, strings.TrimSpace(label)) {
			return RemovalReasons[i]
		}
	}
	return ""
}
