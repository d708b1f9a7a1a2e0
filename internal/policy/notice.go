package policy

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dueprocess/dueprocess"
)

// Notice returns what the policy says about user notice: whether users are
// told of a release and of a hold, how long after an emergency disclosure,
// and in what language. A file without a notice section gets
// dueprocess.DefaultNoticePolicy.
func (p *Policy) Notice() dueprocess.NoticePolicy { return p.notice }

// notice reads the notice section; a field left out keeps its default.
func (d *decoder) notice(n *yaml.Node, path string, p *Policy) error {
	return d.fields(n, path, []string{"on_release", "on_hold", "emergency_delay", "language"}, func(key string, v *yaml.Node, path string) (err error) {
		switch key {
		case "on_release":
			p.notice.OnRelease, err = d.boolean(v, path)
		case "on_hold":
			p.notice.OnHold, err = d.boolean(v, path)
		case "emergency_delay":
			p.notice.EmergencyDelay, err = d.period(v, path)
		case "language":
			if p.notice.Language, err = d.str(v, path); err == nil && !slices.Contains(dueprocess.NoticeLanguages(), p.notice.Language) {
				return d.errorf(v, path, "there is no notice template in %q; there are %s", p.notice.Language, strings.Join(dueprocess.NoticeLanguages(), ", "))
			}
		}
		return err
	})
}
