package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/dueprocess/dueprocess/internal/jobs"
	"github.com/dueprocess/dueprocess/internal/store"
	"github.com/dueprocess/dueprocess/internal/webhook"
)

// minWebhookSecret is the shortest shared secret the actions webhook
// signs with.
const minWebhookSecret = 16

// webhookFlags registers --actions-webhook. The secret that signs each
// batch comes from the environment only (DUEPROCESS_ACTIONS_WEBHOOK_SECRET),
// never from a flag, which any user of the machine can read in the
// process list.
func (c *cli) webhookFlags(fs *flag.FlagSet) *string {
	return fs.String("actions-webhook", c.setting("DUEPROCESS_ACTIONS_WEBHOOK", ""),
		"https URL the item actions on content demands are posted to, signed with DUEPROCESS_ACTIONS_WEBHOOK_SECRET (docs/content.md); empty: the platform polls GET /api/v1/actions (env DUEPROCESS_ACTIONS_WEBHOOK)")
}

// webhookDeliverer checks the webhook's settings; nil when none is set.
func (c *cli) webhookDeliverer(db *store.DB, raw string) (*webhook.Deliverer, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, usageError{fmt.Sprintf("--actions-webhook: %s is not an http or https URL", webhook.Redact(raw))}
	}
	secret := c.setting("DUEPROCESS_ACTIONS_WEBHOOK_SECRET", "")
	if len(secret) < minWebhookSecret {
		return nil, usageError{fmt.Sprintf("--actions-webhook needs DUEPROCESS_ACTIONS_WEBHOOK_SECRET, at least %d characters, to sign each batch", minWebhookSecret)}
	}
	return &webhook.Deliverer{DB: db, URL: raw, Secret: []byte(secret)}, nil
}

// webhookLoop posts the item actions that took effect to the platform
// every ten seconds; after a failure it tries again sooner, from the same
// place. Every server may run it: a batch may arrive twice, never be
// skipped.
func webhookLoop(d *webhook.Deliverer, log *slog.Logger) *jobs.Loop {
	return &jobs.Loop{Name: "item actions webhook", Every: 10 * time.Second, Log: log, Run: d.Run}
}
