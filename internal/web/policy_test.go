package web_test

import (
	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/policy"
)

// defaultPolicy decides with the built-in policy, as a server started with
// no --policy does.
func defaultPolicy(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
	return policy.Evaluate(r, policy.Default(), pauses)
}
