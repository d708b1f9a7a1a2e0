package web

import (
	"github.com/dueprocess/dueprocess"
	"github.com/dueprocess/dueprocess/internal/policy"
)

func testDecide(r *dueprocess.Request, pauses []dueprocess.Pause) dueprocess.Decision {
	return policy.Evaluate(r, policy.Default(), pauses)
}
