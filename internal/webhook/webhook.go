// Package webhook delivers the item actions that took effect on content
// demands to the platform, which applies them (docs/content.md, "The
// platform's side"). It is the push twin of GET /api/v1/actions: the same
// actions, oldest first, in batches, each signed so that the platform can
// tell it came from us.
//
// Delivery is at least once. The cursor (the seq of the last action the
// platform acknowledged with a 2xx) moves only after the answer, in a
// transaction that checks it still stands where the batch began; a crash
// or a second server may send a batch again, never skip one. Each action
// carries its seq, so the platform applies a repeated one as a no-op.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/store"
)

// SignatureHeader carries "t=UNIX,sha256=HEX": the HMAC-SHA256, keyed by
// the shared secret, of the time, a dot and the body.
const SignatureHeader = "Dueprocess-Signature"

// Batch is what one delivery posts.
type Batch struct {
	After   int64                      `json:"after"`   // the seq the batch continues from
	Through int64                      `json:"through"` // the seq of its last action
	Actions []dueprocess.AppliedAction `json:"actions"`
}

// Deliverer posts the actions after the cursor to URL until none is left.
type Deliverer struct {
	DB     *store.DB
	URL    string
	Secret []byte
	Client *http.Client // default: one with a 30 s timeout
	Size   int          // actions per batch; default 100
	Now    func() time.Time
}

// Sign returns the signature header's value for body at time t.
func Sign(secret, body []byte, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Run delivers batch after batch until every action has been
// acknowledged, or a delivery fails: then it returns the error, and the
// loop that runs it tries again later, from the same cursor.
func (d *Deliverer) Run(ctx context.Context) error {
	for {
		done, err := d.deliverOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

// deliverOne posts the next batch; done is true when there was none.
func (d *Deliverer) deliverOne(ctx context.Context) (done bool, err error) {
	from, err := d.DB.WebhookCursor(ctx)
	if err != nil {
		return false, err
	}
	size := d.Size
	if size <= 0 {
		size = 100
	}
	actions, err := d.DB.ActionsSince(ctx, from, size)
	if err != nil || len(actions) == 0 {
		return err == nil, err
	}
	b := Batch{After: from, Through: actions[len(actions)-1].Seq, Actions: actions}
	body, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	if err := d.post(ctx, body, b); err != nil {
		return false, err
	}
	// Whether this server or another moved the cursor, the next round
	// starts from where it stands now.
	_, err = d.DB.AdvanceWebhookCursor(ctx, b.After, b.Through, len(actions))
	return false, err
}

func (d *Deliverer) post(ctx context.Context, body []byte, b Batch) error {
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(d.Secret, body, now()))
	req.Header.Set("Dueprocess-Delivery", fmt.Sprintf("%d-%d", b.After, b.Through))
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("deliver actions %d–%d to %s: %w", b.After+1, b.Through, Redact(d.URL), unwrapURL(err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("deliver actions %d–%d to %s: it answered %s; trying again later", b.After+1, b.Through, Redact(d.URL), resp.Status)
	}
	return nil
}

// Redact returns raw without any password or query, for logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a webhook URL that does not parse)"
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}

// unwrapURL drops the *url.Error wrapper, which repeats the URL with its
// query.
func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
