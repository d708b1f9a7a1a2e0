package dueprocess

import (
	"context"
	"fmt"
	"net/mail"
)

// Contacter finds a target's e-mail address in the platform's records
// ("" when there is none): internal/gather's connectors do.
type Contacter interface {
	Contact(ctx context.Context, t Target) (string, error)
}

// EmailAddress returns the address of an e-mail target, or "".
func (t Target) EmailAddress() string {
	if t.Type != TargetEmail {
		return ""
	}
	a, err := mail.ParseAddress(t.Value)
	if err != nil || a.Name != "" {
		return ""
	}
	return a.Address
}

// NoticeAddresses returns the address of each target: an e-mail target's
// own value, or what c finds (c may be nil: no connectors). It talks to
// the platform's database, so it runs before the transaction that plans
// the notices, never inside it. An error from c is returned: a notice is
// not recorded undeliverable because a query failed.
func NoticeAddresses(ctx context.Context, targets []Target, c Contacter) (map[Target]string, error) {
	out := make(map[Target]string, len(targets))
	for _, t := range targets {
		if a := t.EmailAddress(); a != "" {
			out[t] = a
			continue
		}
		if c == nil {
			continue
		}
		addr, err := c.Contact(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("contact of %s %s: %w", t.Type, t.Value, err)
		}
		if addr != "" {
			out[t] = addr
		}
	}
	return out, nil
}
