package store

import (
	"strings"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess"
)

// TestHoldExpiringMail checks the reminder's text: the request, each
// target with its end, and the way to extend while that is possible.
func TestHoldExpiringMail(t *testing.T) {
	end := time.Date(2027, 2, 24, 2, 31, 0, 0, time.UTC)
	holds := []*dueprocess.Hold{
		{ID: "hd_1", Target: dueprocess.Target{Type: dueprocess.TargetUsername, Value: "alice"}, ExpiresAt: end, ExtensionDays: 90},
		{ID: "hd_2", Target: dueprocess.Target{Type: dueprocess.TargetEmail, Value: "alice@example.org"}, ExpiresAt: end, ExtensionDays: 90},
	}
	subject, body := holdExpiringMail("DP-2026-000001", holds)
	if subject != "Preservation holds of DP-2026-000001 end on 2027-02-24" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"24 February 2027 02:31 UTC", "username alice (hold hd_1)", "email alice@example.org (hold hd_2)",
		"extend these holds once, by 90 days", "POST /api/v1/requests/DP-2026-000001/extend"} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q:\n%s", want, body)
		}
	}
	holds[0].ExtendedAt = &end
	if _, body := holdExpiringMail("DP-2026-000001", holds); strings.Contains(body, "/extend") || !strings.Contains(body, "cannot be extended again") {
		t.Errorf("after the extension the body still offers one:\n%s", body)
	}
}
